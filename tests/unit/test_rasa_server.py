"""The Rasa server's fixes keep Rasa's behaviour: action responses are still checked."""

from __future__ import annotations

from pathlib import Path

import pytest
from jsonschema import ValidationError
from rasa.core.actions.action import RemoteAction
from rasa.utils.endpoints import EndpointConfig

from bot.adapters.rasa_server import NATIVE_THREADS, apply_fixes
from bot.tools.processes import local_settings
from bot.tools.rasa_files import commands


@pytest.fixture
def action() -> RemoteAction:
    apply_fixes()
    return RemoteAction("action_answer", EndpointConfig("http://127.0.0.1:9/webhook"))


def test_a_valid_action_response_is_accepted(action: RemoteAction):
    response = {
        "events": [{"event": "slot", "timestamp": None, "name": "language", "value": "pl"}],
        "responses": [{"text": "Cześć!", "buttons": [{"title": "BSN", "payload": "/bsn"}]}],
    }
    assert action._validate_action_result(response)


@pytest.mark.parametrize(
    "response",
    [
        {"events": [{"event": "no_such_event"}]},
        {"events": "slot"},
        {"responses": "not a list"},
        {"responses": ["not an object"]},
    ],
)
def test_a_malformed_action_response_is_refused_with_rasas_explanation(
    action: RemoteAction, response: dict
):
    with pytest.raises(ValidationError, match="Failed to validate Action server response"):
        action._validate_action_result(response)


def test_the_assistant_starts_the_server_with_the_fixes(tmp_path: Path):
    command = commands(local_settings(tmp_path / "m.tar.gz", tmp_path), tmp_path / "m.tar.gz")
    assert command["rasa"][1:4] == ["-m", "bot.adapters.rasa_server", "run"]


# --- what the fixes rely on: a Rasa upgrade that drops it makes these fail -----------------


def test_rasa_is_the_version_the_fixes_were_made_for():
    import rasa

    assert rasa.__version__ == "3.6.21", (
        "check every fix in bot/adapters/rasa_server.py, then update this"
    )


@pytest.mark.parametrize(
    ("caller", "replaced"),
    [
        ("rasa.core.actions.action:RemoteAction.run", "_validate_action_result"),
        ("rasa.core.processor:MessageProcessor._run_prediction_loop", "_should_handle_message"),
        ("rasa.server:create_app", "requires_auth(app, auth_token)"),
        (
            "rasa.core.processor:MessageProcessor._handle_message_with_tracker",
            "await self.parse_message(message, tracker)",
        ),
    ],
)
def test_rasa_still_calls_what_the_fixes_replace(caller: str, replaced: str):
    import importlib
    import inspect

    module, _, path = caller.partition(":")
    found: object = importlib.import_module(module)
    for name in path.split("."):
        found = getattr(found, name)
    assert replaced in inspect.getsource(found)  # type: ignore[arg-type]


# --- the HTTP API: a token from the environment, never on the command line ------------------


def test_the_token_is_taken_from_the_environment():
    from bot.adapters.rasa_server import command_line

    argv = ["run", "--enable-api", "--port", "5005"]
    assert command_line(argv, {"RASA_AUTH_TOKEN": "x" * 32})[-2:] == ["--auth-token", "x" * 32]
    assert command_line(["run"], {}) == ["run"]


@pytest.mark.parametrize(
    "argv", [["run", "--enable-api"], ["run", "--auth-token", "x" * 32], ["run", "--auth-token=x"]]
)
def test_an_api_without_a_token_or_a_token_on_the_command_line_is_refused(argv: list[str]):
    from bot.adapters.rasa_server import command_line

    with pytest.raises(SystemExit, match="RASA_AUTH_TOKEN"):
        command_line(argv, {})


def test_paused_conversations_still_hear_delete_my_data():
    from rasa.shared.core.events import ActionExecuted, ConversationPaused, UserUttered
    from rasa.shared.core.trackers import DialogueStateTracker

    apply_fixes()
    from rasa.core.processor import MessageProcessor

    def tracker(*intents: str) -> DialogueStateTracker:
        events = [ActionExecuted("action_listen"), ConversationPaused()]
        events += [UserUttered("…", {"name": intent}) for intent in intents]
        return DialogueStateTracker.from_events("web-1", events)

    handled = MessageProcessor._should_handle_message
    assert not handled(tracker("bsn"))  # the desk has it: the bot stays silent
    assert handled(tracker("bsn", "forget"))
    assert handled(tracker("forget", "affirm")) and handled(tracker("forget", "deny"))
    assert not handled(tracker("bsn", "affirm"))  # a "yes" to the desk stays with the desk
    assert handled(tracker("restart"))  # Rasa's own rule is kept


RASA_PARSE_MESSAGE = "b98d8e49b9f2c433"  # sha256 of Rasa 3.6.21's source of parse_message


def test_rasas_parse_message_is_the_one_our_copy_was_made_from():
    import hashlib
    import inspect

    from rasa.core.processor import MessageProcessor

    source = inspect.getsource(_original("parse_message"))
    assert hashlib.sha256(source.encode()).hexdigest()[:16] == RASA_PARSE_MESSAGE, (
        "Rasa's parse_message changed: bring bot/adapters/rasa_server.parse_message in line"
    )
    assert MessageProcessor.parse_message is not _original("parse_message")


def _original(name: str):
    from bot.adapters.rasa_server import _rasa

    apply_fixes()
    return _rasa[name]


def test_the_embedding_model_gives_the_same_vectors_from_several_threads():
    import threading

    import numpy as np

    from bot.editors.grouping import embed

    texts = [
        f"nie dostałem wypłaty za {month}" for month in ("maj", "czerwiec", "lipiec", "sierpień")
    ]
    alone = embed(texts)
    found: dict[int, np.ndarray] = {}

    def work(i: int) -> None:
        for _ in range(5):
            found[i] = embed([texts[i]])[0]

    threads = [threading.Thread(target=work, args=(i,)) for i in range(len(texts))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert all(np.allclose(found[i], alone[i], atol=1e-5) for i in range(len(texts)))


# --- one OpenBLAS thread (issue 18) ----------------------------------------------------------

REPORT_THREAD_POOLS = """
import atexit, json, sys
def report():
    from threadpoolctl import threadpool_info
    print(json.dumps([[pool["internal_api"], pool["num_threads"]] for pool in threadpool_info()]))
atexit.register(report)
sys.argv = ["rasa_server", "--version"]
from bot.adapters import rasa_server
print(json.dumps("numpy" in sys.modules))
rasa_server.main()
"""


def test_the_server_runs_openblas_on_one_thread():
    """Idle OpenBLAS threads spin: with one per core they took a third of the CPU under load."""
    import json
    import os
    import subprocess
    import sys

    env = {k: v for k, v in os.environ.items() if k not in {"OMP_NUM_THREADS", *NATIVE_THREADS}}
    run = subprocess.run(
        [sys.executable, "-c", REPORT_THREAD_POOLS],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=True,
    )
    lines = [line for line in run.stdout.splitlines() if line.startswith(("[", "true", "false"))]
    numpy_before_main, pools = json.loads(lines[0]), json.loads(lines[-1])
    assert numpy_before_main is False, "importing the module must not load NumPy yet"
    openblas = [threads for api, threads in pools if api == "openblas"]
    assert openblas and all(threads == 1 for threads in openblas), pools
    # the embedding's OpenMP pool keeps a thread per core (faster for one message)
    cores = len(os.sched_getaffinity(0))
    assert [threads for api, threads in pools if api == "openmp"] == [cores], pools


def test_an_operators_own_thread_settings_win():
    from bot.adapters.rasa_server import limit_native_threads

    environ = {"OPENBLAS_NUM_THREADS": "4"}
    limit_native_threads(environ)
    assert environ == {"OPENBLAS_NUM_THREADS": "4"}
    environ = {}
    limit_native_threads(environ)
    assert environ == {"OPENBLAS_NUM_THREADS": "1"}


# --- calls to the action server reuse their connection (issue 18) ----------------------------


async def _peer_server(port: int = 0):
    """A local HTTP server answering with the client's port (one port: one connection)."""
    from aiohttp import web

    async def handler(request):
        return web.json_response(
            {
                "port": request.transport.get_extra_info("peername")[1],
                "header": request.headers.get("X-Test"),
            }
        )

    app = web.Application()
    app.router.add_post("/webhook", handler)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", port, reuse_address=True)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]
    return runner, port


async def test_action_calls_share_one_connection_and_keep_the_endpoints_headers():
    apply_fixes()
    runner, port = await _peer_server()
    endpoint = EndpointConfig(f"http://127.0.0.1:{port}/webhook", headers={"X-Test": "kept"})
    try:
        replies = [await endpoint.request(json={"next_action": "action_answer"}) for _ in range(5)]
        assert {reply["port"] for reply in replies} == {replies[0]["port"]}
        assert {reply["header"] for reply in replies} == {"kept"}

        await _close_sessions()
        # the stopping server closed them; a later request opens a new one and is answered
        again = await endpoint.request(json={"next_action": "action_answer"})
        assert again["header"] == "kept" and again["port"] != replies[0]["port"]
    finally:
        await _close_sessions()
        await runner.cleanup()


async def test_a_connection_the_action_server_closed_is_not_reused():
    """After a restart of the action server the next action still reaches it."""
    apply_fixes()
    runner, port = await _peer_server()
    endpoint = EndpointConfig(f"http://127.0.0.1:{port}/webhook")
    first = await endpoint.request(json={})
    await runner.cleanup()  # the server goes away, closing its connections
    runner, _ = await _peer_server(port)
    try:
        second = await endpoint.request(json={})
        assert second["port"] != first["port"]
    finally:
        await _close_sessions()
        await runner.cleanup()


async def _close_sessions() -> None:
    import asyncio

    import rasa.core.run

    app = type("App", (), {"ctx": object()})()
    await rasa.core.run.close_resources(app, asyncio.get_running_loop())


def test_events_are_read_as_the_same_classes_as_rasas_search():
    import rasa.shared.utils.common
    from rasa.shared.core.events import Event, UserUttered

    apply_fixes()
    rasas = _original("resolve_by_type")
    names = {cls.type_name for cls in rasa.shared.utils.common.all_subclasses(Event)}
    assert len(names) > 20
    for name in names:
        assert Event.resolve_by_type(name) is rasas(name), name
    assert Event.resolve_by_type("no_such_event", UserUttered) is UserUttered
    with pytest.raises(ValueError, match="Unknown event name 'no_such_event'"):
        Event.resolve_by_type("no_such_event")
    stored = {"event": "user", "text": "hallo", "parse_data": {"intent": {"name": "greet"}}}
    assert isinstance(Event.from_parameters(stored), UserUttered)
