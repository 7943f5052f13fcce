"""The request id rule and the metrics' label bounds, without an app."""

from __future__ import annotations

import re
import threading

import pytest
from prometheus_client.parser import text_string_to_metric_families

from etwin_lti.observability.metrics import MAX_LABEL_VALUES, Metrics, QueueSnapshot
from etwin_lti.observability.request_ids import (
    accept_request_id,
    bound_request_id,
    current_request_id,
)

NEW_ID = re.compile(r"[0-9a-f]{32}")


@pytest.mark.parametrize("kept", ["a", "A.b_c-d", "9" * 64, "0123456789abcdef"])
def test_safe_ids_are_kept(kept: str) -> None:
    assert accept_request_id(kept) == kept


@pytest.mark.parametrize(
    "replaced",
    [None, 42, b"bytes", "", "x" * 65, "a\n", "\na", "a b", "a\tb", "é", "a/b", "a;b", "a%0A"],
)
def test_everything_else_is_replaced(replaced: object) -> None:
    assert NEW_ID.fullmatch(accept_request_id(replaced))


def test_a_bound_id_ends_with_its_block_and_nests() -> None:
    assert current_request_id() is None
    with bound_request_id("outer") as outer:
        assert outer == current_request_id() == "outer"
        with bound_request_id(None) as inner:
            assert NEW_ID.fullmatch(inner) and current_request_id() == inner
        assert current_request_id() == "outer"
    assert current_request_id() is None


def test_a_bound_id_is_checked_again() -> None:
    with bound_request_id("bad id\n") as bound:
        assert NEW_ID.fullmatch(bound)


def test_threads_do_not_share_ids() -> None:
    seen: list[str | None] = []
    with bound_request_id("request-a"):
        thread = threading.Thread(target=lambda: seen.append(current_request_id()))
        thread.start()
        thread.join()
    assert seen == [None]


def rendered(metrics: Metrics) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    body, _ = metrics.render(lambda: QueueSnapshot(None, None, None, None))
    return {
        (s.name, tuple(sorted(s.labels.items()))): s.value
        for family in text_string_to_metric_families(body.decode())
        for s in family.samples
    }


def test_refusal_reasons_are_capped_and_pattern_checked() -> None:
    metrics = Metrics()
    for n in range(MAX_LABEL_VALUES + 20):
        metrics.refusal(f"code_{n}", status_code=400)
    for hostile in ("Bad Code", "x" * 100, "a\nb", "ünï", "", "{}"):
        metrics.refusal(hostile, status_code=400)
    reasons = {
        dict(labels)["reason"]
        for name, labels in rendered(metrics)
        if name == "etwin_lti_refusals_total"
    }
    assert len(reasons) == MAX_LABEL_VALUES + 1  # the first 64 codes and "other"
    assert "other" in reasons
    assert rendered(metrics)[("etwin_lti_refusals_total", (("reason", "other"),))] == 26


def test_server_errors_are_counted_apart_from_refusals() -> None:
    metrics = Metrics()
    metrics.refusal("dependency_unavailable", status_code=503)
    found = rendered(metrics)
    assert found[("etwin_lti_server_errors_total", (("reason", "dependency_unavailable"),))] == 1
    assert ("etwin_lti_refusals_total", (("reason", "dependency_unavailable"),)) not in found


@pytest.mark.parametrize(
    ("key", "kind"),
    [
        ("jwks:https://lms.example", "jwks"),
        ("lti-access-token:3:scope", "lti-access-token"),
        ("no-colon-here", "other"),
        ("Upper:x", "other"),
        (":leading", "other"),
        ("person 42:x", "other"),
    ],
)
def test_cache_kinds_come_from_the_key_prefix_only(key: str, kind: str) -> None:
    metrics = Metrics()
    metrics.cache_lookup(key, False)
    assert (
        rendered(metrics)[("etwin_lti_cache_lookups_total", (("kind", kind), ("result", "miss")))]
        == 1
    )


def test_unknown_passback_results_and_launch_statuses_stay_bounded() -> None:
    metrics = Metrics()
    metrics.passback("something new")
    for status in (200, 303, 401, 422, 500, 503):
        metrics.launch(status)
    found = rendered(metrics)
    assert found[("etwin_lti_passback_attempts_total", (("result", "other"),))] == 1
    launches = {
        dict(labels)["outcome"]: count
        for (name, labels), count in found.items()
        if name == "etwin_lti_launches_total"
    }
    assert launches == {"ok": 2, "refused": 2, "error": 2}


def test_an_unanswering_source_is_reported_down_and_its_gauges_left_out() -> None:
    found = rendered(Metrics())
    assert found[("etwin_lti_scrape_source_up", (("source", "queue"),))] == 0
    assert found[("etwin_lti_scrape_source_up", (("source", "outbox"),))] == 0
    assert not any(name.startswith("etwin_lti_outbox") for name, _ in found)
