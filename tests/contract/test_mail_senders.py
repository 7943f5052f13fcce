"""One contract for both ``MailSender`` adapters: what was sent is what arrives.

The SMTP adapter talks to a real SMTP server in-process (aiosmtpd); the folder adapter writes
``.eml`` files. Both are read back as ``email.message.EmailMessage`` and must agree.
"""

from __future__ import annotations

import email
import email.policy
from collections.abc import Callable, Iterator
from email.message import EmailMessage
from pathlib import Path

import pytest

from connectors.folder_mail import FolderMailSender
from connectors.smtp_mail import MailNotSentError, SmtpMailSender, SmtpSettings
from etwin_lti.domain.teacher_linking import OutgoingMail
from tests.support.smtp_server import smtp_server

SENDER = "etwinning-tool@school.example"
MAIL = OutgoingMail(
    to="carla@school.example",
    subject="Your eTwinning connection code",
    body="Enter this code: 123456\nIt works once — für 15 Minuten.\n",
)

# (a sender, a function returning every message it delivered so far)
Pair = tuple[object, Callable[[], list[EmailMessage]]]


@pytest.fixture(params=["smtp", "folder"])
def sender(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Pair]:
    if request.param == "smtp":
        with smtp_server() as server:
            smtp = SmtpMailSender(
                SmtpSettings(host=server.host, port=server.port, starttls=False), sender=SENDER
            )
            yield smtp, lambda: list(server.messages)
    else:
        folder = tmp_path / "outgoing-mail"

        def read() -> list[EmailMessage]:
            found = []
            for path in sorted(folder.glob("*.eml")):
                parsed = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
                assert isinstance(parsed, EmailMessage)
                found.append(parsed)
            return found

        yield FolderMailSender(folder, sender=SENDER), read


def test_a_sent_mail_arrives_whole(sender: Pair) -> None:
    adapter, delivered = sender
    adapter.send(MAIL)  # type: ignore[attr-defined]
    (message,) = delivered()
    assert message["To"] == MAIL.to
    assert message["From"] == SENDER
    assert message["Subject"] == MAIL.subject
    assert message["Auto-Submitted"] == "auto-generated"
    assert message["Message-ID"] and message["Date"]
    body = message.get_body(("plain",))
    assert body is not None
    # Both keep the wire's CRLF line ends.
    assert body.get_content() == MAIL.body.replace("\n", "\r\n")


def test_two_mails_are_two_messages(sender: Pair) -> None:
    adapter, delivered = sender
    adapter.send(MAIL)  # type: ignore[attr-defined]
    adapter.send(OutgoingMail(to="dora@school.example", subject="Second", body="Two\n"))  # type: ignore[attr-defined]
    assert sorted(m["To"] for m in delivered()) == ["carla@school.example", "dora@school.example"]


def test_an_unreachable_smtp_server_is_a_mail_not_sent_error() -> None:
    with smtp_server() as server:
        port = server.port
    refused = SmtpMailSender(
        SmtpSettings(host="127.0.0.1", port=port, starttls=False, timeout_seconds=2),
        sender=SENDER,
    )
    with pytest.raises(MailNotSentError) as caught:
        refused.send(MAIL)
    assert caught.value.status_code == 502


def test_folder_files_are_private(tmp_path: Path) -> None:
    FolderMailSender(tmp_path / "mail", sender=SENDER).send(MAIL)
    (path,) = (tmp_path / "mail").glob("*.eml")
    assert path.stat().st_mode & 0o077 == 0  # one-time codes are inside
    assert not list((tmp_path / "mail").glob("*.part"))
