"""The case contract: one enforcement case's taxonomy fields (``shared/taxonomy.md``) as the
classifier fills them, the database stores them and exports print them.

Each taxonomy field is declared once, here, with what storage needs to know of it (``kind``,
``max_length``, ``indexed``): ``regwatch.storage.models.Case`` builds its columns from it and
``CaseCard.from_dict`` is the one place a stored or transported card is coerced and bounded.
Bottom layer: imports nothing of the project.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields
from typing import Any, Literal

FieldKind = Literal["text", "list", "int", "bool"]
MAX_SUMMARY_CHARS = 2_000
MAX_FINGERPRINT_CHARS = 64


def _taxonomy(kind: FieldKind, *, max_length: int = 0, indexed: bool = False) -> dict[str, Any]:
    return {"taxonomy": True, "kind": kind, "max_length": max_length, "indexed": indexed}


@dataclass
class CaseCard:
    """One enforcement case: the taxonomy fields, then where it stands in its article."""

    industry: str | None = field(default=None, metadata=_taxonomy("text", max_length=20, indexed=True))
    subject: list[str] = field(default_factory=list, metadata=_taxonomy("list"))
    nature: list[str] = field(default_factory=list, metadata=_taxonomy("list"))
    impact: list[str] = field(default_factory=list, metadata=_taxonomy("list"))
    statutes: list[str] = field(default_factory=list, metadata=_taxonomy("list"))
    responsibility: str | None = field(default=None, metadata=_taxonomy("text", max_length=20))
    domain: str | None = field(default=None, metadata=_taxonomy("text", max_length=10))
    authority: str | None = field(default=None, metadata=_taxonomy("text", max_length=10, indexed=True))
    province: str | None = field(default=None, metadata=_taxonomy("text", max_length=10, indexed=True))
    penalties: list[str] = field(default_factory=list, metadata=_taxonomy("list"))
    fine_org_yuan: int | None = field(default=None, metadata=_taxonomy("int"))
    fine_person_yuan: list[int] = field(default_factory=list, metadata=_taxonomy("list"))
    one_case_two_checks: bool = field(default=False, metadata=_taxonomy("bool"))
    insider: bool = field(default=False, metadata=_taxonomy("bool"))
    keywords: list[str] = field(default_factory=list, metadata=_taxonomy("list"))
    position: int = 0
    fingerprint: str = ""
    summary: str = ""

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    def taxonomy(self) -> dict[str, Any]:
        """The taxonomy fields only (the prediction format of taxonomy.md)."""
        return {name: getattr(self, name) for name in TAXONOMY_FIELDS}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> CaseCard:
        """A card from a dict (a worker's result, a stored row), types coerced and sizes bounded."""
        values: dict[str, Any] = {}
        for f in fields(cls):
            value = data.get(f.name)
            kind = f.metadata.get("kind")
            if kind == "list":
                value = list(value or [])
            elif kind == "bool":
                value = bool(value)
            elif kind == "int":
                value = int(value) if value is not None else None
            elif kind == "text":
                value = value[0] if isinstance(value, list) else value
                value = str(value)[: f.metadata["max_length"]] if value else None
            elif value is None:
                continue
            values[f.name] = value
        values["summary"] = str(values.get("summary") or "")[:MAX_SUMMARY_CHARS]
        values["fingerprint"] = str(values.get("fingerprint") or "")[:MAX_FINGERPRINT_CHARS]
        return cls(**values)


#: The taxonomy fields in the order of taxonomy.md.
TAXONOMY_FIELDS: tuple[str, ...] = tuple(f.name for f in fields(CaseCard) if f.metadata.get("taxonomy"))


def taxonomy_fields() -> list[tuple[str, FieldKind, int, bool]]:
    """(name, kind, max_length, indexed) of each taxonomy field, for the storage schema."""
    return [(f.name, f.metadata["kind"], f.metadata["max_length"], f.metadata["indexed"])
            for f in fields(CaseCard) if f.metadata.get("taxonomy")]
