"""Building WhatsApp messages within its limits: reply buttons, lists, short titles."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from bot.messenger_limits import WHATSAPP_BODY as MAX_BODY
from bot.messenger_limits import WHATSAPP_BUTTON_TITLE as MAX_BUTTON_TITLE
from bot.messenger_limits import WHATSAPP_BUTTONS as MAX_BUTTONS
from bot.messenger_limits import WHATSAPP_ROW_DESCRIPTION as MAX_ROW_DESCRIPTION
from bot.messenger_limits import WHATSAPP_ROW_ID as MAX_ID
from bot.messenger_limits import WHATSAPP_ROW_TITLE as MAX_ROW_TITLE
from bot.messenger_limits import WHATSAPP_ROWS as MAX_ROWS
from bot.messenger_limits import WHATSAPP_TEXT as MAX_TEXT

__all__ = ["MAX_BODY", "MAX_TEXT", "interactive"]


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
