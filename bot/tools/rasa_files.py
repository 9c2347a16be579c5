"""What the two servers are started with: Rasa's files, command lines and environments.

``write_credentials`` and ``write_endpoints`` write this environment's copies of
credentials.yml and endpoints.yml into the data folder; ``commands`` gives the action and Rasa
servers' command lines, ``service_env`` the environment of each, with only the secrets it needs.
Nothing here starts a process (``bot.tools.processes`` does).
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import yaml

from bot.settings import PROJECT_ROOT, Settings, rasa_env, rasa_executable

SERVICES = ("actions", "rasa")

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
