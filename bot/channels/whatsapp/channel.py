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
  the content; 👍 / 👎 under an answer follow as a message of their own ("Did this help?");
- the 24-hour customer-service window: a free-form message more than 24 hours after the user's
  last message is not sent; ``deliver`` reports it, and sends the configured pre-approved
  template (``WHATSAPP_TEMPLATE``) instead when there is one;
- each incoming message is marked as read (blue ticks), so the user sees it arrived.

Phone numbers are personal data: logs name a conversation only by its pseudonym.
"""

from __future__ import annotations

import asyncio
import hmac
import json
import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from functools import partial
from typing import Any

import httpx
from rasa.core.channels.channel import InputChannel, OutputChannel, UserMessage
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot import storage, wiring
from bot.channels.common import RecentIds, refused, split_text
from bot.channels.silence import take_turn
from bot.channels.whatsapp.graph import GraphApi, WhatsAppApiError
from bot.channels.whatsapp.messages import MAX_BODY, MAX_TEXT, interactive
from bot.channels.whatsapp.webhook import (
    SENDER_PREFIX,
    SIGNATURE_HEADER,
    Inbound,
    as_list,
    parse_webhook,
    signature_ok,
)
from bot.channels.whatsapp.window import ServiceWindow
from bot.content.render import ui_text
from bot.desk.ports import Delivery as DeskDelivery
from bot.desk.ports import ReplyWindow
from bot.intents import is_feedback_payload
from bot.privacy.logs import pseudonym
from bot.settings import Settings, WhatsAppSettings
from bot.wiring import content_store

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Delivery:
    """What happened to a message for a user."""

    sent: bool
    outside_window: bool = False
    template_sent: bool = False


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
        if not await asyncio.to_thread(self.window.is_open, recipient_id):
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
        # 👍 / 👎 would turn three reply buttons into a list: they follow in a message of
        # their own ("Did this help?"), two reply buttons.
        rating = [b for b in buttons if is_feedback_payload(str(b.get("payload", "")))]
        buttons = [b for b in buttons if b not in rating]
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
        if rating:
            question = ui_text(content_store().get(), "did_it_help", language)
            payload = interactive(question, rating, question)
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

    async def deliver(self, conversation_id: str, text: str, language: str) -> DeskDelivery:
        """The desk's ``Messenger``: send a staff message within the 24-hour window.

        Outside it the message is not sent ("failed"), and the approved template goes instead
        when one is configured.
        """
        try:
            result = await WhatsAppOutput(self.api, self.window).deliver(
                conversation_id, text, language=language
            )
        except Exception as error:  # the Graph API refused it: the staff see it as failed
            return refused(error, conversation_id)
        if not result.sent:
            why = "outside WhatsApp's 24-hour window"
            return DeskDelivery(
                "failed", why + ("; the template was sent" if result.template_sent else "")
            )
        return DeskDelivery("sent")

    async def reply_window(self, conversation_id: str) -> ReplyWindow:
        """Open within 24 hours of the user's last message; the template is sent otherwise."""
        is_open = await asyncio.to_thread(self.window.is_open, conversation_id)
        return ReplyWindow(open=is_open, template=bool(self.settings.template))

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        """Verification and message webhook."""
        whatsapp = Blueprint("whatsapp", __name__)
        wiring.messengers()[self.name()] = self  # the desk's replies go out through us

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
                    for e in as_list(status.get("errors"), "errors")
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
                await asyncio.to_thread(self.window.user_wrote, sender, message.timestamp)
                await self._mark_read(message)
                output = WhatsAppOutput(self.api, self.window)
                user_message = UserMessage(message.text, output, sender, input_channel=self.name())
                await take_turn(
                    app,
                    on_new_message,
                    user_message,
                    lambda: output.sent > 0,  # noqa: B023 - called within this iteration
                    partial(output.send_text_message, sender),
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
