"""One user message, the same way in every channel: trimmed, handed to Rasa, never unanswered.

``take_turn`` is the pipeline every channel uses (web chat, REST, Telegram, WhatsApp): the text
is trimmed to what the NLU reads (marked ``trimmed``, so the answer says so), handed to Rasa
within the reply deadline, and followed by the notice below when no reply came.

A turn that produced no reply: tell the user, in their language, instead of staying silent.

The answer action runs in the action server. When that server is down or fails, Rasa logs the
error and continues without a reply; the user would wait for nothing. Every channel checks
after a turn whether anything was sent, and if not sends ``ui.unavailable``: "try again in a
few minutes". The same when the turn takes longer than ``WEGWIJS_REPLY_DEADLINE`` seconds
(default 20; the action server is overloaded or hangs): the turn goes on, and its reply
still follows on Telegram and WhatsApp. While a person of the desk has the conversation the
bot is rightly silent — except when the message shows danger to life or health: then the
emergency information (112) goes out at once, even if the desk is closed.
"""

from __future__ import annotations

import asyncio
import logging
import os
from collections.abc import Awaitable, Callable
from typing import Any

from rasa.core.channels.channel import UserMessage

from bot.channels.common import trim_for_understanding
from bot.content.render import render, ui_text
from bot.i18n.languages import choose_language
from bot.privacy.logs import pseudonym
from bot.wiring import content_store, signals

logger = logging.getLogger(__name__)

DEFAULT_DEADLINE = 20.0


def reply_deadline() -> float:
    """Seconds a user waits for a turn before being told it is slow (``WEGWIJS_REPLY_DEADLINE``)."""
    try:
        return max(1.0, float(os.environ.get("WEGWIJS_REPLY_DEADLINE", DEFAULT_DEADLINE)))
    except ValueError:
        return DEFAULT_DEADLINE


async def within_deadline(turn: Awaitable[Any]) -> bool:
    """Run a turn; False when it is not done within the deadline (it then goes on regardless)."""
    task = asyncio.ensure_future(turn)
    try:
        await asyncio.wait_for(asyncio.shield(task), reply_deadline())
    except asyncio.TimeoutError:
        logger.warning("A turn took longer than %.0f s; the user is told", reply_deadline())
        return False
    return True


async def unanswered_notice(
    app: Any, sender: str, text: str, hint: str | None = None
) -> str | None:
    """What to send after a turn without a reply (None: silence is right)."""
    tracker = await app.ctx.agent.tracker_store.retrieve(sender)
    slot = tracker.get_slot("language") if tracker is not None else None
    language = choose_language(current=slot, detection=None, hint=hint).code
    if tracker is not None and tracker.is_paused():  # a person of the desk has it
        if not (await asyncio.to_thread(signals().assess, text)).danger:
            return None
        reply = render(content_store().get(), "emergency", language)
        logger.warning("Danger in conversation %s with the desk: 112 sent", pseudonym(sender))
        return reply.text if reply else None
    logger.warning(
        "No reply for conversation %s (is the action server running?); notice sent",
        pseudonym(sender),
    )
    return ui_text(content_store().get(), "unavailable", language)


async def notify_if_unanswered(
    app: Any,
    message: UserMessage,
    replied: bool,
    send: Callable[[str], Awaitable[Any]],
    hint: str | None = None,
) -> None:
    """Send the notice through ``send`` when the turn produced no reply."""
    if replied:
        return
    notice = await unanswered_notice(app, message.sender_id, message.text or "", hint)
    if notice is not None:
        await send(notice)


async def take_turn(
    app: Any,
    on_new_message: Callable[[UserMessage], Awaitable[Any]],
    message: UserMessage,
    replied: Callable[[], bool],
    send: Callable[[str], Awaitable[Any]],
    hint: str | None = None,
) -> None:
    """Trim the message, hand it to Rasa within the deadline, then the notice if no reply came.

    Args:
        app: the Sanic app (Rasa's agent is in ``app.ctx``).
        on_new_message: Rasa's handler of the channel.
        message: the user's message (its output channel collects or sends the replies).
        replied: whether the turn sent anything (asked after the turn).
        send: how to send the notice to this user.
        hint: the channel's language hint, for the notice's language.

    """
    text, trimmed = trim_for_understanding(message.text or "")
    message.text = text
    if trimmed:
        message.metadata = {**(message.metadata or {}), "trimmed": True}
    await within_deadline(on_new_message(message))
    await notify_if_unanswered(app, message, replied(), send, hint)
