"""Start, watch and stop the action and Rasa servers (``make run``, the tests, the benchmark).

``launch`` starts the servers of some settings and waits until they answer; ``local_settings``
gives settings on free local ports with their own data folder; ``stop`` ends what was started.
"""

from __future__ import annotations

import os
import secrets
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

from bot.settings import PROJECT_ROOT, Settings
from bot.tools.rasa_files import SERVICES, commands, service_env

START_TIMEOUT = 300.0


def launch(
    settings: Settings,
    model: Path,
    processes: dict[str, subprocess.Popen[bytes]],
    logs: Path | None = None,
    services: tuple[str, ...] = SERVICES,
) -> None:
    """Start the action and Rasa servers into ``processes`` and wait until they answer.

    Each is started by ``spawn`` (logs as there); ``services`` starts only some of them (a
    container runs one).
    """
    for name, command in commands(settings, model).items():
        if name in services:
            spawn(name, command, service_env(settings, name), processes, logs)
    if "actions" in services:
        wait_until_up(f"http://127.0.0.1:{settings.actions_port}/health", processes)
    if "rasa" in services:  # the model is loaded before the server answers
        wait_until_up(f"http://127.0.0.1:{settings.rasa_port}/webhooks/webchat/health", processes)


def spawn(
    name: str,
    command: list[str],
    env: dict[str, str],
    processes: dict[str, subprocess.Popen[bytes]],
    logs: Path | None = None,
    cwd: Path = PROJECT_ROOT,
) -> None:
    """Start ``command`` as ``processes[name]`` in a session of its own.

    ``stop`` ends it with its children; its output goes to ``logs/<name>.log`` when ``logs`` is
    given (tests read it), else to ours.
    """
    log = (logs / f"{name}.log").open("ab") if logs else None
    processes[name] = subprocess.Popen(  # noqa: S603 - our own or Rasa's commands
        command,
        cwd=cwd,
        env=env,
        start_new_session=True,
        stdout=log,
        stderr=subprocess.STDOUT if log else None,
    )
    if log:
        log.close()


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def local_settings(model: Path, data_dir: Path, **given: Any) -> Settings:
    """Servers on free local ports with their own data folder (tests, the benchmark)."""
    rasa_port = free_port()
    values: dict[str, Any] = {
        "host": "127.0.0.1",
        "rasa_port": rasa_port,
        "actions_port": free_port(),
        "auth_token": secrets.token_hex(16),  # the HTTP API, for the tests' and bench's reads
        "data_dir": data_dir,
        "models_dir": model.parent,
        "database_url": f"sqlite:///{data_dir / 'wegwijs.db'}",
        "public_url": f"http://127.0.0.1:{rasa_port}",
    }
    return Settings(**{**values, **{k: v for k, v in given.items() if v is not None}})


def wait_until_up(
    url: str, processes: dict[str, subprocess.Popen[bytes]], timeout: float = START_TIMEOUT
) -> None:
    """Poll ``url`` until it answers; stop early if a process died."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for name, process in processes.items():
            if process.poll() is not None:
                raise RuntimeError(f"the {name} server stopped (exit code {process.returncode})")
        try:
            with urllib.request.urlopen(url, timeout=2):  # noqa: S310 - our own local URL
                return
        except (urllib.error.URLError, OSError):
            time.sleep(0.5)
    raise RuntimeError(f"{url} did not answer within {timeout:.0f} s")


def stop(processes: dict[str, subprocess.Popen[bytes]]) -> None:
    """Stop every started process (and its children), politely first."""
    for process in processes.values():
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
    deadline = time.monotonic() + 15
    for process in processes.values():
        try:
            process.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
