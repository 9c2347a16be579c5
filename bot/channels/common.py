"""What the messenger channels share: trimming, redelivery memory, text splitting."""

from __future__ import annotations

import logging
from collections import OrderedDict
from collections.abc import Hashable

from bot.desk.ports import Delivery
from bot.i18n.text import MAX_READ
from bot.privacy.logs import pseudonym

logger = logging.getLogger(__name__)

MAX_UNDERSTOOD = MAX_READ  # characters of one message given to the NLU; the rest is not read


def trim_for_understanding(text: str) -> tuple[str, bool]:
    """The beginning of a very long message (cut at a space), and whether it was cut.

    The channels mark a cut message (metadata ``trimmed``), and the answer says so politely.
    """
    if len(text) <= MAX_UNDERSTOOD:
        return text, False
    head = text[:MAX_UNDERSTOOD]
    cut = head.rfind(" ")
    return (head[:cut] if cut > MAX_UNDERSTOOD // 2 else head).rstrip(), True


class RecentIds:
    """The last ``size`` ids seen, to handle a redelivered update or message once."""

    def __init__(self, size: int = 10_000) -> None:
        self._ids: OrderedDict[Hashable, None] = OrderedDict()
        self._size = size

    def first_time(self, key: Hashable) -> bool:
        """True the first time ``key`` is seen (remembering it), False after."""
        if key in self._ids:
            return False
        self._ids[key] = None
        if len(self._ids) > self._size:
            self._ids.popitem(last=False)
        return True


def split_text(text: str, limit: int) -> list[str]:
    """Split ``text`` into parts of at most ``limit`` characters.

    Cuts at the last paragraph break (blank line) before the limit, else the last line break,
    else the last space, else hard at the limit.
    """
    parts: list[str] = []
    rest = text.strip()
    while len(rest) > limit:
        window = rest[:limit]
        cut = max(window.rfind("\n\n"), 0) or max(window.rfind("\n"), 0) or window.rfind(" ")
        if cut <= 0:
            cut = limit
        parts.append(rest[:cut].rstrip())
        rest = rest[cut:].lstrip()
    if rest:
        parts.append(rest)
    return parts


def refused(error: Exception, conversation_id: str) -> Delivery:
    """A desk message the messenger refused: "failed", with why (logged without the id)."""
    logger.warning(
        "Desk message to conversation %s failed: %s",
        pseudonym(conversation_id),
        type(error).__name__,
    )
    code = getattr(error, "code", None)
    return Delivery("failed", type(error).__name__ + (f" {code}" if code is not None else ""))
