"""``MailSender`` over SMTP (``ETWIN_SMTP_HOST``, ``ETWIN_SMTP_PORT``, ``ETWIN_SMTP_USER``,
``ETWIN_SMTP_PASSWORD``, ``ETWIN_SMTP_STARTTLS``, ``ETWIN_MAIL_FROM``).

One connection per message (codes are rare: no pool to keep alive), an explicit timeout, STARTTLS
before any credential when asked, and SMTP failures translated into ``RemoteServiceError`` so
the page says the mail could not go out instead of a 500.
"""

from __future__ import annotations

import smtplib
import ssl
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid

from etwin_lti.domain.teacher_linking import OutgoingMail
from etwin_lti.domain.translatable import N_
from etwin_lti.errors import RemoteServiceError


class MailNotSentError(RemoteServiceError):
    error = "mail_not_sent"
    description = N_("The e-mail could not be sent. Try again in a few minutes.")
    who_can_fix = N_("the tool administrator (the tool's mail settings)")


@dataclass(frozen=True)
class SmtpSettings:
    host: str
    port: int = 587
    user: str | None = None
    password: str | None = field(default=None, repr=False)
    starttls: bool = True
    timeout_seconds: float = 10.0


def build_message(mail: OutgoingMail, *, sender: str, now: datetime) -> EmailMessage:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = mail.to
    message["Subject"] = mail.subject
    message["Date"] = format_datetime(now)
    message["Message-ID"] = make_msgid(domain=sender.rpartition("@")[2] or None)
    message["Auto-Submitted"] = "auto-generated"  # RFC 3834: no vacation replies
    message.set_content(mail.body)
    return message


class SmtpMailSender:
    def __init__(self, settings: SmtpSettings, *, sender: str) -> None:
        self._settings = settings
        self._sender = sender

    def send(self, mail: OutgoingMail) -> None:
        s = self._settings
        message = build_message(mail, sender=self._sender, now=datetime.now(UTC))
        try:
            with smtplib.SMTP(s.host, s.port, timeout=s.timeout_seconds) as smtp:
                if s.starttls:
                    smtp.starttls(context=ssl.create_default_context())
                if s.user:
                    smtp.login(s.user, s.password or "")
                smtp.send_message(message)
        except (smtplib.SMTPException, OSError) as error:
            raise MailNotSentError() from error
