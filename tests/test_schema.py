"""The migrations build exactly the schema the models (and the case contract) describe."""

from __future__ import annotations

from dataclasses import fields

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from regwatch.cases import TAXONOMY_FIELDS, CaseCard
from regwatch.storage.models import Base, Case


def test_migrated_schema_matches_the_models(engine):
    with engine.connect() as conn:
        assert compare_metadata(MigrationContext.configure(conn), Base.metadata) == []


def test_every_taxonomy_field_is_a_case_column():
    columns = set(Case.__table__.columns.keys())
    assert set(TAXONOMY_FIELDS) <= columns
    assert len(TAXONOMY_FIELDS) == 15 and TAXONOMY_FIELDS[0] == "industry" and TAXONOMY_FIELDS[-1] == "keywords"


def test_a_card_from_a_dict_is_coerced_and_bounded():
    card = CaseCard.from_dict({"industry": ["金融", "互联网"], "subject": None, "insider": 1, "fine_org_yuan": "50000",
                               "authority": "网信" * 20, "summary": "长" * 5000, "fingerprint": "f" * 100, "unknown": 1})
    assert card.industry == "金融" and card.subject == [] and card.insider is True and card.fine_org_yuan == 50000
    assert len(card.authority) == 10 and len(card.summary) == 2000 and len(card.fingerprint) == 64
    assert {f.name for f in fields(CaseCard)} >= set(TAXONOMY_FIELDS)
