"""One settings object, read from the environment (and ``.env`` in development).

Every setting has a safe local default, so ``make run`` needs no account and no token. Secrets
come only from the environment; a setting that exposes the HTTP API beyond this machine refuses
to start without a token.
"""

from __future__ import annotations

import ipaddress
import os
from dataclasses import dataclass
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent

PLACEHOLDER_SECRETS = {"", "changeme", "change-me", "secret", "token", "xxx", "todo", "..."}


class SettingsError(Exception):
    """A setting is missing or unsafe; the message says what to set."""


def _load_dotenv(path: Path) -> dict[str, str]:
    values: dict[str, str] = {}
    if not path.is_file():
        return values
    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line or line.startswith("#") or "=" not in line:
            continue
        key, _, value = line.partition("=")
        values[key.strip().removeprefix("export ").strip()] = value.strip().strip("'\"")
    return values


def _port(env: dict[str, str], name: str, default: int) -> int:
    raw = env.get(name, str(default))
    try:
        port = int(raw)
    except ValueError:
        raise SettingsError(f"{name} must be a port number, not {raw!r}") from None
    if not 0 < port < 65536:
        raise SettingsError(f"{name} must be between 1 and 65535, not {port}")
    return port


def rasa_env(**extra: str) -> dict[str, str]:
    """The environment for the Rasa commands we start: no telemetry, quiet TensorFlow."""
    return {
        **os.environ,
        "RASA_TELEMETRY_ENABLED": "false",
        "TF_CPP_MIN_LOG_LEVEL": "2",
        **extra,
    }


def is_loopback(host: str) -> bool:
    """True for addresses only this machine can reach (127.0.0.1, ::1, localhost)."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


@dataclass(frozen=True)
class Settings:
    """Where and how the assistant runs.

    Attributes:
        host: interface the Rasa server binds to (``WEGWIJS_HOST``, default 127.0.0.1).
        rasa_port: Rasa server port (``RASA_PORT``, default 5005).
        actions_port: action server port (``ACTIONS_PORT``, default 5055).
        auth_token: Rasa HTTP API token (``RASA_AUTH_TOKEN``); required off loopback.
        data_dir: local data such as the SQLite tracker store (``WEGWIJS_DATA_DIR``).
        models_dir: trained models (``WEGWIJS_MODELS_DIR``).

    """

    host: str
    rasa_port: int
    actions_port: int
    auth_token: str | None
    data_dir: Path
    models_dir: Path

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None) -> Settings:
        """Read the settings; raises SettingsError with a clear message when unsafe."""
        given = dict(os.environ) if environ is None else environ
        env = {**_load_dotenv(PROJECT_ROOT / ".env"), **given}
        host = env.get("WEGWIJS_HOST", "127.0.0.1").strip() or "127.0.0.1"
        token = env.get("RASA_AUTH_TOKEN") or None
        if not is_loopback(host) and (token is None or token.lower() in PLACEHOLDER_SECRETS):
            raise SettingsError(
                f"WEGWIJS_HOST={host} exposes the Rasa HTTP API beyond this machine: set "
                "RASA_AUTH_TOKEN to a long random value (e.g. `openssl rand -hex 32`)."
            )
        return cls(
            host=host,
            rasa_port=_port(env, "RASA_PORT", 5005),
            actions_port=_port(env, "ACTIONS_PORT", 5055),
            auth_token=token,
            data_dir=Path(env.get("WEGWIJS_DATA_DIR", PROJECT_ROOT / "var")),
            models_dir=Path(env.get("WEGWIJS_MODELS_DIR", PROJECT_ROOT / "models")),
        )
