"""Settings: safe local defaults, and no HTTP API beyond this machine without a token."""

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from bot.settings import Settings, SettingsError, TelegramSettings, WhatsAppSettings


def test_local_defaults_need_no_token():
    settings = Settings.from_env({})
    assert (settings.host, settings.rasa_port, settings.actions_port) == ("127.0.0.1", 5005, 5055)
    assert settings.auth_token is None


@pytest.mark.parametrize("host", ["127.0.0.1", "0.0.0.0", "192.0.2.10", "::"])
def test_without_a_token_the_http_api_is_off_on_every_address(tmp_path, host):
    from bot.tools.rasa_files import commands

    settings = Settings.from_env({"WEGWIJS_HOST": host, "WEGWIJS_DATA_DIR": str(tmp_path)})
    assert settings.auth_token is None
    assert "--enable-api" not in commands(settings, Path("model.tar.gz"))["rasa"]


@pytest.mark.parametrize("token", ["changeme", "secret", "short-token"])
def test_a_placeholder_or_short_token_is_refused(token):
    with pytest.raises(SettingsError, match="RASA_AUTH_TOKEN"):
        Settings.from_env({"RASA_AUTH_TOKEN": token})


def test_a_token_turns_the_api_on_without_showing_it_on_the_command_line(tmp_path):
    from bot.tools.rasa_files import commands, service_env

    token = "t" * 40
    settings = Settings.from_env(
        {"WEGWIJS_HOST": "0.0.0.0", "RASA_AUTH_TOKEN": token, "WEGWIJS_DATA_DIR": str(tmp_path)}
    )
    rasa = commands(settings, Path("model.tar.gz"))["rasa"]
    assert "--enable-api" in rasa and rasa[rasa.index("--interface") + 1] == "0.0.0.0"
    assert not any(token in part for part in rasa)  # `ps` shows command lines to everyone
    assert service_env(settings, "rasa")["RASA_AUTH_TOKEN"] == token


def test_each_server_gets_only_the_secrets_it_needs(tmp_path, monkeypatch):
    from bot.tools.rasa_files import SECRET_VARIABLES, service_env

    env = {
        "WEGWIJS_DATA_DIR": str(tmp_path),
        "RASA_AUTH_TOKEN": "a" * 32,
        "WEGWIJS_WEBCHAT_KEY": "k" * 32,
        "WEGWIJS_REDIS_URL": "redis://:pass@127.0.0.1:6379/0",
        "TELEGRAM_BOT_TOKEN": "123456:" + "A" * 35,
        "WHATSAPP_ACCESS_TOKEN": "EAAG" + "x" * 40,
        "WHATSAPP_PHONE_NUMBER_ID": "1234567890",
        "WHATSAPP_APP_SECRET": "s" * 32,
        "WHATSAPP_VERIFY_TOKEN": "v" * 32,
    }
    for name, value in env.items():  # also in the environment `make run` itself was given
        monkeypatch.setenv(name, value)
    settings = Settings.from_env(env)
    actions = service_env(settings, "actions")
    assert not set(SECRET_VARIABLES) & set(actions)
    assert not any(
        value in actions.values() for name, value in env.items() if name in SECRET_VARIABLES
    )
    rasa = service_env(settings, "rasa")
    assert {n for n in SECRET_VARIABLES if n != "TELEGRAM_WEBHOOK_SECRET"} <= set(rasa)


@pytest.mark.parametrize(("value", "on"), [("", False), ("off", False), ("on", True), ("1", True)])
def test_the_rest_channel_is_off_unless_switched_on(tmp_path, value, on):
    import yaml

    from bot.tools.rasa_files import write_credentials

    settings = Settings.from_env({"WEGWIJS_REST_CHANNEL": value, "WEGWIJS_DATA_DIR": str(tmp_path)})
    channels = yaml.safe_load(write_credentials(settings).read_text())
    assert "rest" not in channels  # Rasa's own: anyone could write into any conversation
    assert ("bot.channels.rest.RestInput" in channels) is on


def test_a_rest_switch_that_is_not_on_or_off_is_explained():
    with pytest.raises(SettingsError, match="WEGWIJS_REST_CHANNEL"):
        Settings.from_env({"WEGWIJS_REST_CHANNEL": "maybe"})


@pytest.mark.parametrize("value", ["abc", "0", "70000"])
def test_bad_ports_are_explained(value):
    with pytest.raises(SettingsError, match="RASA_PORT"):
        Settings.from_env({"RASA_PORT": value})


def test_a_redis_url_puts_the_conversation_locks_in_redis_without_writing_the_url(tmp_path):
    import yaml

    from bot.tools.rasa_files import service_env, write_endpoints

    local = Settings.from_env({"WEGWIJS_DATA_DIR": str(tmp_path)})
    assert "lock_store" not in yaml.safe_load(write_endpoints(local).read_text())  # in memory
    url = "redis://:s3cret-pass@127.0.0.1:6379/2"
    shared = Settings.from_env({"WEGWIJS_DATA_DIR": str(tmp_path), "WEGWIJS_REDIS_URL": url})
    written = write_endpoints(shared).read_text()
    assert yaml.safe_load(written)["lock_store"] == {
        "type": "bot.adapters.lock_store.RedisUrlLockStore"
    }
    assert "s3cret" not in written  # the password stays in the environment
    assert service_env(shared)["WEGWIJS_REDIS_URL"] == url
    for bad in ("127.0.0.1:6379", "http://127.0.0.1:6379", "redis://host:6379/x"):
        with pytest.raises(SettingsError, match="WEGWIJS_REDIS_URL"):
            Settings.from_env({"WEGWIJS_REDIS_URL": bad})


def test_a_database_url_must_be_sqlite_or_postgresql():
    assert (
        Settings.from_env({"WEGWIJS_DATA_DIR": "/tmp/x"}).database_url
        == "sqlite:////tmp/x/wegwijs.db"
    )
    url = "postgresql://wegwijs@127.0.0.1:5432/wegwijs"
    assert Settings.from_env({"WEGWIJS_DATABASE_URL": url}).database_url == url
    with pytest.raises(SettingsError, match="SQLite or PostgreSQL"):
        Settings.from_env({"WEGWIJS_DATABASE_URL": "mysql://root@127.0.0.1/test"})


def test_in_containers_the_rasa_server_calls_the_action_server_by_its_network_name(tmp_path):
    import yaml

    from bot.tools.rasa_files import service_env, write_endpoints

    local = Settings.from_env({"WEGWIJS_DATA_DIR": str(tmp_path), "ACTIONS_PORT": "5077"})
    endpoints = yaml.safe_load(write_endpoints(local).read_text())
    assert endpoints["action_endpoint"]["url"] == "http://127.0.0.1:5077/webhook"
    assert (
        service_env(local, "actions")["SANIC_HOST"] == "127.0.0.1"
    )  # only this machine reaches it
    container = Settings.from_env(
        {
            "WEGWIJS_DATA_DIR": str(tmp_path),
            "WEGWIJS_ACTIONS_URL": "http://actions:5055/webhook",
            "WEGWIJS_ACTIONS_HOST": "0.0.0.0",
        }
    )
    endpoints = yaml.safe_load(write_endpoints(container).read_text())
    assert endpoints["action_endpoint"]["url"] == "http://actions:5055/webhook"
    assert service_env(container, "actions")["SANIC_HOST"] == "0.0.0.0"
    with pytest.raises(SettingsError, match="WEGWIJS_ACTIONS_URL"):
        Settings.from_env({"WEGWIJS_ACTIONS_URL": "actions:5055"})


def test_sanic_workers_apply_to_the_rasa_server_only(tmp_path, monkeypatch):
    from bot.tools.rasa_files import service_env

    monkeypatch.setenv("SANIC_WORKERS", "2")
    settings = Settings.from_env({"WEGWIJS_DATA_DIR": str(tmp_path)})
    assert service_env(settings, "rasa")["SANIC_WORKERS"] == "2"
    assert service_env(settings, "actions")["SANIC_WORKERS"] == "1"


# --- The given environment, exactly; as_env gives it back -----------------------------------

TELEGRAM_TOKEN = "123456:" + "A" * 35
WHATSAPP = {
    "WHATSAPP_ACCESS_TOKEN": "EAAG" + "x" * 40,
    "WHATSAPP_PHONE_NUMBER_ID": "1234567890",
    "WHATSAPP_APP_SECRET": "s" * 32,
    "WHATSAPP_VERIFY_TOKEN": "v" * 32,
}


def test_a_dotenv_file_in_the_project_does_not_change_the_given_environment(tmp_path, monkeypatch):
    import bot.settings

    dotenv = tmp_path / ".env"
    dotenv.write_text(
        "RASA_PORT=6000\nexport WEGWIJS_HOST=0.0.0.0\nWEGWIJS_REST_CHANNEL=on\n"
        f"TELEGRAM_BOT_TOKEN={TELEGRAM_TOKEN}\n"
        + "".join(f"{k}={v}\n" for k, v in WHATSAPP.items())
    )
    monkeypatch.setattr(bot.settings, "DOTENV", dotenv)
    for name in (
        "RASA_PORT",
        "WEGWIJS_HOST",
        "WEGWIJS_REST_CHANNEL",
        "TELEGRAM_BOT_TOKEN",
        *WHATSAPP,
    ):
        monkeypatch.delenv(name, raising=False)

    injected = Settings.from_env({"WEGWIJS_DATA_DIR": str(tmp_path)})
    assert (injected.rasa_port, injected.host, injected.rest_channel) == (5005, "127.0.0.1", False)
    assert injected.telegram is None and injected.whatsapp is None
    assert TelegramSettings.from_env({}) is None and WhatsAppSettings.from_env({}) is None

    # Without an argument: the process environment over .env (development).
    monkeypatch.setenv("RASA_PORT", "7000")
    developer = Settings.from_env()
    assert (developer.rasa_port, developer.host, developer.rest_channel) == (7000, "0.0.0.0", True)
    assert developer.telegram is not None and developer.whatsapp is not None
    assert TelegramSettings.from_env() == developer.telegram
    assert WhatsAppSettings.from_env() == developer.whatsapp


def test_the_process_environment_does_not_change_the_given_environment(monkeypatch):
    monkeypatch.setenv("RASA_PORT", "7000")
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", TELEGRAM_TOKEN)
    settings = Settings.from_env({})
    assert settings.rasa_port == 5005 and settings.telegram is None


def test_default_settings_survive_the_round_trip_through_the_environment():
    settings = Settings.from_env({})
    assert Settings.from_env(settings.as_env()) == settings


def test_fully_set_settings_survive_the_round_trip_through_the_environment(tmp_path):
    from bot.settings import DEFAULT_TEMPLATE_LANGUAGES

    settings = Settings(
        host="0.0.0.0",
        rasa_port=5105,
        actions_port=5155,
        auth_token="t" * 40,
        data_dir=tmp_path / "data",
        models_dir=tmp_path / "models",
        database_url="postgresql://wegwijs:pw@127.0.0.1:5432/wegwijs",
        public_url="https://wegwijs.example.nl",
        keep_days=14,
        keep_case_days=60,
        redis_url="redis://:pass@127.0.0.1:6379/2",
        actions_url="http://actions:5055/webhook",
        actions_host="0.0.0.0",
        telegram=TelegramSettings(
            token=TELEGRAM_TOKEN,
            api_url="http://127.0.0.1:8081/bot",
            webhook_url="https://wegwijs.example.nl/webhooks/telegram/webhook",
            webhook_secret="w" * 32,
            flood_limit=5,
            flood_window=12.5,
        ),
        whatsapp=WhatsAppSettings(
            access_token=WHATSAPP["WHATSAPP_ACCESS_TOKEN"],
            phone_number_id=WHATSAPP["WHATSAPP_PHONE_NUMBER_ID"],
            app_secret=WHATSAPP["WHATSAPP_APP_SECRET"],
            verify_token=WHATSAPP["WHATSAPP_VERIFY_TOKEN"],
            api_url="http://127.0.0.1:8082/v26.0",
            template="wegwijs_reply",
            template_languages=tuple(
                (language, "en_US" if language == "en" else code)
                for language, code in DEFAULT_TEMPLATE_LANGUAGES
            ),
        ),
        rest_channel=True,
        webchat_key="k" * 32,
    )
    env = settings.as_env()
    assert Settings.from_env(env) == settings
    assert env["WEGWIJS_REST_CHANNEL"] == "on" and env["RASA_AUTH_TOKEN"] == "t" * 40


# Valid values of every setting, for the round trip below.
_PORTS = st.integers(min_value=1, max_value=65535)
_SECRETS = st.text("abcdefABCDEF0123456789-_", min_size=16, max_size=64)
_DAYS = st.integers(min_value=1, max_value=3650)
_HOSTS = st.sampled_from(["127.0.0.1", "0.0.0.0", "::", "::1", "localhost", "192.0.2.10"])
_NAMES = st.text("abcdefghijklmnopqrstuvwxyz0123456789-_", min_size=1, max_size=12)
_URL_HOSTS = st.sampled_from(["127.0.0.1", "actions", "wegwijs.example.nl"])
_HTTP_URLS = st.builds("{}://{}:{}".format, st.sampled_from(["http", "https"]), _URL_HOSTS, _PORTS)
_TELEGRAM = st.builds(
    TelegramSettings,
    token=st.from_regex(r"\A\d{3,20}:[A-Za-z0-9_-]{20,100}\Z"),
    api_url=_HTTP_URLS.map(lambda url: url + "/bot"),
    webhook_url=st.none(),
    webhook_secret=st.none(),
    flood_limit=st.integers(min_value=1, max_value=1000),
    flood_window=st.floats(min_value=0.5, max_value=3600, allow_nan=False),
) | st.builds(
    TelegramSettings,
    token=st.from_regex(r"\A\d{3,20}:[A-Za-z0-9_-]{20,100}\Z"),
    webhook_url=st.just("https://wegwijs.example.nl/webhooks/telegram/webhook"),
    webhook_secret=_SECRETS,
)
_WHATSAPP = st.builds(
    WhatsAppSettings,
    access_token=_SECRETS,
    phone_number_id=st.from_regex(r"\A[0-9]{5,20}\Z"),
    app_secret=_SECRETS,
    verify_token=_SECRETS,
    api_url=_HTTP_URLS,
    template=st.none() | _NAMES,
)


@st.composite
def _settings(draw: st.DrawFn, tmp: Path) -> Settings:
    return Settings(
        host=draw(_HOSTS),
        rasa_port=draw(_PORTS),
        actions_port=draw(_PORTS),
        auth_token=draw(st.none() | _SECRETS),
        data_dir=tmp / draw(_NAMES),
        models_dir=tmp / draw(_NAMES),
        database_url=draw(
            st.builds(lambda name: f"sqlite:///{tmp / name}.db", _NAMES)
            | st.builds(lambda name: f"postgresql://{name}@127.0.0.1:5432/{name}", _NAMES)
        ),
        public_url=draw(_HTTP_URLS),
        keep_days=draw(_DAYS),
        keep_case_days=draw(_DAYS),
        redis_url=draw(
            st.none() | st.builds("redis://127.0.0.1:{}/{}".format, _PORTS, st.integers(0, 15))
        ),
        actions_url=draw(st.none() | _HTTP_URLS.map(lambda url: url + "/webhook")),
        actions_host=draw(_HOSTS),
        telegram=draw(st.none() | _TELEGRAM),
        whatsapp=draw(st.none() | _WHATSAPP),
        rest_channel=draw(st.booleans()),
        webchat_key=draw(st.none() | _SECRETS),
    )


@given(data=st.data())
@hypothesis_settings(max_examples=60, deadline=None)
def test_any_valid_settings_survive_the_round_trip_through_the_environment(data):
    settings = data.draw(_settings(Path("/srv/wegwijs")))
    assert Settings.from_env(settings.as_env()) == settings


def test_the_languages_are_declared_once():
    from bot.i18n.languages import SUPPORTED_LANGUAGES
    from bot.settings import DEFAULT_TEMPLATE_LANGUAGES
    from tests.conftest import LANGUAGES

    assert tuple((code, code) for code in SUPPORTED_LANGUAGES) == DEFAULT_TEMPLATE_LANGUAGES
    assert LANGUAGES == SUPPORTED_LANGUAGES
    whatsapp = WhatsAppSettings.from_env(WHATSAPP)
    assert whatsapp is not None
    assert [whatsapp.template_language(code) for code in SUPPORTED_LANGUAGES] == list(
        SUPPORTED_LANGUAGES
    )
