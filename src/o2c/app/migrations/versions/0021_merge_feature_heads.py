"""merge feature heads

Revision ID: 0021
Revises: 0014, 0015, 0016, 0017, 0018, 0019, 0020
Create Date: 2026-11-23 16:25:00.000000
"""

from collections.abc import Sequence

revision: str = "0021"
down_revision: str | tuple[str, ...] | None = (
    "0014",
    "0015",
    "0016",
    "0017",
    "0018",
    "0019",
    "0020",
)
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
