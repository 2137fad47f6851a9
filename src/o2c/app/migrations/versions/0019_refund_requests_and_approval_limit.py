"""refund requests and the refund approval limit

Revision ID: 0019
Revises: 0013
Create Date: 2026-11-23 16:23:49.705938
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0019"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "refund_settings",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column(
            "company_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("approval_above_minor", sa.BigInteger(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_by", sa.String(length=120), nullable=False),
        sa.ForeignKeyConstraint(
            ["company_id"], ["company.id"], name=op.f("fk_refund_settings_company_id_company")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_refund_settings")),
        sa.UniqueConstraint("company_id", name=op.f("uq_refund_settings_company_id")),
    )
    op.create_table(
        "refund_request",
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
        sa.Column(
            "credit_item_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("method", sa.String(length=10), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("amount_minor", sa.BigInteger(), nullable=False),
        sa.Column("refund_on", sa.Date(), nullable=False),
        sa.Column("reference", sa.String(length=120), nullable=True),
        sa.Column("to_account", sa.String(length=60), nullable=True),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("requested_by", sa.String(length=120), nullable=False),
        sa.Column("requested_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("decided_by", sa.String(length=120), nullable=True),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("note", sa.String(length=500), nullable=False),
        sa.Column("refund_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True),
        sa.CheckConstraint("amount_minor > 0", name=op.f("ck_refund_request_positive")),
        sa.ForeignKeyConstraint(
            ["company_id"], ["company.id"], name=op.f("fk_refund_request_company_id_company")
        ),
        sa.ForeignKeyConstraint(
            ["credit_item_id"],
            ["open_item.id"],
            name=op.f("fk_refund_request_credit_item_id_open_item"),
        ),
        sa.ForeignKeyConstraint(
            ["customer_id"], ["customer.id"], name=op.f("fk_refund_request_customer_id_customer")
        ),
        sa.ForeignKeyConstraint(
            ["refund_id"], ["refund.id"], name=op.f("fk_refund_request_refund_id_refund")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_refund_request")),
    )
    with op.batch_alter_table("refund_request", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_refund_request_credit_item_id"), ["credit_item_id"], unique=False
        )
        batch_op.create_index("ix_refund_request_status", ["company_id", "status"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("refund_request", schema=None) as batch_op:
        batch_op.drop_index("ix_refund_request_status")
        batch_op.drop_index(batch_op.f("ix_refund_request_credit_item_id"))

    op.drop_table("refund_request")
    op.drop_table("refund_settings")
