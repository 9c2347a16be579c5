"""The Rasa server: ``rasa run`` with our fixes to Rasa 3.6.21 applied first.

``python -m bot.adapters.rasa_server run ARGS`` takes exactly the arguments of ``rasa run
ARGS`` (it is Rasa's own command line); ``make run``, the tests, the benchmark and the
deployment start the server this way. Each fix names what it changes and why; drop it when
Rasa is upgraded and the reason is gone (``tests/unit/test_rasa_server.py`` fails when Rasa no
longer calls what a fix replaces).

Security (issue 14):

- The HTTP API token comes from ``RASA_AUTH_TOKEN`` in the environment, never from the command
  line (which every user of the machine sees in ``ps``); ``--enable-api`` without a token is
  refused, so the API is either off or needs the token — on every address. The token is
  compared in constant time (Rasa compares with ``==``).
- Request bodies over ``SANIC_REQUEST_MAX_SIZE`` (default 64 KB here; Sanic's own is 100 MB)
  are refused with 413 before they are read.
- Secrets (the HTTP API token, the channels' tokens, the web chat key) are hidden in every log
  record (``bot.privacy.logs``).
- "Delete my data" is heard while a person of the desk has the conversation: Rasa answers
  nothing while a conversation is paused (``ConversationPaused``) except ``/restart``; the
  request to delete and the answer to its question pass too (``bot.turns.heard_while_paused``).

Speed: Rasa checks every response of the action server with ``jsonschema.validate``, which
first checks the *schema itself* against the JSON Schema meta-schema — 29 ms of CPU per action
call on our 2-core machine, 38% of the server's time under load (``make bench --profile``).
Here the schema is compiled once per process; responses are checked against the same schema and
an invalid one fails with the same error.

Speed (issue 18): Rasa runs the NLU pipeline of every message on the server's event loop, so
while one message is embedded (tens of milliseconds of native code) no other conversation moves.
Here the pipeline runs in a worker thread (``parse_message``): the embedding releases the GIL,
so the loop meanwhile reads and writes other conversations, runs their policies and calls the
action server. The components are safe to call from several threads (the embedding model gives
the same vectors; checked in ``tests/unit/test_rasa_server.py``).

Speed (issue 18): Rasa opens a new HTTP session — a new TCP connection — to the action
server for every action it runs and closes it after the answer: connecting, and aiohttp's
session and connector set-up, were ~10% of the server's time holding the GIL at 50 users
(py-spy ``--gil``). Here each event loop keeps one session per endpoint configuration, with
keep-alive connections (``_session``); idle ones are closed after ``KEEPALIVE_SECONDS``, before
the action server (Sanic: 5 s) would close them under a request; all close with the server.

Speed (issue 18): to read an event, Rasa looks for its class among all subclasses of
``Event``, collected anew for every event (2% of the GIL time at 50 users); here the classes
are looked up by name in a table made on first use (``_resolve_by_type``), Rasa's search for
a name the table lacks.

Speed (issue 18): one thread for OpenBLAS. NumPy and SciPy each load an OpenBLAS that starts
a pool of one thread per core; between calls its idle threads spin, waiting for the next one —
and the server makes small BLAS calls for every message (the classifier), so they never stopped:
20 ms of CPU per message at one user, at 50 users a third of the server's CPU taken from the
threads doing the work (``make bench``, 2026-12-03, 50 users: 58 → 39 ms of CPU a message,
29 → 33 messages a second). The pool's size is read when the library loads, so ``main`` sets
it before Rasa (and NumPy) is imported; an operator's own ``OPENBLAS_NUM_THREADS`` wins. Rasa
is imported only then, in the functions below. The embedding's OpenMP pool keeps one thread
per core: one message is embedded in 20 ms on two threads against 31 ms on one, and under load
the two settings serve as many messages a second.
"""

from __future__ import annotations

import asyncio
import functools
import hmac
import logging
import os
import sys
import weakref
from collections.abc import Callable, MutableMapping
from inspect import isawaitable
from typing import TYPE_CHECKING, Any

from bot.privacy.logs import hide_secrets
from bot.turns import heard_while_paused

if TYPE_CHECKING:
    import aiohttp
    from rasa.core.actions.action import RemoteAction
    from rasa.core.channels.channel import UserMessage
    from rasa.core.processor import MessageProcessor
    from rasa.shared.core.trackers import DialogueStateTracker
    from rasa.utils.endpoints import EndpointConfig

MAX_REQUEST_BYTES = 64 * 1024
SECRETS_IN_ENVIRONMENT = (
    "RASA_AUTH_TOKEN",
    "WEGWIJS_WEBCHAT_KEY",
    "TELEGRAM_BOT_TOKEN",
    "TELEGRAM_WEBHOOK_SECRET",
    "WHATSAPP_ACCESS_TOKEN",
    "WHATSAPP_APP_SECRET",
    "WHATSAPP_VERIFY_TOKEN",
)
# Idle connections to the action server are closed after this, before its Sanic (5 s) does.
KEEPALIVE_SECONDS = 2.0
# The size of OpenBLAS's thread pools (see above); read when the library is loaded.
NATIVE_THREADS = {"OPENBLAS_NUM_THREADS": "1"}
_rasa: dict[str, Any] = {}  # Rasa's originals of what the fixes replace
# Per event loop, the open HTTP sessions by endpoint configuration (``_session``).
_sessions: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, dict[tuple[Any, ...], Any]] = (
    weakref.WeakKeyDictionary()
)


def limit_native_threads(environ: MutableMapping[str, str]) -> None:
    """One thread for OpenBLAS, unless the operator set a number."""
    for name, value in NATIVE_THREADS.items():
        environ.setdefault(name, value)


@functools.lru_cache(maxsize=1)
def _response_validator() -> Any:
    """A validator for the action server's responses, compiled on first use."""
    from jsonschema.validators import validator_for
    from rasa.core.actions.action import RemoteAction

    schema = RemoteAction.action_response_format_spec()
    return validator_for(schema)(schema)


def _validate_action_result(self: RemoteAction, result: dict[str, Any]) -> bool:
    """``RemoteAction._validate_action_result`` with the compiled validator."""
    from jsonschema import ValidationError

    try:
        _response_validator().validate(result)
    except ValidationError as error:
        error.message += (
            ". Failed to validate Action server response from API, make sure your response "
            "from the Action endpoint is valid."
        )
        raise
    return True


@functools.lru_cache(maxsize=1)
def _event_classes() -> dict[str, type]:
    """Rasa's event classes by type name (the first found wins, as in Rasa's search)."""
    import rasa.shared.utils.common
    from rasa.shared.core.events import Event

    classes: dict[str, type] = {}
    for cls in rasa.shared.utils.common.all_subclasses(Event):
        classes.setdefault(cls.type_name, cls)
    return classes


def _resolve_by_type(type_name: str, default: type | None = None) -> type | None:
    """``Event.resolve_by_type`` from the table; Rasa's search for any other name."""
    found = _event_classes().get(type_name)
    return found if found is not None else _rasa["resolve_by_type"](type_name, default)


def _latest_intents(tracker: DialogueStateTracker) -> tuple[str | None, str | None]:
    """The intents of the user's latest message and of the one before it."""
    from rasa.shared.core.events import UserUttered

    intents: list[str | None] = []
    for event in reversed(tracker.events):
        if isinstance(event, UserUttered):
            intents.append(event.intent_name)
            if len(intents) == 2:
                break
    intents += [None, None]
    return intents[0], intents[1]


def _should_handle_message(tracker: DialogueStateTracker) -> bool:
    """Rasa's rule (not paused, or ``/restart``), and "delete my data" also while paused."""
    return bool(_rasa["should_handle_message"](tracker)) or heard_while_paused(
        *_latest_intents(tracker)
    )


async def parse_message(
    self: MessageProcessor,
    message: UserMessage,
    tracker: DialogueStateTracker | None = None,
    only_output_properties: bool = True,
) -> dict[str, Any]:
    """Rasa's ``MessageProcessor.parse_message``, with the NLU graph run off the event loop.

    Without Rasa's debug log line of the parsed text and entities: no message texts in logs.
    """
    if self.http_interpreter:
        return await _rasa["parse_message"](self, message, tracker, only_output_properties)
    if tracker is None:
        from rasa.shared.core.trackers import DialogueStateTracker

        tracker = DialogueStateTracker.from_events(message.sender_id, [])
    parse_data = await asyncio.to_thread(
        self._parse_message_with_graph, message, tracker, only_output_properties
    )
    self._update_full_retrieval_intent(parse_data)
    self._check_for_unseen_features(parse_data)
    return parse_data


class _Borrowed:
    """``async with`` an open session, leaving it open (Rasa closes what it entered)."""

    def __init__(self, session: aiohttp.ClientSession) -> None:
        self._session = session

    async def __aenter__(self) -> aiohttp.ClientSession:
        return self._session

    async def __aexit__(self, *exc_info: object) -> None:
        return None


def _session(self: EndpointConfig) -> Any:
    """``EndpointConfig.session``: the loop's open session for this configuration.

    The same headers, authentication and time limit as Rasa's, on a connector that keeps
    connections open between requests. Outside a running loop, Rasa's own session.
    """
    import aiohttp
    from rasa.core.constants import DEFAULT_REQUEST_TIMEOUT

    try:
        loop = asyncio.get_running_loop()
    except RuntimeError:
        return _rasa["endpoint_session"](self)
    key = (
        tuple(sorted(self.headers.items())),
        tuple(sorted(self.basic_auth.items())),
    )
    sessions = _sessions.setdefault(loop, {})
    session = sessions.get(key)
    if session is None or session.closed:
        auth = (
            aiohttp.BasicAuth(self.basic_auth["username"], self.basic_auth["password"])
            if self.basic_auth
            else None
        )
        session = sessions[key] = aiohttp.ClientSession(
            headers=self.headers,
            auth=auth,
            timeout=aiohttp.ClientTimeout(total=DEFAULT_REQUEST_TIMEOUT),
            connector=aiohttp.TCPConnector(keepalive_timeout=KEEPALIVE_SECONDS),
        )
    return _Borrowed(session)


async def close_resources(app: Any, loop: asyncio.AbstractEventLoop) -> None:
    """Rasa's ``close_resources`` when the server stops, and this loop's HTTP sessions."""
    await _rasa["close_resources"](app, loop)
    for session in _sessions.pop(loop, {}).values():
        await session.close()


def requires_auth(app: Any, token: str | None = None) -> Callable[[Any], Any]:
    """``rasa.server.requires_auth``: the token compared in constant time, and none is no entry.

    Rasa lets every request in when it has no token and no JWT; this version refuses them. A
    JWT (``--jwt-secret``), when configured, is checked by Rasa's own code as before.
    """
    from rasa.server import ErrorResponse

    by_jwt = _rasa["requires_auth"](app, None)
    expected = (token or "").encode()

    def decorator(handler: Any) -> Any:
        jwt_handler = by_jwt(handler)

        @functools.wraps(handler)
        async def decorated(request: Any, *args: Any, **kwargs: Any) -> Any:
            provided = str(request.args.get("token") or "").encode()
            if expected and hmac.compare_digest(provided, expected):
                result = handler(request, *args, **kwargs)
                return await result if isawaitable(result) else result
            if app.config.get("USE_JWT"):
                return await jwt_handler(request, *args, **kwargs)
            raise ErrorResponse(401, "NotAuthenticated", "User is not authenticated.")

        return decorated

    return decorator


def apply_fixes() -> None:
    """Apply the fixes to Rasa in this process (idempotent)."""
    import rasa.core.run
    import rasa.server
    from rasa.core.actions.action import RemoteAction
    from rasa.core.processor import MessageProcessor
    from rasa.shared.core.events import Event
    from rasa.utils.endpoints import EndpointConfig

    _rasa.setdefault("should_handle_message", MessageProcessor._should_handle_message)
    _rasa.setdefault("requires_auth", rasa.server.requires_auth)
    _rasa.setdefault("parse_message", MessageProcessor.parse_message)
    _rasa.setdefault("endpoint_session", EndpointConfig.session)
    _rasa.setdefault("close_resources", rasa.core.run.close_resources)
    _rasa.setdefault("resolve_by_type", Event.resolve_by_type)
    RemoteAction._validate_action_result = _validate_action_result
    MessageProcessor._should_handle_message = staticmethod(_should_handle_message)
    MessageProcessor.parse_message = parse_message
    rasa.server.requires_auth = requires_auth
    EndpointConfig.session = _session
    Event.resolve_by_type = staticmethod(_resolve_by_type)
    rasa.core.run.close_resources = close_resources


def command_line(argv: list[str], environ: dict[str, str]) -> list[str]:
    """Rasa's arguments with the HTTP API token from the environment; SystemExit if unsafe."""
    token = environ.get("RASA_AUTH_TOKEN", "")
    if "--auth-token" in argv or any(a.startswith("--auth-token=") for a in argv):
        raise SystemExit("Give the HTTP API token in RASA_AUTH_TOKEN, not on the command line.")
    if "--enable-api" in argv and not token:
        raise SystemExit("The HTTP API needs a token: set RASA_AUTH_TOKEN, or drop --enable-api.")
    return [*argv, "--auth-token", token] if token else list(argv)


def main() -> None:
    """Rasa's command line, after the fixes."""
    limit_native_threads(os.environ)  # before anything loads NumPy
    os.environ.setdefault("SANIC_REQUEST_MAX_SIZE", str(MAX_REQUEST_BYTES))
    # Rasa sets the level of its own loggers; ours follow LOG_LEVEL too, and the libraries that
    # talk to the messengers Rasa's LOG_LEVEL_LIBRARIES (default ERROR).
    logging.getLogger("bot").setLevel(os.environ.get("LOG_LEVEL", "INFO").upper())
    for library in ("httpx", "httpcore", "telegram"):
        logging.getLogger(library).setLevel(os.environ.get("LOG_LEVEL_LIBRARIES", "ERROR").upper())
    hide_secrets(os.environ.get(name) for name in SECRETS_IN_ENVIRONMENT)
    sys.argv = [sys.argv[0], *command_line(sys.argv[1:], dict(os.environ))]
    apply_fixes()
    from rasa.__main__ import main as rasa_main

    rasa_main()


if __name__ == "__main__":
    main()
