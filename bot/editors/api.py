"""The editors' view in the staff console: what people asked that the assistant did not answer.

Routes (beside the staff API, ``/webhooks/desk/api/editors…``), for editors and admins only —
desk staff without that role get 403 on each:

    GET /editors?since=2026-12-01         every figure (``bot/editors/figures.py``); by
                                          default the last 30 days
    GET /editors/export?ids=4,9,12        those not-understood messages as candidate NLU
                                          examples (YAML in the shape of ``data/nlu/``)

Reading the view and exporting are written to the audit log (how many messages, never texts).
"""

from __future__ import annotations

import asyncio
import datetime as dt
from typing import Any

import yaml
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot.desk.api import services, staff_only
from bot.desk.hours import DESK_ZONE
from bot.desk.staff import EDITOR_ROLES, Staff
from bot.editors import figures
from bot.editors.store import EditorStore, Unanswered, day_start

DEFAULT_DAYS = 30
MAX_EXPORT = 500
# What the editor replaces with an intent of domain.yml (or a new one) before a pull request.
CHOOSE_INTENT = "CHOOSE_AN_INTENT"


def add_routes(desk: Blueprint, store: Any) -> None:
    """Add the editors' routes to the desk's blueprint; ``store()`` gives the EditorStore."""

    @staff_only(*EDITOR_ROLES)
    async def overview(request: Request, staff: Staff) -> HTTPResponse:
        since = _since(request.args.get("since"))
        if since is None:
            return _error("'since' is a date like 2026-12-01.")
        editors: EditorStore = store()
        content = services(request).content()
        found = await asyncio.to_thread(figures.collect, editors, content, since, _today())
        shown = sum(group["count"] for group in found["not_understood"])
        await asyncio.to_thread(
            services(request).cases.audit, staff.name, "editors_view", None, f"{shown} messages"
        )
        return response.json(found)

    @staff_only(*EDITOR_ROLES)
    async def export(request: Request, staff: Staff) -> HTTPResponse:
        try:
            ids = [int(part) for part in request.args.get("ids", "").split(",") if part]
        except ValueError:
            return _error("'ids' are numbers separated by commas.")
        if not ids or len(ids) > MAX_EXPORT:
            return _error(f"'ids' names 1 to {MAX_EXPORT} messages.")
        editors: EditorStore = store()
        messages = await asyncio.to_thread(editors.unanswered, day_start("1970-01-02"), ids)
        await asyncio.to_thread(
            services(request).cases.audit,
            staff.name,
            "editors_export",
            None,
            f"{len(messages)} messages",
        )
        return response.text(
            nlu_yaml(messages),
            content_type="application/x-yaml; charset=utf-8",
            headers={"Content-Disposition": 'attachment; filename="not-understood.yml"'},
        )

    desk.add_route(overview, "/api/editors", methods=["GET"], name="editors_overview")
    desk.add_route(export, "/api/editors/export", methods=["GET"], name="editors_export")


def nlu_yaml(messages: list[Unanswered]) -> str:
    """Candidate training examples, one block per language, the intent left to the editor."""
    by_language: dict[str, list[str]] = {}
    for message in messages:
        texts = by_language.setdefault(message.language, [])
        if message.text not in texts:
            texts.append(message.text)
    lines = [
        "# Not-understood messages exported from the editors' view (masked).",
        f"# Replace {CHOOSE_INTENT} with the intent each block belongs to, drop what is",
        "# not a question for the assistant, and move each block into",
        "# data/nlu/<language>/<area>.yml in a pull request (see README: Editors).",
        'version: "3.1"',
        "nlu:",
    ]
    for language, texts in sorted(by_language.items()):
        lines.append(f"# {language}")
        lines.append(f"- intent: {CHOOSE_INTENT}")
        lines.append("  examples: |")
        for text in texts:
            one_line = " ".join(text.split())
            lines.append(f"    - {one_line}")
    text = "\n".join(lines) + "\n"
    yaml.safe_load(text)  # what we hand out must be valid YAML
    return text


def _since(value: str | None) -> str | None:
    if not value:
        return (_today() - dt.timedelta(days=DEFAULT_DAYS)).isoformat()
    try:
        return dt.date.fromisoformat(value).isoformat()
    except ValueError:
        return None


def _today() -> dt.date:
    return dt.datetime.now(DESK_ZONE).date()


def _error(message: str) -> HTTPResponse:
    return response.json({"error": "invalid_request", "message": message}, status=400)
