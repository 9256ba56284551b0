"""`mockserver trigger TYPE` as a subprocess against a CLI-started server delivering to a loopback receiver."""

from __future__ import annotations

import socket
import subprocess
import sys
from collections.abc import Iterator

import httpx
import pytest

from mockserver.webhooks.event_types import EVENT_TYPES
from tests.conftest import ROOT
from tests.e2e.conftest import SECRET, CliServer, start_cli
from tests.e2e.receiver import LoopbackReceiver
from tests.verification import verify_both

pytestmark = pytest.mark.e2e


def trigger(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "mockserver", "trigger", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        stdin=subprocess.DEVNULL,
    )


@pytest.fixture(scope="module")
def guarded() -> Iterator[CliServer]:
    token = "admin-e2e-token"
    server = start_cli("--port", "0", "--clock", "manual", "--admin-token", token, admin_token=token)
    yield server
    server.stop()


def test_every_type_reaches_a_loopback_receiver_once(hooked: CliServer, receiver: LoopbackReceiver) -> None:
    for event_type in EVENT_TYPES:
        receiver.clear()
        answer = httpx.post(f"{hooked.url}/_mock/webhooks/trigger", json={"type": event_type}, timeout=10)
        assert answer.status_code == 200, answer.text
        httpx.post(f"{hooked.url}/_mock/webhooks/settle", timeout=10).raise_for_status()
        assert len(receiver.received) == 1, (event_type, receiver.received)
        event = verify_both(receiver.received[0], SECRET)
        assert (event.type, event.id) == (event_type, answer.json()["event"]["id"])


def test_the_cli_triggers_a_real_object_and_prints_the_event_and_deliveries(
    hooked: CliServer, receiver: LoopbackReceiver
) -> None:
    done = trigger("fine_tuning.job.succeeded", "--url", hooked.url)
    assert done.returncode == 0, done.stderr
    event = verify_both(receiver.received[-1], SECRET)
    assert event.type == "fine_tuning.job.succeeded" and len(receiver.received) == 1
    first, delivery = done.stdout.splitlines()
    assert first.startswith(f"triggered fine_tuning.job.succeeded: event {event.id} about {event.data.id}")
    assert receiver.received[0].headers["webhook-id"] in delivery and "we_cli_1" in delivery
    assert delivery.endswith("answered 200")
    job = httpx.get(f"{hooked.base_url}/fine_tuning/jobs/{event.data.id}", headers={"Authorization": "Bearer sk"})
    assert job.json()["status"] == "succeeded"


def test_the_cli_sends_stand_ins_for_types_without_a_lifecycle(hooked: CliServer, receiver: LoopbackReceiver) -> None:
    done = trigger("realtime.call.incoming", "--url", hooked.url + "/")
    assert done.returncode == 0, done.stderr
    assert "a stand-in" in done.stdout.splitlines()[0]
    event = verify_both(receiver.received[0], SECRET)
    assert event.type == "realtime.call.incoming" and event.data.call_id.startswith("rtc_")


def test_a_bad_type_is_exit_2_with_the_closest_type(hooked: CliServer) -> None:
    done = trigger("fine_tuning.job.canceled", "--url", hooked.url)
    assert done.returncode == 2 and done.stdout == ""
    assert "Unknown event type 'fine_tuning.job.canceled'. Did you mean 'fine_tuning.job.cancelled'?" in done.stderr


def test_a_server_that_is_not_running_is_exit_2() -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    done = trigger("batch.completed", "--url", f"http://127.0.0.1:{port}")
    assert done.returncode == 2
    assert f"no mockserver answers at http://127.0.0.1:{port}" in done.stderr and "mockserver serve" in done.stderr


def test_the_admin_token_is_sent_and_a_missing_one_explained(guarded: CliServer) -> None:
    refused = trigger("video.completed", "--url", guarded.url)
    assert refused.returncode == 2 and "401" in refused.stderr and "--admin-token" in refused.stderr
    done = trigger("video.completed", "--url", guarded.url, "--admin-token", "admin-e2e-token", "--project", "p1")
    assert done.returncode == 0, done.stderr
    assert " in p1" in done.stdout and "nothing was delivered" in done.stdout
