"""The receiver check against three real handlers on loopback: a correct one passes every case, one that does not
verify fails exactly the signature, timestamp and tamper cases, and one that fails duplicates fails that case."""

from __future__ import annotations

import asyncio
import subprocess
import sys

import pytest

from mockserver import ReceiverReport, check_receiver
from mockserver.webhooks.event_types import EVENT_TYPES
from mockserver.webhooks.receiver_check import IDEMPOTENCY_NOTE
from tests.webhooks.conftest import SECRET
from tests.webhooks.handlers import Handled, careless_handler, correct_handler, duplicate_refusing_handler, serving

BROKEN_GROUPS = {"signature", "timestamp", "tamper"}


def _failed(report: ReceiverReport) -> set[str]:
    return {case.name for case in report.failures()}


def test_a_correct_handler_passes_every_case_and_the_hook_sees_it_acted_once() -> None:
    handled = Handled()
    with serving(correct_handler(SECRET, handled)) as url:
        report = check_receiver(url, SECRET, idempotency_hook=handled.acted_once, seed=7)
    assert report.passed, report.table()
    valid = [case for case in report.cases if case.group == "valid"]
    assert sorted(case.name for case in valid) == sorted(f"valid {t}" for t in EVENT_TYPES)
    assert {case.group for case in report.cases} == {"valid", *BROKEN_GROUPS, "duplicate", "speed"}
    assert all(case.got.startswith("4") for case in report.cases if case.group in BROKEN_GROUPS)
    # Every valid event, and the duplicated one once: nothing broken was acted on.
    assert len(handled.event_ids) == len(EVENT_TYPES) + 1
    assert report.notes == []  # the hook answered what the note would have said cannot be seen
    assert report.table().endswith("all good")


def test_a_handler_that_does_not_verify_fails_exactly_the_signature_timestamp_and_tamper_cases() -> None:
    handled = Handled()
    with serving(careless_handler(handled)) as url:
        report = check_receiver(url, SECRET, events=["batch.completed", "fine_tuning.job.succeeded"])
    assert not report.passed
    assert {case.group for case in report.failures()} == BROKEN_GROUPS
    assert _failed(report) == {case.name for case in report.cases if case.group in BROKEN_GROUPS}
    assert _failed(report) == {
        "bad signature", "wrong secret", "missing webhook-signature", "missing webhook-id", "stale timestamp",
        "future timestamp", "missing webhook-timestamp", "tampered body",
    }  # fmt: skip
    assert all(case.why and case.why.startswith("accepted") for case in report.failures())
    assert report.notes == [IDEMPOTENCY_NOTE] and f"note: {IDEMPOTENCY_NOTE}" in report.table()
    with pytest.raises(AssertionError, match="FAIL bad signature: accepted: anyone could forge"):
        report.assert_passed()


def test_a_handler_that_answers_500_to_duplicates_fails_only_that_case() -> None:
    handled = Handled()
    with serving(duplicate_refusing_handler(SECRET, handled)) as url:
        report = check_receiver(url, SECRET, events=["response.completed"])
    assert _failed(report) == {"duplicate webhook-id"}
    [case] = report.failures()
    assert case.got.startswith("200 in ") and " then 500 in " in case.got


def test_no_receiver_at_all_fails_every_case_with_the_connection_error() -> None:
    with serving(careless_handler(Handled())) as url:
        pass  # served and stopped: nothing listens there any more
    report = check_receiver(url, SECRET, events=["batch.failed"], timeout=1)
    assert not any(case.passed for case in report.cases)
    assert all("ConnectError" in case.got for case in report.cases if case.group != "speed")


async def test_check_receiver_also_works_from_async_code() -> None:
    handled = Handled()
    with serving(correct_handler(SECRET, handled)) as url:
        report = await asyncio.to_thread(check_receiver, url, SECRET, events=["batch.expired"])
        inline = check_receiver(url, SECRET, events=["batch.expired"])  # a running loop: its own thread
    assert report.passed and inline.passed


def test_the_control_route_checks_a_configured_endpoint_with_its_secret_and_types() -> None:
    from mockserver import MockServer

    handled = Handled()
    with serving(careless_handler(handled)) as url, MockServer() as server:
        endpoint = server.add_webhook_endpoint(url, secret=SECRET, events=["eval.run.succeeded"])
        report = server.check_webhook_endpoint(endpoint["id"], budget=5)
    assert [case.name for case in report.cases if case.group == "valid"] == ["valid eval.run.succeeded"]
    assert {case.group for case in report.failures()} == BROKEN_GROUPS
    assert handled.event_ids  # the checked receiver really got the deliveries


def _cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "mockserver", "check-receiver", *args], capture_output=True, text=True, timeout=60
    )


def test_the_cli_exits_0_for_a_correct_handler_and_prints_a_table() -> None:
    with serving(correct_handler(SECRET, Handled())) as url:
        run = _cli(url, "--secret", SECRET, "--event", "batch.completed", "--event", "video.completed")
    assert run.returncode == 0, run.stdout + run.stderr
    header, *rows = run.stdout.splitlines()
    assert header.split() == ["case", "expected", "got", "verdict"]
    assert rows[0].startswith("valid batch.completed") and rows[0].endswith("ok")
    assert rows[-1] == "12 of 12 cases passed: all good"
    assert SECRET not in run.stdout + run.stderr


def test_the_cli_json_names_the_failures_and_exits_1() -> None:
    with serving(careless_handler(Handled())) as url:
        run = _cli(url, "--secret", SECRET, "--event", "batch.completed", "--json")
    assert run.returncode == 1, run.stderr
    report = ReceiverReport.model_validate_json(run.stdout)
    assert not report.passed and {case.group for case in report.failures()} == BROKEN_GROUPS


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("http://127.0.0.1:9/x", "--secret", "nope"), "--secret: a webhook secret must look like whsec_"),
        (("ftp://x", "--secret", SECRET), "'ftp://x'"),
        (("http://127.0.0.1:9/x", "--secret", SECRET, "--event", "batch.done"), "--event: "),
    ],
)
def test_the_cli_refuses_bad_arguments_with_2(args: tuple[str, ...], message: str) -> None:
    run = _cli(*args)
    assert run.returncode == 2 and message in run.stderr and run.stdout == ""
