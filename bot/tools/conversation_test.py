"""``make conversation-test``: Rasa's end-to-end conversation tests, ``tests/conversations/``.

Each story gives what a user types (in pl, ro, bg, nl, en), the intent it must be understood
as, and the action expected; a wrong intent or action fails the run. Rasa reads only files
named ``test_*.yml`` in end-to-end mode. Trains first if the model is stale.
"""

from __future__ import annotations

import argparse
import subprocess
from pathlib import Path

from bot.settings import PROJECT_ROOT, Settings, rasa_env, rasa_executable
from bot.tools.training import ensure_model


def main(argv: list[str] | None = None) -> int:
    """Run ``rasa test core`` on the conversation tests; returns its exit code."""
    parser = argparse.ArgumentParser(prog="python -m bot conversation-test", description=__doc__)
    parser.add_argument("--out", type=Path, default=PROJECT_ROOT / "results" / "conversations")
    args = parser.parse_args(argv)
    model = ensure_model(Settings.from_env().models_dir)
    command = [
        rasa_executable(),
        "test",
        "core",
        "--model",
        str(model),
        "--stories",
        str(PROJECT_ROOT / "tests" / "conversations"),
        "--out",
        str(args.out),
        "--e2e",  # check the intent predicted from each user text, not only the actions
        "--fail-on-prediction-errors",
        "--no-plot",
    ]
    return subprocess.run(command, cwd=PROJECT_ROOT, env=rasa_env(), check=False).returncode  # noqa: S603
