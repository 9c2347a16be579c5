"""The Rasa server: ``rasa run`` with our measured fixes to Rasa 3.6.21 applied first.

``python -m bot.rasa_server run ARGS`` takes exactly the arguments of ``rasa run ARGS`` (it is
Rasa's own command line); ``make run``, the tests, the benchmark and the deployment start the
server this way. Without the fixes Rasa works the same, only slower. Each fix names what it
changes and what it measured; drop it when Rasa is upgraded and the figure is gone.

Action responses: Rasa checks every response of the action server with
``jsonschema.validate``, which first checks the *schema itself* against the JSON Schema
meta-schema — 29 ms of CPU per action call on our 2-core machine, 38% of the server's time
under load (``make bench --profile``). Here the schema is compiled once per process; responses
are checked against the same schema and an invalid one fails with the same error.
"""

from __future__ import annotations

import functools
from typing import Any

from rasa.core.actions.action import RemoteAction


@functools.lru_cache(maxsize=1)
def _response_validator() -> Any:
    """A validator for the action server's responses, compiled on first use."""
    from jsonschema.validators import validator_for

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


def apply_fixes() -> None:
    """Apply the fixes to Rasa in this process (idempotent)."""
    RemoteAction._validate_action_result = _validate_action_result


def main() -> None:
    """Rasa's command line, after the fixes."""
    apply_fixes()
    from rasa.__main__ import main as rasa_main

    rasa_main()


if __name__ == "__main__":
    main()
