"""Read YAML so that every value keeps the file and line it came from.

Editors are not programmers: an error must say "locales/pl/housing.yml:12: ..." and what is
wrong in plain words. PyYAML's composer gives us the nodes with their positions; we build the
Python values ourselves and note the line of every mapping key and list item.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

Path_ = tuple[str | int, ...]


@dataclass(frozen=True)
class Problem:
    """One thing wrong (or worth a look) in a content file."""

    file: str
    line: int
    message: str
    severity: str = "error"

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.severity}: {self.message}"


@dataclass
class LoadedYaml:
    """A parsed YAML file with the line of every key and item (1-based)."""

    file: str
    data: Any
    lines: dict[Path_, int] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)

    def line(self, path: Path_) -> int:
        """The line of ``path``, or of its nearest parent that has one."""
        while path:
            if path in self.lines:
                return self.lines[path]
            path = path[:-1]
        return self.lines.get((), 1)

    def problem(self, path: Path_, message: str, severity: str = "error") -> Problem:
        """Build a problem located at ``path``."""
        return Problem(self.file, self.line(path), message, severity)


def display_path(root: Path, path: Path) -> str:
    """``path`` as problems name it: relative to the project (``locales/pl/work.yml``)."""
    try:
        return str(path.relative_to(root))
    except ValueError:
        return str(path)


def load(path: Path, display_name: str) -> LoadedYaml:
    """Parse ``path``; syntax errors and duplicate keys become problems, not exceptions."""
    result = LoadedYaml(display_name, None)
    try:
        raw = path.read_bytes()
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        line = raw[: error.start].count(b"\n") + 1
        result.problems.append(
            Problem(display_name, line, "the file is not UTF-8 text; save it as UTF-8")
        )
        return result
    except OSError as error:
        result.problems.append(Problem(display_name, 1, f"cannot read the file ({error.strerror})"))
        return result
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line = mark.line + 1 if mark else 1
        reason = error.problem or "invalid YAML"
        result.problems.append(
            Problem(
                display_name,
                line,
                f"this is not valid YAML: {reason} (check indentation, "
                "colons and quotes on this line or the one before)",
            )
        )
        return result
    except yaml.YAMLError as error:
        result.problems.append(Problem(display_name, 1, f"this is not valid YAML: {error}"))
        return result
    if node is None:
        result.data = {}
        return result
    loader = yaml.SafeLoader("")
    result.lines[()] = node.start_mark.line + 1
    result.data = _build(node, (), result, loader)
    return result


def _build(node: yaml.Node, path: Path_, out: LoadedYaml, loader: yaml.SafeLoader) -> Any:
    if isinstance(node, yaml.MappingNode):
        mapping: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            key = loader.construct_object(key_node, deep=True)
            if not isinstance(key, str | int):
                out.problems.append(
                    Problem(out.file, key_node.start_mark.line + 1, "a key must be a plain word")
                )
                continue
            if key in mapping:
                out.problems.append(
                    Problem(
                        out.file,
                        key_node.start_mark.line + 1,
                        f"'{key}' appears twice here; keep one of them",
                    )
                )
            child = (*path, key)
            out.lines[child] = key_node.start_mark.line + 1
            mapping[key] = _build(value_node, child, out, loader)
        return mapping
    if isinstance(node, yaml.SequenceNode):
        items = []
        for index, item_node in enumerate(node.value):
            child = (*path, index)
            out.lines[child] = item_node.start_mark.line + 1
            items.append(_build(item_node, child, out, loader))
        return items
    return loader.construct_object(node, deep=True)
