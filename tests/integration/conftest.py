"""A real assistant for integration tests: action server + Rasa server on free local ports,
with the model trained once per run and a fresh database (SQLite unless a test asks for
another)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from bot import storage
from bot.settings import Settings, TelegramSettings, WhatsAppSettings
from bot.tools.processes import launch, local_settings, stop


@dataclass
class Assistant:
    """Talks to a running assistant over HTTP, as a client would."""

    base: str
    settings: Settings
    model: Path
    processes: dict[str, subprocess.Popen[bytes]]
    keys: dict[str, str] = field(default_factory=dict)  # web chat conversation → its key

    def new_user(self) -> str:
        """A new web chat conversation, as the page gets one (its key is kept for ``say``)."""
        status, chat, _ = self.post("/webhooks/webchat/session", b"")
        assert status == 201, chat
        self.keys[chat["sender"]] = chat["key"]
        return str(chat["sender"])

    def api(self, path: str) -> tuple[int, Any, dict[str, str]]:
        """GET from Rasa's HTTP API with the token (as an operator's tool would)."""
        separator = "&" if "?" in path else "?"
        return self.get(f"{path}{separator}token={self.settings.auth_token}")

    def post(
        self, path: str, body: bytes | str | dict[str, Any], headers: dict[str, str] | None = None
    ) -> tuple[int, Any, dict[str, str]]:
        data = (
            body
            if isinstance(body, bytes)
            else (body.encode() if isinstance(body, str) else json.dumps(body).encode())
        )
        request = urllib.request.Request(
            self.base + path,
            data=data,
            method="POST",
            headers={"Content-Type": "application/json", **(headers or {})},
        )
        return self._send(request)

    def logs(self) -> str:
        """Everything the Rasa and action servers have logged so far."""
        folder = self.settings.data_dir
        return "".join(
            (folder / f"{name}.log").read_text(encoding="utf-8", errors="replace")
            for name in self.processes
        )

    def rows_about(self, sender: str) -> int:
        """Rows the database holds about one conversation (Rasa's events)."""
        with storage.engine(self.settings.database_url).connect() as db:
            query = sa.select(sa.func.count()).select_from(storage.EVENTS)
            return int(db.execute(query.where(storage.EVENTS.c.sender_id == sender)).scalar_one())

    def get(self, path: str) -> tuple[int, Any, dict[str, str]]:
        return self._send(urllib.request.Request(self.base + path))

    def get_with(self, path: str, headers: dict[str, str]) -> tuple[int, Any, dict[str, str]]:
        return self._send(urllib.request.Request(self.base + path, headers=headers))

    @staticmethod
    def _send(request: urllib.request.Request) -> tuple[int, Any, dict[str, str]]:
        try:
            with urllib.request.urlopen(request, timeout=60) as reply:
                status, raw, headers = reply.status, reply.read(), dict(reply.headers)
        except urllib.error.HTTPError as error:
            status, raw, headers = error.code, error.read(), dict(error.headers)
        try:
            return status, json.loads(raw), headers
        except ValueError:
            return status, raw.decode("utf-8", "replace"), headers

    def say(self, sender: str, message: str, hint: str | None = None) -> list[dict[str, Any]]:
        body: dict[str, Any] = {"sender": sender, "message": message}
        if hint:
            body["metadata"] = {"language_hint": hint}
        headers = {"X-Webchat-Key": self.keys[sender]}
        status, reply, _ = self.post("/webhooks/webchat/webhook", body, headers)
        assert status == 200, reply
        return reply


def start(
    model: Path,
    data_dir: Path,
    telegram: TelegramSettings | None = None,
    whatsapp: WhatsAppSettings | None = None,
    database_url: str | None = None,
    redis_url: str | None = None,
    **given: Any,
) -> Assistant:
    settings = local_settings(
        model,
        data_dir,
        database_url=database_url,
        redis_url=redis_url,
        **given,
        telegram=telegram,
        whatsapp=whatsapp,
    )
    processes: dict[str, subprocess.Popen[bytes]] = {}
    try:
        launch(settings, model, processes, logs=data_dir)  # tests read the servers' logs
    except Exception:
        stop(processes)
        raise
    return Assistant(f"http://127.0.0.1:{settings.rasa_port}", settings, model, processes)


@pytest.fixture(scope="session")
def data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("wegwijs-data")


@pytest.fixture(scope="session")
def assistant(trained_model: Path, data_dir: Path) -> Iterator[Assistant]:
    running = start(trained_model, data_dir)
    yield running
    stop(running.processes)


CHROMIUM = shutil.which("chromium")
# On a developer's machine without chromium the browser tests are skipped; CI installs it
# (.ci/run), and there a missing browser is a failure, not a skip.
needs_chromium = pytest.mark.skipif(
    CHROMIUM is None and os.environ.get("CI") != "true",
    reason="Debian's chromium is not installed (make browser-deps)",
)


SCREENSHOTS = Path(__file__).resolve().parents[2] / "results" / "screenshots"  # git-ignored


def screenshot(page: Any, name: str) -> None:
    """Save the page for review in results/screenshots/ (not in git)."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / name), full_page=True)


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """Headless chromium, driven by Playwright (no browser download: Debian's package)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
            ],
        )
        yield browser
        browser.close()
