"""Settings: one frozen dataclass built once from the Flask config (itself read from ``ETWIN_*``).

Nothing reads configuration at import time; ``create_app`` builds ``Settings`` and hands it to
``bootstrap``. Every field is documented in the README's configuration table.
"""

from __future__ import annotations

import base64
import os
import secrets
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

from etwin_lti.errors import ConfigurationError
from etwin_lti.private_files import write_private_text

DEMO_IN_PRODUCTION_OVERRIDE = "yes-i-know"


@dataclass(frozen=True)
class Settings:
    instance_path: str
    database_url: str
    secret_key: str = field(repr=False)
    # Fernet keys for secrets at rest (ETWIN_ENCRYPTION_KEYS, comma-separated): the first
    # encrypts, all decrypt. Default: one generated into instance/encryption_key (0600).
    encryption_keys: tuple[str, ...] = field(default=(), repr=False)
    base_url: str = "http://127.0.0.1:5000"
    redis_url: str | None = None
    queue: str = "embedded"  # "embedded" (SQLite huey + in-process worker) or "redis"
    queue_path: str | None = None  # the embedded queue's SQLite file; default instance/queue.sqlite
    worker_threads: int = 2  # huey worker threads (`etwin-lti worker`, in-process worker)
    passback_max_attempts: int = 8  # then the score becomes a dead letter
    passback_backoff_seconds: float = 30.0  # first retry delay; doubles, with jitter
    passback_backoff_cap_seconds: float = 3600.0  # longest retry delay (and Retry-After cap)
    passback_lease_seconds: int = 300  # a worker's claim on a score; then the sweep retakes it
    passback_sweep_minutes: int = 1  # periodic re-enqueue of pending scores
    roster_sync_minutes: int = 60  # periodic NRPS roster sync of every known context
    moodle_poll_minutes: int = 15  # periodic Moodle completion polling
    demo: bool = False
    launch_leeway_seconds: int = 60
    launch_session_seconds: int = 8 * 3600
    store_pupil_names: bool = False
    key_rotation_overlap_days: int = 7
    jwks_min_refetch_seconds: int = 60
    # In-process memos of platforms, deployments, role policies and bindings (ADR 0033): how
    # often a worker checks the shared token that another instance's write replaces.
    memo_check_seconds: float = 1.0
    http_timeout_seconds: float = 10.0
    hub_url: str | None = None  # another instance's base URL: use its hub over /api/v1
    hub_token: str | None = field(default=None, repr=False)  # admin API token there; secret
    suspended_retention_days: int = 365
    badge_issuer_name: str = "eTwinning LTI tool"  # the Open Badges issuer profile
    badge_issuer_email: str | None = None  # contact e-mail in the issuer profile
    # Outgoing mail (teacher linking's one-time codes): SMTP when a host is set, else .eml files
    # in mail_folder (default <instance>/outgoing-mail).
    smtp_host: str | None = None
    smtp_port: int = 587
    smtp_user: str | None = None
    smtp_password: str | None = field(default=None, repr=False)  # secret
    smtp_starttls: bool = True
    mail_from: str = "etwinning-tool@localhost"
    mail_folder: str | None = None
    # Abuse limits (etwin_lti.web.limits; "N per minute" strings of the `limits` library), per
    # client address unless said otherwise. A whole school can sit behind one NAT address, so the
    # launch-path defaults leave room for several classes opening an activity at once.
    rate_limits_enabled: bool = True
    rate_limit_login: str = "300 per minute"
    rate_limit_launch: str = "300 per minute"
    rate_limit_registration: str = "20 per hour"
    rate_limit_api_token: str = "600 per minute"  # per API token
    rate_limit_api_failures: str = "30 per minute"  # refused tokens, per address
    rate_limit_upload: str = "60 per hour"
    rate_limit_one_time_code: str = "10 per 10 minutes"
    rate_limit_chat: str = "10 per 30 seconds"  # messages per person per TwinSpace chat
    registration_attempts_per_invite: int = 3  # dynamic registrations tried with one invite
    # Outbound fetch guard (connectors/outbound_guard.py): lab and test setups on 127.0.0.1 only.
    allow_private_urls: bool = False
    # The sandbox lets anyone launch as an LMS administrator: never on a public https address,
    # unless this is set to DEMO_IN_PRODUCTION_OVERRIDE.
    demo_in_production: str | None = None
    # Uploaded files (issue 12): "local" (a folder, default <instance>/files) or "s3"
    # (S3-compatible storage shared by every instance; credentials from the usual AWS_*
    # variables or files, read by boto3 only, never by us).
    file_store: str = "local"
    file_store_path: str | None = None
    s3_bucket: str | None = None
    s3_endpoint_url: str | None = None  # e.g. a MinIO or Ceph address; None: AWS itself
    s3_region: str | None = None
    s3_prefix: str = "materials/"
    twinspace_quota_mb: int = 500  # what one TwinSpace's files may take
    # Operability (issue 11 item 4, etwin_lti.observability): "text" lines for development,
    # "json" (one object per line) for production; /metrics from loopback only unless this
    # token is set, then `Authorization: Bearer <token>` from anywhere.
    log_format: str = "text"
    metrics_token: str | None = field(default=None, repr=False)  # secret
    testing: bool = False

    @classmethod
    def from_mapping(cls, config: Mapping[str, Any], instance_path: str) -> Settings:
        """Build from a Flask config; keys are the field names upper-cased (``DATABASE_URL``)."""
        known = {f.name for f in fields(cls)}
        values: dict[str, Any] = {"instance_path": instance_path}
        for name in known - {"instance_path"}:
            key = name.upper()
            if key in config and config[key] is not None:
                values[name] = config[key]
        values.setdefault("testing", bool(config.get("TESTING", False)))
        if "database_url" not in values:
            values["database_url"] = "sqlite:///" + os.path.join(instance_path, "etwin.sqlite")
        if "secret_key" not in values:
            values["secret_key"] = _instance_secret(instance_path)
        values["encryption_keys"] = _encryption_keys(values.get("encryption_keys"), instance_path)
        values["base_url"] = str(values.get("base_url", cls.base_url)).rstrip("/")
        if "metrics_token" in values:  # values are parsed as JSON: digits arrive as a number
            values["metrics_token"] = str(values["metrics_token"])
        settings = cls(**values)
        settings.check()
        return settings

    def check(self) -> None:
        if len(self.secret_key) < 16:
            raise ConfigurationError("ETWIN_SECRET_KEY must be at least 16 characters long.")
        if self.queue not in {"embedded", "redis"}:
            raise ConfigurationError("ETWIN_QUEUE must be 'embedded' or 'redis'.")
        if self.queue == "redis" and not self.redis_url:
            raise ConfigurationError("ETWIN_QUEUE=redis needs ETWIN_REDIS_URL.")
        if self.passback_max_attempts < 1 or self.worker_threads < 1:
            raise ConfigurationError(
                "ETWIN_PASSBACK_MAX_ATTEMPTS and ETWIN_WORKER_THREADS must be at least 1."
            )
        if min(self.passback_sweep_minutes, self.roster_sync_minutes, self.moodle_poll_minutes) < 1:
            raise ConfigurationError("Periodic task intervals (ETWIN_*_MINUTES) must be >= 1.")
        if self.registration_attempts_per_invite < 1:
            raise ConfigurationError("ETWIN_REGISTRATION_ATTEMPTS_PER_INVITE must be at least 1.")
        if self.suspended_retention_days < 1:
            raise ConfigurationError("ETWIN_SUSPENDED_RETENTION_DAYS must be at least 1.")
        if self.hub_url and not self.hub_token:
            raise ConfigurationError("ETWIN_HUB_URL needs ETWIN_HUB_TOKEN (an admin API token).")
        if self.file_store not in {"local", "s3"}:
            raise ConfigurationError("ETWIN_FILE_STORE must be 'local' or 's3'.")
        if self.file_store == "s3" and not self.s3_bucket:
            raise ConfigurationError("ETWIN_FILE_STORE=s3 needs ETWIN_S3_BUCKET.")
        if self.twinspace_quota_mb < 1:
            raise ConfigurationError("ETWIN_TWINSPACE_QUOTA_MB must be at least 1.")
        if "@" not in self.mail_from:
            raise ConfigurationError("ETWIN_MAIL_FROM must be an e-mail address.")
        if self.log_format not in {"text", "json"}:
            raise ConfigurationError("ETWIN_LOG_FORMAT must be 'text' or 'json'.")
        if self.metrics_token is not None and len(self.metrics_token) < 16:
            raise ConfigurationError("ETWIN_METRICS_TOKEN must be at least 16 characters long.")
        if not self.base_url.startswith(("http://", "https://")):
            raise ConfigurationError("ETWIN_BASE_URL must be an http(s) URL.")
        if (
            self.demo
            and self.base_url.startswith("https://")
            and self.demo_in_production != DEMO_IN_PRODUCTION_OVERRIDE
        ):
            raise ConfigurationError(
                "ETWIN_DEMO=true with an https:// ETWIN_BASE_URL looks like production: the demo "
                "sandbox LMS lets anyone launch as an LMS administrator. Unset ETWIN_DEMO, or set "
                f"ETWIN_DEMO_IN_PRODUCTION={DEMO_IN_PRODUCTION_OVERRIDE} if this is really meant."
            )

    @property
    def allows_private_urls(self) -> bool:
        """The demo's sandbox LMS is on the tool's own (loopback) address."""
        return self.allow_private_urls or self.demo

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")

    @property
    def embedded_queue_file(self) -> str:
        """The embedded queue's SQLite file (ETWIN_QUEUE_PATH, default instance/queue.sqlite)."""
        return self.queue_path or os.path.join(self.instance_path, "queue.sqlite")


def _instance_secret(instance_path: str) -> str:
    """The embedded default: a random key kept in the instance folder, made on first run."""
    return _instance_file(instance_path, "secret_key", lambda: secrets.token_urlsafe(48))


def _encryption_keys(configured: Any, instance_path: str) -> tuple[str, ...]:
    """ETWIN_ENCRYPTION_KEYS as a tuple; without it, the instance folder's own key."""
    if isinstance(configured, str):
        configured = configured.split(",")
    keys = tuple(str(k).strip() for k in configured or () if str(k).strip())
    if keys:
        return keys
    if configured:
        raise ConfigurationError("ETWIN_ENCRYPTION_KEYS is set but lists no key.")
    # A Fernet key is 32 random bytes, url-safe base64 (what Fernet.generate_key makes).
    return (
        _instance_file(
            instance_path,
            "encryption_key",
            lambda: base64.urlsafe_b64encode(secrets.token_bytes(32)).decode("ascii"),
        ),
    )


def _instance_file(instance_path: str, name: str, make: Callable[[], str]) -> str:
    """A random value kept in the instance folder (0600), made on first run."""
    path = Path(instance_path) / name
    if path.exists():
        path.chmod(0o600)
        return path.read_text().strip()
    value = make()
    write_private_text(path, value)
    return value
