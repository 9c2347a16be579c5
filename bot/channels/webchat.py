"""A small web chat, so anyone can try the assistant in a browser without an account.

Served by the Rasa server itself at ``/webhooks/webchat/`` (page, script and style are ours,
no CDN). The page sends the browser's language as a hint, and shows buttons.

A conversation belongs to whoever holds its key. ``POST /webhooks/webchat/session`` gives a new
conversation: ``{"sender": "web-<32 hex>", "key": "<64 hex>"}`` — a random id the server chose
and its HMAC with the server's key (``bot.wiring.webchat_key``); the page keeps both in the
browser's local storage. Every other request names the conversation and carries its key in the
``X-Webchat-Key`` header: an id outside ``web-…`` (a Telegram or WhatsApp user's) is refused
with 400, a missing or wrong key with 403. So nobody can read the desk's replies to, or write
into, a conversation that is not theirs.

``POST /webhooks/webchat/webhook`` takes ``{"sender": id, "message": text, "metadata":
{"language_hint": "pl-PL"}}`` and answers with the bot's messages, like Rasa's REST channel,
but it validates its input and never logs message texts. ``GET /webhooks/webchat/updates``
gives the desk's messages to the conversation (the page polls).
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import logging
import re
import secrets
from collections.abc import Awaitable, Callable
from html import escape
from pathlib import Path
from typing import Any

import markdown
from rasa.core.channels.channel import CollectingOutputChannel, InputChannel, UserMessage
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot import wiring
from bot.channels.silence import take_turn
from bot.desk.ports import Delivery, ReplyWindow
from bot.i18n.languages import FALLBACK_LANGUAGE, SUPPORTED_LANGUAGES
from bot.settings import PROJECT_ROOT
from bot.web import SECURITY_HEADERS, static_file
from bot.wiring import case_store, content_store, webchat_key

logger = logging.getLogger(__name__)

STATIC = Path(__file__).with_name("static")
PRIVACY_NOTICE = PROJECT_ROOT / "docs" / "privacy.md"
MAX_MESSAGE_CHARS = 20_000  # longer requests are refused; long ones are read in part
WEB_ID = re.compile(r"^web-[0-9a-f]{32}$")
KEY_HEADER = "X-Webchat-Key"
_ASSETS = {
    "webchat.js": "text/javascript; charset=utf-8",
    "webchat.css": "text/css; charset=utf-8",
}


def _error(status: int, code: str, message: str) -> HTTPResponse:
    return response.json({"error": code, "message": message}, status=status)


def conversation_key(key: bytes, conversation: str) -> str:
    """The key that proves a conversation is the caller's: the id's HMAC with ``key``."""
    return hmac.new(key, conversation.encode(), hashlib.sha256).hexdigest()


def new_conversation(key: bytes) -> dict[str, str]:
    """A new web chat conversation: a random id and its key."""
    conversation = "web-" + secrets.token_hex(16)
    return {"sender": conversation, "key": conversation_key(key, conversation)}


def owns(key: bytes, conversation: str, given: str | None) -> bool:
    """True when ``given`` is the conversation's key (compared in constant time)."""
    expected = conversation_key(key, conversation).encode()
    return hmac.compare_digest(expected, (given or "").encode("utf-8", "replace"))


def parse_request(
    body: object, ids: re.Pattern[str] = WEB_ID
) -> tuple[str, str, dict[str, Any]] | HTTPResponse:
    """Validate a chat request: a sender of the channel's ``ids``, the text, the language hint.

    Returns the three, or the error reply (400 for a bad shape, 413 for a text too long).
    """
    if not isinstance(body, dict):
        return _error(400, "bad_request", 'Send JSON like {"sender": "...", "message": "..."}.')
    sender, text = body.get("sender"), body.get("message")
    if not isinstance(sender, str) or not ids.fullmatch(sender):
        return _error(400, "bad_sender", "'sender' is not a conversation of this channel.")
    if not isinstance(text, str) or not text.strip():
        return _error(400, "empty_message", "The message is empty.")
    if len(text) > MAX_MESSAGE_CHARS:
        return _error(
            413, "message_too_long", f"The message is longer than {MAX_MESSAGE_CHARS} characters."
        )
    metadata: dict[str, Any] = {}
    given = body.get("metadata")
    hint = given.get("language_hint") if isinstance(given, dict) else None
    if isinstance(hint, str) and len(hint) <= 35:
        metadata["language_hint"] = hint
    return sender, text.replace("\x00", ""), metadata


async def answer(
    request: Request,
    on_new_message: Callable[[UserMessage], Awaitable[Any]],
    channel: str,
    ids: re.Pattern[str],
    owned: Callable[[str], bool] = lambda sender: True,
) -> HTTPResponse:
    """One chat request answered: validate, hand to Rasa, reply (or say why there is none).

    ``channel`` is the message's input channel (never the caller's choice); ``owned`` says
    whether the caller may write into the conversation (403 otherwise).
    """
    try:
        body = request.json
    except Exception:  # sanic raises its own error type for invalid JSON
        return _error(400, "bad_json", "The request is not valid JSON.")
    parsed = parse_request(body, ids)
    if isinstance(parsed, HTTPResponse):
        return parsed
    sender, text, metadata = parsed
    if not owned(sender):
        return _error(403, "not_yours", "This chat has ended. Reload the page to start a new one.")
    collector = CollectingOutputChannel()
    notices: list[dict[str, Any]] = []

    async def notice(text: str) -> None:
        notices.append({"recipient_id": sender, "text": text})

    message = UserMessage(text, collector, sender, input_channel=channel, metadata=metadata)
    try:
        await take_turn(
            request.app,
            on_new_message,
            message,
            lambda: bool(collector.messages),
            notice,
            metadata.get("language_hint"),
        )
    except Exception:
        logger.exception("A %s message could not be handled", channel)
        return _error(
            503,
            "unavailable",
            "The assistant could not answer just now. Please try again in a minute.",
        )
    return response.json(collector.messages or notices)


class FetchedMessenger:
    """The desk's ``Messenger`` for channels whose page fetches the desk's messages."""

    async def deliver(self, conversation_id: str, text: str, language: str) -> Delivery:
        """Nothing to send: the page fetches it (``GET /webhooks/webchat/updates``)."""
        return Delivery("queued")

    async def reply_window(self, conversation_id: str) -> ReplyWindow:
        """Always open: the page shows the message when it next asks."""
        return ReplyWindow()


class WebChatInput(InputChannel):
    """The web chat channel (``bot.channels.webchat.WebChatInput`` in credentials.yml)."""

    @classmethod
    def name(cls) -> str:
        """The channel's name, and its URL prefix ``/webhooks/webchat/``."""
        return "webchat"

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        """The page, its assets, a health check and the message endpoint."""
        web = Blueprint("webchat", __name__)
        wiring.messengers()[self.name()] = FetchedMessenger()

        async def receive(request: Request) -> HTTPResponse:
            return await answer(request, on_new_message, self.name(), WEB_ID, _owned(request))

        # The page's links are relative, so it is served with a trailing slash ("//" is the
        # blueprint root with it); without the slash, the browser is redirected.
        web.add_route(_page, "/", methods=["GET"], strict_slashes=True)
        web.add_route(_page, "//", methods=["GET"], name="page_with_slash")
        web.add_route(_health, "/health", methods=["GET"])
        web.add_route(_privacy, "/privacy/<language:str>", methods=["GET"])
        web.add_route(_session, "/session", methods=["POST"])
        web.add_route(_updates, "/updates", methods=["GET"])
        web.add_route(_asset, "/<asset:str>", methods=["GET"])
        web.add_route(receive, "/webhook", methods=["POST"])
        return web


def _owned(request: Request) -> Callable[[str], bool]:
    """Whether the request carries the key of a conversation."""
    return lambda sender: owns(webchat_key(), sender, request.headers.get(KEY_HEADER))


async def _session(request: Request) -> HTTPResponse:
    """A new conversation for the page: its id and key."""
    return response.json(new_conversation(webchat_key()), status=201)


async def _page(request: Request) -> HTTPResponse:
    if not request.path.endswith("/"):
        return response.redirect(request.path + "/")
    html = (STATIC / "webchat.html").read_text(encoding="utf-8")
    return response.html(html, headers=SECURITY_HEADERS)


def privacy_section(language: str, notice: Path = PRIVACY_NOTICE) -> str | None:
    """The Markdown of one language's section of ``docs/privacy.md`` (None if it has none).

    Sections start with an anchor line ``<a id="pl"></a>`` (which GitHub links to as well).
    """
    text = notice.read_text(encoding="utf-8")
    anchor = rf'^<a id="{re.escape(language)}"></a>\n(.*?)(?=^<a id="|\Z)'
    match = re.search(anchor, text, re.MULTILINE | re.DOTALL)
    return match.group(1).strip() if match else None


async def _privacy(request: Request, language: str) -> HTTPResponse:
    """The privacy notice in the reader's language (English when we have no such section)."""
    code = language if language in SUPPORTED_LANGUAGES else FALLBACK_LANGUAGE
    section = privacy_section(code) or privacy_section(FALLBACK_LANGUAGE) or ""
    desk = content_store().get().desk  # who is responsible for the data: desk.yml
    section = section.replace("{desk_name}", escape(desk.name)).replace(
        "{desk_url}", escape(desk.url)
    )
    body = markdown.markdown(section)
    html = (
        f'<!doctype html>\n<html lang="{code}"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        '<title>Wegwijs — privacy</title><link rel="stylesheet" href="../webchat.css"></head>'
        f'<body><main class="page">{body}</main></body></html>'
    )
    return response.html(html, headers=SECURITY_HEADERS)


async def _updates(request: Request) -> HTTPResponse:
    """Messages from the desk's staff to this conversation after ``after`` (the page polls)."""
    sender = request.args.get("sender", "")
    after = request.args.get("after", "0")
    if not WEB_ID.fullmatch(sender) or not re.fullmatch(r"[0-9]{1,18}", after):
        return _error(
            400, "invalid_request", "A web chat 'sender' and a numeric 'after' are needed."
        )
    if not _owned(request)(sender):
        return _error(403, "not_yours", "This chat has ended. Reload the page to start a new one.")
    messages = await asyncio.to_thread(case_store().messages_for, sender, int(after))
    return response.json({"messages": [{"id": m["id"], "text": m["text"]} for m in messages]})


async def _health(request: Request) -> HTTPResponse:
    return response.json({"status": "ok"})


async def _asset(request: Request, asset: str) -> HTTPResponse:
    return static_file(STATIC, asset, _ASSETS)
