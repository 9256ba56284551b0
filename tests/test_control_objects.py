"""`GET /_mock/objects`: every kind's objects in every project, with the transition timelines the inspector shows
(recorded from the runtime's transitions, bounded per object, forgotten on reset)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import httpx
import openai

from mockserver.kinds import KINDS
from mockserver.lifecycles.runtime import Transition
from mockserver.lifecycles.timelines import KEPT_PER_OBJECT, Timelines
from mockserver.services import Services
from tests.conftest import BASE_URL, Advance
from tests.test_batches import batch_file, line
from tests.test_evals import CONFIG, CRITERIA, JSONL

Upload = Callable[..., Awaitable[str]]


async def test_objects_lists_every_kind_in_every_project_with_its_timeline(
    http: httpx.AsyncClient, client: openai.AsyncOpenAI, upload: Upload, advance: Advance, services: Services
) -> None:
    job = await client.fine_tuning.jobs.create(
        model="gpt-4o-mini", training_file=await upload(), metadata={"note": "<b>mine</b>"}
    )
    batch = await client.batches.create(
        input_file_id=await batch_file(upload, line("r1")), endpoint="/v1/chat/completions", completion_window="24h"
    )
    evaluation = await client.evals.create(name="e", data_source_config=CONFIG, testing_criteria=CRITERIA)
    other = openai.AsyncOpenAI(
        api_key="sk-other", base_url=f"{BASE_URL}/v1", http_client=client._client, project="proj_other", max_retries=0
    )
    run = await other.evals.runs.create(
        (await other.evals.create(name="o", data_source_config=CONFIG, testing_criteria=CRITERIA)).id,
        data_source=JSONL,
    )
    own_run = await client.evals.runs.create(evaluation.id, data_source=JSONL)
    for kind in KINDS[3:]:  # a kind registered since these three: one object of it, made as `trigger` makes one
        services.lifecycles[kind.name].create_for_trigger("proj_default")
    await advance(3)

    listed = (await http.get("/_mock/objects")).json()
    assert listed["object"] == "list"
    by_id = {item["id"]: item for item in listed["data"]}
    assert {item["kind"] for item in listed["data"]} == {kind.name for kind in KINDS}
    assert {by_id[run.id]["project"], by_id[own_run.id]["project"]} == {"proj_other", "proj_default"}
    listed_job = by_id[job.id]
    assert listed_job["object"] == "fine_tuning.job" and listed_job["created_at"] == job.created_at
    assert listed_job["metadata"] == {"note": "<b>mine</b>"}
    assert listed_job["status"] == "queued"
    assert listed_job["timeline"] == [{"from": "validating_files", "to": "queued", "at": job.created_at + 3}]
    assert "succeeded" in listed_job["reachable"] and "validating_files" not in listed_job["reachable"]
    assert by_id[batch.id]["object"] == "batch"

    only = (await http.get("/_mock/objects", params={"kind": "eval_runs", "project": "proj_other"})).json()["data"]
    assert [item["id"] for item in only] == [run.id]

    forced = await http.post(f"/_mock/objects/{job.id}/transition", json={"status": "failed"})
    assert forced.status_code == 200, forced.text
    (listed_job,) = [item for item in (await http.get("/_mock/objects")).json()["data"] if item["id"] == job.id]
    assert [step["to"] for step in listed_job["timeline"]] == ["queued", "running", "failed"]  # the legal path
    assert listed_job["reachable"] == []


async def test_a_reset_forgets_the_timelines(
    http: httpx.AsyncClient, client: openai.AsyncOpenAI, upload: Upload, advance: Advance
) -> None:
    job = await client.fine_tuning.jobs.create(model="gpt-4o-mini", training_file=await upload())
    await advance(3)
    await http.post("/_mock/reset")
    assert (await http.get("/_mock/objects")).json()["data"] == []
    again = await client.fine_tuning.jobs.create(model="gpt-4o-mini", training_file=await upload())
    assert again.id == job.id  # ids start their sequence again: an old timeline would show on the new object
    (listed,) = (await http.get("/_mock/objects")).json()["data"]
    assert listed["timeline"] == []


def test_a_timeline_keeps_only_the_latest_steps_of_an_object() -> None:
    timelines = Timelines()
    for step in range(KEPT_PER_OBJECT + 5):
        timelines.on_transition(Transition("fine_tuning.job", "ftjob-a", "p", "paused", "queued", float(step)))
    kept = timelines.of("ftjob-a")
    assert len(kept) == KEPT_PER_OBJECT and kept[0].at == 5.0
    assert timelines.of("ftjob-unknown") == []
