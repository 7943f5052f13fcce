"""Chat use cases outside a page: the retention purge (a daily periodic task).

The cut-off is the domain's (``chat.purge_before``: three months); the store only deletes.
``now`` is a parameter so that the purge is tested with any clock.
"""

from __future__ import annotations

import logging
from datetime import datetime

from etwin_lti.domain import chat
from etwin_lti.domain.ports.chat import ChatHistoryStore

log = logging.getLogger(__name__)


def purge_chat_history(store: ChatHistoryStore, *, now: datetime) -> int:
    """Delete the chat messages past retention; how many went."""
    purged = store.purge_chat_before(chat.purge_before(now))
    if purged:
        log.info(
            "chat purge: %s message(s) older than %s days deleted", purged, chat.RETENTION.days
        )
    return purged
