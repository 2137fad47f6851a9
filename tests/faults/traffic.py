"""The API as a separate process, and clients that post payments and retry until answered.

A client that gets no answer (the server died, the database restarted) sends the same
request again with the same Idempotency-Key, as any well-behaved integrator does; the
server must then answer the first payment, never book a second."""

from __future__ import annotations

import subprocess
import threading
import time
from dataclasses import dataclass, field

import httpx

from tests.faults.conftest import free_port, o2c_command, o2c_env, wait_for

RETRYABLE = {500, 502, 503, 504}


@dataclass
class Server:
    """`o2c serve` on a loopback port; kill() and start() again on the same port."""

    database: str
    port: int = field(default_factory=free_port)
    process: subprocess.Popen[bytes] | None = None

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        command = o2c_command(
            self.database, "serve", "--host", "127.0.0.1", "--port", str(self.port), "--no-jobs"
        )
        self.process = subprocess.Popen(
            command, env=o2c_env(), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        wait_for(self.ready, 600, f"o2c serve on port {self.port} to be ready")

    def ready(self) -> bool:
        try:
            return httpx.get(f"{self.base}/ready", timeout=2).status_code == 200
        except httpx.HTTPError:
            return False

    def kill(self) -> None:
        if self.process is not None:
            self.process.kill()
            self.process.wait(30)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(30)


@dataclass
class Payer:
    """Posts one payment per key from several threads; counts first answers and retries."""

    server: Server
    api_key: str
    customers: list[int]
    answered: dict[str, int] = field(default_factory=dict)
    retries: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def post(self, client: httpx.Client, n: int) -> None:
        key = f"fault-payment-{n}"
        body = {
            "customer_id": self.customers[n % len(self.customers)],
            "amount": {"amount": f"{10 + n % 90}.{n % 100:02d}", "currency": "EUR"},
            "method": "wire",
            "received_on": "2026-03-02",
            "reference": f"FAULT {n}",
        }
        headers = {"Idempotency-Key": key, "X-API-Key": self.api_key}
        deadline = time.monotonic() + 600
        while time.monotonic() < deadline:
            try:
                response = client.post(
                    f"{self.server.base}/api/v1/payments", json=body, headers=headers, timeout=10
                )
            except httpx.HTTPError:
                response = None
            if response is not None and response.status_code not in RETRYABLE:
                assert response.status_code in (200, 201), response.text
                with self.lock:
                    self.answered[key] = response.json()["id"]
                return
            with self.lock:
                self.retries += 1
            time.sleep(0.2)
        raise AssertionError(f"payment {key} never got an answer")

    def run(self, numbers: range, threads: int = 4) -> list[threading.Thread]:
        def work(offset: int) -> None:
            with httpx.Client() as client:
                for n in numbers[offset::threads]:
                    self.post(client, n)

        started = [threading.Thread(target=work, args=(i,), daemon=True) for i in range(threads)]
        for thread in started:
            thread.start()
        return started

    def done(self) -> int:
        with self.lock:
            return len(self.answered)
