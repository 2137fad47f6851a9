"""The API process killed outright while clients post payments: after a restart, the
clients' retries book every payment exactly once and the ledger balances."""

from __future__ import annotations

import pytest

from tests.faults.conftest import ROUNDS, Cluster, run_o2c, wait_for
from tests.faults.traffic import Payer, Server
from tests.faults.world import ar_control_differs, scalar, unbalanced_currencies, write_files

PAYMENTS = 240


def set_up(cluster: Cluster, name: str, tmp_path) -> tuple[str, str, list[int]]:
    """A company with customers and an admin API key: the database URL, key and customers."""
    database = cluster.create_database(name)
    customers, _, _ = write_files(tmp_path, 0)
    run_o2c(database, "init")
    run_o2c(database, "import", "customers", str(customers))
    api_key = run_o2c(database, "apikey", "create", "faults").strip().splitlines()[-1]
    with_ids = scalar(database, "select count(*) from customer")
    ids = [
        scalar(database, f"select id from customer order by id offset {i} limit 1")
        for i in range(with_ids)
    ]
    return database, api_key, ids


def assert_each_payment_booked_once(database: str, payer: Payer) -> None:
    assert len(payer.answered) == PAYMENTS
    assert len(set(payer.answered.values())) == PAYMENTS
    assert scalar(database, "select count(*) from payment") == PAYMENTS
    assert unbalanced_currencies(database) == 0
    assert ar_control_differs(database) == 0


@pytest.mark.parametrize("round_", range(ROUNDS))
def test_the_api_killed_mid_request_books_every_payment_once(cluster: Cluster, tmp_path, round_):
    # given the API serving clients that post 240 payments with idempotency keys
    database, api_key, customers = set_up(cluster, f"faults_api_{round_}", tmp_path)
    server = Server(database)
    server.start()
    payer = Payer(server, api_key, customers)
    threads = payer.run(range(PAYMENTS))
    try:
        # when the server is killed (SIGKILL) a third of the way through, and started again
        wait_for(lambda: payer.done() >= PAYMENTS // 3, 600, "a third of the payments")
        server.kill()
        killed_at = payer.done()
        server.start()
        for thread in threads:
            thread.join(600)
    finally:
        server.stop()

    # then every payment was answered, some only after retrying, and each booked once
    assert killed_at < PAYMENTS
    assert payer.retries > 0
    assert_each_payment_booked_once(database, payer)
