"""Start-up figures: `MockServer` to first answer (median of 20) and the CLI to ready. Printed, never asserted."""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import time

import httpx

from mockserver import MockServer


def mock_server_startup(runs: int = 20) -> list[float]:
    seconds = []
    # One client for all runs: a new one would spend 20 ms loading CA certificates, inside the figure.
    with httpx.Client() as client:
        for _ in range(runs):
            started = time.perf_counter()
            with MockServer() as server:
                client.get(f"{server.url}/_mock/health").raise_for_status()
                seconds.append(time.perf_counter() - started)
    return seconds


def cli_startup(runs: int = 5) -> list[float]:
    seconds = []
    for _ in range(runs):
        started = time.perf_counter()
        process = subprocess.Popen(
            [sys.executable, "-m", "mockserver", "serve", "--port", "0"],
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
            env={**os.environ, "PYTHONUNBUFFERED": "1"},
        )
        assert process.stdout is not None
        line = process.stdout.readline()
        url = line.split(" ")[3]
        httpx.get(f"{url}/_mock/health").raise_for_status()
        seconds.append(time.perf_counter() - started)
        process.terminate()
        process.wait(10)
        process.stdout.close()
    return seconds


def main() -> None:
    cores = os.cpu_count()
    server = mock_server_startup()
    cli = cli_startup()
    print(f"mockserver start-up ({cores} cores)")  # noqa: T201
    print(f"  MockServer() to first answer: median {statistics.median(server) * 1000:.1f} ms of {len(server)}")  # noqa: T201
    print(f"  CLI to ready (health 200):    median {statistics.median(cli) * 1000:.0f} ms of {len(cli)}")  # noqa: T201


if __name__ == "__main__":
    main()
