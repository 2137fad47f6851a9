"""users sessions and api credentials

Revision ID: 0016
Revises: 0013
Create Date: 2026-11-23 15:02:52.693679
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0016"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "login_failure",
        sa.Column("id", ID, autoincrement=True, nullable=False),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("client", sa.String(length=100), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_login_failure")),
    )
    with op.batch_alter_table("login_failure", schema=None) as batch_op:
        batch_op.create_index("ix_login_failure_email", ["email", "client", "at"], unique=False)

    op.create_table(
        "api_credential",
        sa.Column("id", ID, autoincrement=True, nullable=False),
        sa.Column("company_id", ID, nullable=False),
        sa.Column("kind", sa.String(length=12), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("public_id", sa.String(length=40), nullable=False),
        sa.Column("secret_hash", sa.String(length=64), nullable=False),
        sa.Column("roles", sa.String(length=200), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.String(length=120), nullable=False),
        sa.Column("last_used_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["company_id"], ["company.id"], name=op.f("fk_api_credential_company_id_company")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_api_credential")),
        sa.UniqueConstraint("public_id", name=op.f("uq_api_credential_public_id")),
    )
    with op.batch_alter_table("api_credential", schema=None) as batch_op:
        batch_op.create_index("ix_api_credential_company", ["company_id", "kind"], unique=False)

    op.create_table(
        "access_token",
        sa.Column("id", ID, autoincrement=True, nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("credential_id", ID, nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["credential_id"],
            ["api_credential.id"],
            name=op.f("fk_access_token_credential_id_api_credential"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_access_token")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_access_token_token_hash")),
    )
    with op.batch_alter_table("access_token", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_access_token_credential_id"), ["credential_id"], unique=False
        )

    op.create_table(
        "app_user",
        sa.Column("id", ID, autoincrement=True, nullable=False),
        sa.Column("company_id", ID, nullable=False),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("roles", sa.String(length=200), nullable=False),
        sa.Column("customer_id", ID, nullable=True),
        sa.Column("password_hash", sa.String(length=200), nullable=True),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("password_changed_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["company_id"], ["company.id"], name=op.f("fk_app_user_company_id_company")
        ),
        sa.ForeignKeyConstraint(
            ["customer_id"], ["customer.id"], name=op.f("fk_app_user_customer_id_customer")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_app_user")),
        sa.UniqueConstraint("email", name=op.f("uq_app_user_email")),
    )
    with op.batch_alter_table("app_user", schema=None) as batch_op:
        batch_op.create_index("ix_app_user_company", ["company_id", "email"], unique=False)

    op.create_table(
        "web_session",
        sa.Column("id", ID, autoincrement=True, nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("user_id", ID, nullable=False),
        sa.Column("csrf_secret", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_seen_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"], ["app_user.id"], name=op.f("fk_web_session_user_id_app_user")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_web_session")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_web_session_token_hash")),
    )
    with op.batch_alter_table("web_session", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_web_session_user_id"), ["user_id"], unique=False)

    op.create_table(
        "bank_detail_change",
        sa.Column("id", ID, autoincrement=True, nullable=False),
        sa.Column("company_id", ID, nullable=False),
        sa.Column("customer_id", ID, nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("iban", sa.String(length=40), nullable=True),
        sa.Column("bic", sa.String(length=11), nullable=True),
        sa.Column("holder", sa.String(length=200), nullable=True),
        sa.Column("bank_account_id", ID, nullable=True),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("requested_by", sa.String(length=120), nullable=False),
        sa.Column("requested_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("decided_by", sa.String(length=120), nullable=True),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["company_id"], ["company.id"], name=op.f("fk_bank_detail_change_company_id_company")
        ),
        sa.ForeignKeyConstraint(
            ["customer_id"],
            ["customer.id"],
            name=op.f("fk_bank_detail_change_customer_id_customer"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_bank_detail_change")),
    )
    with op.batch_alter_table("bank_detail_change", schema=None) as batch_op:
        batch_op.create_index(
            "ix_bank_detail_change_status", ["company_id", "status"], unique=False
        )


def downgrade() -> None:
    for table, indexes in (
        ("bank_detail_change", ["ix_bank_detail_change_status"]),
        ("web_session", ["ix_web_session_user_id"]),
        ("app_user", ["ix_app_user_company"]),
        ("access_token", ["ix_access_token_credential_id"]),
        ("api_credential", ["ix_api_credential_company"]),
        ("login_failure", ["ix_login_failure_email"]),
    ):
        with op.batch_alter_table(table, schema=None) as batch_op:
            for index in indexes:
                batch_op.drop_index(index)
        op.drop_table(table)
