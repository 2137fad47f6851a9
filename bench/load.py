"""Mixed API traffic against the real server on loopback, with wrk: throughput and latency.

    python -m bench.load --database postgresql://postgres@127.0.0.1/loadbench --seconds 30
    python -m bench.load --database postgresql://postgres@127.0.0.1/loadbench --reuse

The database is loaded with the demo company (`o2c demo`) unless --reuse; an admin API key is
issued, `o2c serve --workers N` started on a free loopback port, and wrk (Debian's package,
installed with apt-get when missing) plays this mix for --seconds over --connections:
- 65% portal-style reads: a customer's invoices, one invoice, the statement of account, the
  customer's payments;
- 15% order creation (priced from the customer's price list);
- 10% payment posting (cash on account);
- 10% cash application (a payment applied to one of the customer's open invoices).
Every write carries a fresh Idempotency-Key. Prints one JSON line: requests, seconds,
requests per second, latency percentiles (ms), status counts and errors; the server's and
database's view (payments booked during the run) is checked against wrk's count.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx
import psycopg

REPO = Path(__file__).resolve().parents[1]
LUA = Path(__file__).with_name("load_mix.lua")


def o2c(database: str, *args: str, quiet: bool = True) -> str:
    script = "import sys; from o2c.app.cli import main; sys.argv[0] = 'o2c'; main()"
    command = [sys.executable, "-c", script, "--database", database, *args]
    done = subprocess.run(command, capture_output=quiet, text=True, check=False)
    if done.returncode != 0:
        sys.exit(f"o2c {' '.join(args)} failed:\n{done.stdout}{done.stderr}")
    return done.stdout or ""


def plain(url: str) -> str:
    return url.replace("+psycopg", "")


def fresh(database: str) -> None:
    admin, name = plain(database).rsplit("/", 1)
    with psycopg.connect(f"{admin}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def targets(database: str) -> dict[str, list[int]]:
    """Ids the mix picks from: customers with posted invoices, their open invoices, products."""
    with psycopg.connect(plain(database)) as conn:
        invoices = conn.execute(
            "select i.id, i.customer_id from invoice i where i.status = 'posted'"
            " order by i.id limit 2000"
        ).fetchall()
        open_items = conn.execute(
            "select inv.id, inv.customer_id from invoice inv join open_item oi"
            " on oi.company_id = inv.company_id and oi.kind = 'invoice'"
            " and oi.source_id = inv.id where oi.open_minor > 10000 order by inv.id limit 2000"
        ).fetchall()
        products = conn.execute(
            "select id from product where active order by id limit 50"
        ).fetchall()
    return {
        "invoices": [row[0] for row in invoices],
        "customers": sorted({row[1] for row in invoices}),
        "open_invoices": [row[0] for row in open_items],
        "open_customers": [row[1] for row in open_items],
        "products": [row[0] for row in products],
    }


def wrk(url: str, key: str, ids: dict[str, list[int]], args: argparse.Namespace) -> dict:
    if shutil.which("wrk") is None:
        print("installing wrk (Debian package)", file=sys.stderr)
        subprocess.run(["apt-get", "install", "-y", "wrk"], check=True, capture_output=True)
    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp) / "ids.lua"
        out = Path(tmp) / "result.json"
        data.write_text(
            "return {\n"
            + "".join(
                f"  {name} = {{{', '.join(map(str, values))}}},\n" for name, values in ids.items()
            )
            + f'  key = "{key}",\n  out = "{out}",\n}}\n'
        )
        env = {**os.environ, "O2C_LOAD_IDS": str(data)}
        command = [
            "wrk",
            f"-t{args.threads}",
            f"-c{args.connections}",
            f"-d{args.seconds}s",
            "--timeout",
            "10s",
            "-s",
            str(LUA),
            url,
        ]
        subprocess.run(command, env=env, check=True, capture_output=not args.verbose)
        return json.loads(out.read_text())


def booked_payments(database: str) -> int:
    with psycopg.connect(plain(database)) as conn:
        row = conn.execute("select count(*) from payment").fetchone()
    return int(row[0]) if row else 0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", required=True, help="postgresql://… (dropped unless --reuse)")
    parser.add_argument("--seconds", type=int, default=30)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--workers", type=int, default=2, help="API processes")
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--reuse", action="store_true", help="keep the loaded database")
    parser.add_argument("--verbose", action="store_true")
    args = parser.parse_args()
    database = args.database
    if not args.reuse:
        fresh(database)
        o2c(database, "init")
        o2c(database, "demo")
    key = o2c(database, "apikey", "create", f"load-{int(time.time())}").strip().splitlines()[-1]
    ids = targets(database)
    env = {**os.environ, "O2C_LOG_LEVEL": "WARNING"}
    script = "import sys; from o2c.app.cli import main; sys.argv[0] = 'o2c'; main()"
    server = subprocess.Popen(
        [
            sys.executable,
            "-c",
            script,
            "--database",
            database,
            "serve",
            "--host",
            "127.0.0.1",
            "--port",
            str(args.port),
            "--workers",
            str(args.workers),
            "--no-jobs",
        ],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=None if args.verbose else subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{args.port}"
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{base}/ready", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            time.sleep(0.5)
        else:
            sys.exit("the server did not become ready in 120 s")
        before = booked_payments(database)
        result = wrk(base, key, ids, args)
        result["payments_booked"] = booked_payments(database) - before
    finally:
        server.terminate()
        server.wait(30)
    result.update(
        stage="load_mixed",
        unit="requests",
        workers=args.workers,
        connections=args.connections,
        load_average=os.getloadavg()[0],
    )
    print(json.dumps(result), flush=True)


if __name__ == "__main__":
    main()
