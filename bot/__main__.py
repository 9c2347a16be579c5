"""Command line: ``python -m bot <command>``. Run ``python -m bot --help``."""

from __future__ import annotations

import argparse
import logging
import sys


def main(argv: list[str] | None = None) -> int:
    """Dispatch to a command; returns the exit code."""
    parser = argparse.ArgumentParser(prog="python -m bot", description="Wegwijs commands")
    parser.add_argument(
        "command",
        choices=[
            "run",
            "train",
            "content-check",
            "bench-nlu",
            "conversation-test",
            "purge",
            "staff",
            "bench",
            "report",
        ],
    )
    args, rest = parser.parse_known_args(argv)
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    if args.command == "run":
        from bot.tools.run import main as run

        return run(rest)
    if args.command == "train":
        from bot.settings import Settings
        from bot.tools.training import ensure_model

        ensure_model(Settings.from_env().models_dir)
        return 0
    if args.command == "bench":
        from bot.tools.bench import main as bench

        return bench(rest)
    if args.command == "report":
        from bot.tools.report import main as report

        return report(rest)
    if args.command == "staff":
        from bot.desk.staff import main as staff

        return staff(rest)
    if args.command == "purge":
        from bot.privacy.erasure import main as purge

        return purge(rest)
    if args.command == "content-check":
        from bot.tools.content_check import main as check

        return check(rest)
    if args.command == "bench-nlu":
        from bot.tools.bench_nlu import main as bench

        return bench(rest)
    from bot.tools.conversation_test import main as conversation_test

    return conversation_test(rest)


if __name__ == "__main__":
    sys.exit(main())
