"""A fake Telegram Bot API server on 127.0.0.1 (aiohttp), for tests without the internet.

It answers the methods the channel uses the way Telegram does (``{"ok": true, "result": …}``),
records every call, serves queued updates to ``getUpdates`` (long polling), and can answer the
next calls of a method with 429 "retry after" like Telegram's flood control.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

from tests.fakes.server import Call, FakeServer

BOT_ID = 7000001


@dataclass
class FakeTelegramApi(FakeServer):
    """Start with ``start()``; ``base_url`` is what ``TELEGRAM_API_URL`` takes."""

    _updates: list[dict[str, Any]] = field(default_factory=list)
    _too_many: dict[str, list[int]] = field(default_factory=dict)
    _bad: dict[str, list[str]] = field(default_factory=dict)
    _message_ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1))

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/bot"

    # --- what tests use -------------------------------------------------------------------

    def queue_update(self, update: dict[str, Any]) -> None:
        """An update for the next ``getUpdates``."""
        with self._lock:
            self._updates.append(update)

    def answer_429(self, method: str, retry_after: int = 1, times: int = 1) -> None:
        """Answer the next ``times`` calls of ``method`` with 429 and ``retry_after``."""
        with self._lock:
            self._too_many.setdefault(method, []).extend([retry_after] * times)

    def answer_400(self, method: str, description: str = "Bad Request: query is too old") -> None:
        """Answer the next call of ``method`` with 400 and ``description``."""
        with self._lock:
            self._bad.setdefault(method, []).append(description)

    def routes(self, app: web.Application) -> None:
        app.router.add_route("*", "/bot{token}/{method}", self._handle)

    async def _handle(self, request: web.Request) -> web.Response:
        token, method = request.match_info["token"], request.match_info["method"]
        params = await _params(request)
        with self._lock:
            waits = self._too_many.get(method)
            retry_after = waits.pop(0) if waits else None
            refusals = self._bad.get(method)
            refusal = refusals.pop(0) if refusals and retry_after is None else None
        status = 429 if retry_after else 400 if refusal else 200
        self.record(Call(token, method, params, status))
        if refusal is not None:
            return web.json_response(
                {"ok": False, "error_code": 400, "description": refusal}, status=400
            )
        if retry_after is not None:
            return web.json_response(
                {
                    "ok": False,
                    "error_code": 429,
                    "description": f"Too Many Requests: retry after {retry_after}",
                    "parameters": {"retry_after": retry_after},
                },
                status=429,
            )
        handler: Callable[[dict[str, Any]], Any] | None = getattr(self, f"_m_{method}", None)
        if handler is None:
            return web.json_response(
                {"ok": False, "error_code": 404, "description": "Not Found"}, status=404
            )
        result = handler(params)
        if asyncio.iscoroutine(result):
            result = await result
        return web.json_response({"ok": True, "result": result})

    # --- Bot API methods ------------------------------------------------------------------

    def _m_getMe(self, params: dict[str, Any]) -> dict[str, Any]:
        return {
            "id": BOT_ID,
            "is_bot": True,
            "first_name": "Wegwijs",
            "username": "wegwijs_test_bot",
            "can_join_groups": False,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
        }

    async def _m_getUpdates(self, params: dict[str, Any]) -> list[dict[str, Any]]:
        offset = int(params.get("offset") or 0)
        deadline = time.monotonic() + min(float(params.get("timeout") or 0), 1.0)
        while True:
            with self._lock:
                self._updates = [u for u in self._updates if u["update_id"] >= offset]
                ready = list(self._updates)
            if ready or time.monotonic() >= deadline:
                return ready
            await asyncio.sleep(0.05)

    def _m_sendMessage(self, params: dict[str, Any]) -> dict[str, Any]:
        return {
            "message_id": next(self._message_ids),
            "date": int(time.time()),
            "chat": {"id": int(params["chat_id"]), "type": "private"},
            "from": {"id": BOT_ID, "is_bot": True, "first_name": "Wegwijs"},
            "text": params.get("text", ""),
        }

    def _m_answerCallbackQuery(self, params: dict[str, Any]) -> bool:
        return True

    def _m_setWebhook(self, params: dict[str, Any]) -> bool:
        return True

    def _m_deleteWebhook(self, params: dict[str, Any]) -> bool:
        return True


async def _params(request: web.Request) -> dict[str, Any]:
    """Form, multipart or JSON parameters; values that are JSON (objects, lists) decoded."""
    if request.content_type == "application/json":
        body = await request.json()
        return dict(body) if isinstance(body, dict) else {}
    form = await request.post()
    params: dict[str, Any] = {}
    for key, value in {**request.query, **form}.items():
        text = str(value)
        try:
            params[key] = json.loads(text) if text[:1] in "[{" else text
        except ValueError:
            params[key] = text
    return params


# --- updates as Telegram sends them ---------------------------------------------------------

_update_ids = itertools.count(1000)


def user(user_id: int, language_code: str | None = "pl") -> dict[str, Any]:
    """A Telegram user object."""
    found: dict[str, Any] = {"id": user_id, "is_bot": False, "first_name": "Test"}
    if language_code:
        found["language_code"] = language_code
    return found


def message_update(
    chat_id: int,
    text: str | None = "hello",
    *,
    language_code: str | None = "pl",
    chat_type: str = "private",
    kind: str = "message",
    extra: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """An update with a message (``kind="edited_message"`` for an edit)."""
    chat: dict[str, Any] = {"id": chat_id, "type": chat_type}
    if chat_type != "private":
        chat["title"] = "A group"
    message: dict[str, Any] = {
        "message_id": next(_update_ids),
        "date": int(time.time()),
        "chat": chat,
        "from": user(abs(chat_id) if chat_type == "private" else 555, language_code),
        **(extra or {}),
    }
    if text is not None:
        message["text"] = text
    if kind == "edited_message":
        message["edit_date"] = int(time.time())
    return {"update_id": next(_update_ids), kind: message}


def button_update(chat_id: int, data: str, language_code: str | None = "pl") -> dict[str, Any]:
    """An update for a press on an inline button with callback data ``data``."""
    return {
        "update_id": next(_update_ids),
        "callback_query": {
            "id": f"cb{next(_update_ids)}",
            "from": user(chat_id, language_code),
            "chat_instance": "42",
            "data": data,
            "message": {
                "message_id": next(_update_ids),
                "date": int(time.time()),
                "chat": {"id": chat_id, "type": "private"},
                "from": {"id": BOT_ID, "is_bot": True, "first_name": "Wegwijs"},
                "text": "…",
            },
        },
    }
