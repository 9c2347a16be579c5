"""Settings: safe local defaults, and no HTTP API beyond this machine without a token."""

import pytest

from bot.settings import Settings, SettingsError


def test_local_defaults_need_no_token():
    settings = Settings.from_env({})
    assert (settings.host, settings.rasa_port, settings.actions_port) == ("127.0.0.1", 5005, 5055)
    assert settings.auth_token is None


@pytest.mark.parametrize("host", ["127.0.0.1", "0.0.0.0", "192.0.2.10", "::"])
def test_without_a_token_the_http_api_is_off_on_every_address(tmp_path, host):
    from pathlib import Path

    from bot.tools.run import commands

    settings = Settings.from_env({"WEGWIJS_HOST": host, "WEGWIJS_DATA_DIR": str(tmp_path)})
    assert settings.auth_token is None
    assert "--enable-api" not in commands(settings, Path("model.tar.gz"))["rasa"]


@pytest.mark.parametrize("token", ["changeme", "secret", "short-token"])
def test_a_placeholder_or_short_token_is_refused(token):
    with pytest.raises(SettingsError, match="RASA_AUTH_TOKEN"):
        Settings.from_env({"RASA_AUTH_TOKEN": token})


def test_a_token_turns_the_api_on_without_showing_it_on_the_command_line(tmp_path):
    from pathlib import Path

    from bot.tools.run import commands, service_env

    token = "t" * 40
    settings = Settings.from_env(
        {"WEGWIJS_HOST": "0.0.0.0", "RASA_AUTH_TOKEN": token, "WEGWIJS_DATA_DIR": str(tmp_path)}
    )
    rasa = commands(settings, Path("model.tar.gz"))["rasa"]
    assert "--enable-api" in rasa and rasa[rasa.index("--interface") + 1] == "0.0.0.0"
    assert not any(token in part for part in rasa)  # `ps` shows command lines to everyone
    assert service_env(settings, "rasa")["RASA_AUTH_TOKEN"] == token


def test_each_server_gets_only_the_secrets_it_needs(tmp_path, monkeypatch):
    from bot.tools.run import SECRET_VARIABLES, service_env

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

    from bot.tools.run import write_credentials

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

    from bot.tools.run import service_env, write_endpoints

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

    from bot.tools.run import service_env, write_endpoints

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
    from bot.tools.run import service_env

    monkeypatch.setenv("SANIC_WORKERS", "2")
    settings = Settings.from_env({"WEGWIJS_DATA_DIR": str(tmp_path)})
    assert service_env(settings, "rasa")["SANIC_WORKERS"] == "2"
    assert service_env(settings, "actions")["SANIC_WORKERS"] == "1"
