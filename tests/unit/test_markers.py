"""The markers follow from the fixtures a test uses, so ``make unit`` never trains a model.

tests/conftest.py marks every test whose fixtures (its own, those they use, autouse ones)
include ``trained_model`` with ``model`` and every test that uses ``browser`` with
``browser``. Here a fresh pytest collects (never runs) a few integration modules.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from tests.conftest import ROOT

LOCK_STORE = "tests/integration/test_lock_store.py"
MODULES = [
    "tests/integration/test_assistant.py",  # through the `assistant` fixture
    "tests/integration/test_handoff.py",  # through an autouse fixture of the module
    "tests/integration/test_understanding.py",  # through a module fixture
    "tests/integration/test_restart.py",  # `trained_model` itself
    "tests/integration/test_browser.py",  # `assistant` and `browser`
    LOCK_STORE,  # neither
]

# Collects MODULES and prints {module: [markers of its tests]} as JSON.
COLLECT = """
import json, sys, pytest
class Markers:
    found = {}
    def pytest_collection_finish(self, session):
        for item in session.items:
            names = {m.name for m in item.iter_markers()} & {"model", "browser"}
            module = item.nodeid.split("::")[0]
            self.found.setdefault(module, []).append(sorted(names))
plugin = Markers()
code = pytest.main(["--collect-only", "-q", "-p", "no:cacheprovider", *sys.argv[1:]], [plugin])
print("MARKERS" + json.dumps(plugin.found))
sys.exit(int(code))
"""


@pytest.fixture(scope="module")
def markers() -> dict[str, list[list[str]]]:
    result = subprocess.run(  # our own interpreter and tests
        [sys.executable, "-c", COLLECT, *MODULES],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONWARNINGS": "ignore"},
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    [line] = [line for line in result.stdout.splitlines() if line.startswith("MARKERS")]
    found: dict[str, list[list[str]]] = json.loads(line.removeprefix("MARKERS"))
    assert set(found) == set(MODULES)
    return found


def test_tests_that_need_the_model_are_marked_however_they_get_it(markers):
    for module, marks in markers.items():
        assert all(("model" in m) is (module != LOCK_STORE) for m in marks), module


def test_browser_tests_are_marked(markers):
    for module, marks in markers.items():
        assert all(("browser" in m) is module.endswith("test_browser.py") for m in marks), module
