"""WhatsApp channel on Meta's Cloud API (``bot.channels.whatsapp.WhatsAppInput``).

Rasa 3.6 has no Cloud API connector. This one:

- ``GET /webhooks/whatsapp/webhook``: Meta's verification (``hub.mode=subscribe`` with our
  verify token → the challenge; anything else → 403);
- ``POST``: checks ``X-Hub-Signature-256`` (HMAC-SHA256 of the raw body with the app secret)
  before reading the body — missing or wrong → 403; then answers 200 at once and handles the
  messages in the background, so Meta does not retry; a retried message id is handled once;
- text and button/list replies go to the assistant; voice, images, files, stickers, locations,
  contacts and reactions become the ``voice_message`` / ``media_message`` intents (a polite
  "text only" reply in the conversation's language);
- replies: text split below 4,096 characters; up to 3 buttons with short titles as reply
  buttons, more as a list (at most 10 rows); a "More" button for longer answers comes from
  the content;
- the 24-hour customer-service window: a free-form message more than 24 hours after the user's
  last message is not sent; ``deliver`` reports it, and sends the configured pre-approved
  template (``WHATSAPP_TEMPLATE``) instead when there is one;
- each incoming message is marked as read (blue ticks), so the user sees it arrived.

Phone numbers are personal data: logs name a conversation only by its pseudonym.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import logging
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from functools import partial
from typing import Any

import httpx
import sqlalchemy as sa
from rasa.core.channels.channel import InputChannel, OutputChannel, UserMessage
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot import storage
from bot.channels.common import RecentIds, split_text, trim_for_understanding
from bot.channels.silence import notify_if_unanswered, within_deadline
from bot.content.render import ui_text
from bot.privacy.logs import pseudonym
from bot.settings import Settings, WhatsAppSettings
from bot.wiring import content_store

logger = logging.getLogger(__name__)

SENDER_PREFIX = "wa-"
SIGNATURE_HEADER = "X-Hub-Signature-256"
WINDOW_SECONDS = 24 * 3600
MAX_TEXT = 4096
MAX_BODY = 1024  # body of an interactive message
MAX_BUTTONS = 3
MAX_BUTTON_TITLE = 20
MAX_ROWS = 10
MAX_ROW_TITLE = 24
MAX_ROW_DESCRIPTION = 72
MAX_ID = 200  # a list row's id (reply buttons allow 256)
NOT_TEXT = {
    "audio": "/voice_message",
    "voice": "/voice_message",
    "image": "/media_message",
    "video": "/media_message",
    "document": "/media_message",
    "sticker": "/media_message",
    "location": "/media_message",
    "contacts": "/media_message",
    "reaction": "/media_message",
}


class MalformedWebhook(ValueError):
    """The body is JSON but not the shape Meta sends."""


class WhatsAppApiError(Exception):
    """The Graph API refused a request; ``code`` is Meta's error code (e.g. 131047)."""

    def __init__(self, code: int | None, message: str, status: int) -> None:
        super().__init__(f"WhatsApp API error {code} (HTTP {status}): {message}")
        self.code, self.status = code, status


@dataclass(frozen=True)
class Inbound:
    """One message from a user, as the assistant should read it."""

    message_id: str
    wa_id: str
    text: str
    timestamp: float


@dataclass(frozen=True)
class Delivery:
    """What happened to a message for a user."""

    sent: bool
    outside_window: bool = False
    template_sent: bool = False


def signature_ok(body: bytes, header: str, app_secret: str) -> bool:
    """True when ``header`` is ``sha256=<HMAC-SHA256 of body with the app secret>``."""
    expected = "sha256=" + hmac.new(app_secret.encode(), body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(header.encode(), expected.encode())


def _dict(value: object, where: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise MalformedWebhook(f"{where} is not an object")
    return value


def _list(value: object, where: str) -> list[Any]:
    if value is None:
        return []
    if not isinstance(value, list):
        raise MalformedWebhook(f"{where} is not a list")
    return value


def _text_of(message: dict[str, Any]) -> str:
    kind = message.get("type")
    if kind == "text":
        return str(_dict(message.get("text"), "text").get("body") or "").strip()
    if kind == "interactive":
        interactive = _dict(message.get("interactive"), "interactive")
        reply = interactive.get("button_reply") or interactive.get("list_reply")
        return str(_dict(reply, "interactive reply").get("id") or "")
    if kind == "button":  # a quick-reply button of a template
        button = _dict(message.get("button"), "button")
        return str(button.get("payload") or button.get("text") or "")
    return NOT_TEXT.get(str(kind), "/media_message")


def parse_webhook(data: object) -> tuple[list[Inbound], list[dict[str, Any]]]:
    """The user messages and the status updates in a webhook body.

    Raises:
        MalformedWebhook: the body is not shaped like Meta's webhook.

    """
    body = _dict(data, "body")
    messages: list[Inbound] = []
    statuses: list[dict[str, Any]] = []
    for entry in _list(body.get("entry"), "entry"):
        for change in _list(_dict(entry, "entry").get("changes"), "changes"):
            value = _dict(_dict(change, "change").get("value", {}), "value")
            statuses += [_dict(s, "status") for s in _list(value.get("statuses"), "statuses")]
            for raw in _list(value.get("messages"), "messages"):
                message = _dict(raw, "message")
                sender, message_id = message.get("from"), message.get("id")
                if not isinstance(sender, str) or not sender.isdigit() or not message_id:
                    raise MalformedWebhook("message without a sender or id")
                try:
                    timestamp = float(message.get("timestamp") or time.time())
                except (TypeError, ValueError):
                    raise MalformedWebhook("message timestamp is not a number") from None
                text = _text_of(message)
                if text:
                    messages.append(Inbound(str(message_id), sender, text[:MAX_TEXT], timestamp))
    return messages, statuses


WINDOW_TABLE = sa.Table(
    "whatsapp_last_inbound",
    sa.MetaData(),
    sa.Column("conversation_id", sa.String(64), primary_key=True),
    sa.Column("at", sa.Float, nullable=False),
)


class ServiceWindow:
    """When each conversation's user last wrote (in the database; survives restarts)."""

    def __init__(self, engine: sa.engine.Engine, clock: Callable[[], float] = time.time) -> None:
        self._engine = engine
        self._table = WINDOW_TABLE
        storage.create_tables(self._table.metadata, self._engine)
        self.clock = clock

    def user_wrote(self, conversation_id: str, at: float) -> None:
        """Remember the time of the user's latest message (never moves back)."""
        with self._engine.begin() as db:
            last = self._last(db, conversation_id)
            if last is None:
                db.execute(sa.insert(self._table).values(conversation_id=conversation_id, at=at))
            elif at > last:
                db.execute(
                    sa.update(self._table)
                    .where(self._table.c.conversation_id == conversation_id)
                    .values(at=at)
                )

    def is_open(self, conversation_id: str) -> bool:
        """True while a free-form message may be sent (24 hours after the user's last one)."""
        with self._engine.connect() as db:
            last = self._last(db, conversation_id)
        return last is not None and self.clock() - last < WINDOW_SECONDS

    def _last(self, db: sa.engine.Connection, conversation_id: str) -> float | None:
        row = db.execute(
            sa.select(self._table.c.at).where(self._table.c.conversation_id == conversation_id)
        ).first()
        return None if row is None else float(row.at)


class GraphApi:
    """The Cloud API's messages endpoint."""

    def __init__(self, settings: WhatsAppSettings) -> None:
        self.settings = settings
        self._client: httpx.AsyncClient | None = None

    @property
    def client(self) -> httpx.AsyncClient:
        """One HTTP client per process (created inside the server's event loop)."""
        if self._client is None:
            self._client = httpx.AsyncClient(
                timeout=httpx.Timeout(10.0),
                headers={"Authorization": f"Bearer {self.settings.access_token}"},
            )
        return self._client

    async def send(self, payload: dict[str, Any]) -> dict[str, Any]:
        """POST one message; raises WhatsAppApiError with Meta's error code on failure."""
        url = f"{self.settings.api_url}/{self.settings.phone_number_id}/messages"
        reply = await self.client.post(url, json={"messaging_product": "whatsapp", **payload})
        try:
            data = reply.json()
        except ValueError:
            data = {}
        if reply.status_code >= 400 or "error" in data:
            error = data.get("error") if isinstance(data.get("error"), dict) else {}
            raise WhatsAppApiError(
                error.get("code"),
                str(error.get("message") or reply.reason_phrase),
                reply.status_code,
            )
        return data if isinstance(data, dict) else {}

    async def close(self) -> None:
        """Close the HTTP client."""
        if self._client is not None:
            await self._client.aclose()
            self._client = None


def _short(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def interactive(body: str, buttons: Sequence[dict[str, Any]], list_label: str) -> dict[str, Any]:
    """Reply buttons when they fit (≤ 3, titles ≤ 20 characters), else a list (≤ 10 rows).

    Plain text when no button is usable (WhatsApp refuses an interactive message without one).
    """
    usable = [
        (str(b.get("title", "")), str(b.get("payload", "")))
        for b in buttons
        if b.get("title") and b.get("payload") and len(str(b["payload"])) <= MAX_ID
    ]
    if not usable:
        return {"type": "text", "text": {"body": body, "preview_url": False}}
    if len(usable) <= MAX_BUTTONS and all(len(t) <= MAX_BUTTON_TITLE for t, _ in usable):
        action: dict[str, Any] = {
            "buttons": [{"type": "reply", "reply": {"id": p, "title": t}} for t, p in usable]
        }
        kind = "button"
    else:
        rows = [
            {
                "id": p,
                "title": _short(t, MAX_ROW_TITLE),
                **(
                    {"description": _short(t, MAX_ROW_DESCRIPTION)}
                    if len(t) > MAX_ROW_TITLE
                    else {}
                ),
            }
            for t, p in usable[:MAX_ROWS]
        ]
        action = {"button": _short(list_label, MAX_BUTTON_TITLE), "sections": [{"rows": rows}]}
        kind = "list"
    return {
        "type": "interactive",
        "interactive": {"type": kind, "body": {"text": body}, "action": action},
    }


class WhatsAppOutput(OutputChannel):
    """Sends the assistant's messages to one WhatsApp user."""

    @classmethod
    def name(cls) -> str:
        """Same name as the input channel."""
        return "whatsapp"

    def __init__(self, api: GraphApi, window: ServiceWindow) -> None:
        self.api = api
        self.window = window
        self.sent = 0  # messages delivered or attempted (0 after a turn: no reply)

    async def deliver(
        self,
        recipient_id: str,
        text: str,
        buttons: Sequence[dict[str, Any]] = (),
        language: str = "en",
    ) -> Delivery:
        """Send ``text`` (and buttons) if the 24-hour window is open; else the template, if any.

        Raises:
            WhatsAppApiError: the Graph API refused a message (its error code says why).

        """
        to = recipient_id.removeprefix(SENDER_PREFIX)
        self.sent += 1
        if not self.window.is_open(recipient_id):
            template = self.api.settings.template
            logger.warning(
                "WhatsApp conversation %s: 24-hour window closed; message not sent%s",
                pseudonym(recipient_id),
                ", template sent instead" if template else "",
            )
            if template:
                await self.api.send(
                    {
                        "to": to,
                        "type": "template",
                        "template": {
                            "name": template,
                            "language": {"code": self.api.settings.template_language(language)},
                        },
                    }
                )
            return Delivery(sent=False, outside_window=True, template_sent=bool(template))
        parts = split_text(text, MAX_TEXT) or [" "]
        if buttons and len(parts[-1]) > MAX_BODY:
            parts = parts[:-1] + split_text(parts[-1], MAX_BODY)
        for index, part in enumerate(parts):
            last = index == len(parts) - 1
            if last and buttons:
                label = ui_text(content_store().get(), "options", language)
                payload = interactive(part, buttons, label)
            else:
                payload = {"type": "text", "text": {"body": part, "preview_url": False}}
            await self.api.send({"recipient_type": "individual", "to": to, **payload})
        return Delivery(sent=True)

    async def send_text_message(self, recipient_id: str, text: str, **kwargs: Any) -> None:
        """Plain text, split when long."""
        await self.deliver(recipient_id, text, (), str(kwargs.get("language") or "en"))

    async def send_text_with_buttons(
        self, recipient_id: str, text: str, buttons: list[dict[str, Any]], **kwargs: Any
    ) -> None:
        """Text with reply buttons or a list."""
        await self.deliver(recipient_id, text, buttons, str(kwargs.get("language") or "en"))

    async def send_quick_replies(
        self, recipient_id: str, text: str, quick_replies: list[dict[str, Any]], **kwargs: Any
    ) -> None:
        """Quick replies are buttons too."""
        await self.send_text_with_buttons(recipient_id, text, quick_replies, **kwargs)

    async def send_image_url(self, recipient_id: str, image: str, **kwargs: Any) -> None:
        """Images are sent as their link (the assistant sends none today)."""
        await self.send_text_message(recipient_id, image, **kwargs)


class WhatsAppInput(InputChannel):
    """Receives Cloud API webhooks and hands the messages to Rasa."""

    @classmethod
    def name(cls) -> str:
        """The channel's name, and its URL prefix ``/webhooks/whatsapp/``."""
        return "whatsapp"

    @classmethod
    def from_credentials(cls, credentials: dict[str, Any] | None) -> InputChannel:
        """Settings come from the environment (secrets never live in credentials.yml)."""
        settings = WhatsAppSettings.from_env()
        if settings is None:
            raise ValueError("The WhatsApp channel is enabled but its settings are not set")
        return cls(settings, Settings.from_env().database_url)

    def __init__(self, settings: WhatsAppSettings, database_url: str) -> None:
        self.settings = settings
        self.api = GraphApi(settings)
        self._database_url = database_url
        self._window: ServiceWindow | None = None
        self._recent = RecentIds()
        self._tasks: set[asyncio.Task[None]] = set()

    @property
    def window(self) -> ServiceWindow:
        """The service-window store (opened on first use)."""
        if self._window is None:
            self._window = ServiceWindow(storage.engine(self._database_url))
        return self._window

    def get_output_channel(self) -> OutputChannel:
        """For messages sent outside a user's turn (e.g. a staff reply)."""
        return WhatsAppOutput(self.api, self.window)

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        """Verification and message webhook."""
        whatsapp = Blueprint("whatsapp", __name__)

        async def verify(request: Request) -> HTTPResponse:
            args = request.args
            token = args.get("hub.verify_token") or ""
            if args.get("hub.mode") == "subscribe" and hmac.compare_digest(
                token.encode(), self.settings.verify_token.encode()
            ):
                return response.text(args.get("hub.challenge") or "")
            logger.warning("WhatsApp webhook verification refused")
            return response.json({"error": "forbidden"}, status=403)

        async def receive(request: Request) -> HTTPResponse:
            return await self._receive(request, on_new_message)

        async def health(request: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        async def stopping(app: Any, loop: Any) -> None:
            await self.api.close()

        whatsapp.add_route(health, "/", methods=["GET"])
        whatsapp.add_route(verify, "/webhook", methods=["GET"])
        whatsapp.add_route(receive, "/webhook", methods=["POST"])
        whatsapp.before_server_stop(stopping)
        return whatsapp

    async def _receive(
        self, request: Request, on_new_message: Callable[[UserMessage], Awaitable[Any]]
    ) -> HTTPResponse:
        body = request.body or b""
        if not signature_ok(
            body, request.headers.get(SIGNATURE_HEADER, ""), self.settings.app_secret
        ):
            logger.warning("WhatsApp webhook request without a valid signature refused")
            return response.json({"error": "forbidden"}, status=403)
        try:
            messages, statuses = parse_webhook(json.loads(body))
        # MalformedWebhook is a ValueError; JSON nested thousands deep raises RecursionError
        except (ValueError, UnicodeDecodeError, RecursionError) as error:
            logger.warning("WhatsApp webhook body refused: %s", type(error).__name__)
            return response.json({"error": "bad_request"}, status=400)
        for status in statuses:
            if status.get("status") == "failed":
                codes = [
                    e.get("code")
                    for e in _list(status.get("errors"), "errors")
                    if isinstance(e, dict)
                ]
                logger.error(
                    "WhatsApp message to %s failed: error code %s",
                    pseudonym(SENDER_PREFIX + str(status.get("recipient_id", ""))),
                    ", ".join(map(str, codes)) or "unknown",
                )
        fresh = [m for m in messages if self._recent.first_time(m.message_id)]
        if fresh:
            task = asyncio.create_task(self._handle_all(request.app, fresh, on_new_message))
            self._tasks.add(task)  # keep a reference until done
            task.add_done_callback(self._tasks.discard)
        return response.json({"status": "ok"})

    async def _mark_read(self, message: Inbound) -> None:
        """Show the user their message arrived (blue ticks); a refusal changes nothing else."""
        try:
            await self.api.send({"status": "read", "message_id": message.message_id})
        except (WhatsAppApiError, httpx.HTTPError) as error:
            logger.warning("WhatsApp read receipt not sent (%s)", type(error).__name__)

    async def _handle_all(
        self,
        app: Any,
        messages: list[Inbound],
        on_new_message: Callable[[UserMessage], Awaitable[Any]],
    ) -> None:
        for message in messages:
            sender = SENDER_PREFIX + message.wa_id
            try:
                self.window.user_wrote(sender, message.timestamp)
                await self._mark_read(message)
                output = WhatsAppOutput(self.api, self.window)
                text, trimmed = trim_for_understanding(message.text)
                user_message = UserMessage(
                    text,
                    output,
                    sender,
                    input_channel=self.name(),
                    metadata={"trimmed": True} if trimmed else {},
                )
                await within_deadline(on_new_message(user_message))
                await notify_if_unanswered(
                    app, user_message, output.sent > 0, partial(output.send_text_message, sender)
                )
            except WhatsAppApiError as error:
                logger.error(
                    "WhatsApp reply to %s not delivered: error code %s (HTTP %s)",
                    pseudonym(sender),
                    error.code,
                    error.status,
                )
            except Exception:
                logger.exception("WhatsApp message for %s could not be handled", pseudonym(sender))
