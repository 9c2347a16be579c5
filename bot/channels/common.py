"""What the messenger channels share: log pseudonyms, redelivery memory, text splitting."""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
from collections import OrderedDict
from collections.abc import Hashable
from pathlib import Path

from sanic import response
from sanic.response import HTTPResponse

from bot.i18n.text import MAX_READ

# Pages and files we serve to browsers (the web chat, the desk's console): our own only.
SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'self'; img-src 'self' data:; "
    "frame-ancestors 'none'; base-uri 'none'; form-action 'self'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
}


def static_file(folder: Path, name: str, types: dict[str, str]) -> HTTPResponse:
    """One of our script or style files (only those listed in ``types``), else 404."""
    if name not in types:
        return response.json({"error": "not_found", "message": "Not found."}, status=404)
    text = (folder / name).read_text(encoding="utf-8")
    return response.text(text, content_type=types[name], headers=SECURITY_HEADERS)


_LOG_KEY = os.environ.get("WEGWIJS_LOG_KEY", "").encode() or secrets.token_bytes(32)


def pseudonym(conversation_id: str) -> str:
    """A short keyed hash of a conversation id, for logs (the same id gives the same name).

    The key is ``WEGWIJS_LOG_KEY`` (so pseudonyms stay the same across restarts), else random
    per process; without the key, an id (a phone number, a Telegram id) cannot be recovered by
    trying all numbers.
    """
    return hmac.new(_LOG_KEY, conversation_id.encode(), hashlib.sha256).hexdigest()[:12]


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
