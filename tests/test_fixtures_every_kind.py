"""A fixtures file can hold an object of every kind, each with a chosen id, in a chosen state; its format has one
JSON Schema, shipped in the package and derived from the loader's own models."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, cast

import jsonschema
import openai
import pytest
from starlette.applications import Starlette

from mockserver import Settings, create_app
from mockserver.examples import example_path
from mockserver.fixtures import SCHEMA_PATH, FixturesError, json_schema
from mockserver.kinds import KINDS
from tests.conftest import BASE_URL, AppClient, training_lines
from tests.test_evals import CONFIG, CRITERIA, JSONL

BATCH_LINE = {"custom_id": "a", "method": "POST", "url": "/v1/embeddings", "body": {"model": "m", "input": "x"}}
EVERY_KIND: dict[str, Any] = {
    "files": [
        {"id": "file-chosentraining0000001", "filename": "t.jsonl", "purpose": "fine-tune",
         "content": training_lines().decode()},
        {"id": "file-chosenbatchinput00001", "filename": "b.jsonl", "purpose": "batch",
         "content": json.dumps(BATCH_LINE) + "\n"},
    ],
    "evals": [
        {"id": "eval_chosen0000000000000000000000001", "data_source_config": CONFIG, "testing_criteria": CRITERIA},
    ],
    "webhook_endpoints": [
        {"id": "we_chosen000000000000000001", "url": "http://127.0.0.1:9/hooks", "name": "seeded",
         "event_types": ["batch.completed"], "secret": "whsec_" + "QUJD" * 8},
    ],
    "fine_tuning_jobs": [
        {"id": "ftjob-chosen00000000000000001", "status": "succeeded", "model": "gpt-4o-mini",
         "training_file": "file-chosentraining0000001"},
    ],
    "batches": [
        {"id": "batch_chosen000000000000000000000001", "status": "in_progress", "scenario": "stall",
         "input_file_id": "file-chosenbatchinput00001", "endpoint": "/v1/embeddings", "completion_window": "24h"},
    ],
    "eval_runs": [
        {"id": "evalrun_chosen00000000000000000000001", "status": "canceled",
         "eval_id": "eval_chosen0000000000000000000000001", "data_source": JSONL},
    ],
    "videos": [{"id": "video_chosen000000000000000000000001", "status": "completed", "prompt": "A lake at dawn"}],
    "responses": [
        {"id": "resp_chosen000000000000000000000000000000000000000001", "status": "in_progress", "scenario": "stall",
         "model": "gpt-4o-mini", "input": "Say hello.", "background": True},
    ],
}  # fmt: skip


@pytest.fixture
def every_kind(tmp_path: Path) -> Starlette:
    path = tmp_path / "fixtures.json"
    path.write_text(json.dumps(EVERY_KIND, indent=2))
    return create_app(Settings(clock="manual", fixtures=path))


def test_the_file_names_every_kind_that_can_be_seeded() -> None:
    missing = {kind.name for kind in KINDS if kind.seedable} - set(EVERY_KIND)
    assert not missing, f"add an object of each new kind to this test's file: {missing}"


async def test_each_seeded_object_answers_by_its_chosen_id(every_kind: Starlette, app_client: AppClient) -> None:
    async with app_client(every_kind) as http:
        http.headers["Authorization"] = "Bearer sk-any"  # the fixtures' default project is every key's

        def sdk(*, strict: bool) -> openai.AsyncOpenAI:
            return openai.AsyncOpenAI(
                api_key="sk-any", base_url=f"{BASE_URL}/v1", http_client=cast(Any, http), max_retries=0,
                _strict_response_validation=strict,
            )  # fmt: skip

        strict, lenient = sdk(strict=True), sdk(strict=False)  # eval runs: see KNOWN_DIFFERENCES
        job = await strict.fine_tuning.jobs.retrieve("ftjob-chosen00000000000000001")
        assert job.status == "succeeded" and job.training_file == "file-chosentraining0000001"
        assert (await strict.batches.retrieve("batch_chosen000000000000000000000001")).status == "in_progress"
        evaluation = await lenient.evals.retrieve("eval_chosen0000000000000000000000001")
        run = await lenient.evals.runs.retrieve("evalrun_chosen00000000000000000000001", eval_id=evaluation.id)
        assert run.status == "canceled"
        response = await strict.responses.retrieve("resp_chosen000000000000000000000000000000000000000001")
        assert response.status == "in_progress"
        video = (await http.get("/v1/videos/video_chosen000000000000000000000001")).json()
        assert (video["status"], video["progress"]) == ("completed", 100)
        listed = (await http.get("/v1/webhook_endpoints")).json()["data"]
        assert [endpoint["id"] for endpoint in listed] == ["we_chosen000000000000000001"]
    assert every_kind.state.services.endpoints.get("we_chosen000000000000000001").secret == "whsec_" + "QUJD" * 8


@pytest.mark.parametrize(
    ("section", "entry", "reason"),
    [
        (
            "files",
            {"id": "batch_0001", "filename": "a", "purpose": "user_data", "content": "x"},
            "it starts with 'file-'",
        ),
        ("fine_tuning_jobs", {"id": "job-1", "model": "gpt-4o-mini", "training_file": "f"}, "it starts with 'ftjob-'"),
        ("eval_runs", {"id": "evalrun_", "eval_id": "eval_x"}, "it starts with 'evalrun_'"),
    ],
)
def test_an_id_in_a_wrong_format_is_refused_with_its_line(
    tmp_path: Path, section: str, entry: dict[str, Any], reason: str
) -> None:
    path = tmp_path / "fixtures.json"
    path.write_text(json.dumps({section: [entry]}, indent=2))
    with pytest.raises(FixturesError) as refused:
        create_app(Settings(fixtures=path))
    assert f"{section}[0] (line 4): id {entry['id']!r} is not in this kind's format ({reason})" in str(refused.value)


def test_an_id_given_twice_is_refused_with_the_line_of_the_second(tmp_path: Path) -> None:
    path = tmp_path / "fixtures.json"
    entry = {"id": "file-same", "filename": "a", "purpose": "user_data", "content": "x"}
    path.write_text(json.dumps({"files": [entry, entry]}, indent=2))
    with pytest.raises(FixturesError) as refused:
        create_app(Settings(fixtures=path))
    assert "files[1] (line 10): id 'file-same' is given more than once (first in files[0])" in str(refused.value)


def test_the_shipped_schema_is_the_loaders_own() -> None:
    assert json.loads(SCHEMA_PATH.read_text()) == json_schema(), "run: mockserver fixtures schema > " + str(SCHEMA_PATH)


@pytest.mark.parametrize(
    "document", [EVERY_KIND, json.loads(example_path().read_text())], ids=["every-kind", "example"]
)
def test_the_schema_accepts_what_the_loader_loads(document: dict[str, Any]) -> None:
    jsonschema.Draft202012Validator(json_schema()).validate(document)


def test_the_schema_refuses_what_the_loader_refuses(tmp_path: Path) -> None:
    document: dict[str, Any] = {"fine_tuning_jobz": []}
    with pytest.raises(jsonschema.ValidationError, match="fine_tuning_jobz"):
        jsonschema.Draft202012Validator(json_schema()).validate(document)
    path = tmp_path / "fixtures.json"
    path.write_text(json.dumps(document))
    with pytest.raises(FixturesError, match="fine_tuning_jobz"):
        create_app(Settings(fixtures=path))
