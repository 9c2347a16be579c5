"""A small aiohttp server on 127.0.0.1 in a thread, recording every request: the base of the
fake messenger APIs."""

from __future__ import annotations

import asyncio
import socket
import threading
import time
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web


@dataclass
class Call:
    """One request the fake received."""

    key: str  # a token or phone number id from the path
    method: str
    params: dict[str, Any]
    status: int = 200


@dataclass
class FakeServer:
    """Subclasses add routes in ``routes``; tests read ``calls``."""

    calls: list[Call] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    port: int = 0

    def routes(self, app: web.Application) -> None:
        raise NotImplementedError

    def record(self, call: Call) -> None:
        with self._lock:
            self.calls.append(call)

    def called(self, method: str, **match: Any) -> list[Call]:
        """Calls of ``method`` whose parameters include ``match``."""
        with self._lock:
            calls = list(self.calls)
        return [
            c
            for c in calls
            if c.method == method and all(c.params.get(k) == v for k, v in match.items())
        ]

    def wait_for(
        self, method: str, count: int = 1, timeout: float = 60.0, **match: Any
    ) -> list[Call]:
        """Wait until ``count`` successful calls of ``method`` matching ``match`` arrived."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            found = [c for c in self.called(method, **match) if c.status == 200]
            if len(found) >= count:
                return found
            time.sleep(0.05)
        raise AssertionError(f"{method} {match} not called {count}x within {timeout:.0f} s")

    def start(self) -> Any:
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            self.port = int(s.getsockname()[1])
        ready = threading.Event()
        self._loop = asyncio.new_event_loop()

        def serve() -> None:
            asyncio.set_event_loop(self._loop)
            app = web.Application()
            self.routes(app)
            self._runner = web.AppRunner(app)
            self._loop.run_until_complete(self._runner.setup())
            site = web.TCPSite(self._runner, "127.0.0.1", self.port)
            self._loop.run_until_complete(site.start())
            ready.set()
            self._loop.run_forever()

        self._thread = threading.Thread(target=serve, daemon=True)
        self._thread.start()
        ready.wait(10)
        return self

    def stop(self) -> None:
        async def cleanup() -> None:
            await self._runner.cleanup()

        asyncio.run_coroutine_threadsafe(cleanup(), self._loop).result(10)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(10)
