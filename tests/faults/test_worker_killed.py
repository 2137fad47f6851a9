"""A worker killed outright in the middle of a match run: the next worker takes the job over
when its lease runs out, and every bank line ends up applied exactly once."""

from __future__ import annotations

import signal
import subprocess

import pytest

from tests.faults.conftest import ROUNDS, Cluster, o2c_command, o2c_env, run_o2c, wait_for
from tests.faults.world import (
    ar_control_differs,
    scalar,
    unbalanced_currencies,
    value,
    write_files,
)

INVOICES = 1000
LEASE = "3"


def _worker(database: str) -> subprocess.Popen[bytes]:
    env = o2c_env(O2C_JOB_LEASE_SECONDS=LEASE, O2C_WORKER_POLL_SECONDS="0.2")
    return subprocess.Popen(
        o2c_command(database, "worker"),
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


@pytest.mark.parametrize("round_", range(ROUNDS))
def test_a_worker_killed_mid_run_loses_and_doubles_nothing(cluster: Cluster, tmp_path, round_):
    # given a statement paying 1,000 invoices, imported, and a match job queued
    database = cluster.create_database(f"faults_worker_{round_}")
    customers, items, statement = write_files(tmp_path, INVOICES)
    run_o2c(database, "init")
    run_o2c(database, "import", "customers", str(customers))
    run_o2c(database, "import", "open-items", str(items))
    run_o2c(database, "cashapp", "import", str(statement))
    run_o2c(database, "jobs", "enqueue", "cashapp.match", "--key", "fault")
    job = "from job where kind = 'cashapp.match' and key = 'fault'"
    status = f"select status {job}"

    # when a worker is killed (SIGKILL) while the job runs, and another worker starts
    first = _worker(database)
    try:
        wait_for(lambda: value(database, status) == "running", 600, "the job to start")
        first.send_signal(signal.SIGKILL)
        first.wait(10)
        killed_while = value(database, status)
    finally:
        first.kill()
    second = _worker(database)
    try:
        wait_for(lambda: value(database, status) == "succeeded", 600, "the job to finish")
    finally:
        second.terminate()
        second.wait(30)

    # then the job ran twice to one effect: each line applied once, the ledger balanced
    assert killed_while == "running"
    assert scalar(database, f"select attempts {job}") == 2
    assert scalar(database, "select count(*) from bank_line where status <> 'applied'") == 0
    assert scalar(database, "select count(*) from payment") == INVOICES
    assert scalar(database, "select count(distinct payment_id) from bank_line") == INVOICES
    assert (
        scalar(
            database, "select count(*) from open_item where kind = 'invoice' and open_minor <> 0"
        )
        == 0
    )
    assert unbalanced_currencies(database) == 0
    assert ar_control_differs(database) == 0
