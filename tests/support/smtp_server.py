"""A real SMTP server in-process (aiosmtpd on 127.0.0.1, a free port) that keeps what it receives.

with smtp_server() as server:
    server.port; server.messages  # list of email.message.EmailMessage, in arrival order
"""

from __future__ import annotations

import email
import email.policy
import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email.message import EmailMessage
from typing import Any

from aiosmtpd.controller import Controller


@dataclass
class _Keeper:
    messages: list[EmailMessage] = field(default_factory=list)
    envelopes: list[tuple[str, tuple[str, ...]]] = field(default_factory=list)
    arrived: threading.Event = field(default_factory=threading.Event)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        parsed = email.message_from_bytes(envelope.content, policy=email.policy.default)
        assert isinstance(parsed, EmailMessage)
        self.messages.append(parsed)
        self.envelopes.append((envelope.mail_from, tuple(envelope.rcpt_tos)))
        self.arrived.set()
        return "250 Message accepted for delivery"


@dataclass
class RunningSmtp:
    host: str
    port: int
    keeper: _Keeper

    @property
    def messages(self) -> list[EmailMessage]:
        return self.keeper.messages

    @property
    def envelopes(self) -> list[tuple[str, tuple[str, ...]]]:
        return self.keeper.envelopes


@contextmanager
def smtp_server() -> Iterator[RunningSmtp]:
    keeper = _Keeper()
    # aiosmtpd does not report the port it got for 0: take a free one first.
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    controller = Controller(keeper, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield RunningSmtp("127.0.0.1", port, keeper)
    finally:
        controller.stop()
