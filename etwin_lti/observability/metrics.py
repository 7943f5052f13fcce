"""Prometheus metrics (prometheus_client), exposed at ``GET /metrics``.

Counted where things happen, in the process they happen in (web workers, queue workers):

    etwin_lti_launches_total{outcome}                 ok | refused (4xx) | error (5xx)
    etwin_lti_refusals_total{reason}                  4xx: the code the error page or JSON shows
    etwin_lti_server_errors_total{reason}             5xx, the same way (dependency_unavailable)
    etwin_lti_passback_attempts_total{result}         sent | retry | dead | skipped | error
    etwin_lti_passback_dead_letters_total             attempts that made a dead letter
    etwin_lti_roster_sync_duration_seconds{scope,outcome}   histogram; all | course | twinspace
    etwin_lti_cache_lookups_total{kind,result}        shared-cache reads: hit | miss

Read from the queue and the outbox at scrape time, so every instance reports the same truth:

    etwin_lti_queue_depth                             tasks waiting in the queue
    etwin_lti_outbox_pending_scores                   scores not yet posted
    etwin_lti_outbox_oldest_pending_age_seconds       age of the oldest of them (0 when none)
    etwin_lti_outbox_dead_letters                     scores given up, waiting for an admin
    etwin_lti_scrape_source_up{source}                1, or 0 when that source did not answer

Label values are bounded: fixed words, or codes from the tool's own code that pass a pattern,
never more than ``MAX_LABEL_VALUES`` of them per label (then ``other``) — never a user id, a
URL or free text.

Under gunicorn every worker is its own process: with ``PROMETHEUS_MULTIPROC_DIR`` set (before
the process starts: prometheus_client picks its storage on import) the values live in files
there and a scrape of any worker adds up every process's (docs/decisions/0022).
"""

from __future__ import annotations

import os
import re
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Protocol

from prometheus_client import CollectorRegistry, Counter, Histogram
from prometheus_client.exposition import CONTENT_TYPE_LATEST, generate_latest
from prometheus_client.metrics_core import GaugeMetricFamily, Metric
from prometheus_client.multiprocess import MultiProcessCollector

from etwin_lti.errors import ConfigurationError

MULTIPROC_ENV = "PROMETHEUS_MULTIPROC_DIR"
MAX_LABEL_VALUES = 64
OTHER = "other"
_CODE = re.compile(r"[a-z][a-z0-9_]{0,47}")
_CACHE_KIND = re.compile(r"([a-z][a-z0-9_-]{0,31}):")
# Roster syncs run from a second (a small course) to minutes (10,000 members, a slow LMS).
ROSTER_BUCKETS = (0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600)
LAUNCH_OUTCOMES = ("ok", "refused", "error")
PASSBACK_RESULTS = ("sent", "retry", "dead", "skipped", "error")


@dataclass(frozen=True)
class QueueSnapshot:
    """The queue and the outbox at one moment; None where the source did not answer."""

    queue_depth: int | None
    pending_scores: int | None
    oldest_pending_age_seconds: float | None
    dead_letters: int | None


class _BoundedLabel:
    """Values of one label: those that pass ``pattern``, at most ``MAX_LABEL_VALUES`` of them."""

    def __init__(self, pattern: re.Pattern[str]) -> None:
        self._pattern = pattern
        self._seen: set[str] = set()

    def __call__(self, value: str) -> str:
        if not self._pattern.fullmatch(value):
            return OTHER
        if value not in self._seen:
            if len(self._seen) >= MAX_LABEL_VALUES:
                return OTHER
            self._seen.add(value)
        return value


class Metrics:
    """The tool's metrics, one instance per app (bootstrap builds it)."""

    def __init__(self, *, multiprocess_dir: str | None = None) -> None:
        if multiprocess_dir is not None and not os.path.isdir(multiprocess_dir):
            raise ConfigurationError(
                f"{MULTIPROC_ENV} must name an existing directory (empty it before each start)."
            )
        self.multiprocess_dir = multiprocess_dir
        self.registry = CollectorRegistry()
        r = self.registry
        self._launches = Counter(
            "etwin_lti_launches", "LTI launches by outcome.", ["outcome"], registry=r
        )
        self._refusals = Counter(
            "etwin_lti_refusals", "Refused requests by error code.", ["reason"], registry=r
        )
        self._server_errors = Counter(
            "etwin_lti_server_errors", "5xx answers by error code.", ["reason"], registry=r
        )
        self._passback = Counter(
            "etwin_lti_passback_attempts",
            "Score passback attempts by result.",
            ["result"],
            registry=r,
        )
        self._dead_letters = Counter(
            "etwin_lti_passback_dead_letters",
            "Passback attempts that gave a score up.",
            registry=r,
        )
        self._roster = Histogram(
            "etwin_lti_roster_sync_duration_seconds",
            "Roster (NRPS) sync runs by scope and outcome.",
            ["scope", "outcome"],
            buckets=ROSTER_BUCKETS,
            registry=r,
        )
        self._cache = Counter(
            "etwin_lti_cache_lookups",
            "Shared-cache reads by key kind and result.",
            ["kind", "result"],
            registry=r,
        )
        self._reason = _BoundedLabel(_CODE)
        self._kind = _BoundedLabel(re.compile(r"[a-z][a-z0-9_-]{0,31}"))

    @classmethod
    def from_environment(cls) -> Metrics:
        return cls(multiprocess_dir=os.environ.get(MULTIPROC_ENV) or None)

    # --- recording ----------------------------------------------------------------------------
    def launch(self, status_code: int) -> None:
        outcome = "ok" if status_code < 400 else "refused" if status_code < 500 else "error"
        self._launches.labels(outcome).inc()

    def refusal(self, code: str, *, status_code: int) -> None:
        """An error answer: a refusal (4xx) or the tool's own failure (5xx), by its code."""
        counter = self._refusals if status_code < 500 else self._server_errors
        counter.labels(self._reason(code)).inc()

    def passback(self, result: str) -> None:
        self._passback.labels(result if result in PASSBACK_RESULTS else OTHER).inc()
        if result == "dead":
            self._dead_letters.inc()

    def cache_lookup(self, key: str, hit: bool) -> None:
        """``key``'s prefix (``jwks:``, ``lti-access-token:``) names the kind; never the key."""
        prefix = _CACHE_KIND.match(key)
        kind = self._kind(prefix.group(1)) if prefix else OTHER
        self._cache.labels(kind, "hit" if hit else "miss").inc()

    @contextmanager
    def roster_sync(self, scope: str) -> Iterator[None]:
        start = time.perf_counter()
        outcome = "failed"
        try:
            yield
            outcome = "ok"
        finally:
            self._roster.labels(scope, outcome).observe(time.perf_counter() - start)

    # --- exposition ---------------------------------------------------------------------------
    def render(self, snapshot: Callable[[], QueueSnapshot]) -> tuple[bytes, str]:
        """The text exposition: this process's (or, multiprocess, every process's) counters
        and the queue gauges read now."""
        counters: _Collector
        if self.multiprocess_dir is not None:
            counters = MultiProcessCollector(None, path=self.multiprocess_dir)
        else:
            counters = self.registry
        scrape = _Scrape([counters, _SnapshotCollector(snapshot)])
        return generate_latest(scrape), CONTENT_TYPE_LATEST


class _Collector(Protocol):
    def collect(self) -> Iterable[Metric]: ...


class _Scrape:
    """What ``generate_latest`` reads: several collectors as one."""

    def __init__(self, collectors: list[_Collector]) -> None:
        self._collectors = collectors

    def collect(self) -> Iterator[Metric]:
        for collector in self._collectors:
            yield from collector.collect()


class _SnapshotCollector:
    def __init__(self, snapshot: Callable[[], QueueSnapshot]) -> None:
        self._snapshot = snapshot

    def collect(self) -> Iterator[Metric]:
        now = self._snapshot()
        up = GaugeMetricFamily(
            "etwin_lti_scrape_source_up",
            "1 when the source answered this scrape.",
            labels=["source"],
        )
        up.add_metric(["queue"], 0 if now.queue_depth is None else 1)
        up.add_metric(["outbox"], 0 if now.pending_scores is None else 1)
        yield up
        gauges = (
            ("etwin_lti_queue_depth", "Tasks waiting in the queue.", now.queue_depth),
            ("etwin_lti_outbox_pending_scores", "Scores not yet posted.", now.pending_scores),
            (
                "etwin_lti_outbox_oldest_pending_age_seconds",
                "Age of the oldest score not yet posted (0 when none).",
                now.oldest_pending_age_seconds,
            ),
            ("etwin_lti_outbox_dead_letters", "Scores given up.", now.dead_letters),
        )
        for name, documentation, value in gauges:
            if value is not None:
                yield GaugeMetricFamily(name, documentation, value=value)
