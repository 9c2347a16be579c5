"""A turn that produced no reply: tell the user, in their language, instead of staying silent.

The answer action runs in the action server. When that server is down or fails, Rasa logs the
error and continues without a reply; the user would wait for nothing. Every channel checks
after a turn whether anything was sent, and if not — and no person of the desk has the
conversation (then silence is right) — sends ``ui.unavailable``: "try again in a few minutes".
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any

from bot.channels.common import pseudonym
from bot.content.render import ui_text
from bot.i18n.languages import FALLBACK_LANGUAGE, negotiate
from bot.wiring import content_store

logger = logging.getLogger(__name__)


async def unanswered_notice(app: Any, sender: str, hint: str | None = None) -> str | None:
    """The notice to send after a turn without a reply; None while the desk has the chat."""
    tracker = await app.ctx.agent.tracker_store.retrieve(sender)
    if tracker is not None and tracker.is_paused():
        return None
    slot = tracker.get_slot("language") if tracker is not None else None
    language = slot or negotiate(hint) or FALLBACK_LANGUAGE
    logger.warning(
        "No reply for conversation %s (is the action server running?); notice sent",
        pseudonym(sender),
    )
    return ui_text(content_store().get(), "unavailable", str(language))


async def notify_if_unanswered(
    app: Any,
    sender: str,
    replied: bool,
    send: Callable[[str], Awaitable[Any]],
    hint: str | None = None,
) -> None:
    """Send the notice through ``send`` when the turn produced no reply."""
    if replied:
        return
    notice = await unanswered_notice(app, sender, hint)
    if notice is not None:
        await send(notice)
