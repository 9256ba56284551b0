"""A small HTTP/1.1 load generator: keep-alive connections on raw asyncio streams, so that the client costs far less
than the servers it measures. Run as its own process; prints one JSON line of results.

    python bench/loadgen.py --url http://127.0.0.1:PORT --method POST --paths paths.txt --concurrency 32 --seconds 3
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import statistics
import time
from urllib.parse import urlsplit


async def worker(
    host: str, port: int, method: str, paths: itertools.cycle[str], headers: str, deadline: float, out: list[float],
    statuses: dict[int, int],
) -> None:  # fmt: skip
    reader, writer = await asyncio.open_connection(host, port)
    try:
        while time.perf_counter() < deadline:
            path = next(paths)
            request = f"{method} {path} HTTP/1.1\r\nHost: {host}\r\n{headers}Content-Length: 0\r\n\r\n".encode()
            started = time.perf_counter()
            writer.write(request)
            head = await reader.readuntil(b"\r\n\r\n")
            status = int(head[9:12])
            length = 0
            for line in head.split(b"\r\n"):
                if line[:15].lower() == b"content-length:":
                    length = int(line[15:])
            if length:
                await reader.readexactly(length)
            out.append(time.perf_counter() - started)
            statuses[status] = statuses.get(status, 0) + 1
    finally:
        writer.close()


async def run(
    url: str, method: str, paths: list[str], concurrency: int, seconds: float, token: str
) -> dict[str, object]:
    parts = urlsplit(url)
    host, port = parts.hostname or "127.0.0.1", parts.port or 80
    headers = f"Authorization: Bearer {token}\r\n"
    cycle = itertools.cycle(paths)
    latencies: list[float] = []
    statuses: dict[int, int] = {}
    started = time.perf_counter()
    deadline = started + seconds
    await asyncio.gather(
        *(worker(host, port, method, cycle, headers, deadline, latencies, statuses) for _ in range(concurrency))
    )
    elapsed = time.perf_counter() - started
    latencies.sort()
    return {
        "requests": len(latencies),
        "rps": len(latencies) / elapsed,
        "p50_ms": statistics.median(latencies) * 1000,
        "p99_ms": latencies[int(len(latencies) * 0.99) - 1] * 1000,
        "statuses": statuses,
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--url", required=True)
    parser.add_argument("--method", default="GET")
    parser.add_argument("--paths", required=True, help="a file with one path per line, used in turn")
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--seconds", type=float, default=3.0)
    parser.add_argument("--token", default="sk-bench")
    args = parser.parse_args()
    with open(args.paths) as handle:
        paths = [line.strip() for line in handle if line.strip()]
    result = asyncio.run(run(args.url, args.method, paths, args.concurrency, args.seconds, args.token))
    print(json.dumps(result))  # noqa: T201


if __name__ == "__main__":
    main()
