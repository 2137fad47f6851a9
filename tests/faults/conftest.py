"""A PostgreSQL cluster of the tests' own, so a test may stop and restart it.

The shared server at 127.0.0.1:5432 serves every other test; restarting it would fail them,
so the fault tests run `initdb` into a temporary folder and start a private postmaster on a
free port. Skipped, saying why, where the PostgreSQL server binaries are not installed.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import psycopg
import pytest

BIN_DIRS = sorted(Path("/usr/lib/postgresql").glob("*/bin"), reverse=True)
SRC = Path(__file__).resolve().parents[2] / "src"
# How many times each fault is played: once in the suite, more to show it holds repeatedly.
ROUNDS = int(os.environ.get("O2C_FAULT_ROUNDS", "1"))


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _as_postgres(command: list[str]) -> list[str]:
    """initdb and the postmaster refuse to run as root: run them as the postgres user."""
    if os.geteuid() == 0:
        return ["runuser", "-u", "postgres", "--", *command]
    return command


@dataclass
class Cluster:
    """One private postmaster: its data folder, port and the commands that drive it."""

    bin_dir: Path
    data: Path
    port: int

    @property
    def admin_url(self) -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/postgres"

    def url(self, name: str) -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/{name}"

    def pg_ctl(self, action: str, *args: str) -> None:
        """Run `pg_ctl ACTION`; a started postmaster logs to a file, never to our pipes
        (it would hold them open, and this call would wait for it to exit)."""
        options = f"-p {self.port} -k {self.data} -c listen_addresses=127.0.0.1 -c fsync=off"
        command = [str(self.bin_dir / "pg_ctl"), action, "-D", str(self.data), "-o", options]
        if action in ("start", "restart"):
            command += ["-l", str(self.data / "server.log")]
        subprocess.run(_as_postgres([*command, "-w", *args]), check=True, capture_output=True)

    def create_database(self, name: str) -> str:
        with psycopg.connect(self.admin_url, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            conn.execute(f'CREATE DATABASE "{name}"')
        return self.url(name)


@pytest.fixture(scope="session")
def cluster() -> Iterator[Cluster]:
    if not BIN_DIRS:
        pytest.skip("no PostgreSQL server binaries under /usr/lib/postgresql: fault tests skipped")
    # Not under pytest's temporary folder: that is private to root, out of the postgres
    # user's reach.
    root = Path(tempfile.mkdtemp(prefix="o2c-faults-"))
    data = root / "data"
    data.mkdir(mode=0o700)
    if os.geteuid() == 0:
        shutil.chown(root, "postgres")
        shutil.chown(data, "postgres")
    found = Cluster(BIN_DIRS[0], data, free_port())
    initdb = [str(found.bin_dir / "initdb"), "-D", str(data), "-A", "trust", "-U", "postgres"]
    subprocess.run(_as_postgres([*initdb, "--no-sync"]), check=True, capture_output=True)
    found.pg_ctl("start")
    yield found
    found.pg_ctl("stop", "-m", "immediate")
    shutil.rmtree(root, ignore_errors=True)


def o2c_command(database: str, *args: str) -> list[str]:
    """The `o2c` console script as a separate process, on this checkout's code."""
    script = "import sys; from o2c.app.cli import main; sys.argv[0] = 'o2c'; main()"
    return [sys.executable, "-c", script, "--database", database, *args]


def o2c_env(**extra: str) -> dict[str, str]:
    env = {**os.environ, "PYTHONPATH": str(SRC), **extra}
    env.pop("O2C_DATABASE_URL", None)
    return env


def run_o2c(database: str, *args: str) -> str:
    done = subprocess.run(
        o2c_command(database, *args), env=o2c_env(), capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


def wait_for(condition: object, timeout: float, what: str) -> None:
    """Poll `condition()` until it is true, failing with `what` after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():  # type: ignore[operator]
            return
        time.sleep(0.1)
    pytest.fail(f"timed out after {timeout:.0f} s waiting for {what}")
