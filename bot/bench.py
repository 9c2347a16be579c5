"""``make bench``: how fast the running assistant answers, at 1, 10 and 50 users at once.

Starts the action server and the Rasa server on free local ports with a throw-away SQLite
database, then measures:
- model load: from the start of the Rasa server until it answers;
- NLU only: ``/model/parse`` of held-out questions, one at a time (the floor);
- end to end: simulated users, each a conversation through the REST channel (a greeting, the
  language button, three to five questions of the held-out set in one language, "More");
  latency per message (p50/p95/p99), messages per second, errors;
- memory (RSS) of both servers after the load.
Results go to ``results/bench.json`` (the path is printed). Not part of ``make test``.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import random
import statistics
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx

from bot.bench_nlu import load_examples
from bot.run import launch, local_settings, stop
from bot.settings import PROJECT_ROOT, Settings
from bot.training import ensure_model

LANGUAGES = ("pl", "ro", "bg", "nl", "en")


def percentile(values: list[float], share: float) -> float:
    """The value below which ``share`` of ``values`` lie (nearest rank), in milliseconds."""
    ordered = sorted(values)
    return 1000 * ordered[min(len(ordered) - 1, max(0, round(share * len(ordered)) - 1))]


def rss_mb(pid: int) -> float:
    """Resident memory of a process and its children, in MB (Linux /proc)."""
    total, pids = 0, [pid]
    for status in Path("/proc").glob("[0-9]*/status"):
        try:
            fields = dict(
                line.split(":", 1) for line in status.read_text().splitlines() if ":" in line
            )
        except OSError:
            continue
        if int(fields.get("PPid", "0").strip() or 0) == pid:
            pids.append(int(status.parent.name))
    for each in pids:
        try:
            for line in Path(f"/proc/{each}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
        except OSError:
            continue
    return total / 1024


def conversations(count: int, seed: int = 7) -> list[tuple[str, list[str]]]:
    """``count`` scripted conversations: language and the messages a user sends."""
    by_language: dict[str, list[str]] = {code: [] for code in LANGUAGES}
    for example in load_examples(PROJECT_ROOT / "tests" / "nlu"):
        if (
            example.intent not in {"out_of_scope", "nlu_fallback"}
            and example.language in by_language
        ):
            by_language[example.language].append(example.text)
    rng = random.Random(seed)  # noqa: S311 - a repeatable choice of test questions
    scripts = []
    for index in range(count):
        language = LANGUAGES[index % len(LANGUAGES)]
        questions = rng.sample(by_language[language], rng.randint(3, 5))
        button = f'/change_language{{"language":"{language}"}}'
        scripts.append((language, ["/greet", button, *questions, "/show_more"]))
    return scripts


async def run_load(base: str, users: int, per_user: int = 2) -> dict[str, Any]:
    """``users`` simulated users at once, each going through ``per_user`` conversations."""
    latencies: list[float] = []
    errors = 0
    scripts = conversations(users * per_user)

    async def user(client: httpx.AsyncClient, mine: list[tuple[str, list[str]]]) -> None:
        nonlocal errors
        for number, (_, messages) in enumerate(mine):
            sender = f"bench-{id(mine)}-{number}-{time.monotonic_ns()}"
            for text in messages:
                started = time.perf_counter()
                try:
                    reply = await client.post(
                        f"{base}/webhooks/rest/webhook", json={"sender": sender, "message": text}
                    )
                    if reply.status_code != 200 or not reply.json():
                        errors += 1
                except httpx.HTTPError:
                    errors += 1
                latencies.append(time.perf_counter() - started)

    limits = httpx.Limits(max_connections=users + 5)
    async with httpx.AsyncClient(timeout=120, limits=limits) as client:
        started = time.perf_counter()
        await asyncio.gather(
            *(user(client, scripts[i * per_user : (i + 1) * per_user]) for i in range(users))
        )
        elapsed = time.perf_counter() - started
    return {
        "users": users,
        "messages": len(latencies),
        "errors": errors,
        "messages_per_second": round(len(latencies) / elapsed, 1),
        "p50_ms": round(percentile(latencies, 0.50), 1),
        "p95_ms": round(percentile(latencies, 0.95), 1),
        "p99_ms": round(percentile(latencies, 0.99), 1),
    }


async def parse_latency(base: str, count: int = 200) -> dict[str, float]:
    """``/model/parse`` of held-out questions, one at a time."""
    texts = [text for _, messages in conversations(count) for text in messages[2:3]]
    latencies = []
    async with httpx.AsyncClient(timeout=60) as client:
        for text in texts:
            started = time.perf_counter()
            await client.post(f"{base}/model/parse", json={"text": text})
            latencies.append(time.perf_counter() - started)
    return {
        "p50_ms": round(percentile(latencies, 0.5), 1),
        "p95_ms": round(percentile(latencies, 0.95), 1),
        "mean_ms": round(1000 * statistics.mean(latencies), 1),
    }


def main(argv: list[str] | None = None) -> int:
    """Start the assistant, measure, print and save the figures."""
    parser = argparse.ArgumentParser(prog="python -m bot bench", description=__doc__)
    parser.add_argument("--users", default="1,10,50", help="concurrency levels, e.g. 1,10,50")
    parser.add_argument("--out", type=Path, default=PROJECT_ROOT / "results" / "bench.json")
    args = parser.parse_args(argv)
    logging.getLogger("httpx").setLevel(logging.WARNING)  # not a line per request
    model = ensure_model(Settings.from_env().models_dir)
    folder = Path(tempfile.mkdtemp(prefix="wegwijs-bench-"))
    settings = local_settings(model, folder)
    processes: dict[str, subprocess.Popen[bytes]] = {}
    base = f"http://127.0.0.1:{settings.rasa_port}"
    try:
        started = time.monotonic()
        launch(settings, model, processes, logs=folder)
        result: dict[str, Any] = {
            "date": time.strftime("%Y-%m-%d"),
            "model": model.name,
            "model_load_s": round(time.monotonic() - started, 1),
            "nlu_parse": asyncio.run(parse_latency(base)),
            "end_to_end": [
                asyncio.run(run_load(base, int(users))) for users in args.users.split(",")
            ],
            "rss_mb": {name: round(rss_mb(p.pid)) for name, p in processes.items()},
        }
    finally:
        stop(processes)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2), encoding="utf-8")
    print(json.dumps(result, indent=2))  # noqa: T201 - the command's output
    print(f"written: {args.out}")  # noqa: T201
    return 0
