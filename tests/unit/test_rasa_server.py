"""The Rasa server's fixes keep Rasa's behaviour: action responses are still checked."""

from __future__ import annotations

from pathlib import Path

import pytest
from jsonschema import ValidationError
from rasa.core.actions.action import RemoteAction
from rasa.utils.endpoints import EndpointConfig

from bot.rasa_server import apply_fixes
from bot.run import commands, local_settings


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
    assert command["rasa"][1:4] == ["-m", "bot.rasa_server", "run"]
