#!/usr/bin/env python3
"""Set up and run o2c on a machine that has only Python 3.11+ (standard library only).

    python3 dev.py start   install into .venv, create var/o2c.db with demo data, serve the API
    python3 dev.py test    install into .venv, then lint, type-check, check imports and test

The install step runs only when pyproject.toml changed since the last one (its hash is kept
in .venv), so both commands are quick the second time.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import socket
import sqlite3
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
PYTHON = BIN / ("python.exe" if os.name == "nt" else "python")
STAMP = VENV / "o2c-install.sha256"
DATABASE_FILE = ROOT / "var" / "o2c.db"
DATABASE = "sqlite:///var/o2c.db"
POSTGRES = ("127.0.0.1", 5432)
CHROMIUM = "/usr/bin/chromium"
CODE_DIRS = ("src", "tests", "bench")


def say(message: str) -> None:
    print(f"==> {message}", flush=True)


def run(*command: str | Path) -> int:
    say(" ".join(str(part) for part in command))
    return subprocess.call([str(part) for part in command], cwd=ROOT)


def tool(name: str) -> Path:
    return BIN / (f"{name}.exe" if os.name == "nt" else name)


def install() -> None:
    """Create .venv if missing and install the project when pyproject.toml changed."""
    if sys.version_info < (3, 11):  # noqa: UP036 - dev.py runs under whatever python3 is
        sys.exit(f"o2c needs Python 3.11 or newer; this is {sys.version.split()[0]}")
    if not PYTHON.exists():
        say(f"creating {VENV}")
        try:
            venv.create(VENV, with_pip=True)
        except (OSError, subprocess.CalledProcessError) as error:
            sys.exit(
                f"could not create {VENV} ({error}); on Debian/Ubuntu install python3-venv first"
            )
    wanted = hashlib.sha256((ROOT / "pyproject.toml").read_bytes()).hexdigest()
    if STAMP.exists() and STAMP.read_text().strip() == wanted:
        return
    if run(PYTHON, "-m", "pip", "install", "--upgrade", "pip") != 0:
        sys.exit("pip could not be upgraded")
    if run(PYTHON, "-m", "pip", "install", "-e", ".[dev]") != 0:
        sys.exit("installing o2c failed (see pip's output above)")
    STAMP.write_text(wanted + "\n")


def install_axe() -> None:
    """axe-core for the browser accessibility tests, from npm into tests/web/node_modules."""
    web = ROOT / "tests" / "web"
    if not (web / "package.json").exists() or (web / "node_modules" / "axe-core").is_dir():
        return
    npm = shutil.which("npm")
    if npm is None:
        say("npm is missing: the accessibility tests will be skipped (apt-get install npm)")
        return
    if subprocess.call([npm, "ci", "--no-audit", "--no-fund"], cwd=web) != 0:
        say("npm ci failed in tests/web: the accessibility tests will be skipped")


def install_chromium() -> None:
    """Debian's Chromium for the browser tests (Playwright drives /usr/bin/chromium)."""
    if Path(CHROMIUM).exists():
        return
    apt = shutil.which("apt-get")
    if apt is None:
        say(f"{CHROMIUM} is missing and apt-get is not here: the browser tests will be skipped")
        return
    command = [apt, "install", "-y", "--no-install-recommends", "chromium"]
    if os.geteuid() != 0:
        sudo = shutil.which("sudo")
        if sudo is None:
            say(f"{CHROMIUM} is missing: run `apt-get install chromium` as root (tests skip it)")
            return
        command.insert(0, sudo)
    say("installing Chromium for the browser tests: " + " ".join(command))
    if subprocess.call(command) != 0:
        refresh = [*command[: command.index(apt) + 1], "update"]
        if subprocess.call(refresh) != 0 or subprocess.call(command) != 0:
            say("installing Chromium failed (see above): the browser tests will be skipped")


def has_demo_command() -> bool:
    probe = "import importlib.util, sys; sys.exit(importlib.util.find_spec('o2c.app.demo') is None)"
    return subprocess.call([str(PYTHON), "-c", probe], cwd=ROOT) == 0


def has_customers() -> bool:
    with sqlite3.connect(DATABASE_FILE) as connection:
        (count,) = connection.execute("SELECT count(*) FROM customer").fetchone()
    return bool(count)


def start() -> int:
    install()
    install_chromium()
    o2c = tool("o2c")
    if run(o2c, "--database", DATABASE, "init") != 0:
        return 1
    demo_wanted = has_demo_command() and not has_customers()
    if demo_wanted and run(o2c, "--database", DATABASE, "demo") != 0:
        return 1
    # The demo takes portal payments at the built-in simulated processor (no real money).
    os.environ.setdefault("O2C_PAYMENT_PROVIDER", "simulator")
    try:
        return run(o2c, "--database", DATABASE, "serve", "--host", "127.0.0.1")
    except KeyboardInterrupt:
        return 0


def postgres_answers() -> bool:
    try:
        with socket.create_connection(POSTGRES, timeout=2):
            return True
    except OSError:
        return False


def test(pytest_args: list[str]) -> int:
    install()
    install_chromium()
    install_axe()
    if not postgres_answers():
        line = "!" * 100
        print(
            f"{line}\nPostgreSQL does NOT answer at {POSTGRES[0]}:{POSTGRES[1]}: the PostgreSQL "
            f"half of the storage tests will be SKIPPED; only SQLite runs.\n{line}",
            flush=True,
        )
    paths = [d for d in CODE_DIRS if (ROOT / d).is_dir()]
    steps: list[list[str | Path]] = [
        [tool("ruff"), "check", *paths],
        [tool("ruff"), "format", "--check", *paths],
        [tool("mypy")],
        [tool("lint-imports")],
        [tool("pytest"), "-n", "2", *pytest_args],
    ]
    for step in steps:
        code = run(*step)
        if code != 0:
            say(f"FAILED ({code}): {' '.join(str(part) for part in step)}")
            return code
    say("all checks passed")
    return 0


def main(argv: list[str]) -> int:
    if not argv or argv[0] not in {"start", "test"}:
        print(__doc__, file=sys.stderr)
        return 2
    return start() if argv[0] == "start" else test(argv[1:])


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
