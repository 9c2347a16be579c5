"""``make run``: start the assistant locally.

Checks the answer files, trains if the model is stale, starts the action server and the Rasa
server (which serves the web chat), prints the URLs; Ctrl-C stops every process it started.
"""

from __future__ import annotations

import argparse
import logging
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

import yaml

from bot import storage
from bot.content.loader import load_content
from bot.privacy.erasure import purge
from bot.settings import PROJECT_ROOT, Settings, SettingsError, rasa_env, rasa_executable
from bot.tools.training import ensure_model
from bot.wiring import answer_ids_required

logger = logging.getLogger(__name__)

START_TIMEOUT = 300.0
SERVICES = ("actions", "rasa")
PURGE_EVERY = 24 * 3600.0  # seconds between two retention purges while running


def purge_old_conversations(settings: Settings) -> None:
    """Delete conversations older than the retention time; a failure is logged, not fatal."""
    try:
        engine = storage.engine(settings.database_url)
        purge(engine, time.time(), settings.keep_days, settings.keep_case_days)
    except Exception:
        logger.exception("The retention purge failed; it is tried again in 24 hours")


# Secrets a process may hold only when it needs them; ``service_env`` removes them from the
# environment it passes on, then gives each server its own.
SECRET_VARIABLES = (
    "RASA_AUTH_TOKEN",
    "WEGWIJS_WEBCHAT_KEY",
    "WEGWIJS_REDIS_URL",
    "TELEGRAM_BOT_TOKEN",
    "TELEGRAM_WEBHOOK_SECRET",
    "WHATSAPP_ACCESS_TOKEN",
    "WHATSAPP_APP_SECRET",
    "WHATSAPP_VERIFY_TOKEN",
)


def service_env(settings: Settings, service: str = "rasa") -> dict[str, str]:
    """Environment for the Rasa or the action server, with only the secrets it needs.

    The Rasa server gets the channels' secrets, the HTTP API token, the web chat key and Redis;
    the action server none of them (it answers only the Rasa server). ``SANIC_WORKERS`` is for
    the Rasa server only: an action server with several workers closed connections the Rasa
    server was still using (1 answer in 4 lost at 50 users). Action servers scale as separate
    processes (docs/deploy.md).
    """
    own: dict[str, str] = {}
    if service == "rasa":
        own = {
            **(settings.telegram.as_env() if settings.telegram else {}),
            **(settings.whatsapp.as_env() if settings.whatsapp else {}),
            **({"RASA_AUTH_TOKEN": settings.auth_token} if settings.auth_token else {}),
            **({"WEGWIJS_WEBCHAT_KEY": settings.webchat_key} if settings.webchat_key else {}),
            **({"WEGWIJS_REDIS_URL": settings.redis_url} if settings.redis_url else {}),
        }
    else:
        own = {"SANIC_WORKERS": "1", "SANIC_HOST": settings.actions_host}
    env = rasa_env(
        WEGWIJS_DATA_DIR=str(settings.data_dir),
        WEGWIJS_DATABASE_URL=settings.database_url,
        WEGWIJS_PUBLIC_URL=settings.public_url,
        WEGWIJS_KEEP_CONVERSATIONS_DAYS=str(settings.keep_days),
        WEGWIJS_KEEP_CASES_DAYS=str(settings.keep_case_days),
        **own,
    )
    passed_on = {*own, "WEGWIJS_DATABASE_URL"}
    return {k: v for k, v in env.items() if k not in SECRET_VARIABLES or k in passed_on}


def _read(name: str) -> dict[str, Any]:
    return dict(yaml.safe_load((PROJECT_ROOT / name).read_text(encoding="utf-8")) or {})


def _write(settings: Settings, name: str, data: dict[str, Any]) -> Path:
    """Write a generated copy of the Rasa file ``name`` into the data folder."""
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    path = settings.data_dir / name
    path.write_text(
        f"# Written by `python -m bot run` from {name}; edit that file instead.\n"
        + yaml.safe_dump(data, sort_keys=False),
        encoding="utf-8",
    )
    return path


def write_credentials(settings: Settings) -> Path:
    """credentials.yml plus the channels these settings enable, in the data folder.

    Secrets are not written: the channels read them from the environment. Rasa's own REST
    channel (``rest``) is never used: it lets any caller choose any conversation and channel.
    With ``WEGWIJS_REST_CHANNEL`` on, ours takes its place (``bot/channels/rest.py``).
    """
    credentials = _read("credentials.yml")
    credentials.pop("rest", None)
    if settings.rest_channel:
        credentials["bot.channels.rest.RestInput"] = None
    if settings.telegram is not None:
        credentials["bot.channels.telegram.TelegramInput"] = None
    if settings.whatsapp is not None:
        credentials["bot.channels.whatsapp.WhatsAppInput"] = None
    return _write(settings, "credentials.yml", credentials)


def write_endpoints(settings: Settings) -> Path:
    """endpoints.yml with this environment's action port (and lock store), in the data folder.

    The tracker and lock stores find their URLs in the environment (``service_env``).
    """
    endpoints = _read("endpoints.yml")
    endpoints["action_endpoint"]["url"] = settings.action_endpoint
    if settings.redis_url:  # several Rasa servers: their conversation locks in Redis
        endpoints["lock_store"] = {"type": "bot.adapters.lock_store.RedisUrlLockStore"}
    return _write(settings, "endpoints.yml", endpoints)


def commands(settings: Settings, model: Path) -> dict[str, list[str]]:
    """The two server command lines.

    No secret is on them (a command line is visible to every user of the machine in ``ps``):
    the Rasa server reads ``RASA_AUTH_TOKEN`` from its environment
    (``bot.adapters.rasa_server``), and its HTTP API is on only with that token.
    """
    rasa = [
        sys.executable,
        "-m",
        "bot.adapters.rasa_server",  # `rasa run` with our fixes to Rasa (see there)
        "run",
        *(["--enable-api"] if settings.auth_token else []),
        "--interface",
        settings.host,
        "--port",
        str(settings.rasa_port),
        "--model",
        str(model),
        "--endpoints",
        str(write_endpoints(settings)),
        "--credentials",
        str(write_credentials(settings)),
    ]
    actions = [
        rasa_executable(),
        "run",
        "actions",
        "--actions",
        "actions",
        "--port",
        str(settings.actions_port),
    ]
    return {"actions": actions, "rasa": rasa}


def launch(
    settings: Settings,
    model: Path,
    processes: dict[str, subprocess.Popen[bytes]],
    logs: Path | None = None,
    services: tuple[str, ...] = SERVICES,
) -> None:
    """Start the action and Rasa servers into ``processes`` and wait until they answer.

    Each is started by ``spawn`` (logs as there); ``services`` starts only some of them (a
    container runs one).
    """
    for name, command in commands(settings, model).items():
        if name in services:
            spawn(name, command, service_env(settings, name), processes, logs)
    if "actions" in services:
        wait_until_up(f"http://127.0.0.1:{settings.actions_port}/health", processes)
    if "rasa" in services:  # the model is loaded before the server answers
        wait_until_up(f"http://127.0.0.1:{settings.rasa_port}/webhooks/webchat/health", processes)


def spawn(
    name: str,
    command: list[str],
    env: dict[str, str],
    processes: dict[str, subprocess.Popen[bytes]],
    logs: Path | None = None,
    cwd: Path = PROJECT_ROOT,
) -> None:
    """Start ``command`` as ``processes[name]`` in a session of its own.

    ``stop`` ends it with its children; its output goes to ``logs/<name>.log`` when ``logs`` is
    given (tests read it), else to ours.
    """
    log = (logs / f"{name}.log").open("ab") if logs else None
    processes[name] = subprocess.Popen(  # noqa: S603 - our own or Rasa's commands
        command,
        cwd=cwd,
        env=env,
        start_new_session=True,
        stdout=log,
        stderr=subprocess.STDOUT if log else None,
    )
    if log:
        log.close()


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def local_settings(model: Path, data_dir: Path, **given: Any) -> Settings:
    """Servers on free local ports with their own data folder (tests, the benchmark)."""
    rasa_port = free_port()
    values: dict[str, Any] = {
        "host": "127.0.0.1",
        "rasa_port": rasa_port,
        "actions_port": free_port(),
        "auth_token": secrets.token_hex(16),  # the HTTP API, for the tests' and bench's reads
        "data_dir": data_dir,
        "models_dir": model.parent,
        "database_url": f"sqlite:///{data_dir / 'wegwijs.db'}",
        "public_url": f"http://127.0.0.1:{rasa_port}",
    }
    return Settings(**{**values, **{k: v for k, v in given.items() if v is not None}})


def wait_until_up(
    url: str, processes: dict[str, subprocess.Popen[bytes]], timeout: float = START_TIMEOUT
) -> None:
    """Poll ``url`` until it answers; stop early if a process died."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for name, process in processes.items():
            if process.poll() is not None:
                raise RuntimeError(f"the {name} server stopped (exit code {process.returncode})")
        try:
            with urllib.request.urlopen(url, timeout=2):  # noqa: S310 - our own local URL
                return
        except (urllib.error.URLError, OSError):
            time.sleep(0.5)
    raise RuntimeError(f"{url} did not answer within {timeout:.0f} s")


def stop(processes: dict[str, subprocess.Popen[bytes]]) -> None:
    """Stop every started process (and its children), politely first."""
    for process in processes.values():
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
    deadline = time.monotonic() + 15
    for process in processes.values():
        try:
            process.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)


def _interrupt(signum: int, frame: object) -> None:
    """Treat SIGTERM like Ctrl-C, so the servers are stopped in both cases."""
    raise KeyboardInterrupt


def main(argv: list[str] | None = None) -> int:
    """Run the assistant until Ctrl-C."""
    parser = argparse.ArgumentParser(prog="python -m bot run", description=__doc__)
    parser.add_argument(
        "--only",
        choices=SERVICES,
        help="start only this server (one per container; see docs/deploy.md)",
    )
    args = parser.parse_args(argv)
    services = (args.only,) if args.only else SERVICES
    try:
        settings = Settings.from_env()
    except SettingsError as error:
        logger.error("%s", error)
        return 2
    result = load_content(PROJECT_ROOT, answer_ids_required())
    if result.content is None:
        for problem in result.errors:
            logger.error("%s", problem)
        logger.error("Fix the answer files above (see locales/README.md), then run again.")
        return 1
    model = ensure_model(settings.models_dir) if "rasa" in services else Path("no-model")
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    processes: dict[str, subprocess.Popen[bytes]] = {}
    signal.signal(signal.SIGTERM, _interrupt)
    try:
        launch(settings, model, processes, services=services)
        host = "127.0.0.1" if settings.host in {"0.0.0.0", "::"} else settings.host  # noqa: S104
        base = f"http://{host}:{settings.rasa_port}"
        telegram = settings.telegram
        logger.info(
            "Wegwijs is running.\n\n  Web chat:  %s/webhooks/webchat/\n  REST:      %s\n"
            "  HTTP API:  %s\n  Desk:      %s/webhooks/desk/ "
            '(accounts: make staff ARGS="add NAME --admin")\n  Telegram:  %s\n  WhatsApp:  %s\n\n'
            "Press Ctrl-C to stop.\n",
            base,
            f"{base}/webhooks/rest/webhook (ids rest-…)"
            if settings.rest_channel
            else "off (WEGWIJS_REST_CHANNEL=on)",
            f"{base}/model/parse?token=$RASA_AUTH_TOKEN"
            if settings.auth_token
            else "off (set RASA_AUTH_TOKEN)",
            base,
            "off (set TELEGRAM_BOT_TOKEN)"
            if telegram is None
            else f"{telegram.mode} ({telegram.webhook_url or telegram.api_url})",
            "off (set WHATSAPP_*)"
            if settings.whatsapp is None
            else f"webhook at {base}/webhooks/whatsapp/webhook",
        )
        next_purge = time.monotonic()
        while all(p.poll() is None for p in processes.values()):
            if time.monotonic() >= next_purge:
                purge_old_conversations(settings)
                next_purge += PURGE_EVERY
            time.sleep(0.5)
        dead = [n for n, p in processes.items() if p.poll() is not None]
        logger.error("The %s server stopped; stopping the rest.", ", ".join(dead))
        return 1
    except KeyboardInterrupt:
        logger.info("Stopping…")
        return 0
    except RuntimeError as error:
        logger.error("Could not start: %s", error)
        return 1
    finally:
        stop(processes)
