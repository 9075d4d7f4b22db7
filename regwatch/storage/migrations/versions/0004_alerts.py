"""alerts: digest watermarks, sender leases and split-message progress on deliveries

Revision ID: 0004_alerts
Revises: 0003_crawl_pending
"""
from alembic import op
import sqlalchemy as sa


revision = "0004_alerts"
down_revision = "0003_crawl_pending"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("deliveries", schema=None) as batch_op:
        batch_op.add_column(sa.Column("after_case_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("through_case_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("lease_owner", sa.String(length=100), nullable=True))
        batch_op.add_column(sa.Column("lease_until", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("parts_sent", sa.Integer(), nullable=False, server_default="0"))
        batch_op.create_index("ix_deliveries_subscription_through", ["subscription", "through_case_id"], unique=False)
    # Folder digests written before this revision covered every case that existed then.
    op.execute("UPDATE deliveries SET through_case_id = (SELECT MAX(id) FROM cases) "
               "WHERE channel = 'folder' AND state = 'sent'")


def downgrade() -> None:
    with op.batch_alter_table("deliveries", schema=None) as batch_op:
        batch_op.drop_index("ix_deliveries_subscription_through")
        batch_op.drop_column("parts_sent")
        batch_op.drop_column("lease_until")
        batch_op.drop_column("lease_owner")
        batch_op.drop_column("through_case_id")
        batch_op.drop_column("after_case_id")
