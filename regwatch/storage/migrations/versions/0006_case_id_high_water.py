"""case ids never repeat on SQLite: the highest id handed out per table

Revision ID: 0006_case_id_high_water
Revises: 0005_daemon
"""
from alembic import op
import sqlalchemy as sa


revision = "0006_case_id_high_water"
down_revision = "0005_daemon"
branch_labels = None
depends_on = None


def upgrade() -> None:
    high_water = op.create_table(
        "id_high_water",
        sa.Column("table_name", sa.String(length=50), nullable=False),
        sa.Column("last_id", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("table_name"),
    )
    last = op.get_bind().execute(sa.text("SELECT max(id) FROM cases")).scalar()
    op.bulk_insert(high_water, [{"table_name": "cases", "last_id": last or 0}])


def downgrade() -> None:
    op.drop_table("id_high_water")
