"""Telegram channel on python-telegram-bot 22 (``bot.channels.telegram.TelegramInput``).

Rasa's own Telegram connector (aiogram) does not check that an update comes from Telegram,
calls ``getMe`` on every update and cannot build its output channel outside a request; this one:

- **polling** (default; needs only ``TELEGRAM_BOT_TOKEN``, no public URL): a task in the Rasa
  server asks Telegram for updates (``getUpdates``, long polling);
- **webhook** (``TELEGRAM_WEBHOOK_URL`` set): registers the URL with a ``secret_token`` and
  answers 403, before reading the body, to any request without that token in the
  ``X-Telegram-Bot-Api-Secret-Token`` header.

Only private chats are answered; a redelivered update is handled once; edited messages are
ignored; a user who floods gets one "please slow down" and is then ignored until the window
passes; Telegram's 429 ("retry after N seconds") is waited for and retried. Texts are sent as
plain text (no parse mode), so no content or user text can break formatting; long texts are
split at paragraph boundaries below Telegram's 4,096-character limit. Message texts and user
ids are never logged; a conversation appears in logs only by its pseudonym (``pseudonym``).
"""

from __future__ import annotations

import asyncio
import contextlib
import hmac
import logging
import time
from collections import deque
from collections.abc import Awaitable, Callable, Iterable
from datetime import timedelta
from functools import partial
from typing import Any

from rasa.core.channels.channel import InputChannel, OutputChannel, UserMessage
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse
from telegram import (
    Bot,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    LinkPreviewOptions,
    Message,
    Update,
    User,
)
from telegram.error import RetryAfter, TelegramError

from bot import wiring
from bot.channels import common
from bot.channels.common import RecentIds, refused
from bot.channels.silence import take_turn
from bot.content.render import ui_text
from bot.desk.ports import Delivery, ReplyWindow
from bot.i18n.languages import negotiate
from bot.intents import (
    HANDOFF_INTENT,
    LANGUAGE_INTENT,
    SHOW_MORE_PAYLOAD,
    is_feedback_payload,
    payload,
)
from bot.messenger_limits import TELEGRAM_CALLBACK_DATA, TELEGRAM_TEXT
from bot.privacy.logs import pseudonym
from bot.settings import TelegramSettings
from bot.wiring import content_store

logger = logging.getLogger(__name__)

MAX_TEXT = TELEGRAM_TEXT  # Telegram's limit for one message
MAX_CALLBACK_DATA = TELEGRAM_CALLBACK_DATA  # bytes, Telegram's limit for a button's payload
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"  # noqa: S105 - a header name
SENDER_PREFIX = "tg-"
ALLOWED_UPDATES = ["message", "callback_query"]
RETRIES = 3
POLL_TIMEOUT = 25  # seconds Telegram holds a getUpdates call open

# Commands → what the assistant is sent (button payloads of the same intents).
COMMANDS = {
    "start": payload("greet"),
    "language": payload(LANGUAGE_INTENT),
    "help": payload("help"),
    "human": payload(HANDOFF_INTENT),
    "forget": payload("forget"),
}
# Kinds of messages that carry no text → the intent that answers them.
NOT_TEXT = {
    "voice": payload("voice_message"),
    "audio": payload("voice_message"),
    "video_note": payload("voice_message"),
    "photo": payload("media_message"),
    "video": payload("media_message"),
    "document": payload("media_message"),
    "sticker": payload("media_message"),
    "animation": payload("media_message"),
    "location": payload("media_message"),
    "venue": payload("media_message"),
    "contact": payload("media_message"),
    "poll": payload("media_message"),
}


def _command(text: str | None) -> str | None:
    """``start`` for "/start", "/START@wegwijs_bot payload"; None for a text without a command."""
    text = (text or "").strip()
    if not text.startswith("/") or len(text) < 2:
        return None
    return text[1:].split(maxsplit=1)[0].split("@", 1)[0].lower()


def split_text(text: str, limit: int = MAX_TEXT) -> list[str]:
    """Split ``text`` below Telegram's limit, at paragraph breaks where possible."""
    return common.split_text(text, limit)


def keyboard(buttons: Iterable[dict[str, Any]]) -> InlineKeyboardMarkup | None:
    """One inline button per row, but "More", 👍 and 👎 share one row.

    Buttons whose payload Telegram would refuse (over 64 bytes) are left out.
    """
    rows: list[list[InlineKeyboardButton]] = []
    compact: list[InlineKeyboardButton] = []  # "More" and 👍 / 👎, in the first row
    for button in buttons:
        title, payload = str(button.get("title", "")), str(button.get("payload", ""))
        if not title or not payload or len(payload.encode()) > MAX_CALLBACK_DATA:
            logger.error("Telegram button left out: payload empty or over 64 bytes")
            continue
        if payload == SHOW_MORE_PAYLOAD or is_feedback_payload(payload):
            if not compact:
                rows.append(compact)
            compact.append(InlineKeyboardButton(title, callback_data=payload))
        else:
            rows.append([InlineKeyboardButton(title, callback_data=payload)])
    return InlineKeyboardMarkup(rows) if rows else None


def _seconds(retry_after: int | timedelta) -> float:
    return retry_after.total_seconds() if isinstance(retry_after, timedelta) else float(retry_after)


async def call_with_retry(call: Callable[[], Awaitable[Any]]) -> Any:
    """Run a Bot API call; on 429 wait as long as Telegram asks, up to ``RETRIES`` times."""
    for attempt in range(RETRIES + 1):
        try:
            return await call()
        except RetryAfter as error:
            if attempt == RETRIES:
                raise
            wait = _seconds(error.retry_after)
            logger.warning("Telegram asks to wait %.0f s (429); retrying", wait)
            await asyncio.sleep(wait)
    return None  # not reached


class TelegramOutput(OutputChannel):
    """Sends the assistant's messages to one Telegram chat."""

    @classmethod
    def name(cls) -> str:
        """Same name as the input channel."""
        return "telegram"

    def __init__(self, bot: Bot) -> None:
        self.bot = bot
        self.sent = 0  # messages sent through this output (0 after a turn: no reply)

    @staticmethod
    def chat_id(recipient_id: str) -> int:
        """The Telegram chat id inside a conversation id ``tg-<chat id>``."""
        return int(recipient_id.removeprefix(SENDER_PREFIX))

    async def _send(self, recipient_id: str, text: str, markup: Any = None) -> None:
        parts = split_text(text) or [" "]
        chat_id = self.chat_id(recipient_id)
        self.sent += 1
        for index, part in enumerate(parts):

            def send(part: str = part, last: bool = index == len(parts) - 1) -> Awaitable[Message]:
                return self.bot.send_message(
                    chat_id=chat_id,
                    text=part,
                    reply_markup=markup if last else None,
                    link_preview_options=LinkPreviewOptions(is_disabled=True),
                )

            await call_with_retry(send)

    async def send_text_message(self, recipient_id: str, text: str, **kwargs: Any) -> None:
        """Plain text, split when long."""
        await self._send(recipient_id, text)

    async def send_text_with_buttons(
        self, recipient_id: str, text: str, buttons: list[dict[str, Any]], **kwargs: Any
    ) -> None:
        """Text with an inline keyboard under its last part."""
        await self._send(recipient_id, text, keyboard(buttons))

    async def send_quick_replies(
        self, recipient_id: str, text: str, quick_replies: list[dict[str, Any]], **kwargs: Any
    ) -> None:
        """Quick replies are shown as buttons too."""
        await self.send_text_with_buttons(recipient_id, text, quick_replies)

    async def send_image_url(self, recipient_id: str, image: str, **kwargs: Any) -> None:
        """Images are sent as their link (the assistant sends none today)."""
        await self._send(recipient_id, image)


class FloodGuard:
    """At most ``limit`` messages per user in ``window`` seconds.

    ``check`` says "ok", "warn" (the first message over the limit: tell the user once) or
    "drop" (further messages until the window has passed).
    """

    def __init__(
        self, limit: int, window: float, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.limit, self.window, self.clock = limit, window, clock
        self._seen: dict[int, deque[float]] = {}
        self._warned: set[int] = set()

    def check(self, user_id: int) -> str:
        """Count one message of ``user_id``; "ok", "warn" or "drop"."""
        now = self.clock()
        times = self._seen.setdefault(user_id, deque())
        while times and now - times[0] > self.window:
            times.popleft()
        if len(times) < self.limit:
            times.append(now)
            self._warned.discard(user_id)
            return "ok"
        if user_id in self._warned:
            return "drop"
        self._warned.add(user_id)
        return "warn"


class TelegramInput(InputChannel):
    """Receives Telegram updates by polling or webhook and hands them to Rasa."""

    @classmethod
    def name(cls) -> str:
        """The channel's name, and its URL prefix ``/webhooks/telegram/``."""
        return "telegram"

    @classmethod
    def from_credentials(cls, credentials: dict[str, Any] | None) -> InputChannel:
        """Settings come from the environment (secrets never live in credentials.yml)."""
        settings = TelegramSettings.from_env()
        if settings is None:
            raise ValueError("The Telegram channel is enabled but TELEGRAM_BOT_TOKEN is not set")
        return cls(settings)

    def __init__(self, settings: TelegramSettings) -> None:
        self.settings = settings
        self._bot: Bot | None = None
        self._recent = RecentIds()
        self._flood = FloodGuard(settings.flood_limit, settings.flood_window)
        self._polling: asyncio.Task[None] | None = None
        self._app: Any = None  # the Sanic app, set when the server has started

    @property
    def bot(self) -> Bot:
        """The Bot API client (created on first use, inside the server's event loop)."""
        if self._bot is None:
            self._bot = Bot(self.settings.token, base_url=self.settings.api_url)
        return self._bot

    def get_output_channel(self) -> OutputChannel:
        """For messages the assistant sends on its own (e.g. a reminder or a staff reply)."""
        return TelegramOutput(self.bot)

    async def deliver(self, conversation_id: str, text: str, language: str) -> Delivery:
        """The desk's ``Messenger``: send a staff message now (split when long)."""
        try:
            await TelegramOutput(self.bot).send_text_message(conversation_id, text)
        except Exception as error:  # the Bot API refused it: the staff see it as failed
            return refused(error, conversation_id)
        return Delivery("sent")

    async def reply_window(self, conversation_id: str) -> ReplyWindow:
        """Telegram has no reply window: a bot may write to a user who started it."""
        return ReplyWindow()

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        """Webhook route, health check, and start/stop of polling or webhook registration."""
        telegram = Blueprint("telegram", __name__)
        wiring.messengers()[self.name()] = self  # the desk's replies go out through us

        async def webhook(request: Request) -> HTTPResponse:
            return await self._webhook(request, on_new_message)

        async def health(request: Request) -> HTTPResponse:
            return response.json({"status": "ok", "mode": self.settings.mode})

        async def started(app: Any, loop: Any) -> None:
            self._app = app  # for the conversations' state (bot/channels/silence.py)
            await self.start(on_new_message)

        async def stopping(app: Any, loop: Any) -> None:
            await self.stop()

        telegram.add_route(health, "/", methods=["GET"])
        telegram.add_route(webhook, "/webhook", methods=["POST"])
        telegram.after_server_start(started)
        telegram.before_server_stop(stopping)
        return telegram

    async def start(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> None:
        """Register the webhook, or start polling."""
        await self.bot.initialize()
        if self.settings.webhook_url:
            await call_with_retry(
                lambda: self.bot.set_webhook(
                    url=self.settings.webhook_url or "",
                    secret_token=self.settings.webhook_secret,
                    allowed_updates=ALLOWED_UPDATES,
                )
            )
            logger.info("Telegram webhook registered")
        else:
            # Telegram refuses getUpdates while a webhook is set.
            await call_with_retry(lambda: self.bot.delete_webhook())
            self._polling = asyncio.create_task(self._poll(on_new_message))
            logger.info("Telegram polling started")

    async def stop(self) -> None:
        """Stop polling and close the HTTP client."""
        if self._polling is not None:
            self._polling.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._polling
            self._polling = None
        if self._bot is not None:
            await self._bot.shutdown()

    async def _poll(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> None:
        offset: int | None = None
        while True:
            try:
                updates = await self.bot.get_updates(
                    offset=offset,
                    timeout=POLL_TIMEOUT,
                    allowed_updates=ALLOWED_UPDATES,
                    read_timeout=POLL_TIMEOUT + 10,
                )
            except RetryAfter as error:
                await asyncio.sleep(_seconds(error.retry_after))
                continue
            except TelegramError as error:
                logger.warning(
                    "Telegram getUpdates failed (%s); retrying in 5 s", type(error).__name__
                )
                await asyncio.sleep(5)
                continue
            for update in updates:
                offset = update.update_id + 1
                await self._handle_safely(update, on_new_message)

    async def _webhook(
        self, request: Request, on_new_message: Callable[[UserMessage], Awaitable[Any]]
    ) -> HTTPResponse:
        if self.settings.webhook_secret is None:
            return response.json({"error": "not_found"}, status=404)
        given = request.headers.get(SECRET_HEADER, "")
        if not hmac.compare_digest(given.encode(), self.settings.webhook_secret.encode()):
            logger.warning("Telegram webhook request without the right secret token refused")
            return response.json({"error": "forbidden"}, status=403)
        try:
            data = request.json
        except Exception:  # sanic raises its own error type for invalid JSON
            data = None
        if not isinstance(data, dict):
            return response.json({"error": "bad_json"}, status=400)
        try:
            update = Update.de_json(data, self.bot)
        except Exception:
            logger.warning("Telegram update could not be read; ignored")
            return response.json({"status": "ignored"})
        await self._handle_safely(update, on_new_message)
        # Always 200 for a readable update: Telegram would otherwise redeliver it again.
        return response.json({"status": "ok"})

    async def _handle_safely(
        self, update: Update, on_new_message: Callable[[UserMessage], Awaitable[Any]]
    ) -> None:
        try:
            await self.handle(update, on_new_message)
        except Exception:
            logger.exception("Telegram update %s could not be handled", update.update_id)

    async def handle(
        self, update: Update, on_new_message: Callable[[UserMessage], Awaitable[Any]]
    ) -> None:
        """Turn one update into a message for the assistant, or ignore it."""
        if not self._recent.first_time(update.update_id):
            logger.info("Telegram update %s delivered again; ignored", update.update_id)
            return
        incoming = await self._incoming(update)
        if incoming is None:
            return
        chat_id, user, text = incoming
        verdict = self._flood.check(user.id)
        sender = f"{SENDER_PREFIX}{chat_id}"
        if verdict != "ok":
            if verdict == "warn":
                language = negotiate(user.language_code)
                notice = ui_text(content_store().get(), "slow_down", language or "en")
                await TelegramOutput(self.bot).send_text_message(sender, notice)
            logger.info("Telegram conversation %s is flooding; message dropped", pseudonym(sender))
            return
        metadata: dict[str, Any] = {}
        if user.language_code:
            metadata["language_hint"] = user.language_code
        if update.message is not None and _command(update.message.text) == "start":
            metadata["command"] = "start"  # welcome, languages and privacy notice again
        output = TelegramOutput(self.bot)
        message = UserMessage(text, output, sender, input_channel=self.name(), metadata=metadata)
        await take_turn(
            self._app,
            on_new_message,
            message,
            lambda: output.sent > 0,
            partial(output.send_text_message, sender),
            user.language_code,
        )

    async def _incoming(self, update: Update) -> tuple[int, User, str] | None:
        """Chat, user and text of a private message or button press; None for anything else."""
        if update.callback_query is not None:
            query = update.callback_query
            try:  # stops the button's spinner; an old query may be refused, the press still counts
                await call_with_retry(lambda: query.answer())
            except TelegramError as error:
                logger.warning("Telegram callback query not answered (%s)", type(error).__name__)
            message = query.message
            if not isinstance(message, Message) or message.chat.type != "private":
                return None
            text, user = query.data or "", query.from_user
        elif update.message is not None:
            message = update.message
            user_or_none = message.from_user
            if message.chat.type != "private" or user_or_none is None or user_or_none.is_bot:
                return None  # groups and channels: the assistant stays silent
            text, user = self._text_of(message), user_or_none
        else:
            return None  # edited messages, channel posts, …: not for us
        return (message.chat.id, user, text) if text else None

    @staticmethod
    def _text_of(message: Message) -> str:
        """The text to send to the assistant: commands and non-text messages become intents."""
        if message.text:
            text = message.text.strip().replace("\x00", "")
            if text.startswith("/"):
                return COMMANDS.get(_command(text) or "", "/help")
            return text[:MAX_TEXT]
        for kind, intent in NOT_TEXT.items():
            if getattr(message, kind, None):
                return intent
        return "/media_message"
