"""The staff API: the desk's queue, transcripts, replies, notes and closing, over HTTP JSON.

Served by the Rasa server itself at ``/webhooks/desk/api/…`` (``bot/channels/desk.py`` makes it
a Rasa channel and gives it its ``DeskServices``). It reaches users and conversations only
through the ports of ``bot/desk/ports.py``: a ``Messenger`` per channel and ``Conversations``.
Every route but sign-in needs a staff token (``Authorization: Bearer <token>``, for scripts;
``python -m bot staff add NAME``) or a console session (cookie, with the CSRF token on every
POST/DELETE; ``bot/desk/auth.py``). Every staff action is recorded in the audit log, reading
the queue or searching closed cases too (who, and which cases or which search; never texts).
Every response of the desk (the API and the console page) carries ``Cache-Control: no-store``,
so no browser or proxy keeps a copy of a case.

The event stream checks its token or session again every ``RECHECK_SECONDS`` (off the event
loop) and ends — with a ``signed_out`` event — once it is no longer valid: at logout, when the
session expires, when the password changes or when the account is removed.

Sign-in is limited per client address (``bot/desk/auth.py``). The address is Sanic's
``request.remote_addr`` when the operator has configured the proxy in front of the server
(Sanic's ``FORWARDED_SECRET``, ``REAL_IP_HEADER`` or ``PROXIES_COUNT``, e.g. the environment
variable ``SANIC_PROXIES_COUNT=1``), else the address of the connection (``request.ip``).
Without that setting behind a proxy, every client has the proxy's address, and the address
limits apply to all of them together.

Routes:
    GET  /cases?status=open|closed        the queue (waiting first, longest waiting first)
    GET  /cases/<id>                      the case and its full transcript
    POST /cases/<id>/claim                take it (409 if someone else was first)
    POST /cases/<id>/unclaim              put it back in the queue
    POST /cases/<id>/messages {"text"}    reply to the user through their own channel
    POST /cases/<id>/notes {"text"}       an internal note (never sent)
    POST /cases/<id>/close {"outcome"}    close; the bot answers the user again
    GET  /events                          server-sent events: one ``case`` event per new case
    GET  /cases?status=closed&from=&to=&outcome=   closed cases by day and outcome
    GET  /canned?language=pl              ready-made replies in a language (with English)
    GET  /audit                           the audit log (admins)
    POST /login {"name", "password"}      sign in: a session cookie and the CSRF token
    POST /logout, GET /me                 sign out; who is signed in
    GET|POST /staff, DELETE /staff/<name> list, add, remove accounts (admins)
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import logging
import math
import time
from collections.abc import Awaitable, Callable
from functools import wraps
from pathlib import Path
from typing import Any

from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot.content.render import render
from bot.desk.auth import COOKIE, SignInError, csrf_ok
from bot.desk.hours import DESK_ZONE
from bot.desk.ports import DeskServices
from bot.desk.staff import ADMIN, DESK_ROLES, ROLES, Staff
from bot.desk.store import OUTCOMES, Case, CaseError, CaseNotFound, CaseStore
from bot.i18n.languages import FALLBACK_LANGUAGE
from bot.privacy.logs import pseudonym
from bot.web import SECURITY_HEADERS, static_file

logger = logging.getLogger(__name__)

STATIC = Path(__file__).with_name("static")
LOCALE = Path(__file__).with_name("locale")
CONSOLE_LANGUAGES = ("nl", "en")
ASSETS = {
    "console.js": "text/javascript; charset=utf-8",
    "console.css": "text/css; charset=utf-8",
}
MAX_TEXT = 4000
SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}
POLL_SECONDS = 1.0
KEEP_ALIVE_SECONDS = 15.0
AUDIT_DETAIL = 200  # characters of desk_audit.detail
RECHECK_SECONDS = 10.0  # the event stream checks its session or token at least this often
NO_STORE = {"Cache-Control": "no-store"}
BOT_NAME = "wegwijs"  # who the bot's own messages in a case are from

Handler = Callable[..., Awaitable[HTTPResponse | None]]  # None: a stream that has ended


def services(request: Request) -> DeskServices:
    """The desk's stores and ports, given to the app by whoever serves the API.

    ``app.ctx.desk`` is the ``DeskServices`` or a function that makes them (on first use).
    """
    given: DeskServices | Callable[[], DeskServices] = request.app.ctx.desk
    return given if isinstance(given, DeskServices) else given()


def _error(status: int, code: str, message: str) -> HTTPResponse:
    return response.json({"error": code, "message": message}, status=status)


async def signed_in(request: Request) -> Staff | HTTPResponse:
    """The staff member behind a request, or a 401/403 reply.

    An API token, or a console session whose state-changing requests carry its CSRF token.
    """
    header = request.headers.get("authorization", "")
    if header.lower().startswith("bearer "):
        staff = await asyncio.to_thread(services(request).staff.authenticate, header[7:].strip())
        if staff is None:
            return _error(401, "unauthorized", "A valid staff token is required.")
        return staff
    session = await asyncio.to_thread(
        services(request).auth.session, request.cookies.get(COOKIE, "")
    )
    if session is None:
        return _error(401, "unauthorized", "Please sign in.")
    if request.method not in SAFE_METHODS and not csrf_ok(
        session, request.headers.get("x-csrf-token")
    ):
        return _error(403, "csrf", "The request lacks the page's security token; reload it.")
    return session.staff


def staff_only(*roles: str) -> Callable[[Handler], Handler]:
    """Refuse requests of anybody not signed in (401), or whose role is not one of ``roles``.

    Without ``roles``: the desk's own roles (staff and admins), not editors, who see the
    editors' view only (``bot/editors/api.py``).
    """
    allowed = roles or DESK_ROLES

    def decorate(handler: Handler) -> Handler:
        @wraps(handler)
        async def checked(request: Request, *args: Any, **kwargs: Any) -> HTTPResponse | None:
            staff = await signed_in(request)
            if isinstance(staff, HTTPResponse):
                return staff
            if staff.role not in allowed:
                return _error(403, "forbidden", "Your role may not do this.")
            return await handler(request, staff, *args, **kwargs)

        return checked

    return decorate


def _text_field(request: Request, name: str) -> str | HTTPResponse:
    try:
        body = json.loads(request.body or b"{}")
    except (ValueError, RecursionError):
        return _error(400, "invalid_json", "The body must be JSON.")
    value = body.get(name) if isinstance(body, dict) else None
    if not isinstance(value, str) or not value.strip():
        return _error(400, "invalid_request", f"'{name}' must be a non-empty text.")
    if len(value) > MAX_TEXT:
        return _error(400, "too_long", f"'{name}' may have at most {MAX_TEXT} characters.")
    return value.strip()


def blueprint() -> Blueprint:
    """The console and the staff API; the app's ``ctx.desk`` holds their ``DeskServices``."""
    desk = Blueprint("desk", __name__)
    desk.add_route(_health, "/health", methods=["GET"])
    desk.add_route(_console_page, "/", methods=["GET"])
    desk.add_route(_console_asset, "/static/<asset:str>", methods=["GET"])
    desk.add_route(_console_strings, "/api/strings", methods=["GET"])
    desk.add_route(_cases, "/api/cases", methods=["GET"])
    desk.add_route(_case, "/api/cases/<case_id:int>", methods=["GET"])
    desk.add_route(_claim, "/api/cases/<case_id:int>/claim", methods=["POST"])
    desk.add_route(_unclaim, "/api/cases/<case_id:int>/unclaim", methods=["POST"])
    desk.add_route(_message, "/api/cases/<case_id:int>/messages", methods=["POST"])
    desk.add_route(_note, "/api/cases/<case_id:int>/notes", methods=["POST"])
    desk.add_route(_close, "/api/cases/<case_id:int>/close", methods=["POST"])
    desk.add_route(_events, "/api/events", methods=["GET"])
    desk.add_route(_audit, "/api/audit", methods=["GET"])
    desk.add_route(_canned, "/api/canned", methods=["GET"])
    desk.add_route(_login, "/api/login", methods=["POST"])
    desk.add_route(_logout, "/api/logout", methods=["POST"])
    desk.add_route(_me, "/api/me", methods=["GET"])
    desk.add_route(_accounts, "/api/staff", methods=["GET", "POST"])
    desk.add_route(_account, "/api/staff/<name:str>", methods=["DELETE"])
    desk.middleware(_no_store, "response")
    return desk


async def _no_store(request: Request, reply: HTTPResponse) -> None:
    """No copy of a desk response in any cache (the script and style may be cached)."""
    if "/static/" not in request.path:
        reply.headers.update(NO_STORE)


async def _health(request: Request) -> HTTPResponse:
    return response.json({"status": "ok"})


async def _console_page(request: Request) -> HTTPResponse:
    """The console (it asks for sign-in itself; every API call is checked)."""
    html = (STATIC / "console.html").read_text(encoding="utf-8")
    return response.html(html, headers=SECURITY_HEADERS)


async def _console_asset(request: Request, asset: str) -> HTTPResponse:
    return static_file(STATIC, asset, ASSETS)


async def _console_strings(request: Request) -> HTTPResponse:
    """The console's texts in Dutch or English (gettext catalogs, ``bot/desk/locale``)."""
    language = request.args.get("language", "nl")
    return response.json(console_strings(language if language in CONSOLE_LANGUAGES else "nl"))


def console_strings(language: str) -> dict[str, str]:
    """Msgid → text of one console language (English: the msgids themselves)."""
    from babel.messages.pofile import read_po

    path = LOCALE / language / "LC_MESSAGES" / "console.po"
    with path.open("rb") as po:
        catalog = read_po(po, locale=language)
    return {
        str(message.id): str(message.string or message.id)
        for message in catalog
        if message.id and isinstance(message.id, str)
    }


async def _in_thread(call: Callable[..., Any], *args: Any) -> Any:
    """Run a (blocking) database call off the event loop."""
    return await asyncio.to_thread(call, *args)


def _case_error(error: CaseError) -> HTTPResponse:
    if isinstance(error, CaseNotFound):
        return _error(404, "not_found", str(error))
    return _error(409, "conflict", str(error))


@staff_only()
async def _cases(request: Request, staff: Staff) -> HTTPResponse:
    store = services(request).cases
    if request.args.get("status") != "closed":
        found = await _in_thread(store.queue)
        await _in_thread(store.audit, staff.name, "list_queue", None, _shown(found))
        return response.json({"cases": [case.as_dict() for case in found]})
    try:  # closed cases, searchable by the days they were closed (Amsterdam) and outcome
        since = _day_start(request.args.get("from"))
        until = _day_start(request.args.get("to"), days_later=1)  # "to" includes that day
    except ValueError:
        return _error(400, "invalid_request", "'from' and 'to' are dates like 2026-11-30.")
    outcome = request.args.get("outcome") or None
    if outcome is not None and outcome not in (*OUTCOMES, "erased"):
        return _error(400, "invalid_request", f"'outcome' is one of {', '.join(OUTCOMES)}.")
    found = await _in_thread(store.closed_cases, since, until, outcome)
    asked = " ".join(f"{k}={v}" for k in ("from", "to", "outcome") if (v := request.args.get(k)))
    await _in_thread(store.audit, staff.name, "search_closed", None, _shown(found, asked))
    return response.json({"cases": [case.as_dict() for case in found]})


def _shown(cases: list[Case], asked: str = "") -> str:
    """For the audit log: the search, and which cases it showed (ids only, never texts)."""
    detail = (asked + ": " if asked else "") + f"{len(cases)} cases"
    detail += "".join(f" #{case.id}" for case in cases)
    if len(detail) > AUDIT_DETAIL:  # cut at a case, saying so
        detail = detail[: AUDIT_DETAIL - 2].rsplit(" ", 1)[0] + " …"
    return detail


def _day_start(value: str | None, days_later: int = 0) -> float | None:
    """The start of a day in Amsterdam (``2026-11-30``) as seconds since the epoch."""
    if not value:
        return None
    day = dt.date.fromisoformat(value) + dt.timedelta(days=days_later)
    return dt.datetime.combine(day, dt.time(), tzinfo=DESK_ZONE).timestamp()


@staff_only()
async def _case(request: Request, staff: Staff, case_id: int) -> HTTPResponse:
    store = services(request).cases
    try:
        case = await _in_thread(store.get, case_id)
    except CaseError as error:
        return _case_error(error)
    await _in_thread(store.audit, staff.name, "read", case_id, None)
    transcript = await _transcript(request, store, case)
    return response.json(
        {
            "case": case.as_dict(),
            "transcript": transcript,
            "reply_window": await _reply_window(request, case),
        }
    )


async def _reply_window(request: Request, case: Case) -> dict[str, Any]:
    """Whether a reply can reach the user now (WhatsApp: 24 hours after their last message)."""
    messenger = services(request).messengers.get(case.channel)
    if messenger is None or case.conversation_id is None:
        return {"open": True, "template": False}
    window = await messenger.reply_window(case.conversation_id)
    return {"open": window.open, "template": window.template}


@staff_only()
async def _canned(request: Request, staff: Staff) -> HTTPResponse:
    """The ready-made replies in a language, each with its English text for the staff."""
    language = request.args.get("language", "")
    content = services(request).content()
    catalog = content.catalogs.get(language)
    if catalog is None:
        return _error(400, "invalid_request", "'language' is one of the assistant's languages.")
    english = content.catalogs[FALLBACK_LANGUAGE].canned
    replies = [
        {"id": reply_id, "text": text, "english": english.get(reply_id, "")}
        for reply_id, text in catalog.canned.items()
    ]
    return response.json({"language": language, "replies": replies})


async def _transcript(request: Request, store: CaseStore, case: Case) -> list[dict[str, Any]]:
    """User and bot messages of the whole conversation, staff messages and notes, by time."""
    items: list[dict[str, Any]] = []
    if case.conversation_id:
        for turn in await services(request).conversations.transcript(case.conversation_id):
            items.append({"at": turn.at, "from": turn.speaker, "text": turn.text})
    for message in await _in_thread(store.messages, case.id):
        items.append(
            {
                "at": message["at"],
                "from": "staff" if message["kind"] == "message" else "note",
                "staff": message["staff"],
                "text": message["text"],
                "delivery": message["delivery"],
                "error": message["error"],
            }
        )
    return sorted(items, key=lambda item: item["at"])


@staff_only()
async def _claim(request: Request, staff: Staff, case_id: int) -> HTTPResponse:
    try:
        case = await _in_thread(services(request).cases.claim, case_id, staff.name)
    except CaseError as error:
        return _case_error(error)
    return response.json({"case": case.as_dict()})


@staff_only()
async def _unclaim(request: Request, staff: Staff, case_id: int) -> HTTPResponse:
    try:
        case = await _in_thread(services(request).cases.unclaim, case_id, staff.name)
    except CaseError as error:
        return _case_error(error)
    return response.json({"case": case.as_dict()})


@staff_only()
async def _note(request: Request, staff: Staff, case_id: int) -> HTTPResponse:
    text = _text_field(request, "text")
    if isinstance(text, HTTPResponse):
        return text
    store = services(request).cases
    try:
        await _in_thread(store.get, case_id)
    except CaseError as error:
        return _case_error(error)
    note_id = await _in_thread(store.add_message, case_id, staff.name, "note", text)
    return response.json({"id": note_id}, status=201)


@staff_only()
async def _message(request: Request, staff: Staff, case_id: int) -> HTTPResponse:
    text = _text_field(request, "text")
    if isinstance(text, HTTPResponse):
        return text
    store = services(request).cases
    try:
        case = await _in_thread(store.get, case_id)
    except CaseError as error:
        return _case_error(error)
    if case.status == "closed" or case.conversation_id is None:
        return _error(409, "conflict", f"case {case_id} is closed")
    delivery, problem = await deliver(request, case, text)
    message_id = await _in_thread(
        store.add_message, case_id, staff.name, "message", text, delivery, problem
    )
    status = 502 if delivery == "failed" else 201
    return response.json({"id": message_id, "delivery": delivery, "error": problem}, status)


async def deliver(request: Request, case: Case, text: str) -> tuple[str, str | None]:
    """Send ``text`` through the user's channel: ("sent" | "queued" | "failed", why)."""
    messenger = services(request).messengers.get(case.channel)
    if messenger is None:
        return "failed", f"the {case.channel} channel is not running"
    delivery = await messenger.deliver(str(case.conversation_id), text, case.language)
    return delivery.status, delivery.problem


@staff_only()
async def _close(request: Request, staff: Staff, case_id: int) -> HTTPResponse:
    try:
        body = json.loads(request.body or b"{}")
    except (ValueError, RecursionError):
        return _error(400, "invalid_json", "The body must be JSON.")
    outcome = body.get("outcome") if isinstance(body, dict) else None
    if outcome not in OUTCOMES:
        return _error(400, "invalid_request", f"'outcome' is one of {', '.join(OUTCOMES)}.")
    store = services(request).cases
    try:
        case = await _in_thread(store.close, case_id, staff.name, outcome)
    except CaseError as error:
        return _case_error(error)
    await resume(request, store, case)
    return response.json({"case": case.as_dict()})


async def resume(request: Request, store: CaseStore, case: Case) -> None:
    """Give the conversation back to the bot, and tell the user so in their language."""
    if case.conversation_id is None:
        return
    await services(request).conversations.resume(case.conversation_id)
    reply = render(services(request).content(), "case_closed", case.language)
    if reply is None:
        return
    delivery, problem = await deliver(request, case, reply.text)
    await _in_thread(store.add_message, case.id, BOT_NAME, "message", reply.text, delivery, problem)
    logger.info("Case %s closed; conversation %s resumed", case.id, pseudonym(case.conversation_id))


@staff_only()
async def _events(request: Request, staff: Staff) -> None:
    """New cases as server-sent events, for the console's live queue.

    Every ``RECHECK_SECONDS`` the request's token or session is checked again (in a thread,
    without counting as use of the session); once it is no longer valid the stream sends a
    ``signed_out`` event and ends.
    """
    store = services(request).cases
    after = request.args.get("after", "")  # the last case the console has seen
    last = int(after) if after.isdigit() else await _in_thread(store.latest_id)
    stream = await request.respond(
        content_type="text/event-stream", headers={**NO_STORE, "X-Accel-Buffering": "no"}
    )
    await stream.send(": open\n\n")  # sends the headers now: the client knows it is listening
    idle = 0.0
    checked = time.monotonic()
    while True:
        if time.monotonic() - checked >= RECHECK_SECONDS:
            if not await _still_signed_in(request):
                logger.info("Desk event stream of %s ended: no longer signed in", staff.name)
                await stream.send("event: signed_out\ndata: {}\n\n")
                return  # Sanic ends the response
            checked = time.monotonic()
        for case in await _in_thread(store.cases_since, last):
            last = case.id
            await stream.send(f"id: {case.id}\nevent: case\ndata: {json.dumps(case.as_dict())}\n\n")
            idle = 0.0
        if idle >= KEEP_ALIVE_SECONDS:
            await stream.send(": keep-alive\n\n")
            idle = 0.0
        pause = min(POLL_SECONDS, RECHECK_SECONDS)
        await asyncio.sleep(pause)
        idle += pause


async def _still_signed_in(request: Request) -> bool:
    """Whether the request's API token or console session is still valid (one SELECT)."""
    header = request.headers.get("authorization", "")
    if header.lower().startswith("bearer "):
        token = header[7:].strip()
        return await asyncio.to_thread(services(request).staff.authenticate, token) is not None
    cookie = request.cookies.get(COOKIE, "")
    return await asyncio.to_thread(services(request).auth.session, cookie, False) is not None


async def _login(request: Request) -> HTTPResponse:
    """Sign in with name and password: a session cookie, and the CSRF token for the page.

    Refused with 401 (wrong name or password, the same for a name that does not exist) or
    429 with ``Retry-After`` while a limit holds for this account, address or both. The limits
    count per client address: ``request.remote_addr`` (set by Sanic only when the operator has
    configured the proxy: ``FORWARDED_SECRET``, ``REAL_IP_HEADER`` or ``PROXIES_COUNT``), else
    the connection's address. scrypt runs in a thread, never on the event loop.
    """
    try:
        body = json.loads(request.body or b"{}")
    except (ValueError, RecursionError):
        return _error(400, "invalid_json", "The body must be JSON.")
    name = body.get("name") if isinstance(body, dict) else None
    password = body.get("password") if isinstance(body, dict) else None
    if not isinstance(name, str) or not isinstance(password, str) or len(password) > 1000:
        return _error(400, "invalid_request", "'name' and 'password' are required.")
    address = request.remote_addr or request.ip or ""
    try:
        session = await asyncio.to_thread(services(request).auth.sign_in, name, password, address)
    except SignInError as error:
        logger.warning("Desk sign-in refused%s", " (limited)" if error.retry_after else "")
        if error.retry_after:
            reply = _error(429, "too_many_attempts", str(error))
            reply.headers["Retry-After"] = str(max(1, math.ceil(error.retry_after)))
            return reply
        return _error(401, "sign_in_failed", str(error))
    await _in_thread(services(request).cases.audit, session.staff.name, "sign_in", None, None)
    reply = response.json(
        {"staff": session.staff.name, "role": session.staff.role, "csrf": session.csrf}
    )
    reply.cookies[COOKIE] = session.token
    reply.cookies[COOKIE].update(
        {"httponly": True, "secure": True, "samesite": "Strict", "path": "/webhooks/desk/"}
    )
    return reply


@staff_only(*ROLES)
async def _logout(request: Request, staff: Staff) -> HTTPResponse:
    await asyncio.to_thread(services(request).auth.sign_out, request.cookies.get(COOKIE, ""))
    reply = response.json({"status": "signed_out"})
    del reply.cookies[COOKIE]
    return reply


@staff_only(*ROLES)
async def _me(request: Request, staff: Staff) -> HTTPResponse:
    session = await asyncio.to_thread(
        services(request).auth.session, request.cookies.get(COOKIE, "")
    )
    return response.json(
        {"staff": staff.name, "role": staff.role, "csrf": session.csrf if session else None}
    )


@staff_only(ADMIN)
async def _accounts(request: Request, staff: Staff) -> HTTPResponse:
    """Admins: list the accounts, or create one ({"name", "password", "role"})."""
    if request.method == "GET":
        names = await _in_thread(services(request).staff.names)
        return response.json({"staff": [{"name": n, "role": r} for n, r in names]})
    try:
        body = json.loads(request.body or b"{}")
        name, password = str(body["name"]), str(body["password"])
        role = str(body.get("role", "staff"))
        await _in_thread(services(request).staff.add, name, role)
        await _in_thread(services(request).auth.set_password, name, password)
    except (ValueError, RecursionError, KeyError, TypeError) as error:
        return _error(400, "invalid_request", str(error) or "'name' and 'password' are required.")
    await _in_thread(services(request).cases.audit, staff.name, "add_staff", None, name)
    return response.json({"name": name, "role": role}, status=201)


@staff_only(ADMIN)
async def _account(request: Request, staff: Staff, name: str) -> HTTPResponse:
    """Admins: remove an account (and end its sessions)."""
    if not await _in_thread(services(request).staff.remove, name):
        return _error(404, "not_found", f"There is no account '{name}'.")
    await _in_thread(services(request).auth.sign_out_everywhere, name)
    await _in_thread(services(request).cases.audit, staff.name, "remove_staff", None, name)
    return response.json({"removed": name})


@staff_only(ADMIN)
async def _audit(request: Request, staff: Staff) -> HTTPResponse:
    return response.json({"audit": await _in_thread(services(request).cases.audit_log)})
