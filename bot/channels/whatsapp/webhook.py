"""What Meta sends: the webhook's signature, and its messages read as the assistant reads them."""

from __future__ import annotations

import hashlib
import hmac
import time
from dataclasses import dataclass
from typing import Any

from bot.channels.whatsapp.messages import MAX_TEXT
from bot.intents import payload

SENDER_PREFIX = "wa-"
SIGNATURE_HEADER = "X-Hub-Signature-256"
NOT_TEXT = {
    "audio": payload("voice_message"),
    "voice": payload("voice_message"),
    "image": payload("media_message"),
    "video": payload("media_message"),
    "document": payload("media_message"),
    "sticker": payload("media_message"),
    "location": payload("media_message"),
    "contacts": payload("media_message"),
    "reaction": payload("media_message"),
}


class MalformedWebhook(ValueError):
    """The body is JSON but not the shape Meta sends."""


@dataclass(frozen=True)
class Inbound:
    """One message from a user, as the assistant should read it."""

    message_id: str
    wa_id: str
    text: str
    timestamp: float


def signature_ok(body: bytes, header: str, app_secret: str) -> bool:
    """True when ``header`` is ``sha256=<HMAC-SHA256 of body with the app secret>``."""
    expected = "sha256=" + hmac.new(app_secret.encode(), body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(header.encode(), expected.encode())


def as_dict(value: object, where: str) -> dict[str, Any]:
    """``value`` when it is an object; MalformedWebhook (naming ``where``) otherwise."""
    if not isinstance(value, dict):
        raise MalformedWebhook(f"{where} is not an object")
    return value


def as_list(value: object, where: str) -> list[Any]:
    """``value`` when it is a list (None: empty); MalformedWebhook otherwise."""
    if value is None:
        return []
    if not isinstance(value, list):
        raise MalformedWebhook(f"{where} is not a list")
    return value


def _text_of(message: dict[str, Any]) -> str:
    kind = message.get("type")
    if kind == "text":
        return str(as_dict(message.get("text"), "text").get("body") or "").strip()
    if kind == "interactive":
        interactive = as_dict(message.get("interactive"), "interactive")
        reply = interactive.get("button_reply") or interactive.get("list_reply")
        return str(as_dict(reply, "interactive reply").get("id") or "")
    if kind == "button":  # a quick-reply button of a template
        button = as_dict(message.get("button"), "button")
        return str(button.get("payload") or button.get("text") or "")
    return NOT_TEXT.get(str(kind), "/media_message")


def parse_webhook(data: object) -> tuple[list[Inbound], list[dict[str, Any]]]:
    """The user messages and the status updates in a webhook body.

    Raises:
        MalformedWebhook: the body is not shaped like Meta's webhook.

    """
    body = as_dict(data, "body")
    messages: list[Inbound] = []
    statuses: list[dict[str, Any]] = []
    for entry in as_list(body.get("entry"), "entry"):
        for change in as_list(as_dict(entry, "entry").get("changes"), "changes"):
            value = as_dict(as_dict(change, "change").get("value", {}), "value")
            statuses += [as_dict(s, "status") for s in as_list(value.get("statuses"), "statuses")]
            for raw in as_list(value.get("messages"), "messages"):
                message = as_dict(raw, "message")
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
