"""JSON columns as readable UTF-8: rewrite stored rows written with ``\\uXXXX`` escapes

Revision ID: 0002_utf8_json
Revises: 0001
Create Date: 2026-11-29

New rows are written by ``make_engine``'s serializer (``ensure_ascii=False``); this rewrites the
rows stored before, on SQLite and PostgreSQL, so ``statutes LIKE '%网络安全法%'`` finds them too.
"""
from __future__ import annotations

import json

import sqlalchemy as sa
from alembic import op

revision = "0002_utf8_json"
down_revision = "0001"
branch_labels = None
depends_on = None

JSON_COLUMNS = {
    "articles": ("reasons",),
    "cases": ("subject", "nature", "impact", "statutes", "penalties", "fine_person_yuan", "keywords"),
}
BATCH = 500


def _rewrite(ensure_ascii: bool) -> None:
    conn = op.get_bind()
    postgres = conn.dialect.name == "postgresql"
    for table, columns in JSON_COLUMNS.items():
        as_text = ", ".join(f"CAST({c} AS TEXT) AS {c}" if postgres else c for c in columns)
        assign = ", ".join(f"{c} = CAST(:{c} AS JSON)" if postgres else f"{c} = :{c}" for c in columns)
        update = sa.text(f"UPDATE {table} SET {assign} WHERE id = :id")
        last = 0
        while True:
            rows = conn.execute(sa.text(f"SELECT id, {as_text} FROM {table} WHERE id > :last ORDER BY id LIMIT {BATCH}"),
                                {"last": last}).mappings().all()
            if not rows:
                break
            last = rows[-1]["id"]
            changed = []
            for row in rows:
                values = {c: json.dumps(json.loads(row[c]), ensure_ascii=ensure_ascii) if row[c] is not None else None
                          for c in columns}
                if any(values[c] != row[c] for c in columns):
                    changed.append({"id": row["id"], **values})
            if changed:
                conn.execute(update, changed)


def upgrade() -> None:
    _rewrite(ensure_ascii=False)


def downgrade() -> None:
    _rewrite(ensure_ascii=True)
