"""PostgreSQL restarted under traffic: the API and the worker reconnect by themselves,
clients' retries book every payment once, and a job queued afterwards runs."""

from __future__ import annotations

import subprocess

import pytest

from tests.faults.conftest import ROUNDS, Cluster, o2c_command, o2c_env, run_o2c, wait_for
from tests.faults.test_api_killed import PAYMENTS, assert_each_payment_booked_once, set_up
from tests.faults.traffic import Payer, Server
from tests.faults.world import scalar


@pytest.mark.parametrize("round_", range(ROUNDS))
def test_a_database_restart_loses_no_payment_and_stops_no_process(
    cluster: Cluster, tmp_path, round_
):
    # given the API serving payment traffic and a worker polling for jobs
    database, api_key, customers = set_up(cluster, f"faults_pg_{round_}", tmp_path)
    server = Server(database)
    server.start()
    worker = subprocess.Popen(
        o2c_command(database, "worker"),
        env=o2c_env(O2C_WORKER_POLL_SECONDS="0.2"),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    payer = Payer(server, api_key, customers)
    threads = payer.run(range(PAYMENTS))
    try:
        # when PostgreSQL is restarted a third of the way through the traffic
        wait_for(lambda: payer.done() >= PAYMENTS // 3, 600, "a third of the payments")
        cluster.pg_ctl("restart", "-m", "fast")
        for thread in threads:
            thread.join(600)
        # and a job is queued once it is back
        run_o2c(database, "jobs", "enqueue", "cashapp.match", "--key", "after-restart")
        done = (
            "select count(*) from job where kind = 'cashapp.match'"
            " and key = 'after-restart' and status = 'succeeded'"
        )
        wait_for(lambda: scalar(database, done) == 1, 600, "the worker to run the new job")
        # then neither process died of it
        assert worker.poll() is None
        assert server.process is not None
        assert server.process.poll() is None
    finally:
        worker.terminate()
        worker.wait(30)
        server.stop()

    # and every payment was answered and booked once
    assert_each_payment_booked_once(database, payer)
