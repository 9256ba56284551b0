"""The answer cache (`mockserver.answers`): a read after any change sees it, the list answers it splices are what
their models would serialise, and a change the cache was not told of is caught rather than served."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import httpx
import openai
import pytest
from pydantic import BaseModel
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Receive, Scope, Send

from bench.ceiling import JOB
from mockserver import Settings, create_app
from mockserver.answers import CHECK_VARIABLE, MAX_CACHED, AnswerCache, StaleAnswerError
from mockserver.kinds import DEFAULT_PHASES
from mockserver.kinds.fine_tuning.lifecycle import FineTuningLifecycle
from mockserver.kinds.fine_tuning.schemas import FineTuningJob
from mockserver.schemas.common import CursorListResponse, ListResponse
from mockserver.services import Services
from tests.conftest import Advance, AppClient, training_lines


@pytest.fixture
def create_job(client: openai.AsyncOpenAI, upload: Callable[..., Awaitable[str]]) -> Callable[..., Awaitable[Any]]:
    async def create(**extra_headers: str) -> Any:
        training = await upload()
        return await client.fine_tuning.jobs.create(
            model="gpt-4o-mini", training_file=training, extra_headers=extra_headers or None
        )

    return create


async def test_a_read_after_a_request_or_a_timer_sees_the_change(
    client: openai.AsyncOpenAI, create_job: Callable[..., Awaitable[Any]], advance: Advance
) -> None:
    job = await create_job()
    assert (await client.fine_tuning.jobs.retrieve(job.id)).status == "validating_files"
    assert (await client.fine_tuning.jobs.retrieve(job.id)).status == "validating_files"  # from the cache
    await advance(DEFAULT_PHASES["fine_tuning.validating_files"])  # the validation timer fires
    assert (await client.fine_tuning.jobs.retrieve(job.id)).status == "queued"
    await advance(DEFAULT_PHASES["fine_tuning.queued"])
    listed = await client.fine_tuning.jobs.list()
    assert [(j.id, j.status) for j in listed.data] == [(job.id, "running")]
    await client.fine_tuning.jobs.cancel(job.id)
    assert (await client.fine_tuning.jobs.retrieve(job.id)).status == "cancelled"
    assert [j.status for j in (await client.fine_tuning.jobs.list()).data] == ["cancelled"]


async def test_a_change_the_cache_was_not_told_of_is_a_500_naming_the_object(
    http: httpx.AsyncClient, services: Services, create_job: Callable[..., Awaitable[Any]]
) -> None:
    job = await create_job()
    assert (await http.get(f"/v1/fine_tuning/jobs/{job.id}")).json()["status"] == "validating_files"
    # A change made behind every way the mock changes state (no request, no timer): only the check can see it.
    services.lifecycle(FineTuningLifecycle).get("proj_default", job.id).status = "queued"

    stale = await http.get(f"/v1/fine_tuning/jobs/{job.id}")

    assert stale.status_code == 500
    assert isinstance(services.errors[-1], StaleAnswerError)
    assert job.id in str(services.errors[-1])
    services.errors.clear()


def test_without_the_check_the_cache_serves_what_it_holds() -> None:
    """What the check guards against, shown once: the cache trusts that it is emptied on every change."""
    cache = AnswerCache(check=False)
    job = _job("ftjob-abc")
    before = cache.json(job)
    job.status = "running"
    assert cache.json(job) == before
    cache.clear()
    assert b'"status":"running"' in cache.json(job)


@pytest.mark.parametrize("has_more", [True, False])
@pytest.mark.parametrize("count", [0, 1, 3])
def test_a_spliced_list_is_what_its_model_serialises(has_more: bool, count: int) -> None:
    jobs = [_job(f"ftjob-{index}") for index in range(count)]
    cache = AnswerCache(check=True)  # the check also compares the whole spliced list
    plain = ListResponse[FineTuningJob](data=jobs, has_more=has_more)
    cursor = CursorListResponse[FineTuningJob](
        data=jobs, has_more=has_more, first_id=jobs[0].id if jobs else None, last_id=jobs[-1].id if jobs else None
    )
    for response in (plain, cursor, plain, cursor):  # the second time from the cache
        assert cache.list_json(response) == response.model_dump_json().encode()


class _DataLast(BaseModel):
    object: str = "list"
    data: list[FineTuningJob]


class _DataOnly(BaseModel):
    data: list[FineTuningJob]


@pytest.mark.parametrize("model", [_DataLast, _DataOnly])
def test_a_list_whose_data_comes_last_is_spliced_too(model: type[BaseModel]) -> None:
    response = model(data=[_job("ftjob-1"), _job("ftjob-2")])
    assert AnswerCache(check=True).list_json(response) == response.model_dump_json().encode()  # type: ignore[arg-type]


def test_the_cache_stays_bounded() -> None:
    cache = AnswerCache(check=False)
    jobs = [_job(f"ftjob-{index}") for index in range(MAX_CACHED + 10)]
    for job in jobs:
        cache.json(job)
    assert len(cache) <= MAX_CACHED
    assert cache.json(jobs[-1]) == jobs[-1].model_dump_json().encode()


def test_stale_json_is_refused_when_checking() -> None:
    cache = AnswerCache(check=True)
    job = _job("ftjob-abc")
    cache.json(job)
    job.status = "running"
    with pytest.raises(StaleAnswerError, match="FineTuningJob ftjob-abc"):
        cache.json(job)


def _job(job_id: str) -> FineTuningJob:
    """A job as the bench's ceiling serves it, under another id."""
    return FineTuningJob.model_validate_json(JOB).model_copy(update={"id": job_id})


def test_a_wire_form_is_made_once_per_state_and_checked() -> None:
    made: list[str] = []

    def make(source: list[str]) -> FineTuningJob:
        made.append(source[0])
        return _job(source[0])

    source = ["ftjob-1"]
    cache = AnswerCache(check=False)
    assert cache.form(source, make) is cache.form(source, make)
    assert made == ["ftjob-1"]
    source[0] = "ftjob-2"  # a change the cache was not told of
    cache.clear()
    assert cache.form(source, make).id == "ftjob-2"

    checking = AnswerCache(check=True)
    checking.form(source, make)
    source[0] = "ftjob-3"
    with pytest.raises(StaleAnswerError, match="stale FineTuningJob"):
        checking.form(source, make)


@pytest.fixture
def unchecked(monkeypatch: pytest.MonkeyPatch) -> Callable[[], Starlette]:
    """An app that serves its cache as users' apps do, without the suite's check."""

    def make() -> Starlette:
        monkeypatch.setenv(CHECK_VARIABLE, "0")
        return create_app(Settings(clock="manual"))

    return make


async def test_a_repeated_read_is_answered_whole_from_the_cache_yet_journaled(
    unchecked: Callable[[], Starlette], app_client: AppClient, upload_to: Callable[..., Awaitable[str]]
) -> None:
    app = unchecked()
    async with app_client(app) as http:
        http.headers["authorization"] = "Bearer sk-test"
        job = await _create(http, await upload_to(http))
        first = await http.get(f"/v1/fine_tuning/jobs/{job}")
        # Behind the cache's back (no request, no timer): a repeated read still shows what the cache holds, which
        # is how a test can tell that it was answered from there.
        app.state.services.lifecycle(FineTuningLifecycle).get("proj_default", job).status = "queued"
        again = await http.get(f"/v1/fine_tuning/jobs/{job}")
        assert again.json() == first.json() and again.json()["status"] == "validating_files"
        assert again.headers["x-request-id"] != first.headers["x-request-id"]  # the envelope's headers are fresh
        journal = (await http.get("/_mock/requests", params={"path": f"/v1/fine_tuning/jobs/{job}"})).json()["data"]
        assert len(journal) == 2


async def test_a_cached_read_still_needs_the_key_its_project_and_meets_fault_rules(
    http: httpx.AsyncClient, upload_to: Callable[..., Awaitable[str]]
) -> None:
    job = await _create(http, await upload_to(http))
    path = f"/v1/fine_tuning/jobs/{job}"
    assert (await http.get(path)).status_code == 200
    assert (await http.get(path)).status_code == 200  # cached now
    assert (await http.get(path, headers={"authorization": ""})).status_code == 401
    assert (await http.get(path, headers={"openai-project": "proj_other"})).status_code == 404
    await http.post("/_mock/faults", json={"path": path, "status": 503, "times": 1})
    assert (await http.get(path)).status_code == 503
    assert (await http.get(path)).status_code == 200


async def test_a_read_the_cache_got_wrong_is_a_500_when_checking(
    http: httpx.AsyncClient, services: Services, upload_to: Callable[..., Awaitable[str]]
) -> None:
    job = await _create(http, await upload_to(http))
    await http.get("/v1/fine_tuning/jobs")
    services.lifecycle(FineTuningLifecycle).get("proj_default", job).status = "queued"
    assert (await http.get("/v1/fine_tuning/jobs")).status_code == 500
    assert isinstance(services.errors[-1], StaleAnswerError)
    services.errors.clear()


@pytest.fixture
def upload_to() -> Callable[..., Awaitable[str]]:
    async def upload(http: httpx.AsyncClient) -> str:
        response = await http.post(
            "/v1/files", files={"file": ("t.jsonl", training_lines())}, data={"purpose": "fine-tune"}
        )
        return str(response.json()["id"])

    return upload


async def _create(http: httpx.AsyncClient, training_file: str) -> str:
    response = await http.post("/v1/fine_tuning/jobs", json={"model": "gpt-4o-mini", "training_file": training_file})
    return str(response.json()["id"])


async def test_middleware_a_user_adds_goes_around_the_envelope(app_client: AppClient) -> None:
    seen: list[str] = []

    class Spy:
        def __init__(self, app: ASGIApp) -> None:
            self.app = app

        async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
            seen.append(scope.get("path", scope["type"]))
            await self.app(scope, receive, send)

    app = create_app(Settings(clock="manual"))
    app.add_middleware(Spy)
    async with app_client(app) as http:
        answered = await http.get("/v1/models", headers={"authorization": "Bearer sk-test"})
    assert answered.status_code == 200 and "x-request-id" in answered.headers
    assert "/v1/models" in seen


async def test_a_handler_for_unexpected_errors_is_refused_rather_than_ignored(app_client: AppClient) -> None:
    async def handler(request: Request, exc: Exception) -> Response:
        return Response("handled", status_code=500)

    app = create_app(Settings(clock="manual"))
    app.add_exception_handler(Exception, handler)
    async with app_client(app, checked=False) as http:
        with pytest.raises(TypeError, match="answers unexpected errors itself"):
            await http.get("/v1/models")
