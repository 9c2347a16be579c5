"""One settings object, read from the environment (and ``.env`` in development).

``Settings.from_env()`` reads the process environment over the project's ``.env``;
``Settings.from_env(environ)`` reads exactly ``environ`` (tests, child processes), and
``Settings.as_env()`` gives it back, so ``Settings.from_env(settings.as_env()) == settings``.

Every setting has a safe local default, so ``make run`` needs no account and no token. Secrets
come only from the environment. Rasa's HTTP API is on only when ``RASA_AUTH_TOKEN`` is set (and
then every request needs it, whatever the address the server binds); Rasa's REST channel only
when ``WEGWIJS_REST_CHANNEL`` is on.
"""

from __future__ import annotations

import ipaddress
import os
import re
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from bot.i18n.languages import SUPPORTED_LANGUAGES

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DOTENV = PROJECT_ROOT / ".env"  # development only; git-ignored

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


def _environment(environ: Mapping[str, str] | None) -> dict[str, str]:
    """Exactly ``environ`` when given; else the process environment over ``.env``'s values."""
    if environ is not None:
        return dict(environ)
    return {**_load_dotenv(DOTENV), **os.environ}


def _http_url(env: dict[str, str], name: str, default: str) -> str:
    """The http(s) URL in ``name``, or ``default``; SettingsError when it is not one."""
    url = env.get(name, "").strip() or default
    if not re.match(r"^https?://[^\s/]+(/\S*)?$", url):
        raise SettingsError(f"{name} must be an http(s) URL, not {url!r}")
    return url


def _port(env: dict[str, str], name: str, default: int) -> int:
    raw = env.get(name, str(default))
    try:
        port = int(raw)
    except ValueError:
        raise SettingsError(f"{name} must be a port number, not {raw!r}") from None
    if not 0 < port < 65536:
        raise SettingsError(f"{name} must be between 1 and 65535, not {port}")
    return port


def rasa_executable() -> str:
    """Rasa's command line of this environment (beside its Python)."""
    return str(Path(sys.executable).with_name("rasa"))


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
        auth_token: Rasa HTTP API token (``RASA_AUTH_TOKEN``); without it the API is off.
        data_dir: local data such as the SQLite tracker store (``WEGWIJS_DATA_DIR``).
        models_dir: trained models (``WEGWIJS_MODELS_DIR``).
        database_url: conversations, the WhatsApp window (``WEGWIJS_DATABASE_URL``; default
            SQLite ``wegwijs.db`` in the data folder; ``postgresql://…`` to scale out).
        public_url: where users reach this server (``WEGWIJS_PUBLIC_URL``), for links such
            as the privacy notice; default the local address.
        keep_days: days a conversation is kept after its last message
            (``WEGWIJS_KEEP_CONVERSATIONS_DAYS``, default 30).
        keep_case_days: days a closed case keeps its personal details before only anonymous
            statistics remain (``WEGWIJS_KEEP_CASES_DAYS``, default 90).
        redis_url: Redis for the conversation locks of several Rasa servers
            (``WEGWIJS_REDIS_URL``, e.g. ``redis://127.0.0.1:6379/0``); none: locks in memory.
        actions_url: the action server's webhook as the Rasa server calls it
            (``WEGWIJS_ACTIONS_URL``); default the local one on ``actions_port``.
        actions_host: interface the action server binds to (``WEGWIJS_ACTIONS_HOST``,
            default 127.0.0.1; a container in a private network: 0.0.0.0).
        telegram: the Telegram channel, when ``TELEGRAM_BOT_TOKEN`` is set.
        whatsapp: the WhatsApp channel, when its four secrets are set.
        rest_channel: Rasa's REST channel at ``/webhooks/rest/webhook`` for the operator's own
            tools (``WEGWIJS_REST_CHANNEL=on``; default off); it serves only ``rest-…`` ids.
        webchat_key: the key that signs web chat conversation ids (``WEGWIJS_WEBCHAT_KEY``);
            without it one is made and kept in the data folder (``webchat.key``). Several Rasa
            servers behind one address must share it.

    """

    host: str
    rasa_port: int
    actions_port: int
    auth_token: str | None
    data_dir: Path
    models_dir: Path
    database_url: str
    public_url: str = "http://127.0.0.1:5005"
    keep_days: int = 30
    keep_case_days: int = 90
    redis_url: str | None = None
    actions_url: str | None = None
    actions_host: str = "127.0.0.1"
    telegram: TelegramSettings | None = None
    whatsapp: WhatsAppSettings | None = None
    rest_channel: bool = False
    webchat_key: str | None = None

    @property
    def action_endpoint(self) -> str:
        """Where the Rasa server reaches the action server."""
        return self.actions_url or f"http://127.0.0.1:{self.actions_port}/webhook"

    def privacy_url(self, language: str) -> str:
        """The privacy notice in ``language``, as served by the web chat channel."""
        return f"{self.public_url}/webhooks/webchat/privacy/{language}"

    def as_env(self) -> dict[str, str]:
        """The environment variables that give these settings: ``from_env`` reads them back.

        Secrets are among them (the token, the web chat key, the channels'); pass them on only
        to a process that needs them (``bot.tools.rasa_files.service_env``).
        """
        optional = {
            "RASA_AUTH_TOKEN": self.auth_token,
            "WEGWIJS_WEBCHAT_KEY": self.webchat_key,
            "WEGWIJS_REDIS_URL": self.redis_url,
            "WEGWIJS_ACTIONS_URL": self.actions_url,
        }
        return {
            "WEGWIJS_HOST": self.host,
            "RASA_PORT": str(self.rasa_port),
            "ACTIONS_PORT": str(self.actions_port),
            "WEGWIJS_DATA_DIR": str(self.data_dir),
            "WEGWIJS_MODELS_DIR": str(self.models_dir),
            "WEGWIJS_DATABASE_URL": self.database_url,
            "WEGWIJS_PUBLIC_URL": self.public_url,
            "WEGWIJS_KEEP_CONVERSATIONS_DAYS": str(self.keep_days),
            "WEGWIJS_KEEP_CASES_DAYS": str(self.keep_case_days),
            "WEGWIJS_ACTIONS_HOST": self.actions_host,
            "WEGWIJS_REST_CHANNEL": "on" if self.rest_channel else "off",
            **{name: value for name, value in optional.items() if value is not None},
            **(self.telegram.as_env() if self.telegram else {}),
            **(self.whatsapp.as_env() if self.whatsapp else {}),
        }

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Settings:
        """Read the settings; raises SettingsError with a clear message when unsafe.

        Args:
            environ: the variables to read, exactly; without it the process environment
                over the project's ``.env``.

        """
        env = _environment(environ)
        host = env.get("WEGWIJS_HOST", "127.0.0.1").strip() or "127.0.0.1"
        token = _secret(env, "RASA_AUTH_TOKEN")
        webchat_key = _secret(env, "WEGWIJS_WEBCHAT_KEY")
        rasa_port = _port(env, "RASA_PORT", 5005)
        data_dir = Path(env.get("WEGWIJS_DATA_DIR", PROJECT_ROOT / "var"))
        local = "127.0.0.1" if is_loopback(host) or host in {"0.0.0.0", "::"} else host  # noqa: S104
        return cls(
            host=host,
            rasa_port=rasa_port,
            actions_port=_port(env, "ACTIONS_PORT", 5055),
            auth_token=token,
            data_dir=data_dir,
            models_dir=Path(env.get("WEGWIJS_MODELS_DIR", PROJECT_ROOT / "models")),
            database_url=_database_url(env, data_dir),
            public_url=_http_url(env, "WEGWIJS_PUBLIC_URL", f"http://{local}:{rasa_port}").rstrip(
                "/"
            ),
            keep_days=int(_positive(env, "WEGWIJS_KEEP_CONVERSATIONS_DAYS", 30)),
            keep_case_days=int(_positive(env, "WEGWIJS_KEEP_CASES_DAYS", 90)),
            redis_url=_redis_url(env),
            actions_url=(
                _http_url(env, "WEGWIJS_ACTIONS_URL", "")
                if env.get("WEGWIJS_ACTIONS_URL", "").strip()
                else None
            ),
            actions_host=env.get("WEGWIJS_ACTIONS_HOST", "").strip() or "127.0.0.1",
            telegram=TelegramSettings.from_env(env),
            whatsapp=WhatsAppSettings.from_env(env),
            rest_channel=_switch(env, "WEGWIJS_REST_CHANNEL"),
            webchat_key=webchat_key,
        )


MIN_SECRET = 16


def _secret(env: dict[str, str], name: str) -> str | None:
    """An optional secret: None when unset; SettingsError when short or a placeholder."""
    value = env.get(name, "").strip()
    if not value:
        return None
    if value.lower() in PLACEHOLDER_SECRETS or len(value) < MIN_SECRET:
        raise SettingsError(
            f"{name} must be a long random value (at least {MIN_SECRET} characters, e.g. "
            "`openssl rand -hex 32`), or unset."
        )
    return value


def _switch(env: dict[str, str], name: str) -> bool:
    """An on/off setting (default off); SettingsError for anything but on/off words."""
    value = env.get(name, "").strip().lower()
    if value in {"", "0", "off", "false", "no"}:
        return False
    if value in {"1", "on", "true", "yes"}:
        return True
    raise SettingsError(f"{name} must be on or off, not {value!r}")


DATABASE_DIALECTS = ("sqlite", "postgresql")


def _database_url(env: dict[str, str], data_dir: Path) -> str:
    """``WEGWIJS_DATABASE_URL``, or SQLite in the data folder; SettingsError for other kinds."""
    url = env.get("WEGWIJS_DATABASE_URL", "").strip()
    if not url:
        return f"sqlite:///{data_dir / 'wegwijs.db'}"
    dialect = url.split(":", 1)[0].split("+", 1)[0]
    if dialect not in DATABASE_DIALECTS or "://" not in url:
        raise SettingsError(
            "WEGWIJS_DATABASE_URL must be a SQLAlchemy URL of SQLite or PostgreSQL, e.g. "
            "postgresql://wegwijs@127.0.0.1:5432/wegwijs"
        )
    return url


def _redis_url(env: dict[str, str]) -> str | None:
    """``WEGWIJS_REDIS_URL``, or None; SettingsError when it is not a redis:// URL."""
    url = env.get("WEGWIJS_REDIS_URL", "").strip()
    if not url:
        return None
    if not re.match(r"^rediss?://[^\s/]+(/\d+)?$", url):
        raise SettingsError(
            "WEGWIJS_REDIS_URL must be like redis://127.0.0.1:6379/0 (rediss:// for TLS)"
        )
    return url


_TELEGRAM_TOKEN = re.compile(r"^\d{3,20}:[A-Za-z0-9_-]{20,100}$")
_TELEGRAM_SECRET = re.compile(r"^[A-Za-z0-9_-]{16,256}$")
DEFAULT_TELEGRAM_API = "https://api.telegram.org/bot"


def _positive(env: dict[str, str], name: str, default: float) -> float:
    raw = env.get(name, "").strip() or str(default)
    try:
        value = float(raw)
    except ValueError:
        raise SettingsError(f"{name} must be a number, not {raw!r}") from None
    if value <= 0:
        raise SettingsError(f"{name} must be more than 0, not {raw!r}")
    return value


@dataclass(frozen=True)
class TelegramSettings:
    """The Telegram channel, enabled when ``TELEGRAM_BOT_TOKEN`` is set.

    Attributes:
        token: the bot's token from BotFather (``TELEGRAM_BOT_TOKEN``).
        api_url: Bot API base URL, the token is appended (``TELEGRAM_API_URL``; a self-hosted
            Bot API server or a test's fake server).
        webhook_url: public https URL of ``/webhooks/telegram/webhook`` (``TELEGRAM_WEBHOOK_URL``);
            without it the channel polls.
        webhook_secret: the token Telegram sends with every webhook request
            (``TELEGRAM_WEBHOOK_SECRET``; required with a webhook URL).
        flood_limit: messages one user may send per ``flood_window`` seconds
            (``TELEGRAM_FLOOD_LIMIT``, default 8; ``TELEGRAM_FLOOD_WINDOW``, default 30).

    """

    token: str
    api_url: str = DEFAULT_TELEGRAM_API
    webhook_url: str | None = None
    webhook_secret: str | None = None
    flood_limit: int = 8
    flood_window: float = 30.0

    def as_env(self) -> dict[str, str]:
        """The environment variables that give these settings (for the Rasa server)."""
        env = {
            "TELEGRAM_BOT_TOKEN": self.token,
            "TELEGRAM_API_URL": self.api_url,
            "TELEGRAM_FLOOD_LIMIT": str(self.flood_limit),
            "TELEGRAM_FLOOD_WINDOW": str(self.flood_window),
        }
        if self.webhook_url and self.webhook_secret:
            env["TELEGRAM_WEBHOOK_URL"] = self.webhook_url
            env["TELEGRAM_WEBHOOK_SECRET"] = self.webhook_secret
        return env

    @property
    def mode(self) -> str:
        """``webhook`` or ``polling``."""
        return "webhook" if self.webhook_url else "polling"

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> TelegramSettings | None:
        """The channel's settings, ``None`` when no token is set; SettingsError when unsafe.

        ``environ`` is read exactly; without it, the process environment over ``.env``.
        """
        env = _environment(environ)
        token = env.get("TELEGRAM_BOT_TOKEN", "").strip()
        if not token:
            return None
        if token.lower() in PLACEHOLDER_SECRETS or not _TELEGRAM_TOKEN.match(token):
            raise SettingsError(
                "TELEGRAM_BOT_TOKEN does not look like a bot token from BotFather "
                "(digits, a colon, then letters, digits, - or _)."
            )
        api_url = _http_url(env, "TELEGRAM_API_URL", DEFAULT_TELEGRAM_API)
        webhook_url = env.get("TELEGRAM_WEBHOOK_URL", "").strip() or None
        secret = env.get("TELEGRAM_WEBHOOK_SECRET", "").strip() or None
        if webhook_url is not None:
            if not webhook_url.startswith("https://"):
                raise SettingsError(
                    "TELEGRAM_WEBHOOK_URL must start with https:// (Telegram's rule)"
                )
            if (
                secret is None
                or secret.lower() in PLACEHOLDER_SECRETS
                or not _TELEGRAM_SECRET.match(secret)
            ):
                raise SettingsError(
                    "TELEGRAM_WEBHOOK_SECRET must be set with a webhook: 16-256 letters, digits, "
                    "- or _ (e.g. `openssl rand -hex 32`)."
                )
        return cls(
            token=token,
            api_url=api_url,
            webhook_url=webhook_url,
            webhook_secret=secret if webhook_url else None,
            flood_limit=int(_positive(env, "TELEGRAM_FLOOD_LIMIT", 8)),
            flood_window=_positive(env, "TELEGRAM_FLOOD_WINDOW", 30.0),
        )


DEFAULT_WHATSAPP_API = "https://graph.facebook.com/v26.0"
# Each of our languages sends the template in its own code unless WHATSAPP_TEMPLATE_LANGUAGES
# says otherwise (e.g. en=en_US); a language added to SUPPORTED_LANGUAGES gets its code here.
DEFAULT_TEMPLATE_LANGUAGES: tuple[tuple[str, str], ...] = tuple(
    (code, code) for code in SUPPORTED_LANGUAGES
)
_WHATSAPP_REQUIRED = (
    "WHATSAPP_ACCESS_TOKEN",
    "WHATSAPP_PHONE_NUMBER_ID",
    "WHATSAPP_APP_SECRET",
    "WHATSAPP_VERIFY_TOKEN",
)


@dataclass(frozen=True)
class WhatsAppSettings:
    """The WhatsApp channel (Cloud API), enabled when all four secrets are set.

    Attributes:
        access_token: the system user's access token (``WHATSAPP_ACCESS_TOKEN``).
        phone_number_id: the business phone number's id (``WHATSAPP_PHONE_NUMBER_ID``).
        app_secret: the Meta app's secret, which signs webhook requests (``WHATSAPP_APP_SECRET``).
        verify_token: our token for Meta's webhook verification (``WHATSAPP_VERIFY_TOKEN``).
        api_url: Graph API base URL with version (``WHATSAPP_API_URL``).
        template: a pre-approved template for messages outside the 24-hour window
            (``WHATSAPP_TEMPLATE``, optional), sent in the conversation's language.
        template_languages: the template's language code per language
            (``WHATSAPP_TEMPLATE_LANGUAGES``, e.g. ``pl=pl,ro=ro,bg=bg,nl=nl,en=en_US``).

    """

    access_token: str
    phone_number_id: str
    app_secret: str
    verify_token: str
    api_url: str = DEFAULT_WHATSAPP_API
    template: str | None = None
    template_languages: tuple[tuple[str, str], ...] = DEFAULT_TEMPLATE_LANGUAGES

    def template_language(self, language: str) -> str:
        """The template language code for one of our languages (English's when unknown)."""
        codes = dict(self.template_languages)
        return codes.get(language) or codes.get("en") or "en"

    def as_env(self) -> dict[str, str]:
        """The environment variables that give these settings (for the Rasa server)."""
        env = {
            "WHATSAPP_ACCESS_TOKEN": self.access_token,
            "WHATSAPP_PHONE_NUMBER_ID": self.phone_number_id,
            "WHATSAPP_APP_SECRET": self.app_secret,
            "WHATSAPP_VERIFY_TOKEN": self.verify_token,
            "WHATSAPP_API_URL": self.api_url,
        }
        if self.template:
            env["WHATSAPP_TEMPLATE"] = self.template
        env["WHATSAPP_TEMPLATE_LANGUAGES"] = ",".join(
            f"{k}={v}" for k, v in self.template_languages
        )
        return env

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> WhatsAppSettings | None:
        """The channel's settings, ``None`` when none is set; SettingsError when incomplete.

        ``environ`` is read exactly; without it, the process environment over ``.env``.
        """
        env = _environment(environ)
        values = {name: env.get(name, "").strip() for name in _WHATSAPP_REQUIRED}
        if not any(values.values()):
            return None
        bad = [n for n, v in values.items() if not v or v.lower() in PLACEHOLDER_SECRETS]
        if bad:
            raise SettingsError(
                "The WhatsApp channel needs all of "
                f"{', '.join(_WHATSAPP_REQUIRED)}; missing or placeholder: {', '.join(bad)}."
            )
        if not values["WHATSAPP_PHONE_NUMBER_ID"].isdigit():
            raise SettingsError("WHATSAPP_PHONE_NUMBER_ID is the number's id (digits) from Meta")
        api_url = _http_url(env, "WHATSAPP_API_URL", DEFAULT_WHATSAPP_API).rstrip("/")
        return cls(
            access_token=values["WHATSAPP_ACCESS_TOKEN"],
            phone_number_id=values["WHATSAPP_PHONE_NUMBER_ID"],
            app_secret=values["WHATSAPP_APP_SECRET"],
            verify_token=values["WHATSAPP_VERIFY_TOKEN"],
            api_url=api_url,
            template=env.get("WHATSAPP_TEMPLATE", "").strip() or None,
            template_languages=_template_languages(env.get("WHATSAPP_TEMPLATE_LANGUAGES", "")),
        )


def _template_languages(raw: str) -> tuple[tuple[str, str], ...]:
    """``pl=pl,en=en_US`` → pairs; our defaults for languages it does not name."""
    codes = dict(DEFAULT_TEMPLATE_LANGUAGES)
    for item in filter(None, (part.strip() for part in raw.split(","))):
        language, _, code = item.partition("=")
        if not re.fullmatch(r"[a-z]{2}", language.strip()) or not re.fullmatch(
            r"[a-z]{2,3}(_[A-Z]{2})?", code.strip()
        ):
            raise SettingsError(
                f"WHATSAPP_TEMPLATE_LANGUAGES: {item!r} is not like 'pl=pl' or 'en=en_US'"
            )
        codes[language.strip()] = code.strip()
    return tuple(codes.items())
