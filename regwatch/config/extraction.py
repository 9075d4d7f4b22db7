"""The extraction data file (``extraction.yaml``): tracking parameters, WeChat chrome, anti-bot markers."""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from .errors import ConfigError, problems_of, read_yaml

#: The bundled extraction data.
EXTRACTION_FILE = Path(str(files(__package__) / "extraction.yaml"))


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ChallengeRules(_Strict):
    """How an anti-bot JavaScript challenge page is recognised."""

    max_visible_chars: int = Field(ge=0)
    statuses: frozenset[int]
    markers: tuple[str, ...] = Field(min_length=1)


class ExtractionRules(_Strict):
    """The data of ``extraction.yaml`` (each key is documented in the file)."""

    tracking_params: tuple[str, ...]
    wechat_identity_params: tuple[str, ...] = Field(min_length=1)
    wechat_noise_lines: frozenset[str]
    challenge: ChallengeRules

    @field_validator("wechat_noise_lines")
    @classmethod
    def _trimmed(cls, v: frozenset[str]) -> frozenset[str]:
        return frozenset(line.strip() for line in v)

    @property
    def challenge_max_visible_chars(self) -> int:
        return self.challenge.max_visible_chars

    @property
    def challenge_statuses(self) -> frozenset[int]:
        return self.challenge.statuses

    @property
    def challenge_markers(self) -> tuple[str, ...]:
        return self.challenge.markers


def load_extraction_rules(path: Path = EXTRACTION_FILE) -> ExtractionRules:
    """Read and validate the extraction data; ConfigError names the file and each key path."""
    raw = read_yaml(Path(path))
    if not isinstance(raw, dict):
        raise ConfigError(path, ["top level must be a mapping of keys"])
    try:
        return ExtractionRules.model_validate(raw)
    except ValidationError as exc:
        raise ConfigError(path, problems_of(exc.errors())) from None
