"""The fine-tuning jobs API driven by the official SDK, on the manual clock."""

from __future__ import annotations

import json
import re
from collections.abc import Awaitable, Callable
from typing import Any

import httpx
import openai
import pytest

from mockserver.kinds import DEFAULT_PHASES
from mockserver.kinds.fine_tuning.job_log import MAX_JOB_EVENTS
from tests.conftest import FIXTURES, Advance

Upload = Callable[..., Awaitable[str]]

VALIDATING = DEFAULT_PHASES["fine_tuning.validating_files"]
QUEUED = DEFAULT_PHASES["fine_tuning.queued"]
RUNNING = DEFAULT_PHASES["fine_tuning.running"]


async def test_create_answers_validating_files_with_everything_auto(client: openai.AsyncOpenAI, upload: Upload) -> None:
    training = await upload()
    job = await client.fine_tuning.jobs.create(model="gpt-4o-mini", training_file=training, suffix="demo", seed=7)
    assert job.id.startswith("ftjob-") and len(job.id) == len("ftjob-") + 24
    assert job.object == "fine_tuning.job"
    assert job.status == "validating_files"
    assert job.model == "gpt-4o-mini"
    assert job.training_file == training
    assert job.seed == 7
    assert job.fine_tuned_model is None and job.finished_at is None and job.trained_tokens is None
    assert job.result_files == [] and job.error is None
    assert job.hyperparameters.n_epochs == "auto" and job.hyperparameters.batch_size == "auto"
    assert job.method is not None and job.method.type == "supervised"
    assert job.method.supervised is not None and job.method.supervised.hyperparameters is not None
    assert job.method.supervised.hyperparameters.n_epochs == "auto"
    assert job.to_dict()["user_provided_suffix"] == "demo"
    assert job.organization_id.startswith("org-")


async def test_a_job_walks_every_state_to_succeeded(
    client: openai.AsyncOpenAI, upload: Upload, advance: Advance
) -> None:
    training = await upload()
    job = await client.fine_tuning.jobs.create(model="gpt-4o-mini", training_file=training, suffix="demo")
    created = job.created_at

    answer = await advance(VALIDATING)
    assert [(t["from"], t["to"]) for t in answer["transitions"]] == [("validating_files", "queued")]
    assert (await client.fine_tuning.jobs.retrieve(job.id)).status == "queued"

    await advance(QUEUED)
    running = await client.fine_tuning.jobs.retrieve(job.id)
    assert running.status == "running"
    # Hyperparameters are resolved when training starts: 12 examples -> ceil(100/12) epochs, batch size 1.
    assert running.hyperparameters.n_epochs == 9
    assert running.hyperparameters.batch_size == 1
    assert isinstance(running.hyperparameters.learning_rate_multiplier, float)
    assert running.method is not None and running.method.supervised is not None
    assert running.method.supervised.hyperparameters is not None
    assert running.method.supervised.hyperparameters.n_epochs == 9

    answer = await advance(RUNNING)
    assert [(t["from"], t["to"]) for t in answer["transitions"]] == [("running", "succeeded")]
    done = await client.fine_tuning.jobs.retrieve(job.id)
    assert done.status == "succeeded"
    assert done.finished_at == int(created + VALIDATING + QUEUED + RUNNING)
    assert done.fine_tuned_model is not None
    prefix, base, org, suffix, tag = done.fine_tuned_model.split(":")
    assert (prefix, base, suffix) == ("ft", "gpt-4o-mini-2024-07-18", "demo") and len(tag) == 8 and org
    assert done.trained_tokens is not None and done.trained_tokens > 0
    assert len(done.result_files) == 1
    result = await client.files.retrieve(done.result_files[0])
    assert result.purpose == "fine-tune-results"
    csv = (await client.files.content(result.id)).text
    assert csv.startswith("step,train_loss")

    model = await client.models.retrieve(done.fine_tuned_model)
    assert model.owned_by == done.organization_id
    assert done.fine_tuned_model in [m.id async for m in client.models.list()]


async def test_events_tell_the_story_in_the_real_messages_newest_first(
    client: openai.AsyncOpenAI, upload: Upload, advance: Advance
) -> None:
    training = await upload()
    job = await client.fine_tuning.jobs.create(model="gpt-4o-mini", training_file=training)
    await advance(60)
    done = await client.fine_tuning.jobs.retrieve(job.id)
    events = [event async for event in client.fine_tuning.jobs.list_events(job.id, limit=7)]
    times = [event.created_at for event in events]
    assert times == sorted(times, reverse=True)
    messages = [event.message for event in reversed(events) if event.type == "message"]
    assert messages[:4] == [
        f"Created fine-tuning job: {job.id}",
        f"Validating training file: {training}",
        "Files validated, moving job to queued state",
        "Fine-tuning job started",
    ]
    assert messages[-2:] == [
        f"New fine-tuned model created: {done.fine_tuned_model}",
        "The job has successfully completed",
    ]
    started = next(e for e in events if e.message == "Fine-tuning job started")
    assert started.data is None  # the real API sends null here, {} elsewhere
    metrics = [e for e in events if e.type == "metrics"]
    assert metrics and all(e.message.startswith("Step ") for e in metrics)
    data: Any = metrics[0].to_dict()["data"]
    assert {"step", "train_loss", "total_steps"} <= set(data)
    assert "Checkpoint created at step" in " ".join(messages)


async def test_events_paginate_with_after(client: openai.AsyncOpenAI, upload: Upload, advance: Advance) -> None:
    job = await client.fine_tuning.jobs.create(model="gpt-4o-mini", training_file=await upload())
    await advance(60)
    first = await client.fine_tuning.jobs.list_events(job.id, limit=3)
    assert len(first.data) == 3 and first.has_more
    second = await client.fine_tuning.jobs.list_events(job.id, limit=3, after=first.data[-1].id)
    assert second.data[0].created_at <= first.data[-1].created_at
    assert {e.id for e in first.data}.isdisjoint(e.id for e in second.data)
    every = [e async for e in client.fine_tuning.jobs.list_events(job.id, limit=5)]
    assert len(every) == len({e.id for e in every}) > 10


async def test_a_finished_job_reads_the_same_every_time_and_its_records_agree(
    client: openai.AsyncOpenAI, upload: Upload, advance: Advance
) -> None:
    """Metrics, checkpoints and the result file are made again on each read (issue 12): the same each time, and
    consistent with each other."""
    job = await client.fine_tuning.jobs.create(model="gpt-4o-mini", training_file=await upload())
    await advance(3600)
    done = await client.fine_tuning.jobs.retrieve(job.id)
    events: list[Any] = [e.to_dict() async for e in client.fine_tuning.jobs.list_events(job.id, limit=100)]
    assert events == [e.to_dict() async for e in client.fine_tuning.jobs.list_events(job.id, limit=7)]
    assert all(re.fullmatch(r"ftevent-[A-Za-z0-9]{24}", e["id"]) for e in events)
    assert len({e["id"] for e in events}) == len(events)
    checkpoints = (await client.fine_tuning.jobs.checkpoints.list(job.id)).data
    assert checkpoints == (await client.fine_tuning.jobs.checkpoints.list(job.id)).data
    assert all(re.fullmatch(r"ftckpt_[A-Za-z0-9]{24}", c.id) for c in checkpoints)
    metrics = {e["data"]["step"]: e for e in events if e["type"] == "metrics"}
    messages = " ".join(e["message"] for e in events)
    for checkpoint in checkpoints:
        data = metrics[checkpoint.step_number]["data"]
        assert checkpoint.metrics.to_dict() == {k: v for k, v in data.items() if k != "total_steps"}
        if checkpoint.fine_tuned_model_checkpoint != done.fine_tuned_model:
            assert f"Snapshot ID: {checkpoint.fine_tuned_model_checkpoint}" in messages
    result = await client.files.retrieve(done.result_files[0])
    csv = (await client.files.content(result.id)).content
    assert csv == (await client.files.content(result.id)).content and result.bytes == len(csv)
    rows = csv.decode().splitlines()[1:]
    assert [int(row.split(",")[0]) for row in rows] == sorted(metrics)
    step, loss = rows[-1].split(",")[:2]
    assert float(loss) == pytest.approx(metrics[int(step)]["data"]["train_loss"], abs=1e-5)


async def test_the_same_seed_trains_the_same_curve(
    client: openai.AsyncOpenAI, upload: Upload, advance: Advance
) -> None:
    training = await upload()
    jobs = [
        await client.fine_tuning.jobs.create(model="gpt-4o-mini", training_file=training, seed=s) for s in (7, 7, 8)
    ]
    await advance(3600)
    curves = [
        [e.data for e in (await client.fine_tuning.jobs.list_events(job.id, limit=100)).data if e.type == "metrics"]
        for job in jobs
    ]
    assert curves[0] == curves[1] != curves[2]


async def test_checkpoints_are_the_last_three_epochs_with_the_final_model_last(
    client: openai.AsyncOpenAI, upload: Upload, advance: Advance
) -> None:
    job = await client.fine_tuning.jobs.create(model="gpt-4o-mini", training_file=await upload())
    await advance(60)
    done = await client.fine_tuning.jobs.retrieve(job.id)
    page = await client.fine_tuning.jobs.checkpoints.list(job.id)
    steps = [c.step_number for c in page.data]
    assert steps == [108, 96, 84]  # 9 epochs of 12 steps, newest first
    assert page.data[0].fine_tuned_model_checkpoint == done.fine_tuned_model
    assert page.data[1].fine_tuned_model_checkpoint.endswith(":ckpt-step-96")
    assert all(c.fine_tuning_job_id == job.id and c.id.startswith("ftckpt_") for c in page.data)
    assert page.data[0].metrics.train_loss is not None


@pytest.mark.parametrize(
    ("elapsed", "state"),
    [(0, "validating_files"), (VALIDATING, "queued"), (VALIDATING + QUEUED, "running")],
)
async def test_cancel_from_each_working_state(
    client: openai.AsyncOpenAI, upload: Upload, advance: Advance, elapsed: float, state: str
) -> None:
    job = await client.fine_tuning.jobs.create(model="gpt-4o-mini", training_file=await upload())
    if elapsed:
        await advance(elapsed)
    assert (await client.fine_tuning.jobs.retrieve(job.id)).status == state
    cancelled = await client.fine_tuning.jobs.cancel(job.id)
    assert cancelled.status == "cancelled"
    assert cancelled.fine_tuned_model is None and cancelled.trained_tokens is None
    # Before training started nothing finished; a job stopped while training has a finish time.
    assert (cancelled.finished_at is None) == (state != "running")
    answer = await advance(3600)
    assert answer["transitions"] == []
    assert (await client.fine_tuning.jobs.retrieve(job.id)).status == "cancelled"
    last = (await client.fine_tuning.jobs.list_events(job.id, limit=1)).data[0]
    assert last.message == "Fine-tuning job cancelled"


@pytest.mark.parametrize("scenario", ["succeed", "fail", "stall"])
async def test_cancelling_a_terminal_job_is_a_400_naming_its_status(
    client: openai.AsyncOpenAI, upload: Upload, advance: Advance, http: httpx.AsyncClient, scenario: str
) -> None:
    job = await client.fine_tuning.jobs.create(
        model="gpt-4o-mini", training_file=await upload(), metadata={"mock_scenario": scenario}
    )
    if scenario == "stall":
        await client.fine_tuning.jobs.cancel(job.id)
    await advance(60)
    status = (await client.fine_tuning.jobs.retrieve(job.id)).status
    assert status == {"succeed": "succeeded", "fail": "failed", "stall": "cancelled"}[scenario]
    with pytest.raises(openai.BadRequestError) as caught:
        await client.fine_tuning.jobs.cancel(job.id)
    assert caught.value.status_code == 400
    assert f"'{status}'" in caught.value.message
    assert caught.value.type == "invalid_request_error"
    assert (await client.fine_tuning.jobs.retrieve(job.id)).status == status


async def test_fail_scenario_fails_while_training(client: openai.AsyncOpenAI, upload: Upload, advance: Advance) -> None:
    job = await client.fine_tuning.jobs.create(
        model="gpt-4o-mini", training_file=await upload(), extra_headers={"x-mock-scenario": "fail"}
    )
    answer = await advance(60)
    assert [t["to"] for t in answer["transitions"]] == ["queued", "running", "failed"]
    failed = await client.fine_tuning.jobs.retrieve(job.id)
    assert failed.status == "failed"
    assert failed.error is not None and failed.error.code and failed.error.message
    assert failed.finished_at is not None and failed.fine_tuned_model is None
    last = (await client.fine_tuning.jobs.list_events(job.id, limit=1)).data[0]
    assert last.level == "error" and last.message == failed.error.message


async def test_fail_validation_scenario_fails_in_validating_files(
    client: openai.AsyncOpenAI, upload: Upload, advance: Advance
) -> None:
    job = await client.fine_tuning.jobs.create(
        model="gpt-4o-mini", training_file=await upload(), metadata={"mock_scenario": "fail_validation"}
    )
    answer = await advance(60)
    assert [(t["from"], t["to"]) for t in answer["transitions"]] == [("validating_files", "failed")]
    failed = await client.fine_tuning.jobs.retrieve(job.id)
    assert failed.error is not None and failed.error.code == "invalid_training_file"
    assert failed.error.param == "training_file"
    assert failed.finished_at is None
    assert failed.hyperparameters.n_epochs == "auto"


async def test_stall_scenario_waits_in_queued_until_cancelled(
    client: openai.AsyncOpenAI, upload: Upload, advance: Advance
) -> None:
    job = await client.fine_tuning.jobs.create(
        model="gpt-4o-mini", training_file=await upload(), extra_headers={"x-mock-scenario": "stall"}
    )
    await advance(24 * 3600)
    assert (await client.fine_tuning.jobs.retrieve(job.id)).status == "queued"
    assert (await client.fine_tuning.jobs.cancel(job.id)).status == "cancelled"


async def test_a_malformed_training_file_fails_the_job_in_validation(
    client: openai.AsyncOpenAI, upload: Upload, advance: Advance
) -> None:
    training = await upload((FIXTURES / "training" / "malformed.jsonl").read_bytes())
    job = await client.fine_tuning.jobs.create(model="gpt-4o-mini", training_file=training)
    assert job.status == "validating_files"  # accepted now, failed later, as the real API does
    await advance(VALIDATING)
    failed = await client.fine_tuning.jobs.retrieve(job.id)
    assert failed.status == "failed"
    assert failed.error is not None
    assert failed.error.code == "invalid_training_file"
    assert failed.error.param == "training_file"


async def test_too_few_examples_fail_with_invalid_n_examples(
    client: openai.AsyncOpenAI, upload: Upload, advance: Advance
) -> None:
    training = await upload((FIXTURES / "training" / "too_few.jsonl").read_bytes())
    job = await client.fine_tuning.jobs.create(model="gpt-4o-mini", training_file=training)
    await advance(VALIDATING)
    failed = await client.fine_tuning.jobs.retrieve(job.id)
    assert failed.error is not None
    assert failed.error.code == "invalid_n_examples"
    assert failed.error.message == "Training file has 7 example(s), but must have at least 10 examples"


async def test_a_bad_validation_file_fails_the_job(
    client: openai.AsyncOpenAI, upload: Upload, advance: Advance
) -> None:
    training = await upload()
    validation = await upload(b"not json\n")
    job = await client.fine_tuning.jobs.create(model="gpt-4o-mini", training_file=training, validation_file=validation)
    events = [e.message for e in (await client.fine_tuning.jobs.list_events(job.id)).data]
    assert f"Validating training file: {training} and validation file: {validation}" in events
    await advance(VALIDATING)
    failed = await client.fine_tuning.jobs.retrieve(job.id)
    assert failed.error is not None and failed.error.code == "invalid_validation_file"
    assert failed.error.param == "validation_file"


async def test_a_validation_file_adds_validation_metrics(
    client: openai.AsyncOpenAI, upload: Upload, advance: Advance
) -> None:
    job = await client.fine_tuning.jobs.create(
        model="gpt-4o-mini", training_file=await upload(), validation_file=await upload()
    )
    await advance(60)
    events = [e async for e in client.fine_tuning.jobs.list_events(job.id, limit=50)]
    final = next(e for e in events if e.type == "metrics")
    data: Any = final.to_dict()["data"]
    assert "full_valid_loss" in data
    assert "full validation loss=" in final.message


async def test_pause_and_resume_continue_training(client: openai.AsyncOpenAI, upload: Upload, advance: Advance) -> None:
    job = await client.fine_tuning.jobs.create(model="gpt-4o-mini", training_file=await upload())
    await advance(VALIDATING + QUEUED + 1)
    paused = await client.fine_tuning.jobs.pause(job.id)
    # 'paused' is not in the SDK's status Literal (nor the spec's enum), though the real API answers it.
    assert paused.to_dict()["status"] == "paused"
    assert (await advance(3600))["transitions"] == []
    resumed = await client.fine_tuning.jobs.resume(job.id)
    assert resumed.status == "queued"
    answer = await advance(60)
    assert [t["to"] for t in answer["transitions"]] == ["running", "succeeded"]
    with pytest.raises(openai.BadRequestError, match="'succeeded'"):
        await client.fine_tuning.jobs.pause(job.id)
    with pytest.raises(openai.BadRequestError, match="'succeeded'"):
        await client.fine_tuning.jobs.resume(job.id)


async def test_pause_and_resume_without_end_keep_the_newest_events_only(
    client: openai.AsyncOpenAI, upload: Upload, advance: Advance, http: httpx.AsyncClient
) -> None:
    job = await client.fine_tuning.jobs.create(model="gpt-4o-mini", training_file=await upload())
    await advance(VALIDATING)
    for _ in range(MAX_JOB_EVENTS // 2 + 10):
        await http.post(f"/v1/fine_tuning/jobs/{job.id}/pause")
        await http.post(f"/v1/fine_tuning/jobs/{job.id}/resume")
    events = [event async for event in client.fine_tuning.jobs.list_events(job.id, limit=100)]
    assert len(events) == MAX_JOB_EVENTS
    assert events[0].message == "Fine-tuning job resumed"  # newest first: the oldest were let go


async def test_a_paused_job_can_be_cancelled(client: openai.AsyncOpenAI, upload: Upload, advance: Advance) -> None:
    job = await client.fine_tuning.jobs.create(model="gpt-4o-mini", training_file=await upload())
    await advance(VALIDATING)
    await client.fine_tuning.jobs.pause(job.id)
    assert (await client.fine_tuning.jobs.cancel(job.id)).status == "cancelled"


async def test_list_is_newest_first_and_paginates(client: openai.AsyncOpenAI, upload: Upload) -> None:
    training = await upload()
    ids = [(await client.fine_tuning.jobs.create(model="gpt-4o-mini", training_file=training)).id for _ in range(5)]
    page = await client.fine_tuning.jobs.list(limit=2)
    assert [job.id for job in page.data] == ids[::-1][:2] and page.has_more
    assert [job.id async for job in client.fine_tuning.jobs.list(limit=2)] == ids[::-1]


async def test_list_filters_on_metadata(client: openai.AsyncOpenAI, upload: Upload, http: httpx.AsyncClient) -> None:
    training = await upload()
    a = await client.fine_tuning.jobs.create(model="gpt-4o-mini", training_file=training, metadata={"team": "a"})
    b = await client.fine_tuning.jobs.create(model="gpt-4o-mini", training_file=training, metadata={"team": "b"})
    bare = await client.fine_tuning.jobs.create(model="gpt-4o-mini", training_file=training)
    page = await client.fine_tuning.jobs.list(metadata={"team": "a"})
    assert [job.id for job in page.data] == [a.id]
    assert a.id != b.id
    response = await http.get("/v1/fine_tuning/jobs", params={"metadata": "null"})
    assert [job["id"] for job in response.json()["data"]] == [bare.id]


async def test_unknown_ids_are_404_fine_tune_not_found(client: openai.AsyncOpenAI) -> None:
    calls: list[Awaitable[Any]] = [
        client.fine_tuning.jobs.retrieve("ftjob-nope"),
        client.fine_tuning.jobs.cancel("ftjob-nope"),
        client.fine_tuning.jobs.list_events("ftjob-nope"),
        client.fine_tuning.jobs.checkpoints.list("ftjob-nope"),
        client.fine_tuning.jobs.pause("ftjob-nope"),
        client.fine_tuning.jobs.resume("ftjob-nope"),
    ]
    for call in calls:
        with pytest.raises(openai.NotFoundError) as caught:
            await call
        assert caught.value.code == "fine_tune_not_found"
        assert caught.value.param == "fine_tune_id"
        assert isinstance(caught.value.body, dict)
        assert caught.value.body["message"] == "Could not find fine tune: ftjob-nope"


async def test_dpo_and_reinforcement_methods_echo_their_settings(
    client: openai.AsyncOpenAI, upload: Upload, advance: Advance
) -> None:
    dpo_line = json.dumps(
        {
            "input": {"messages": [{"role": "user", "content": "hi"}]},
            "preferred_output": [{"role": "assistant", "content": "hello"}],
            "non_preferred_output": [{"role": "assistant", "content": "no"}],
        }
    )
    dpo_file = await upload(("\n".join([dpo_line] * 10)).encode())
    dpo = await client.fine_tuning.jobs.create(
        model="gpt-4o-mini", training_file=dpo_file, method={"type": "dpo", "dpo": {"hyperparameters": {"beta": 0.2}}}
    )
    assert dpo.method is not None and dpo.method.dpo is not None
    assert dpo.method.dpo.hyperparameters is not None and dpo.method.dpo.hyperparameters.beta == 0.2

    rft_line = json.dumps({"messages": [{"role": "user", "content": "2+2?"}], "answer": "4"})
    rft_file = await upload(("\n".join([rft_line] * 10)).encode())
    grader: Any = {
        "type": "string_check",
        "name": "exact",
        "input": "{{sample.output_text}}",
        "reference": "{{item.answer}}",
        "operation": "eq",
    }
    rft = await client.fine_tuning.jobs.create(
        model="o4-mini", training_file=rft_file, method={"type": "reinforcement", "reinforcement": {"grader": grader}}
    )
    assert rft.method is not None and rft.method.reinforcement is not None
    await advance(60)
    done = await client.fine_tuning.jobs.retrieve(rft.id)
    assert done.status == "succeeded"
    assert done.method is not None and done.method.reinforcement is not None
    assert done.method.reinforcement.hyperparameters is not None
    assert done.method.reinforcement.hyperparameters.reasoning_effort == "medium"


async def test_a_fine_tuned_model_can_be_fine_tuned_again(
    client: openai.AsyncOpenAI, upload: Upload, advance: Advance
) -> None:
    training = await upload()
    first = await client.fine_tuning.jobs.create(model="gpt-4o-mini", training_file=training, suffix="one")
    await advance(60)
    model = (await client.fine_tuning.jobs.retrieve(first.id)).fine_tuned_model
    assert model is not None
    second = await client.fine_tuning.jobs.create(model=model, training_file=training, suffix="two")
    await advance(60)
    again = await client.fine_tuning.jobs.retrieve(second.id)
    assert again.fine_tuned_model is not None
    assert again.fine_tuned_model.startswith("ft:gpt-4o-mini-2024-07-18:") and ":two:" in again.fine_tuned_model
