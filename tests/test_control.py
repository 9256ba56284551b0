"""The control API (`/_mock`): health, reset, the clock, forced transitions and the admin token."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import httpx
import openai
import pytest

from mockserver import ManualClock, Settings, create_app
from mockserver.services import Services
from tests.conftest import Advance, AppClient

Upload = Callable[..., Awaitable[str]]


async def test_health(http: httpx.AsyncClient) -> None:
    response = await http.get("/_mock/health")
    assert (response.status_code, response.json()) == (200, {"status": "ok"})


async def test_clock_reports_mode_and_moves_only_when_advanced(http: httpx.AsyncClient, advance: Advance) -> None:
    before = (await http.get("/_mock/clock")).json()
    assert before["mode"] == "manual"
    answer = await advance(3600.5)
    assert answer["now"] == before["now"] + 3600.5
    assert (await http.get("/_mock/clock")).json()["now"] == answer["now"]


@pytest.mark.parametrize("body", [{"seconds": -1}, {"seconds": "10"}, {}, {"seconds": 1, "until": 2}])
async def test_advance_validates_its_body(http: httpx.AsyncClient, body: dict[str, object]) -> None:
    response = await http.post("/_mock/clock/advance", json=body)
    assert response.status_code == 400
    assert response.json()["error"]["param"] in ("seconds", "until")


async def test_control_bodies_are_json_whatever_the_content_type_says(http: httpx.AsyncClient) -> None:
    # What `curl -d '{...}'` sends: a JSON body labelled as a form. The OpenAI surface refuses it; /_mock reads it.
    form = {"content-type": "application/x-www-form-urlencoded"}
    answer = await http.post("/_mock/clock/advance", content=b'{"seconds": 5}', headers=form)
    assert answer.status_code == 200, answer.text
    refused = await http.post("/v1/batches", content=b"{}", headers=form)
    assert (refused.status_code, refused.json()["error"]["code"]) == (400, "invalid_content_type")


async def test_advance_needs_the_manual_clock(app_client: AppClient) -> None:
    app = create_app(Settings(clock="real"))
    async with app_client(app) as http:
        response = await http.post("/_mock/clock/advance", json={"seconds": 1})
        assert response.status_code == 400 and response.json()["error"]["code"] == "clock_not_manual"
        assert (await http.get("/_mock/clock")).json()["mode"] == "real"


async def test_advance_reports_every_transition_in_time_order(
    client: openai.AsyncOpenAI, upload: Upload, advance: Advance
) -> None:
    training = await upload()
    first = await client.fine_tuning.jobs.create(model="gpt-4o-mini", training_file=training)
    await advance(1)
    second = await client.fine_tuning.jobs.create(model="gpt-4o-mini", training_file=training)
    transitions = (await advance(100))["transitions"]
    assert len(transitions) == 6
    assert [t["at"] for t in transitions] == sorted(t["at"] for t in transitions)
    assert {t["id"] for t in transitions} == {first.id, second.id}
    assert transitions[0] == {
        "object": "fine_tuning.job", "id": first.id, "from": "validating_files", "to": "queued",
        "at": first.created_at + 3,
    }  # fmt: skip


async def test_reset_forgets_everything_and_rewinds_the_manual_clock(
    http: httpx.AsyncClient, client: openai.AsyncOpenAI, upload: Upload, advance: Advance
) -> None:
    start = (await http.get("/_mock/clock")).json()["now"]
    job = await client.fine_tuning.jobs.create(model="gpt-4o-mini", training_file=await upload())
    await advance(5)
    assert (await http.post("/_mock/reset")).status_code == 200
    assert (await http.get("/_mock/clock")).json()["now"] == start
    assert (await client.files.list()).data == []
    with pytest.raises(openai.NotFoundError):
        await client.fine_tuning.jobs.retrieve(job.id)
    assert (await advance(100))["transitions"] == []  # its timers are gone too


async def test_a_seeded_run_hands_out_the_same_ids_after_a_reset(
    http: httpx.AsyncClient, client: openai.AsyncOpenAI
) -> None:
    first = await client.files.create(file=("a.jsonl", b"{}"), purpose="fine-tune")
    await http.post("/_mock/reset")
    again = await client.files.create(file=("a.jsonl", b"{}"), purpose="fine-tune")
    assert first.id == again.id


@pytest.mark.parametrize(
    ("target", "path"),
    [
        ("queued", ["queued"]),
        ("running", ["queued", "running"]),
        ("succeeded", ["queued", "running", "succeeded"]),
        ("failed", ["failed"]),
        ("cancelled", ["cancelled"]),
        ("paused", ["queued", "paused"]),
    ],
)
async def test_forced_transitions_follow_the_legal_path(
    http: httpx.AsyncClient, client: openai.AsyncOpenAI, upload: Upload, target: str, path: list[str]
) -> None:
    job = await client.fine_tuning.jobs.create(model="gpt-4o-mini", training_file=await upload())
    response = await http.post(f"/_mock/fine_tuning/jobs/{job.id}/transition", json={"status": target})
    assert response.status_code == 200, response.text
    assert response.json()["status"] == target
    after = await client.fine_tuning.jobs.retrieve(job.id)
    assert after.status == target
    messages = [e.message async for e in client.fine_tuning.jobs.list_events(job.id)]
    if "queued" in path:
        assert "Files validated, moving job to queued state" in messages
    if target == "succeeded":
        assert after.fine_tuned_model is not None and after.trained_tokens
        assert (await client.fine_tuning.jobs.checkpoints.list(job.id)).data
        assert messages[0] == "The job has successfully completed"


async def test_a_forced_failure_can_carry_its_error(
    http: httpx.AsyncClient, client: openai.AsyncOpenAI, upload: Upload
) -> None:
    job = await client.fine_tuning.jobs.create(model="gpt-4o-mini", training_file=await upload())
    error = {"code": "exceeded_quota", "message": "Quota exceeded.", "param": None}
    await http.post(f"/_mock/fine_tuning/jobs/{job.id}/transition", json={"status": "running"})
    await http.post(f"/_mock/fine_tuning/jobs/{job.id}/transition", json={"status": "failed", "error": error})
    failed = await client.fine_tuning.jobs.retrieve(job.id)
    assert failed.error is not None and failed.error.code == "exceeded_quota"


@pytest.mark.parametrize(("setup", "target"), [("succeeded", "running"), ("running", "queued"), (None, "finished")])
async def test_illegal_forced_transitions_are_400s(
    http: httpx.AsyncClient, client: openai.AsyncOpenAI, upload: Upload, setup: str | None, target: str
) -> None:
    job = await client.fine_tuning.jobs.create(model="gpt-4o-mini", training_file=await upload())
    if setup:
        await http.post(f"/_mock/fine_tuning/jobs/{job.id}/transition", json={"status": setup})
    before = (await client.fine_tuning.jobs.retrieve(job.id)).status
    response = await http.post(f"/_mock/fine_tuning/jobs/{job.id}/transition", json={"status": target})
    assert response.status_code == 400 and response.json()["error"]["param"] == "status"
    assert (await client.fine_tuning.jobs.retrieve(job.id)).status == before


async def test_forcing_an_unknown_job_is_a_404(http: httpx.AsyncClient) -> None:
    response = await http.post("/_mock/fine_tuning/jobs/ftjob-nope/transition", json={"status": "running"})
    assert response.status_code == 404 and response.json()["error"]["code"] == "fine_tune_not_found"


async def test_the_admin_token_guards_the_control_api_only(app_client: AppClient) -> None:
    app = create_app(Settings(clock="manual", admin_token="s3cret"))
    async with app_client(app) as http:
        assert (await http.get("/_mock/health")).status_code == 401
        assert (await http.get("/_mock/health", headers={"Authorization": "Bearer wrong"})).status_code == 401
        assert (await http.get("/_mock/health", headers={"Authorization": "Bearer s3cret"})).status_code == 200
        assert (await http.get("/v1/models", headers={"Authorization": "Bearer sk-user"})).status_code == 200


async def test_an_injected_clock_is_used(settings: Settings) -> None:
    app = create_app(settings, clock=ManualClock(start=1_000_000))
    services: Services = app.state.services
    assert services.clock.now() == 1_000_000


async def test_the_same_seed_gives_the_same_ids_and_names_in_another_server(app_client: AppClient) -> None:
    async def run() -> tuple[str, str, str]:
        app = create_app(Settings(clock="manual", seed=99))
        async with app_client(app) as http:
            http.headers["Authorization"] = "Bearer sk-x"
            lines = b'{"messages": [{"role": "user", "content": "q"}, {"role": "assistant", "content": "a"}]}\n' * 10
            file = (
                await http.post("/v1/files", files={"file": ("t.jsonl", lines)}, data={"purpose": "fine-tune"})
            ).json()
            job = (
                await http.post("/v1/fine_tuning/jobs", json={"model": "gpt-4o-mini", "training_file": file["id"]})
            ).json()
            await http.post(f"/_mock/fine_tuning/jobs/{job['id']}/transition", json={"status": "succeeded"})
            done = (await http.get(f"/v1/fine_tuning/jobs/{job['id']}")).json()
            return file["id"], job["id"], done["fine_tuned_model"]

    assert await run() == await run()
