"""Hostile JSON refused where it is parsed (issue 12, items 2-5): lone surrogates, deep nesting, numbers out of range
or not finite, unicode digits. Each is a 400 in the envelope, nothing is stored, and every read still answers."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable

import httpx
import pytest

from mockserver.cli import main
from mockserver.validation import MAX_JSON_DEPTH
from tests.conftest import Advance

Upload = Callable[..., Awaitable[str]]

CRITERIA = [{"type": "string_check", "name": "x", "input": "a", "reference": "b", "operation": "eq"}]
JOB = '{{"model": "gpt-4o-mini", "training_file": "{file}", {extra}}}'


def _nested(levels: int) -> str:
    return "[" * levels + "]" * levels


async def _reads_answer(http: httpx.AsyncClient) -> None:
    for path in (
        "/v1/fine_tuning/jobs",
        "/v1/files",
        "/v1/batches",
        "/v1/models",
        "/_mock/requests",
        "/_mock/webhooks/events",
    ):
        response = await http.get(path)
        assert response.status_code == 200, (path, response.text)


def _refused(response: httpx.Response, fragment: str) -> None:
    assert response.status_code == 400, response.text
    error = response.json()["error"]
    assert error["type"] == "invalid_request_error"
    assert fragment in error["message"]


@pytest.mark.parametrize(
    ("extra", "fragment"),
    [
        ('"metadata": {"k": "\\ud800"}', "lone surrogate"),
        ('"metadata": {"\\udfff": "v"}', "lone surrogate"),
        ('"suffix": "x\\udc00y"', "lone surrogate"),
        (f'"metadata": {{"k": {_nested(10_000)}}}', f"deeper than {MAX_JSON_DEPTH}"),
        ('"hyperparameters": {"learning_rate_multiplier": NaN}', "could not parse the JSON body"),
        ('"hyperparameters": {"learning_rate_multiplier": Infinity}', "could not parse the JSON body"),
        ('"hyperparameters": {"learning_rate_multiplier": 1e400}', "out of range"),
        ('"seed": ' + "9" * 5000, "out of range"),
        ('"seed": 9223372036854775808', "out of range"),
    ],
)
async def test_a_hostile_job_is_refused_and_nothing_is_stored(
    http: httpx.AsyncClient, upload: Upload, extra: str, fragment: str
) -> None:
    file_id = await upload()
    body = JOB.format(file=file_id, extra=extra)
    _refused(
        await http.post("/v1/fine_tuning/jobs", content=body, headers={"content-type": "application/json"}), fragment
    )
    assert (await http.get("/v1/fine_tuning/jobs")).json()["data"] == []
    assert (await http.get("/_mock/webhooks/events")).json()["data"] == []
    await _reads_answer(http)


async def test_an_encoded_surrogate_is_not_utf8_and_not_json(http: httpx.AsyncClient, upload: Upload) -> None:
    body = (
        JOB.format(file=await upload(), extra='"suffix": "x"')
        .replace('"x"', '"\udcff"')
        .encode("utf-8", "surrogatepass")
    )
    _refused(await http.post("/v1/fine_tuning/jobs", content=body), "could not parse the JSON body")
    await _reads_answer(http)


async def test_a_valid_surrogate_pair_is_ordinary_unicode(http: httpx.AsyncClient, upload: Upload) -> None:
    body = JOB.format(file=await upload(), extra='"metadata": {"k": "\\ud83d\\ude00"}')
    response = await http.post("/v1/fine_tuning/jobs", content=body, headers={"content-type": "application/json"})
    assert response.status_code == 200, response.text
    assert response.json()["metadata"] == {"k": "\U0001f600"}


@pytest.mark.parametrize("path", ["/v1/batches", "/v1/evals", "/_mock/clock/advance", "/_mock/faults"])
async def test_deep_nesting_is_a_400_on_every_json_route(http: httpx.AsyncClient, path: str) -> None:
    body = '{"x": ' + _nested(10_000) + "}"
    _refused(await http.post(path, content=body), f"deeper than {MAX_JSON_DEPTH}")
    await _reads_answer(http)


async def test_nesting_at_the_limit_parses_and_one_more_level_is_refused(http: httpx.AsyncClient) -> None:
    def config(levels: int) -> str:
        schema = '{"type": "object", "properties": {"a": ' + _nested(levels) + "}}"
        return '{"data_source_config": {"type": "custom", "item_schema": ' + schema + "}, "

    criteria = f'"testing_criteria": {json.dumps(CRITERIA)}}}'
    # The body's own object, data_source_config, item_schema and properties are four levels.
    at_limit = await http.post("/v1/evals", content=config(MAX_JSON_DEPTH - 4) + criteria)
    assert at_limit.status_code == 200, at_limit.text
    _refused(await http.post("/v1/evals", content=config(MAX_JSON_DEPTH - 3) + criteria), "deeper than")
    _refused(await http.post("/v1/evals", content=config(900) + criteria), "deeper than")
    await _reads_answer(http)


@pytest.mark.parametrize(
    ("body", "fragment"),
    [
        ('{"seconds": Infinity}', "could not parse"),
        ('{"seconds": NaN}', "could not parse"),
        ('{"seconds": 1e400}', "out of range"),
        ('{"seconds": 1e300}', "above maximum"),
    ],
)
async def test_advance_refuses_what_would_break_the_clock(
    http: httpx.AsyncClient, upload: Upload, advance: Advance, body: str, fragment: str
) -> None:
    before = (await http.get("/_mock/clock")).json()["now"]
    _refused(await http.post("/_mock/clock/advance", content=body), fragment)
    assert (await http.get("/_mock/clock")).json()["now"] == before
    job = await http.post("/v1/fine_tuning/jobs", json={"model": "gpt-4o-mini", "training_file": await upload()})
    assert job.status_code == 200, job.text
    assert (await advance(3600))["now"] == before + 3600


@pytest.mark.parametrize(
    ("path", "body"),
    [
        ("/_mock/faults", '{"path": "/v1/models", "status": 429, "retry_after": NaN}'),
        ("/_mock/faults", '{"path": "/v1/models", "status": 429, "retry_after": 1e400}'),
        ("/_mock/faults", '{"path": "/v1/models", "status": 429, "retry_after": 1e300}'),
        ("/_mock/faults", '{"path": "/v1/models", "status": 429, "rate": Infinity}'),
        ("/_mock/webhooks/endpoints", '{"url": "http://127.0.0.1:1/", "events": ["\\ud800"]}'),
    ],
)
async def test_control_numbers_are_finite_and_in_range(http: httpx.AsyncClient, path: str, body: str) -> None:
    response = await http.post(path, content=body)
    assert response.status_code == 400, response.text
    assert (await http.get(path)).json()["data"] == []


async def test_rotation_overlap_is_finite(http: httpx.AsyncClient) -> None:
    endpoint = (await http.post("/_mock/webhooks/endpoints", json={"url": "http://127.0.0.1:1/"})).json()
    response = await http.post(
        f"/_mock/webhooks/endpoints/{endpoint['id']}/rotate", content='{"expire_previous_after": Infinity}'
    )
    assert response.status_code == 400, response.text
    assert (await http.get(f"/_mock/webhooks/endpoints/{endpoint['id']}")).json()["secret"] == endpoint["secret"]


@pytest.mark.parametrize("limit", [-1, 0, "1" + "0" * 400])
async def test_an_eval_run_limit_out_of_range_is_refused(http: httpx.AsyncClient, limit: object) -> None:
    config = {"type": "stored_completions"}
    eval_id = (await http.post("/v1/evals", json={"data_source_config": config, "testing_criteria": CRITERIA})).json()
    source = '{"type": "stored_completions", "limit": ' + str(limit) + "}"
    body = '{"data_source": {"type": "completions", "source": ' + source + "}}"
    response = await http.post(f"/v1/evals/{eval_id['id']}/runs", content=body)
    assert response.status_code == 400, response.text
    assert (await http.get(f"/v1/evals/{eval_id['id']}/runs")).json()["data"] == []


@pytest.mark.parametrize("seconds", ["３６００", "9" * 5000, "3_600", " 3600", "-3600"])
async def test_file_expiry_seconds_are_plain_digits(http: httpx.AsyncClient, seconds: str) -> None:
    response = await http.post(
        "/v1/files",
        files={"file": ("a.jsonl", b"{}\n")},
        data={"purpose": "batch", "expires_after[anchor]": "created_at", "expires_after[seconds]": seconds},
    )
    assert response.status_code == 400, response.text
    assert response.json()["error"]["param"] == "expires_after.seconds"
    assert (await http.get("/v1/files")).json()["data"] == []


@pytest.mark.parametrize("limit", ["１０", "9" * 5000, "1_0"])
async def test_a_list_limit_is_plain_digits(http: httpx.AsyncClient, limit: str) -> None:
    response = await http.get("/v1/files", params={"limit": limit})
    assert response.status_code == 400, response.text
    assert response.json()["error"]["param"] == "limit"


async def test_a_refused_body_is_journaled_and_the_journal_still_reads(http: httpx.AsyncClient) -> None:
    body = '{"model": "gpt-4o-mini", "training_file": "file-x", "suffix": "\\ud800"}'
    await http.post("/v1/fine_tuning/jobs", content=body)
    entry = (await http.get("/_mock/requests")).json()["data"][0]
    assert (entry["status"], entry["body"]) == (400, body)
    json.dumps(entry)  # what a test does with it: valid Unicode all the way


@pytest.mark.parametrize(
    "flags",
    [
        ["--phase", "fine_tuning.queued=nan"],
        ["--phase", "fine_tuning.queued=inf"],
        ["--webhook-retry-schedule", "5,inf"],
        ["--webhook-timeout", "nan"],
        ["--shutdown-timeout", "inf"],
    ],
)
def test_the_command_line_refuses_numbers_that_are_not_finite(
    flags: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    """They reach the timer heap, which refuses them: at start-up, not as a 500 on the first create."""
    assert main(["serve", "--port", "0", *flags]) == 2
    assert "finite" in capsys.readouterr().err
