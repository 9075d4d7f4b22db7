"""crawl pending articles, crawl-run owner, digest case watermark

Revision ID: 0003_crawl_pending
Revises: 0002_utf8_json
"""
from alembic import op
import sqlalchemy as sa


revision = "0003_crawl_pending"
down_revision = "0002_utf8_json"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "pending_articles",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("canonical_url", sa.String(length=2000), nullable=False),
        sa.Column("url", sa.String(length=4000), nullable=False),
        sa.Column("source_id", sa.String(length=64), nullable=False),
        sa.Column("title_hint", sa.String(length=1000), nullable=True),
        sa.Column("date_hint", sa.String(length=100), nullable=True),
        sa.Column("state", sa.String(length=20), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("first_failed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_failed_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["source_id"], ["sources.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("canonical_url"),
    )
    op.create_index("ix_pending_articles_source_state_next", "pending_articles",
                    ["source_id", "state", "next_attempt_at"], unique=False)
    with op.batch_alter_table("crawl_runs") as batch_op:
        batch_op.add_column(sa.Column("host", sa.String(length=255), nullable=True))
        batch_op.add_column(sa.Column("pid", sa.Integer(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("crawl_runs") as batch_op:
        batch_op.drop_column("pid")
        batch_op.drop_column("host")
    op.drop_index("ix_pending_articles_source_state_next", table_name="pending_articles")
    op.drop_table("pending_articles")
