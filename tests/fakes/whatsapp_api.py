"""A fake WhatsApp Cloud API (Graph API) on 127.0.0.1, and signed webhooks as Meta sends them.

It records ``POST /{version}/{phone_number_id}/messages`` and can answer the next calls with a
Graph API error (e.g. 131047, "more than 24 hours have passed").
"""

from __future__ import annotations

import hashlib
import hmac
import itertools
import json
import time
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

from tests.fakes.server import Call, FakeServer

VERSION = "v26.0"


@dataclass
class FakeGraphApi(FakeServer):
    """Start with ``start()``; ``base_url`` is what ``WHATSAPP_API_URL`` takes."""

    _errors: list[tuple[int, int, str]] = field(default_factory=list)
    _ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1))
    tokens: list[str] = field(default_factory=list)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/{VERSION}"

    def answer_error(self, code: int, status: int = 400, message: str = "error") -> None:
        """Answer the next message to a user (not a read receipt) with a Graph API error."""
        with self._lock:
            self._errors.append((code, status, message))

    def sent_to(self, wa_id: str) -> list[dict[str, Any]]:
        """The messages sent to ``wa_id`` that the API accepted."""
        return [c.params for c in self.called("messages", to=wa_id) if c.status == 200]

    def routes(self, app: web.Application) -> None:
        app.router.add_post(f"/{VERSION}/{{phone}}/messages", self._messages)

    async def _messages(self, request: web.Request) -> web.Response:
        body = await request.json()
        with self._lock:
            error = self._errors.pop(0) if self._errors and "to" in body else None
            self.tokens.append(request.headers.get("Authorization", ""))
        status = error[1] if error else 200
        self.record(Call(request.match_info["phone"], "messages", body, status))
        if error:
            code, status, message = error
            return web.json_response(
                {"error": {"message": message, "type": "OAuthException", "code": code}},
                status=status,
            )
        return web.json_response(
            {
                "messaging_product": "whatsapp",
                "contacts": [{"input": body.get("to"), "wa_id": body.get("to")}],
                "messages": [{"id": f"wamid.out{next(self._ids)}"}],
            }
        )


_message_ids = itertools.count(1)


def signed(body: dict[str, Any] | bytes, app_secret: str) -> tuple[bytes, dict[str, str]]:
    """The raw body and the headers Meta sends with it (``X-Hub-Signature-256``)."""
    raw = body if isinstance(body, bytes) else json.dumps(body).encode()
    signature = hmac.new(app_secret.encode(), raw, hashlib.sha256).hexdigest()
    return raw, {"X-Hub-Signature-256": f"sha256={signature}"}


def webhook(
    wa_id: str,
    message: dict[str, Any] | None = None,
    *,
    statuses: list[dict[str, Any]] | None = None,
    phone_number_id: str = "106540352242922",
) -> dict[str, Any]:
    """A webhook body with one message (``message`` gives its type and content)."""
    value: dict[str, Any] = {
        "messaging_product": "whatsapp",
        "metadata": {"display_phone_number": "31600000000", "phone_number_id": phone_number_id},
    }
    if message is not None:
        value["contacts"] = [{"profile": {"name": "Test"}, "wa_id": wa_id}]
        value["messages"] = [
            {
                "from": wa_id,
                "id": f"wamid.in{next(_message_ids)}",
                "timestamp": str(int(time.time())),
                **message,
            }
        ]
    if statuses is not None:
        value["statuses"] = statuses
    return {
        "object": "whatsapp_business_account",
        "entry": [{"id": "1", "changes": [{"field": "messages", "value": value}]}],
    }


def text(body: str) -> dict[str, Any]:
    """A text message."""
    return {"type": "text", "text": {"body": body}}


def button_reply(payload: str, title: str = "…") -> dict[str, Any]:
    """A press of a reply button."""
    return {
        "type": "interactive",
        "interactive": {"type": "button_reply", "button_reply": {"id": payload, "title": title}},
    }


def list_reply(payload: str, title: str = "…") -> dict[str, Any]:
    """A choice from an interactive list."""
    return {
        "type": "interactive",
        "interactive": {"type": "list_reply", "list_reply": {"id": payload, "title": title}},
    }
