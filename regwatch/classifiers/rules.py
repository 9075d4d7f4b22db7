"""Load and validate the YAML rule files under config/rules."""
from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

RULE_FILES = ("vocabulary", "lexicon", "enforcement", "splitting", "statutes", "authority", "provinces", "counties", "penalties", "labels",
              "editions")


class RulesError(ValueError):
    """A rules file is missing or malformed; the message names file, key and reason."""

    def __init__(self, file: str, key: str, reason: str) -> None:
        super().__init__(f"{file}: {key}: {reason}")
        self.file, self.key, self.reason = file, key, reason


@dataclass(frozen=True)
class Rules:
    """All rule files of one rules directory, as parsed YAML mappings."""

    directory: Path
    data: dict[str, dict[str, Any]]

    def __getitem__(self, name: str) -> dict[str, Any]:
        return self.data[name]


def load_rules(directory: Path) -> Rules:
    """Read every rule file of `directory`; raise RulesError on the first problem."""
    data: dict[str, dict[str, Any]] = {}
    for name in RULE_FILES:
        path = directory / f"{name}.yaml"
        if not path.is_file():
            raise RulesError(str(path), "-", "file not found")
        try:
            content = yaml.safe_load(path.read_text(encoding="utf-8"))
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            where = f"line {mark.line + 1}" if mark else "-"
            raise RulesError(str(path), where, f"invalid YAML: {getattr(exc, 'problem', None) or exc}") from exc
        if not isinstance(content, dict):
            raise RulesError(str(path), "-", "top level must be a mapping")
        data[name] = content
    return Rules(directory, data)


def require(rules: Rules, name: str, key: str, kind: type | tuple[type, ...]) -> Any:
    """Return rules[name][key] (dotted key), checking presence and type."""
    node: Any = rules[name]
    for part in key.split("."):
        if not isinstance(node, dict) or part not in node:
            raise RulesError(_path(rules, name), key, "missing")
        node = node[part]
    if not isinstance(node, kind):
        names = kind.__name__ if isinstance(kind, type) else "/".join(k.__name__ for k in kind)
        raise RulesError(_path(rules, name), key, f"expected {names}, got {type(node).__name__}")
    return node


def compile_regex(rules: Rules, name: str, key: str, pattern: Any) -> re.Pattern[str]:
    """Compile one regex from a rules file, reporting where a bad one came from."""
    if not isinstance(pattern, str) or not pattern:
        raise RulesError(_path(rules, name), key, "expected a non-empty regex string")
    try:
        return re.compile(pattern)
    except re.error as exc:
        raise RulesError(_path(rules, name), key, f"invalid regex {pattern!r}: {exc}") from exc


def _path(rules: Rules, name: str) -> str:
    return str(rules.directory / f"{name}.yaml")


def check_vocabulary(rules: Rules, name: str, key: str, field: str, values: list[str]) -> None:
    """Every value must be canonical for `field` (vocabulary.yaml)."""
    allowed = require(rules, "vocabulary", field, list)
    for value in values:
        if value not in allowed:
            raise RulesError(_path(rules, name), key, f"{value!r} is not a canonical {field} value")
