"""fraud alerts and refund destination account

Revision ID: 0018
Revises: 0013
Create Date: 2026-11-23 15:04:51.566612
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0018"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "fraud_alert",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column(
            "company_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("rule", sa.String(length=40), nullable=False),
        sa.Column("severity", sa.String(length=10), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("fingerprint", sa.String(length=300), nullable=False),
        sa.Column(
            "customer_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True
        ),
        sa.Column("summary", sa.String(length=500), nullable=False),
        sa.Column("evidence", sa.JSON(), nullable=False),
        sa.Column("raised_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("reviewer", sa.String(length=120), nullable=True),
        sa.Column("reviewed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("note", sa.String(length=2000), nullable=True),
        sa.CheckConstraint(
            "status in ('open', 'confirmed', 'dismissed')", name=op.f("ck_fraud_alert_status")
        ),
        sa.ForeignKeyConstraint(
            ["company_id"], ["company.id"], name=op.f("fk_fraud_alert_company_id_company")
        ),
        sa.ForeignKeyConstraint(
            ["customer_id"], ["customer.id"], name=op.f("fk_fraud_alert_customer_id_customer")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_fraud_alert")),
        sa.UniqueConstraint(
            "company_id", "fingerprint", name=op.f("uq_fraud_alert_company_id_fingerprint")
        ),
    )
    with op.batch_alter_table("fraud_alert", schema=None) as batch_op:
        batch_op.create_index("ix_fraud_alert_status", ["company_id", "status", "id"], unique=False)

    with op.batch_alter_table("refund", schema=None) as batch_op:
        batch_op.add_column(sa.Column("to_account", sa.String(length=60), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("refund", schema=None) as batch_op:
        batch_op.drop_column("to_account")

    with op.batch_alter_table("fraud_alert", schema=None) as batch_op:
        batch_op.drop_index("ix_fraud_alert_status")

    op.drop_table("fraud_alert")
