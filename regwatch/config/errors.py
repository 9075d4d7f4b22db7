"""``ConfigError`` and the helpers every configuration loader shares (YAML reading, error paths)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import yaml

from .masking import mask_secrets


class ConfigError(Exception):
    """A configuration file is missing or invalid; ``problems`` lists each one as 'key: reason'.

    Secrets in the problems (URL passwords, tokens) are masked.
    """

    def __init__(self, file: Path | str, problems: list[str]):
        self.file = mask_secrets(file)
        self.problems = [mask_secrets(p) for p in problems]
        super().__init__(f"{self.file}: " + "; ".join(self.problems))

    def report(self) -> str:
        lines = [f"configuration error in {self.file}:"]
        lines += [f"  - {p}" for p in self.problems]
        return "\n".join(lines)


def problems_of(errors: Iterable[Mapping[str, Any]], prefix: str = "") -> list[str]:
    """pydantic errors as 'key.path: reason' lines (the input value is never echoed: it may be a secret)."""
    out = []
    for err in errors:
        path = "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in err["loc"]).lstrip(".") or "(top level)"
        msg = "unknown key" if err["type"] == "extra_forbidden" else err["msg"]
        out.append(f"{prefix}{path}: {msg}")
    return out


def read_yaml(path: Path) -> Any:
    """The parsed YAML of ``path``; ConfigError (with the line) when it cannot be read or parsed."""
    try:
        with path.open(encoding="utf-8") as f:
            return yaml.safe_load(f)
    except FileNotFoundError:
        raise ConfigError(path, ["file not found"]) from None
    except IsADirectoryError:
        raise ConfigError(path, ["is a folder, not a file"]) from None
    except PermissionError:
        raise ConfigError(path, ["permission denied (not readable by this user)"]) from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}: " if mark else ""
        raise ConfigError(path, [f"{where}not valid YAML: {getattr(exc, 'problem', None) or exc}"]) from None
    except UnicodeDecodeError as exc:
        raise ConfigError(path, [f"not UTF-8 text (byte {exc.start})"]) from None
    except OSError as exc:
        raise ConfigError(path, [f"cannot read: {exc.strerror or exc}"]) from None
