"""The official SDK, sync and async, against the server started by the CLI, on its manual clock."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
from collections.abc import Callable

import httpx
import openai
import pytest

from mockserver.kinds import DEFAULT_PHASES
from tests.conftest import FIXTURES, ROOT, training_lines
from tests.e2e.conftest import CliServer, start_cli
from tests.e2e.receiver import LoopbackReceiver

pytestmark = pytest.mark.e2e

Sdk = Callable[..., openai.OpenAI]
AsyncSdk = Callable[..., openai.AsyncOpenAI]

VALIDATING = DEFAULT_PHASES["fine_tuning.validating_files"]
QUEUED = DEFAULT_PHASES["fine_tuning.queued"]
RUNNING = DEFAULT_PHASES["fine_tuning.running"]


def test_the_sync_sdk_drives_a_job_through_every_state(live: CliServer, sdk: Sdk) -> None:
    client = sdk(live.base_url)
    training = client.files.create(file=("train.jsonl", training_lines()), purpose="fine-tune")
    job = client.fine_tuning.jobs.create(model="gpt-4o-mini", training_file=training.id, suffix="e2e")
    seen = [job.status]
    for seconds in (VALIDATING, QUEUED, RUNNING):
        live.advance(seconds)
        seen.append(client.fine_tuning.jobs.retrieve(job.id).status)
    assert seen == ["validating_files", "queued", "running", "succeeded"]
    done = client.fine_tuning.jobs.retrieve(job.id)
    assert done.fine_tuned_model is not None and ":e2e:" in done.fine_tuned_model
    assert client.models.retrieve(done.fine_tuned_model).id == done.fine_tuned_model
    assert [e.message for e in client.fine_tuning.jobs.list_events(job.id, limit=1).data] == [
        "The job has successfully completed"
    ]


@pytest.mark.parametrize(
    ("elapsed", "state"), [(0, "validating_files"), (VALIDATING, "queued"), (VALIDATING + QUEUED, "running")]
)
def test_the_sync_sdk_cancels_from_each_working_state(live: CliServer, sdk: Sdk, elapsed: float, state: str) -> None:
    client = sdk(live.base_url)
    training = client.files.create(file=("train.jsonl", training_lines()), purpose="fine-tune")
    job = client.fine_tuning.jobs.create(model="gpt-4o-mini", training_file=training.id)
    if elapsed:
        live.advance(elapsed)
    assert client.fine_tuning.jobs.retrieve(job.id).status == state
    assert client.fine_tuning.jobs.cancel(job.id).status == "cancelled"
    live.advance(3600)
    assert client.fine_tuning.jobs.retrieve(job.id).status == "cancelled"
    with pytest.raises(openai.BadRequestError, match="'cancelled'"):
        client.fine_tuning.jobs.cancel(job.id)


async def test_the_async_sdk_drives_and_cancels_jobs(live: CliServer, async_sdk: AsyncSdk) -> None:
    async with async_sdk(live.base_url) as client:
        training = await client.files.create(file=("train.jsonl", training_lines()), purpose="fine-tune")
        kept = await client.fine_tuning.jobs.create(model="gpt-4o-mini", training_file=training.id)
        dropped = await client.fine_tuning.jobs.create(model="gpt-4o-mini", training_file=training.id)
        live.advance(VALIDATING + QUEUED)
        assert (await client.fine_tuning.jobs.cancel(dropped.id)).status == "cancelled"
        live.advance(RUNNING)
        assert (await client.fine_tuning.jobs.retrieve(kept.id)).status == "succeeded"
        assert (await client.fine_tuning.jobs.retrieve(dropped.id)).status == "cancelled"
        assert [job.id async for job in client.fine_tuning.jobs.list()] == [dropped.id, kept.id]


def test_the_azure_url_style_works_over_the_wire(live: CliServer, sdk: Sdk) -> None:
    azure = sdk(live.url + "/openai/v1/", azure=True)
    training = azure.files.create(file=("train.jsonl", training_lines()), purpose="fine-tune")
    job = azure.fine_tuning.jobs.create(model="gpt-4o-mini", training_file=training.id)
    assert azure.fine_tuning.jobs.cancel(job.id).status == "cancelled"


def test_sigterm_stops_the_server_cleanly() -> None:
    server = start_cli("--port", "0", "--clock", "manual")
    assert server.stop(timeout=5) == 0


def test_environment_variables_configure_it_and_flags_win() -> None:
    server = start_cli(
        "--port", "0", "--fixtures", str(FIXTURES / "seed.json"),
        env={"MOCKSERVER_CLOCK": "manual", "MOCKSERVER_API_KEY": "sk-mock,sk-two", "MOCKSERVER_PORT": "1"},
    )  # fmt: skip
    try:
        assert httpx.get(f"{server.url}/_mock/clock").json()["mode"] == "manual"
        assert httpx.get(f"{server.base_url}/models", headers={"Authorization": "Bearer sk-x"}).status_code == 401
        jobs = httpx.get(f"{server.base_url}/fine_tuning/jobs", headers={"Authorization": "Bearer sk-mock"})
        assert len(jobs.json()["data"]) == 7
    finally:
        server.stop()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--webhook-secret", "not-a-secret"], "whsec_"),
        (["--webhook-secret", "whsec_!!!"], "base64"),
        (["--phase", "fine_tuning.running"], "NAME=SECONDS"),
        (["--phase", "fine_tuning.sleeping=3"], "unknown phase"),
        (["--phase", "fine_tuning.running=-1"], "negative"),
        (["--fixtures", "/nonexistent/seed.json"], "cannot read fixtures"),
        (["--clock", "sundial"], "invalid choice"),
        # Errors name the flag the user typed, never the setting behind it (`--webhook_urls`).
        (["--webhook-url", "ftp://nowhere"], "--webhook-url: Value error, expected an http or https URL"),
        (["--webhook-timeout", "0"], "--webhook-timeout: Input should be greater than 0"),
        (["--webhook-concurrency", "0"], "--webhook-concurrency: Input should be greater than or equal to 1"),
        (["--journal-size", "-1"], "--journal-size: Input should be greater than or equal to 0"),
        (["--api-key", "sk-long-secret-key="], "--api-key: Value error, expected KEY or KEY=PROJECT[,PROJECT...]"),
    ],
)
def test_bad_configuration_is_refused_at_start_up(args: list[str], message: str) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "mockserver", "serve", "--port", "0", *args],
        cwd=ROOT, capture_output=True, text=True, timeout=30, stdin=subprocess.DEVNULL,
    )  # fmt: skip
    assert result.returncode == 2
    assert message.replace("Value error, ", "") in result.stderr
    assert "sk-long-secret-key" not in result.stderr


def test_help_lists_every_flag_and_the_phase_defaults() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "mockserver", "serve", "--help"], capture_output=True, text=True, timeout=30
    )
    assert result.returncode == 0
    for flag in ("--host", "--port", "--clock", "--phase", "--webhook-url", "--webhook-secret", "--api-key",
                 "--fixtures", "--seed", "--admin-token"):  # fmt: skip
        assert flag in result.stdout
    assert "fine_tuning.running=10" in result.stdout.replace("\n", " ").replace("  ", " ")


def test_the_console_script_is_installed() -> None:
    script = ROOT / ".venv" / "bin" / "mockserver"
    executable = str(script) if script.exists() else "mockserver"
    result = subprocess.run([executable, "--help"], capture_output=True, text=True, timeout=30)
    assert result.returncode == 0 and "serve" in result.stdout


def test_sigint_also_stops_it() -> None:
    server = start_cli("--port", "0")
    server.process.send_signal(signal.SIGINT)
    assert server.stop(timeout=5) == 0


def test_on_the_real_clock_jobs_move_by_themselves(sdk: Sdk) -> None:
    """The one test that needs real time: tiny phases, and a wait on the job's webhook (the condition), bounded."""
    phases = [f"fine_tuning.{name}=0.05" for name in ("validating_files", "queued", "running")]
    receiver = LoopbackReceiver()
    server = start_cli(
        "--port", "0", "--webhook-url", receiver.url, *[arg for phase in phases for arg in ("--phase", phase)]
    )  # fmt: skip
    try:
        client = sdk(server.base_url, api_key="sk-real")
        training = client.files.create(file=("train.jsonl", training_lines()), purpose="fine-tune")
        job = client.fine_tuning.jobs.create(model="gpt-4o-mini", training_file=training.id)
        (delivery,) = receiver.wait_for(1, timeout=10)
        assert json.loads(delivery.body)["type"] == "fine_tuning.job.succeeded"
        assert client.fine_tuning.jobs.retrieve(job.id).status == "succeeded"
        assert httpx.get(f"{server.url}/_mock/clock").json()["mode"] == "real"
    finally:
        server.stop()
        receiver.close()


def test_a_bad_webhook_url_is_refused_at_start_up() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "mockserver", "--port", "0", "--webhook-url", "ftp://nowhere"],
        cwd=ROOT, capture_output=True, text=True, timeout=30, stdin=subprocess.DEVNULL,
    )  # fmt: skip
    assert result.returncode == 2 and "http or https URL" in result.stderr


def test_the_cli_serves_on_the_plain_stack_too(sdk: Sdk) -> None:
    """Where httptools and uvloop are missing, h11 on asyncio serves the same API (here chosen by flag)."""
    server = start_cli("--port", "0", "--clock", "manual", "--http", "h11", "--loop", "asyncio", "--log-level", "info")
    try:
        client = sdk(server.base_url)
        training = client.files.create(file=("train.jsonl", training_lines()), purpose="fine-tune")
        job = client.fine_tuning.jobs.create(model="gpt-4o-mini", training_file=training.id)
        server.advance(3600)
        assert client.fine_tuning.jobs.retrieve(job.id).status == "succeeded"
    finally:
        assert server.stop() == 0
    assert any("serving on http: h11, loop: asyncio" in line for line in server.output)
