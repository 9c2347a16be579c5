"""Settings: safe local defaults, and no HTTP API beyond this machine without a token."""

import pytest

from bot.settings import Settings, SettingsError


def test_local_defaults_need_no_token():
    settings = Settings.from_env({})
    assert (settings.host, settings.rasa_port, settings.actions_port) == ("127.0.0.1", 5005, 5055)
    assert settings.auth_token is None


@pytest.mark.parametrize("host", ["0.0.0.0", "192.0.2.10", "::", "example.org"])
@pytest.mark.parametrize("token", [None, "", "changeme", "secret"])
def test_an_exposed_api_needs_a_real_token(host, token):
    env = {"WEGWIJS_HOST": host}
    if token is not None:
        env["RASA_AUTH_TOKEN"] = token
    with pytest.raises(SettingsError, match="RASA_AUTH_TOKEN"):
        Settings.from_env(env)


def test_an_exposed_api_with_a_token_is_allowed():
    settings = Settings.from_env({"WEGWIJS_HOST": "0.0.0.0", "RASA_AUTH_TOKEN": "f" * 32})
    assert settings.auth_token == "f" * 32


@pytest.mark.parametrize("value", ["abc", "0", "70000"])
def test_bad_ports_are_explained(value):
    with pytest.raises(SettingsError, match="RASA_PORT"):
        Settings.from_env({"RASA_PORT": value})


def test_the_token_is_passed_to_rasa_only_when_set(tmp_path):
    from pathlib import Path

    from bot.run import commands

    local = Settings.from_env({"WEGWIJS_DATA_DIR": str(tmp_path)})
    assert "--auth-token" not in commands(local, Path("model.tar.gz"))["rasa"]
    exposed = Settings.from_env(
        {"WEGWIJS_HOST": "0.0.0.0", "RASA_AUTH_TOKEN": "t" * 40, "WEGWIJS_DATA_DIR": str(tmp_path)}
    )
    rasa = commands(exposed, Path("model.tar.gz"))["rasa"]
    assert rasa[rasa.index("--auth-token") + 1] == "t" * 40
    assert rasa[rasa.index("--interface") + 1] == "0.0.0.0"


def test_a_redis_url_puts_the_conversation_locks_in_redis_without_writing_the_url(tmp_path):
    import yaml

    from bot.run import service_env, write_endpoints

    local = Settings.from_env({"WEGWIJS_DATA_DIR": str(tmp_path)})
    assert "lock_store" not in yaml.safe_load(write_endpoints(local).read_text())  # in memory
    url = "redis://:s3cret-pass@127.0.0.1:6379/2"
    shared = Settings.from_env({"WEGWIJS_DATA_DIR": str(tmp_path), "WEGWIJS_REDIS_URL": url})
    written = write_endpoints(shared).read_text()
    assert yaml.safe_load(written)["lock_store"] == {"type": "bot.lock_store.RedisUrlLockStore"}
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

    from bot.run import service_env, write_endpoints

    local = Settings.from_env({"WEGWIJS_DATA_DIR": str(tmp_path), "ACTIONS_PORT": "5077"})
    endpoints = yaml.safe_load(write_endpoints(local).read_text())
    assert endpoints["action_endpoint"]["url"] == "http://127.0.0.1:5077/webhook"
    assert service_env(local)["SANIC_HOST"] == "127.0.0.1"  # only this machine reaches it
    container = Settings.from_env(
        {
            "WEGWIJS_DATA_DIR": str(tmp_path),
            "WEGWIJS_ACTIONS_URL": "http://actions:5055/webhook",
            "WEGWIJS_ACTIONS_HOST": "0.0.0.0",
        }
    )
    endpoints = yaml.safe_load(write_endpoints(container).read_text())
    assert endpoints["action_endpoint"]["url"] == "http://actions:5055/webhook"
    assert service_env(container)["SANIC_HOST"] == "0.0.0.0"
    with pytest.raises(SettingsError, match="WEGWIJS_ACTIONS_URL"):
        Settings.from_env({"WEGWIJS_ACTIONS_URL": "actions:5055"})


def test_sanic_workers_apply_to_the_rasa_server_only(tmp_path, monkeypatch):
    from bot.run import service_env

    monkeypatch.setenv("SANIC_WORKERS", "2")
    settings = Settings.from_env({"WEGWIJS_DATA_DIR": str(tmp_path)})
    assert service_env(settings, "rasa")["SANIC_WORKERS"] == "2"
    assert service_env(settings, "actions")["SANIC_WORKERS"] == "1"
