"""What the logs may say about people and secrets: pseudonyms instead of ids, no secrets.

Conversations appear in logs only as ``pseudonym(id)``, a keyed hash, never as a phone number
or chat id. Secrets never reach the logs: every log record is cleaned of them before any
handler sees it.

python-telegram-bot puts the bot token into every Bot API URL, and httpx logs each request's
URL at INFO (shown when the operator sets ``LOG_LEVEL_LIBRARIES=INFO``); an error message may
quote a URL too. ``hide_secrets`` replaces the given values with ``[secret]`` in the message,
its arguments and a formatted traceback of every record made in this process, whichever
library logs it.
"""

from __future__ import annotations

import functools
import hashlib
import hmac
import logging
import os
import secrets as random
from collections.abc import Iterable
from typing import Any

HIDDEN = "[secret]"
MIN_SECRET = 8  # shorter values are not secrets worth hiding (and would hide common words)


@functools.lru_cache(maxsize=1)
def _log_key() -> bytes:
    """``WEGWIJS_LOG_KEY``, read on first use; else random for this process."""
    return os.environ.get("WEGWIJS_LOG_KEY", "").encode() or random.token_bytes(32)


def pseudonym(conversation_id: str) -> str:
    """A short keyed hash of a conversation id, for logs (the same id gives the same name).

    The key is ``WEGWIJS_LOG_KEY`` (so pseudonyms stay the same across restarts and servers),
    else random per process; without the key, an id (a phone number, a Telegram id) cannot be
    recovered by trying all numbers.
    """
    return hmac.new(_log_key(), conversation_id.encode(), hashlib.sha256).hexdigest()[:12]


def _clean(text: str, secrets: tuple[str, ...]) -> str:
    for secret in secrets:
        text = text.replace(secret, HIDDEN)
    return text


def hide_secrets(values: Iterable[str | None]) -> None:
    """Keep ``values`` out of every log record of this process from now on (idempotent)."""
    secrets = tuple(sorted({v for v in values if v and len(v) >= MIN_SECRET}, key=len))[::-1]
    if not secrets:
        return
    make = logging.getLogRecordFactory()
    make = getattr(make, "wrapped", make)  # applied twice: wrap Python's factory only once

    def record(*args: Any, **kwargs: Any) -> logging.LogRecord:
        made = make(*args, **kwargs)
        try:
            message = made.getMessage()
        except Exception:  # a broken format string: leave it to the handler to report
            return made
        if any(secret in message for secret in secrets):
            made.msg, made.args = _clean(message, secrets), ()
        if made.exc_info and made.exc_info[0] is not None:
            made.exc_text = _clean(logging.Formatter().formatException(made.exc_info), secrets)
        return made

    record.wrapped = make  # type: ignore[attr-defined]
    logging.setLogRecordFactory(record)
