"""``MailSender`` of the embedded default: each message becomes an ``.eml`` file in a folder.

Without an SMTP server (``ETWIN_SMTP_HOST`` unset) outgoing mail, such as the one-time codes of
teacher linking, is written to ``<instance>/outgoing-mail/`` (``ETWIN_MAIL_FOLDER``), where an
administrator or a developer reads it; any mail program opens ``.eml`` files. Names sort by
time; the file is written under a temporary name and renamed, so no reader sees half of one.
"""

from __future__ import annotations

import email.policy
import os
import secrets
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from connectors.smtp_mail import build_message
from etwin_lti.domain.teacher_linking import OutgoingMail


class FolderMailSender:
    def __init__(
        self,
        folder: str | os.PathLike[str],
        *,
        sender: str,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.folder = Path(folder)
        self._sender = sender
        self._clock = clock

    def send(self, mail: OutgoingMail) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        message = build_message(mail, sender=self._sender, now=self._clock())
        name = f"{self._clock():%Y%m%dT%H%M%S%f}-{secrets.token_hex(4)}.eml"
        partial = self.folder / (name + ".part")
        # CRLF line ends, as on the wire: what an SMTP server would have received.
        partial.write_bytes(message.as_bytes(policy=email.policy.SMTP))
        partial.chmod(0o600)  # one-time codes are inside
        partial.replace(self.folder / name)
