"""NLU benchmark on held-out examples (``tests/nlu/<lang>/``), never trained on.

Prints per language: intent accuracy, macro-F1, out-of-scope routed away from topics, topic
questions answered with a *different* topic (the harmful error), language detection accuracy,
and the worst confusions; plus a sweep of the fallback threshold. ``--check`` exits non-zero
when a target is missed (part of ``make test``).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from bot.intents import NOT_TOPICS, WORK_AND_INCOME
from bot.settings import PROJECT_ROOT, Settings
from bot.tools.training import ensure_model
from bot.turns import FALLBACK_INTENT, best_guesses

logger = logging.getLogger(__name__)

NOT_A_TOPIC = {FALLBACK_INTENT, "out_of_scope"}
# Floors enforced per language by `make test`, a little under the figures measured on
# 2026-11-29 (README: every language meets the targets accuracy ≥ 92%, out-of-scope ≥ 85%,
# wrong topic ≤ 3%), so that a change that makes understanding worse fails CI while a one-example
# wobble of a borderline case does not.
TARGETS = {
    "accuracy": 0.90,
    "out_of_scope_handled": 0.85,
    "wrong_topic": 0.04,
    "language_detected": 0.85,
}
# The work-and-income intents (bot/intents.py) are measured apart from the older intents so
# that neither hides the other: floors on their own accuracy and wrong topics, a little under
# the figures of 2026-12-03 (92.6–97.1% per language, wrong 0–4.4%): with about 65 held-out
# examples per language, one example is 1.5 points.
NEW_TARGETS = {"accuracy": 0.90, "wrong_topic": 0.06}


@dataclass(frozen=True)
class Example:
    """One held-out example."""

    language: str
    text: str
    intent: str


@dataclass(frozen=True)
class Prediction:
    """The model's answer for one example."""

    example: Example
    intent: str
    top_topic: str
    top_confidence: float
    language: str | None
    guesses: tuple[str, ...] = ()


def load_examples(folder: Path) -> list[Example]:
    """Read ``folder/<lang>/*.yml`` in Rasa's NLU format."""
    examples = []
    for path in sorted(folder.glob("*/*.yml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        for block in data.get("nlu", []):
            for line in str(block.get("examples", "")).splitlines():
                text = line.strip().removeprefix("- ").strip()
                if text:
                    examples.append(Example(path.parent.name, text, block["intent"]))
    return examples


async def predict(model: Path, examples: list[Example]) -> list[Prediction]:
    """Parse every example with the trained model."""
    from rasa.core.agent import Agent
    from rasa.utils.log_utils import configure_structlog

    configure_structlog(logging.WARNING)  # Rasa logs every parsed text at debug level
    agent = Agent.load(str(model))
    predictions = []
    for example in examples:
        parsed: dict[str, Any] = await agent.parse_message(example.text)
        ranking = [r for r in parsed.get("intent_ranking", []) if r["name"] != FALLBACK_INTENT]
        top: dict[str, Any] = (
            ranking[0] if ranking else {"name": FALLBACK_INTENT, "confidence": 0.0}
        )
        language = (parsed.get("language") or {}).get("code")
        guesses = best_guesses(ranking, {str(r["name"]) for r in ranking})
        predictions.append(
            Prediction(
                example,
                parsed["intent"]["name"],
                top["name"],
                float(top["confidence"]),
                language,
                guesses,
            )
        )
    return predictions


def _route(prediction: Prediction, threshold: float | None) -> str:
    if threshold is None:
        return prediction.intent
    return prediction.top_topic if prediction.top_confidence >= threshold else FALLBACK_INTENT


def score(predictions: list[Prediction], threshold: float | None = None) -> dict[str, Any]:
    """Figures for one set of predictions (optionally re-routed at another threshold)."""
    from sklearn.metrics import f1_score

    gold = [p.example.intent for p in predictions]
    routed = [_route(p, threshold) for p in predictions]
    # Out-of-scope questions are handled right by any answer that is not a topic.
    right = [
        g == r or (g == "out_of_scope" and r in NOT_A_TOPIC)
        for g, r in zip(gold, routed, strict=True)
    ]
    guessed = [
        p.example.intent in p.guesses
        for p, r in zip(predictions, routed, strict=True)
        if r == FALLBACK_INTENT and p.example.intent not in NOT_TOPICS
    ]
    in_scope = [(g, r) for g, r in zip(gold, routed, strict=True) if g != "out_of_scope"]
    topics = [(g, r) for g, r in in_scope if g not in NOT_TOPICS]
    oos = [r for g, r in zip(gold, routed, strict=True) if g == "out_of_scope"]
    labels = sorted(set(gold))
    detected = [p.language == p.example.language for p in predictions]
    confusions = Counter((g, r) for g, r, ok in zip(gold, routed, right, strict=True) if not ok)
    return {
        "examples": len(predictions),
        "accuracy": sum(right) / len(gold),
        "macro_f1": float(f1_score(gold, routed, labels=labels, average="macro", zero_division=0)),
        "out_of_scope_handled": sum(r in NOT_A_TOPIC for r in oos) / max(1, len(oos)),
        "wrong_topic": sum(
            r != g and r not in NOT_A_TOPIC and r not in NOT_TOPICS for g, r in topics
        )
        / max(1, len(topics)),
        "fallback_on_topics": sum(r == FALLBACK_INTENT for _, r in topics) / max(1, len(topics)),
        "right_topic_among_guesses": sum(guessed) / max(1, len(guessed)),
        "language_detected": sum(detected) / len(detected),
        "worst_confusions": [f"{g} -> {r} ({n})" for (g, r), n in confusions.most_common(5)],
    }


def _new_and_old(predictions: list[Prediction]) -> dict[str, list[Prediction]]:
    """The predictions for the work-and-income intents ("new") and for the others ("old")."""
    groups: dict[str, list[Prediction]] = {"new": [], "old": []}
    for p in predictions:
        groups["new" if p.example.intent in WORK_AND_INCOME else "old"].append(p)
    return groups


def report(predictions: list[Prediction]) -> dict[str, Any]:
    """Per-language figures, the overall figures, and the threshold sweep."""
    languages = sorted({p.example.language for p in predictions})
    result: dict[str, Any] = {
        "per_language": {
            lang: score([p for p in predictions if p.example.language == lang])
            for lang in languages
        },
        "overall": score(predictions),
        "groups": {
            group: {
                lang: score([p for p in members if p.example.language == lang])
                for lang in languages
            }
            for group, members in _new_and_old(predictions).items()
            if members
        },
        "threshold_sweep": {
            f"{t:.2f}": {
                k: round(v, 3) for k, v in score(predictions, t).items() if isinstance(v, float)
            }
            for t in (0.1, 0.15, 0.2, 0.25, 0.3, 0.35, 0.4, 0.5, 0.6)
        },
    }
    return result


def print_report(result: dict[str, Any]) -> None:
    """Print the figures as a table (the service code never prints; this is a CLI)."""
    header = (
        f"{'lang':5} {'n':>4} {'acc':>6} {'F1':>6} {'oos→fb':>7} {'wrong':>6} "
        f"{'fb-top':>7} {'guess':>6} {'lang-id':>7}"
    )
    legend = (
        "acc: right answer (out-of-scope: any non-topic answer); F1: macro-F1 over intents; "
        "oos→fb: out-of-scope\nnot answered with a topic; wrong: topic question answered with "
        "another topic; fb-top: topic question\nnot understood; guess: right topic among the two "
        "'did you mean' buttons then; lang-id: language detected"
    )
    lines = [header]
    rows = {**result["per_language"], "all": result["overall"]}
    for lang, s in rows.items():
        lines.append(
            f"{lang:5} {s['examples']:>4} {s['accuracy']:>6.1%} {s['macro_f1']:>6.3f} "
            f"{s['out_of_scope_handled']:>7.1%} {s['wrong_topic']:>6.1%} "
            f"{s['fallback_on_topics']:>7.1%} {s['right_topic_among_guesses']:>6.1%} "
            f"{s['language_detected']:>7.1%}"
        )
    for group, title in (("new", "work-and-income intents of 2026-12"), ("old", "the others")):
        for lang, s in result.get("groups", {}).get(group, {}).items():
            lines.append(
                f"{lang:5} {s['examples']:>4} {s['accuracy']:>6.1%} {s['macro_f1']:>6.3f} "
                f"{'':>7} {s['wrong_topic']:>6.1%} {s['fallback_on_topics']:>7.1%}   ({title})"
            )
    lines.append(legend)
    for lang, s in result["per_language"].items():
        lines.append(f"{lang}: worst confusions: " + "; ".join(s["worst_confusions"]))
    lines.append(
        "fallback threshold sweep (overall; the threshold alone: without the ambiguity threshold "
        "and the unknown-word rule of config.yml):"
    )
    for t, s in result["threshold_sweep"].items():
        lines.append(
            f"  {t}: acc {s['accuracy']:.1%}  oos→fb {s['out_of_scope_handled']:.1%}"
            f"  wrong {s['wrong_topic']:.1%}  fb-top {s['fallback_on_topics']:.1%}"
            f"  guess {s['right_topic_among_guesses']:.1%}"
        )
    print("\n".join(lines))  # noqa: T201


def missed_targets(result: dict[str, Any]) -> list[str]:
    """Every target a language misses, in words."""
    checks = [(lang, figures, TARGETS, "") for lang, figures in result["per_language"].items()] + [
        (lang, figures, NEW_TARGETS, " on the work-and-income intents")
        for lang, figures in result.get("groups", {}).get("new", {}).items()
    ]
    missed = []
    for lang, figures, targets, which in checks:
        for key, target in targets.items():
            value = figures[key]
            at_most = key == "wrong_topic"
            if not (value <= target if at_most else value >= target):
                missed.append(
                    f"{lang}: {key}{which} {value:.1%} (target "
                    f"{'≤' if at_most else '≥'} {target:.0%})"
                )
    return missed


def _replace(pipeline: list[dict[str, Any]], name: str, **changes: Any) -> list[dict[str, Any]]:
    return [{**step, **changes} if step["name"].endswith(name) else step for step in pipeline]


# Alternatives to config.yml that the README compares against, each a change to its pipeline.
VARIANTS: dict[str, Any] = {
    "plain-tokens": lambda p: _replace(p, "LanguageAwareTokenizer", spacy=False),
    "no-folding": lambda p: _replace(p, "LanguageAwareTokenizer", fold_diacritics=False),
    "no-embeddings": lambda p: [
        s for s in p if not s["name"].endswith("SentenceEmbeddingFeaturizer")
    ],
    "no-unknown-words": lambda p: [s for s in p if not s["name"].endswith("UnknownWordsFallback")],
    # character n-grams seen in one training example only (a third of all columns) dropped
    "char-min-df-2": lambda p: [
        {**s, "min_df": 2} if s.get("analyzer") == "char_wb" else s for s in p
    ],
    "c30": lambda p: _replace(p, "TfidfIntentClassifier", C=30.0),
    "rasa-logreg": lambda p: [
        {"name": "LogisticRegressionClassifier"}
        if s["name"].endswith("TfidfIntentClassifier")
        else s
        for s in p
    ],
    "diet": lambda p: [
        {
            "name": "DIETClassifier",
            "epochs": 60,
            "entity_recognition": False,
            "constrain_similarities": True,
            "random_seed": 1,
        }
        if s["name"].endswith("TfidfIntentClassifier")
        else s
        for s in p
    ],
}


def variant_config(name: str, folder: Path) -> Path:
    """Write config.yml with the pipeline change ``name`` applied; return its path."""
    config = yaml.safe_load((PROJECT_ROOT / "config.yml").read_text(encoding="utf-8"))
    config["pipeline"] = VARIANTS[name](config["pipeline"])
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"config-{name}.yml"
    path.write_text(yaml.safe_dump(config, sort_keys=False), encoding="utf-8")
    return path


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark; returns the process exit code."""
    parser = argparse.ArgumentParser(prog="python -m bot bench-nlu", description=__doc__)
    parser.add_argument("--check", action="store_true", help="fail when a target is missed")
    parser.add_argument(
        "--variant",
        choices=sorted(VARIANTS),
        help="measure a change to config.yml's pipeline instead",
    )
    parser.add_argument("--out", type=Path, help="JSON file for the figures")
    args = parser.parse_args(argv)
    settings = Settings.from_env()
    config = None
    if args.variant:
        config = variant_config(args.variant, settings.models_dir / "variants")
    args.out = (
        args.out
        or PROJECT_ROOT / "results" / f"nlu{'-' + args.variant if args.variant else ''}.json"
    )
    model = ensure_model(settings.models_dir, config=config)
    predictions = asyncio.run(predict(model, load_examples(PROJECT_ROOT / "tests" / "nlu")))
    result = report(predictions)
    result["model"] = model.name
    result["variant"] = args.variant or "config.yml"
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2, ensure_ascii=False), encoding="utf-8")
    print_report(result)
    print(f"written: {args.out}")  # noqa: T201
    if args.check:
        missed = missed_targets(result)
        for line in missed:
            print(f"TARGET MISSED {line}")  # noqa: T201
        return 1 if missed else 0
    return 0
