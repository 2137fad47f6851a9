"""Every domain's Typer sub-app the `o2c` CLI mounts: one import and one entry per domain.

Each entry is `(name, app)`; `o2c <name> ...` runs that domain's commands.
"""

from __future__ import annotations

import typer

from o2c.cashapp.cli import app as cashapp_commands
from o2c.ledger.cli import app as ledger_commands

COMMANDS: list[tuple[str, typer.Typer]] = [
    ("ledger", ledger_commands),
    ("cashapp", cashapp_commands),
]
