"""Train the model only when what it is made of changed.

The model's name carries a hash of everything training reads: config, domain, training data,
and our own NLU components. ``models/wegwijs-<hash>.tar.gz`` existing means it is current.
"""

from __future__ import annotations

import hashlib
import json
import logging
import subprocess
import tarfile
import time
from pathlib import Path
from typing import Any

from bot.nlu import FIT_RECORD
from bot.settings import PROJECT_ROOT, rasa_env, rasa_executable

logger = logging.getLogger(__name__)

MODEL_PREFIX = "wegwijs-"
# What one training keeps for the next (the sentence vectors of the training texts); a
# training without it, as in a fresh clone, is "from scratch".
CACHES = ".cache"


def training_inputs(root: Path = PROJECT_ROOT) -> list[Path]:
    """Every file whose content changes the model."""
    files = [root / "config.yml"]
    files += [root / "domain.yml"] if (root / "domain.yml").exists() else []
    for folder in ("domain", "data", "bot/nlu", "bot/i18n"):
        files += sorted(
            p
            for p in (root / folder).rglob("*")
            if p.is_file() and p.suffix in {".yml", ".yaml", ".py", ".txt"}
        )
    files.append(root / "constraints.txt")
    return [f for f in files if f.exists()]


def fingerprint(root: Path = PROJECT_ROOT, config: Path | None = None) -> str:
    """A short hash of the training inputs (and of ``config`` when another one is used)."""
    digest = hashlib.sha256()
    inputs = training_inputs(root)
    if config is not None:
        inputs = [p for p in inputs if p != root / "config.yml"] + [config]
    for path in inputs:
        digest.update(
            str(path.relative_to(root) if path.is_relative_to(root) else path.name).encode()
        )
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def model_path(models_dir: Path, root: Path = PROJECT_ROOT, config: Path | None = None) -> Path:
    """Where the model for the current inputs is (or will be) stored."""
    return models_dir / f"{MODEL_PREFIX}{fingerprint(root, config)}.tar.gz"


def ensure_model(models_dir: Path, root: Path = PROJECT_ROOT, config: Path | None = None) -> Path:
    """Return the current model, training it first if it does not exist yet."""
    target = model_path(models_dir, root, config)
    if target.exists():
        logger.info("Model is up to date: %s", target.name)
        return target
    models_dir.mkdir(parents=True, exist_ok=True)
    logger.info("Training %s (data, domain or config changed)", target.name)
    # the sentence vectors are kept in this project's folder, whichever data is trained
    from_scratch = not any((PROJECT_ROOT / CACHES).rglob("*"))
    started, began = time.monotonic(), time.time()
    command = [
        rasa_executable(),
        "train",
        "--config",
        str(config or root / "config.yml"),
        "--domain",
        str(root / "domain.yml"),
        "--data",
        str(root / "data"),
        "--out",
        str(models_dir),
        "--fixed-model-name",
        target.name.removesuffix(".tar.gz"),
        "--quiet",
    ]
    subprocess.run(command, cwd=root, env=rasa_env(), check=True)  # noqa: S603 - our own command
    seconds = time.monotonic() - started
    logger.info("Trained in %.0f s", seconds)
    record: dict[str, Any] = {"training_s": round(seconds, 1), "from_scratch": from_scratch}
    fit = _fit_record(target)
    if fit and fit.get("finished_at", began) < began:
        # Rasa took the fitted classifier from its cache (~/.rasa/cache): only what the
        # classifier does not depend on changed (responses, rules); no fit in this training
        record["classifier_from_cache"] = True
    elif fit:
        record["fit"] = fit
    _record(target).write_text(json.dumps(record), "utf-8")
    for old in models_dir.glob(f"{MODEL_PREFIX}*.tar.gz"):
        if old != target and old.stat().st_mtime < target.stat().st_mtime - 3600 * 24 * 7:
            old.unlink(missing_ok=True)
            _record(old).unlink(missing_ok=True)
    return target


def _record(model: Path) -> Path:
    """The file beside a model that says how long its training took."""
    return model.with_name(model.name.removesuffix(".tar.gz") + ".training.json")


def _fit_record(model: Path) -> dict[str, Any] | None:
    """What the intent classifier saved of its fit in ``model`` (``FIT_RECORD``), if anything."""
    try:
        with tarfile.open(model) as archive:
            for member in archive:
                if member.isfile() and member.name.endswith(f"/{FIT_RECORD}"):
                    found = archive.extractfile(member)
                    return json.loads(found.read()) if found else None
    except (OSError, tarfile.TarError, ValueError):
        logger.warning("Could not read the classifier's fit record in %s", model.name)
    return None


def training_record(model: Path) -> dict[str, Any] | None:
    """How long training ``model`` took here, and whether from scratch (None: not known).

    ``{"training_s": 302.4, "from_scratch": False, "fit": {"seconds": 240.1, "iterations":
    489, "weights": 4252497, "examples": 15114}}``: ``fit`` is the intent classifier's part.
    ``"classifier_from_cache": True`` instead of ``fit``: Rasa reused an earlier fit (nothing
    the classifier depends on had changed), so the time says nothing of a training after an
    edit of examples. Models trained before a key was kept say nothing of it.
    """
    try:
        record = json.loads(_record(model).read_text(encoding="utf-8"))
        found = {
            "training_s": float(record["training_s"]),
            "from_scratch": record.get("from_scratch"),
        }
    except (OSError, ValueError, KeyError, TypeError):
        return None
    if isinstance(record.get("fit"), dict):
        found["fit"] = record["fit"]
    if record.get("classifier_from_cache"):
        found["classifier_from_cache"] = True
    return found
