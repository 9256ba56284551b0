"""`make bench`: the mock measured side by side with a bare starlette ceiling, and the figures the targets name.

Figures are printed, never asserted. Load comes from a second process (`bench/loadgen.py`), on 127.0.0.1.
"""

from __future__ import annotations

import asyncio
import gc
import json
import math
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from starlette.types import Message

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from bench.startup import cli_startup, mock_server_startup  # noqa: E402
from mockserver.stack import Stack  # noqa: E402
from tests.conftest import training_lines  # noqa: E402

ROUNDS = 5
SECONDS = 2  # whole seconds: wrk takes no fractions
# wrk, a C client, when installed: on two cores the load generator shares the machine with the server it loads,
# and wrk takes far less of it than bench/loadgen.py, so both servers get closer to their own limit.
WRK = shutil.which("wrk")
CONCURRENCY = 32
# Every cancel must hit a live job: each round gets its own, more than the fastest server could cancel in a round
# (on httptools and uvloop the ceiling cancels about 26 000 a second). A round that still ran out is refused below.
CANCELS_PER_ROUND = 40_000
SEED_JOBS = ROUNDS * CANCELS_PER_ROUND
# The mock whose cancel changes nothing (`floor_server.py`): what every POST costs before any state changes.
FLOOR_ROW = "cancel, no change"


def _start(command: list[str], ready: str) -> tuple[subprocess.Popen[str], str]:
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    assert process.stdout is not None
    line = process.stdout.readline()
    if ready == "port":
        return process, f"http://127.0.0.1:{line.strip()}"
    return process, line.split(" ")[3]


# One round against one server: requests, rps, p50_ms, p99_ms, statuses (as loadgen.py prints them; wrk's figures
# are put in the same shape), and cpu_us, the server's CPU time per request.
Run = dict[str, Any]


def _cpu_seconds(pid: int) -> float:
    """User and system time a process has used (Linux `/proc`)."""
    with open(f"/proc/{pid}/stat") as handle:
        fields = handle.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _load(url: str, method: str, paths: list[str], token: str, server: int) -> Run:
    """One round against one server; adds the server's CPU time per request (`cpu_us`), which, unlike req/s, hardly
    moves when other work on the machine takes the server's core away for a while."""
    with tempfile.NamedTemporaryFile("w", suffix=".txt", delete=False) as handle:
        handle.write("\n".join(paths))
    before = _cpu_seconds(server)
    result = _wrk(url, method, handle.name, token) if WRK else _loadgen(url, method, handle.name, token)
    result["cpu_us"] = (_cpu_seconds(server) - before) / result["requests"] * 1e6
    os.unlink(handle.name)
    return result


def _loadgen(url: str, method: str, paths_file: str, token: str) -> Run:
    command = [sys.executable, str(HERE / "loadgen.py"), "--url", url, "--method", method, "--paths", paths_file,
               "--concurrency", str(CONCURRENCY), "--seconds", str(SECONDS), "--token", token]  # fmt: skip
    result: Run = json.loads(subprocess.run(command, capture_output=True, text=True, check=True).stdout)
    return result


def _wrk(url: str, method: str, paths_file: str, token: str) -> Run:
    assert WRK is not None
    command = [WRK, "--threads", "1", "--connections", str(CONCURRENCY), "--duration", f"{SECONDS}s",
               "--script", str(HERE / "wrk_paths.lua"), url]  # fmt: skip
    env = {**os.environ, "BENCH_PATHS": paths_file, "BENCH_METHOD": method, "BENCH_TOKEN": token}
    printed = subprocess.run(command, capture_output=True, text=True, check=True, env=env).stdout
    figures = json.loads(printed.strip().splitlines()[-1])
    statuses = {"200": figures["requests"] - figures["refused"]}
    if figures["refused"]:
        statuses["4xx/5xx"] = figures["refused"]
    if figures["socket_errors"]:
        statuses["socket errors"] = figures["socket_errors"]
    return {
        "requests": figures["requests"],
        "rps": figures["requests"] / figures["seconds"],
        "p50_ms": figures["p50_us"] / 1000,
        "p99_ms": figures["p99_us"] / 1000,
        "statuses": statuses,
    }


def _seed(path: Path, count: int) -> list[str]:
    ids = [f"ftjob-bench{index:013d}" for index in range(count)]
    content = training_lines().decode()
    seed = {
        "files": [{"id": "file-bench", "filename": "t.jsonl", "purpose": "fine-tune", "content": content}],
        "fine_tuning_jobs": [
            {"id": job_id, "model": "gpt-4o-mini", "training_file": "file-bench", "scenario": "stall"} for job_id in ids
        ],
    }
    path.write_text(json.dumps(seed))
    return ids


def throughput() -> list[tuple[str, Run, Run, list[float], dict[str, int], tuple[float, float]]]:
    """Per route: the round whose mock/ceiling ratio is the median (both servers' runs in it), every round's ratio,
    any answers other than 200 the mock gave in any round, and each server's median CPU time per request.

    The machine's two cores are shared, and what else runs on them moves both servers' figures by tens of percent
    from one second to the next. So each round loads the ceiling and the mock back to back (which goes first
    alternates), and the ratio is taken within each round, where both saw the same machine.
    """
    work = Path(tempfile.mkdtemp())
    seed = work / "seed.json"
    ids = _seed(seed, SEED_JOBS)
    serve = ["serve", "--port", "0", "--clock", "manual", "--log-level", "warning", "--fixtures", str(seed)]
    ceiling, ceiling_url = _start([sys.executable, str(HERE / "ceiling.py")], "port")
    mock, mock_url = _start([sys.executable, "-m", "mockserver", *serve], "line")
    floor, floor_url = _start([sys.executable, str(HERE / "floor_server.py"), *serve], "line")
    results = []
    servers = {ceiling_url: ceiling.pid, mock_url: mock.pid, floor_url: floor.pid}
    try:
        chunks = [ids[i : i + CANCELS_PER_ROUND] for i in range(0, SEED_JOBS, CANCELS_PER_ROUND)]

        # Per round: the paths it loads. A polling test reads the same objects again and again, which the mock
        # answers from its answer cache; a first read of each job (its own 40 000 per round, read by no earlier
        # round) is what a read right after a change costs. Each cancel round likewise gets jobs no earlier round
        # touched: every request cancels a live job. The floor server's cancels change nothing, so its rounds
        # take the same jobs (from its own copy).
        def cancels(n: int) -> list[str]:
            return [f"/v1/fine_tuning/jobs/{job_id}/cancel" for job_id in chunks[n]]

        routes: list[tuple[str, str, Callable[[int], list[str]], str]] = [
            ("retrieve", "GET", lambda _: [f"/v1/fine_tuning/jobs/{job_id}" for job_id in ids[:1000]], mock_url),
            (
                "retrieve, first read",
                "GET",
                lambda n: [f"/v1/fine_tuning/jobs/{job_id}" for job_id in chunks[n]],
                mock_url,
            ),
            ("list", "GET", lambda _: ["/v1/fine_tuning/jobs"], mock_url),
            ("cancel", "POST", cancels, mock_url),
            (FLOOR_ROW, "POST", cancels, floor_url),
        ]
        for name, method, paths_of, mock_like in routes:
            rounds: list[tuple[Run, Run]] = []
            for round_number in range(ROUNDS):
                round_paths = paths_of(round_number)
                order = [ceiling_url, mock_like] if round_number % 2 == 0 else [mock_like, ceiling_url]
                runs = {url: _load(url, method, round_paths, "sk-bench", servers[url]) for url in order}
                rounds.append((runs[ceiling_url], runs[mock_like]))
            ratios = [mock_run["rps"] / ceiling_run["rps"] for ceiling_run, mock_run in rounds]
            median_round = rounds[sorted(range(ROUNDS), key=ratios.__getitem__)[ROUNDS // 2]]
            refused: dict[str, int] = {}
            for _, mock_run in rounds:
                for status, count in mock_run["statuses"].items():
                    if status != "200":
                        refused[status] = refused.get(status, 0) + count
            cpu = (
                statistics.median(run["cpu_us"] for run, _ in rounds),
                statistics.median(run["cpu_us"] for _, run in rounds),
            )
            if name in ("cancel", FLOOR_ROW) and refused:
                # A cancel that found its job already cancelled is a cheap 400: a ratio with it in is not a ratio.
                ratios = [math.nan] * ROUNDS
            results.append((name, *median_round, ratios, refused, cpu))
    finally:
        for process in (ceiling, mock, floor):
            process.terminate()
            process.wait(10)
            if process.stdout:
                process.stdout.close()
    return results


def _rss() -> int:
    with open("/proc/self/statm") as handle:
        return int(handle.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


async def in_process() -> dict[str, float]:
    import httpx

    from mockserver import Settings, create_app
    from mockserver.kinds.fine_tuning.lifecycle import FineTuningLifecycle
    from mockserver.kinds.fine_tuning.schemas import CreateFineTuningJob

    figures: dict[str, float] = {}
    app = create_app(Settings(clock="manual", seed=1, journal_size=0))
    services = app.state.services
    file = services.files.create("p", filename="t.jsonl", purpose="fine-tune", content=training_lines(), at=0)
    request = CreateFineTuningJob.model_validate({"model": "gpt-4o-mini", "training_file": file.id})

    gc.collect()
    before = _rss()
    for _ in range(100_000):
        services.lifecycle(FineTuningLifecycle).create("p", request)
    gc.collect()
    figures["memory per idle job (bytes)"] = (_rss() - before) / 100_000

    timings = []
    for _ in range(200):
        started = time.perf_counter()
        await services.scheduler.advance_to(services.clock.now())
        timings.append(time.perf_counter() - started)
    figures["advance, 100 000 pending, nothing due (ms)"] = statistics.median(timings) * 1000
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://bench") as http:
        started = time.perf_counter()
        await http.post("/_mock/clock/advance", json={"seconds": 0})
        figures["same through POST /_mock/clock/advance (ms)"] = (time.perf_counter() - started) * 1000

    fresh = create_app(Settings(clock="manual", seed=2, journal_size=0))
    services = fresh.state.services
    file = services.files.create("p", filename="t.jsonl", purpose="fine-tune", content=training_lines(), at=0)
    request = CreateFineTuningJob.model_validate({"model": "gpt-4o-mini", "training_file": file.id})
    for _ in range(10_000):
        services.lifecycle(FineTuningLifecycle).create("p", request)
    started = time.perf_counter()
    with services.runtime.capture() as transitions:
        await services.scheduler.advance_to(services.clock.now() + 3)  # validating_files ends for all of them
    figures["advance, 10 000 transitions due (ms)"] = (time.perf_counter() - started) * 1000
    assert len(transitions) == 10_000
    return figures


async def deliveries(count: int = 2000) -> float:
    """Signed deliveries per second to a loopback receiver in another process."""
    from mockserver import Settings, create_app
    from mockserver.kinds.fine_tuning.lifecycle import FineTuningLifecycle
    from mockserver.kinds.fine_tuning.schemas import CreateFineTuningJob

    receiver, url = _start([sys.executable, str(HERE / "receiver.py")], "port")
    try:
        app = create_app(Settings(clock="manual", seed=3, journal_size=0, webhook_urls=(url + "/hooks",)))
        services = app.state.services
        file = services.files.create("p", filename="t.jsonl", purpose="fine-tune", content=training_lines(), at=0)
        request = CreateFineTuningJob.model_validate({"model": "gpt-4o-mini", "training_file": file.id})
        jobs = [services.lifecycle(FineTuningLifecycle).create("p", request).id for _ in range(count)]
        started = time.perf_counter()
        for job_id in jobs:
            services.lifecycle(FineTuningLifecycle).cancel("p", job_id)
        await services.scheduler.settle()
        elapsed = time.perf_counter() - started
        succeeded = sum(1 for attempt in services.dispatcher.attempts if attempt.succeeded)
        assert succeeded == count, succeeded
        await services.dispatcher.close()
        return count / elapsed
    finally:
        receiver.terminate()
        receiver.wait(10)
        if receiver.stdout:
            receiver.stdout.close()


def sdk_iteration(iterations: int = 200) -> float:
    import openai

    from mockserver.testing import InProcessMock

    with InProcessMock(seed=4) as mock:
        client = openai.OpenAI(api_key="sk-bench", max_retries=0)
        training = client.files.create(file=("t.jsonl", training_lines()), purpose="fine-tune").id
        started = time.perf_counter()
        for _ in range(iterations):
            job = client.fine_tuning.jobs.create(model="gpt-4o-mini", training_file=training)
            client.fine_tuning.jobs.retrieve(job.id)
            client.fine_tuning.jobs.cancel(job.id)
        elapsed = time.perf_counter() - started
        client.close()
        mock.check()
    return elapsed / iterations * 1000


def inspector_page_load(objects: int = 1000, loads: int = 5) -> float | None:
    """Median ms from navigation to the inspector's first complete page (every section read and drawn) with `objects`
    jobs, in headless Chromium; None without a browser."""
    from mockserver import MockServer
    from tests.e2e.browser import browser_available, chromium

    if not browser_available():
        return None
    from selenium.webdriver.support.ui import WebDriverWait

    work = Path(tempfile.mkdtemp())
    _seed(work / "seed.json", objects)
    timings = []
    with MockServer(clock="manual", fixtures=str(work / "seed.json")) as server, chromium() as driver:
        for _ in range(loads + 1):  # the first load warms the browser's caches and the server's code paths
            driver.get("about:blank")
            driver.get(f"{server.url}/_mock/ui")
            loaded = WebDriverWait(driver, 30).until(
                lambda d: d.execute_script("return document.documentElement.dataset.loadedMs")
            )
            timings.append(float(loaded))
        assert len(driver.find_elements("css selector", "#objects tbody tr")) == objects
    return statistics.median(timings[1:])


def receiver_lifetimes(runs: int = 50) -> list[float]:
    """What the `webhook_receiver` fixture costs a test: a receiver started and closed."""
    from mockserver.testing import WebhookReceiver

    seconds = []
    for _ in range(runs):
        started = time.perf_counter()
        with WebhookReceiver():
            pass
        seconds.append(time.perf_counter() - started)
    return seconds


async def route_costs(requests: int = 2000) -> dict[str, float]:
    """µs per request through the whole app in process (ASGI called directly: no sockets, no client) for a retrieve
    and for each route added since: what each costs beside the baseline."""
    import httpx

    from mockserver import Settings, create_app
    from tests.test_evals import CONFIG, CRITERIA, JSONL

    app = create_app(Settings(clock="manual", seed=5, journal_size=1000))
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://bench") as http:
        http.headers["Authorization"] = "Bearer sk-bench"
        file = (await http.post("/v1/files", files={"file": ("t.jsonl", training_lines())},
                                data={"purpose": "fine-tune"})).json()["id"]  # fmt: skip
        job = (await http.post("/v1/fine_tuning/jobs", json={"model": "gpt-4o-mini", "training_file": file})).json()
        hook = {"url": "http://127.0.0.1:9/", "name": "b", "event_types": ["batch.completed"]}
        endpoint = (await http.post("/v1/webhook_endpoints", json=hook)).json()
        evaluation = (await http.post("/v1/evals", json={"data_source_config": CONFIG,
                                                         "testing_criteria": CRITERIA})).json()  # fmt: skip
        run = (await http.post(f"/v1/evals/{evaluation['id']}/runs", json={"data_source": JSONL})).json()
        await http.post("/_mock/clock/advance", json={"seconds": 3600})
    routes = {
        "GET /v1/fine_tuning/jobs/{id} (the baseline)": f"/v1/fine_tuning/jobs/{job['id']}",
        "GET /v1/webhook_endpoints/{id}": f"/v1/webhook_endpoints/{endpoint['id']}",
        "GET /v1/webhook_endpoints": "/v1/webhook_endpoints",
        "GET /v1/webhook_event_types": "/v1/webhook_event_types",
        "GET /v1/evals": "/v1/evals",
        "GET /v1/evals/{id}/runs/{run}/output_items": f"/v1/evals/{evaluation['id']}/runs/{run['id']}/output_items",
        "GET /openai/fine_tuning/jobs/{id}?api-version (Azure classic)":
            f"/openai/fine_tuning/jobs/{job['id']}?api-version=2024-10-21",
    }  # fmt: skip
    statuses: list[int] = []

    async def receive() -> Message:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: Message) -> None:
        if message["type"] == "http.response.start":
            statuses.append(message["status"])

    scopes = {}
    for name, target in routes.items():
        path, _, query = target.partition("?")
        scopes[name] = {
            "type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "GET", "scheme": "http",
            "path": path, "raw_path": path.encode(), "query_string": query.encode(), "root_path": "",
            "headers": [(b"authorization", b"Bearer sk-bench"), (b"api-key", b"sk-bench")],
            "server": ("bench", 80), "client": ("bench", 1),
        }  # fmt: skip
        for _ in range(200):
            await app(dict(scopes[name]), receive, send)
        assert set(statuses) == {200}, (name, set(statuses))
    # Round after round over every route, the best of each: whichever went first, or ran while the machine was
    # busy, is not what decides a ratio.
    best = dict.fromkeys(routes, math.inf)
    for _ in range(5):
        for name, scope in scopes.items():
            started = time.process_time()
            for _ in range(requests):
                await app(dict(scope), receive, send)
            best[name] = min(best[name], (time.process_time() - started) / requests)
    assert set(statuses) == {200}, set(statuses)
    return {name: seconds * 1e6 for name, seconds in best.items()}


def main() -> None:
    started = time.perf_counter()
    load = "wrk, 1 thread" if WRK else "bench/loadgen.py (wrk is not installed)"
    print(f"mockserver bench: {os.cpu_count()} cores, Python {sys.version.split()[0]}, uvicorn on {Stack.choose()} "  # noqa: T201
          "(the mock and the ceiling alike), "
          f"load from {load}, {CONCURRENCY} connections;\n{ROUNDS} rounds of {SECONDS:g} s per server and route, "
          f"back to back; each row is the round with the median mock/ceiling ratio\n")  # fmt: skip
    rows = throughput()
    print(f"{'route':<20} {'ceiling req/s':>14} {'p50/p99 ms':>14} {'mock req/s':>12} {'p50/p99 ms':>14} {'ratio':>7}"  # noqa: T201
          "   each round's ratio")  # fmt: skip
    ratios = {}
    for name, ceiling, mock, round_ratios, refused, (ceiling_cpu, mock_cpu) in rows:
        ratio = statistics.median(round_ratios)
        ratios[name] = ratio
        each = " ".join(f"{r:.0%}" for r in round_ratios)
        print(f"{name:<20} {ceiling['rps']:>14.0f} {ceiling['p50_ms']:>6.1f}/{ceiling['p99_ms']:<7.1f} "  # noqa: T201
              f"{mock['rps']:>12.0f} {mock['p50_ms']:>6.1f}/{mock['p99_ms']:<7.1f} {ratio:>6.0%}   {each}")  # fmt: skip
        print(f"{'':<20} server CPU per request: ceiling {ceiling_cpu:.0f} us, mock {mock_cpu:.0f} us "  # noqa: T201
              f"(ceiling/mock {ceiling_cpu / mock_cpu:.0%})")  # fmt: skip
        if refused:
            print(f"{'':<20} (mock answered other than 200: {refused})")  # noqa: T201
    print(f"({FLOOR_ROW}: the mock with a cancel that only finds the job and answers it, bench/floor_server.py; "  # noqa: T201
          "no target: what the request path of any POST costs before the state changes)")  # fmt: skip
    server = statistics.median(mock_server_startup(20)) * 1000
    cli = statistics.median(cli_startup(5)) * 1000
    figures = asyncio.run(in_process())
    rate = asyncio.run(deliveries())
    sdk = sdk_iteration()
    page = inspector_page_load()

    def mark(ok: bool) -> str:
        return "met" if ok else "NOT met"

    print()  # noqa: T201
    receiver = statistics.median(receiver_lifetimes()) * 1000
    routes = asyncio.run(route_costs())
    retrieve_cost = routes.pop("GET /v1/fine_tuning/jobs/{id} (the baseline)")
    lines = [
        (f"cancel at >= 75 % of the ceiling: {ratios['cancel']:.0%}", ratios["cancel"] >= 0.75),
        (f"retrieve at >= 75 % of the ceiling: {ratios['retrieve']:.0%}", ratios["retrieve"] >= 0.75),
        (f"retrieve, first read, at >= 75 % of the ceiling: {ratios['retrieve, first read']:.0%}",
         ratios["retrieve, first read"] >= 0.75),
        (f"list at >= 50 % of the ceiling: {ratios['list']:.0%}", ratios["list"] >= 0.5),
        (f"MockServer ready (median of 20): {server:.1f} ms, target < 50 ms", server < 50),
        (f"webhook_receiver set-up and teardown (median of 50): {receiver:.2f} ms, target < 5 ms", receiver < 5),
        (f"CLI ready (median of 5): {cli:.0f} ms, target < 1000 ms", cli < 1000),
        (f"clock/advance, 100 000 pending jobs, nothing due: "
         f"{figures['advance, 100 000 pending, nothing due (ms)']:.4f} ms, target < 1 ms",
         figures["advance, 100 000 pending, nothing due (ms)"] < 1),
        (f"signed deliveries to a loopback receiver: {rate:.0f}/s, target >= 1000/s", rate >= 1000),
        (f"memory per idle job (100 000 jobs): {figures['memory per idle job (bytes)'] / 1024:.1f} KB, target <= 4 KB",
         figures["memory per idle job (bytes)"] <= 4096),
    ]  # fmt: skip
    if page is not None:
        lines.append((f"inspector page, 1 000 objects, navigation to drawn (median of 5): {page:.0f} ms, "
                      "target < 300 ms", page < 300))  # fmt: skip
    for route, cost in routes.items():
        share = retrieve_cost / cost
        lines.append((f"{route}: {cost:.1f} us in process (retrieve {retrieve_cost:.1f} us): {share:.0%} of retrieve's "
                      "requests a second, target >= 80 %", share >= 0.8))  # fmt: skip
    for line, ok in lines:
        print(f"  [{mark(ok):>7}] {line}")  # noqa: T201
    print(f"  (no target) same advance through POST /_mock/clock/advance: "  # noqa: T201
          f"{figures['same through POST /_mock/clock/advance (ms)']:.2f} ms")  # fmt: skip
    print(f"  (no target) clock/advance with 10 000 transitions due: "  # noqa: T201
          f"{figures['advance, 10 000 transitions due (ms)']:.0f} ms")  # fmt: skip
    print(f"  (no target) in-process SDK create -> retrieve -> cancel: {sdk:.2f} ms per iteration")  # noqa: T201
    if page is None:
        print("  (skipped) inspector page load: no Chromium (apt-get install -y chromium chromium-driver)")  # noqa: T201
    print(f"\nbench took {time.perf_counter() - started:.0f} s")  # noqa: T201


if __name__ == "__main__":
    main()
