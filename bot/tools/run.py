"""``make run``: start the assistant locally.

Checks the answer files, trains if the model is stale, starts the action server and the Rasa
server (which serves the web chat), prints the URLs; Ctrl-C stops every process it started.
While running, it deletes old conversations once a day (the retention purge).
"""

from __future__ import annotations

import argparse
import logging
import signal
import subprocess
import time
from pathlib import Path

from bot import storage
from bot.content.loader import load_content
from bot.desk.config import read_desk
from bot.privacy.erasure import purge
from bot.settings import PROJECT_ROOT, Settings, SettingsError
from bot.tools.processes import launch, stop
from bot.tools.rasa_files import SERVICES
from bot.tools.training import ensure_model
from bot.wiring import answer_ids_required

logger = logging.getLogger(__name__)

PURGE_EVERY = 24 * 3600.0  # seconds between two retention purges while running


def purge_old_conversations(settings: Settings) -> None:
    """Delete conversations older than the retention time; a failure is logged, not fatal."""
    try:
        engine = storage.engine(settings.database_url)
        purge(engine, time.time(), settings.keep_days, settings.keep_case_days)
    except Exception:
        logger.exception("The retention purge failed; it is tried again in 24 hours")


def _interrupt(signum: int, frame: object) -> None:
    """Treat SIGTERM like Ctrl-C, so the servers are stopped in both cases."""
    raise KeyboardInterrupt


def main(argv: list[str] | None = None) -> int:
    """Run the assistant until Ctrl-C."""
    parser = argparse.ArgumentParser(prog="python -m bot run", description=__doc__)
    parser.add_argument(
        "--only",
        choices=SERVICES,
        help="start only this server (one per container; see docs/deploy.md)",
    )
    args = parser.parse_args(argv)
    services = (args.only,) if args.only else SERVICES
    try:
        settings = Settings.from_env()
    except SettingsError as error:
        logger.error("%s", error)
        return 2
    result = load_content(PROJECT_ROOT, answer_ids_required(), read_desk=read_desk)
    if result.content is None:
        for problem in result.errors:
            logger.error("%s", problem)
        logger.error("Fix the answer files above (see locales/README.md), then run again.")
        return 1
    model = ensure_model(settings.models_dir) if "rasa" in services else Path("no-model")
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    processes: dict[str, subprocess.Popen[bytes]] = {}
    signal.signal(signal.SIGTERM, _interrupt)
    try:
        launch(settings, model, processes, services=services)
        host = "127.0.0.1" if settings.host in {"0.0.0.0", "::"} else settings.host  # noqa: S104
        base = f"http://{host}:{settings.rasa_port}"
        telegram = settings.telegram
        logger.info(
            "Wegwijs is running.\n\n  Web chat:  %s/webhooks/webchat/\n  REST:      %s\n"
            "  HTTP API:  %s\n  Desk:      %s/webhooks/desk/ "
            '(accounts: make staff ARGS="add NAME --admin")\n  Telegram:  %s\n  WhatsApp:  %s\n\n'
            "Press Ctrl-C to stop.\n",
            base,
            f"{base}/webhooks/rest/webhook (ids rest-…)"
            if settings.rest_channel
            else "off (WEGWIJS_REST_CHANNEL=on)",
            f"{base}/model/parse?token=$RASA_AUTH_TOKEN"
            if settings.auth_token
            else "off (set RASA_AUTH_TOKEN)",
            base,
            "off (set TELEGRAM_BOT_TOKEN)"
            if telegram is None
            else f"{telegram.mode} ({telegram.webhook_url or telegram.api_url})",
            "off (set WHATSAPP_*)"
            if settings.whatsapp is None
            else f"webhook at {base}/webhooks/whatsapp/webhook",
        )
        next_purge = time.monotonic()
        while all(p.poll() is None for p in processes.values()):
            if time.monotonic() >= next_purge:
                purge_old_conversations(settings)
                next_purge += PURGE_EVERY
            time.sleep(0.5)
        dead = [n for n, p in processes.items() if p.poll() is not None]
        logger.error("The %s server stopped; stopping the rest.", ", ".join(dead))
        return 1
    except KeyboardInterrupt:
        logger.info("Stopping…")
        return 0
    except RuntimeError as error:
        logger.error("Could not start: %s", error)
        return 1
    finally:
        stop(processes)
