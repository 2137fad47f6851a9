"""gateway intents and payouts

Revision ID: 0020
Revises: 0013
Create Date: 2026-11-23 15:10:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0020"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "gateway_payout",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column(
            "company_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("provider", sa.String(length=30), nullable=False),
        sa.Column("payout_ref", sa.String(length=120), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("amount_minor", sa.BigInteger(), nullable=False),
        sa.Column("arrival_date", sa.Date(), nullable=False),
        sa.Column("intent_count", sa.Integer(), nullable=False),
        sa.Column(
            "bank_line_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True
        ),
        sa.Column("reconciled_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["company_id"], ["company.id"], name=op.f("fk_gateway_payout_company_id_company")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_gateway_payout")),
        sa.UniqueConstraint(
            "provider", "payout_ref", name=op.f("uq_gateway_payout_provider_payout_ref")
        ),
    )
    op.create_table(
        "gateway_intent",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column(
            "company_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column(
            "customer_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("provider", sa.String(length=30), nullable=False),
        sa.Column("intent_ref", sa.String(length=120), nullable=False),
        sa.Column("idempotency_key", sa.String(length=120), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("amount_minor", sa.BigInteger(), nullable=False),
        sa.Column("allocations", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(length=30), nullable=False),
        sa.Column("method", sa.String(length=10), nullable=True),
        sa.Column("decline_code", sa.String(length=60), nullable=True),
        sa.Column(
            "payment_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True
        ),
        sa.Column("refunded_minor", sa.Integer(), nullable=False),
        sa.Column("payout_ref", sa.String(length=120), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.String(length=120), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("amount_minor > 0", name=op.f("ck_gateway_intent_positive")),
        sa.ForeignKeyConstraint(
            ["company_id"], ["company.id"], name=op.f("fk_gateway_intent_company_id_company")
        ),
        sa.ForeignKeyConstraint(
            ["customer_id"], ["customer.id"], name=op.f("fk_gateway_intent_customer_id_customer")
        ),
        sa.ForeignKeyConstraint(
            ["payment_id"], ["payment.id"], name=op.f("fk_gateway_intent_payment_id_payment")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_gateway_intent")),
        sa.UniqueConstraint(
            "company_id",
            "idempotency_key",
            name=op.f("uq_gateway_intent_company_id_idempotency_key"),
        ),
        sa.UniqueConstraint(
            "provider", "intent_ref", name=op.f("uq_gateway_intent_provider_intent_ref")
        ),
    )
    op.create_index(
        "ix_gateway_intent_customer",
        "gateway_intent",
        ["company_id", "customer_id", "created_at"],
        unique=False,
    )


def downgrade() -> None:
    op.drop_index("ix_gateway_intent_customer", table_name="gateway_intent")
    op.drop_table("gateway_intent")
    op.drop_table("gateway_payout")
