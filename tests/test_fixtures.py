"""`--fixtures fixtures/seed.json`: files and a job in every state, loaded at start and after each reset."""

from __future__ import annotations

import json
from pathlib import Path

import httpx
import pytest

from mockserver import Settings, create_app
from mockserver.fixtures import FixturesError
from tests.conftest import FIXTURES, AppClient

SEEDED = {
    "ftjob-seedvalidatingfiles0001": "validating_files",
    "ftjob-seedqueued00000000000001": "queued",
    "ftjob-seedrunning0000000000001": "running",
    "ftjob-seedpaused00000000000001": "paused",
    "ftjob-seedsucceeded00000000001": "succeeded",
    "ftjob-seedfailed0000000000001": "failed",
    "ftjob-seedcancelled00000000001": "cancelled",
}


@pytest.fixture
def seeded(app_client: AppClient) -> httpx.AsyncClient:
    app = create_app(Settings(clock="manual", fixtures=FIXTURES / "seed.json", seed=3))
    client = app_client(app)
    client.headers["Authorization"] = "Bearer sk-mock"
    return client


async def test_the_seed_file_holds_a_job_in_every_state(seeded: httpx.AsyncClient) -> None:
    async with seeded as http:
        jobs = (await http.get("/v1/fine_tuning/jobs", params={"limit": 50})).json()["data"]
        assert {job["id"]: job["status"] for job in jobs} == SEEDED
        failed = (await http.get("/v1/fine_tuning/jobs/ftjob-seedfailed0000000000001")).json()
        assert failed["error"]["code"] == "invalid_n_examples"
        succeeded = (await http.get("/v1/fine_tuning/jobs/ftjob-seedsucceeded00000000001")).json()
        assert succeeded["fine_tuned_model"].split(":")[3] == "seeded"
        models = [m["id"] for m in (await http.get("/v1/models")).json()["data"]]
        assert succeeded["fine_tuned_model"] in models
        # Another project sees none of it.
        other = await http.get("/v1/fine_tuning/jobs", headers={"OpenAI-Project": "proj_other"})
        assert other.json()["data"] == []


async def test_reset_brings_the_seed_back(seeded: httpx.AsyncClient) -> None:
    async with seeded as http:
        await http.post("/v1/fine_tuning/jobs/ftjob-seedqueued00000000000001/cancel")
        await http.post("/_mock/reset")
        job = (await http.get("/v1/fine_tuning/jobs/ftjob-seedqueued00000000000001")).json()
        assert job["status"] == "queued"


@pytest.mark.parametrize(
    ("content", "fragment"),
    [
        ("{", "not valid"),
        ('{"files": [{"filename": "a.jsonl", "purpose": "fine-tune"}]}', "exactly one of 'content' or 'path'"),
        ('{"files": [{"filename": "a", "purpose": "fine-tune", "path": "missing.jsonl"}]}', "cannot read"),
        ('{"fine_tuning_jobs": [{"model": "gpt-4o-mini", "training_file": "file-none"}]}', "invalid training_file"),
        ('{"fine_tuning_jobs": [{"model": "gpt-4o-mini"}]}', "fine_tuning_jobs[0]"),
    ],
)
def test_a_broken_seed_file_says_what_is_wrong(tmp_path: Path, content: str, fragment: str) -> None:
    path = tmp_path / "seed.json"
    path.write_text(content)
    with pytest.raises(FixturesError, match=None) as caught:
        create_app(Settings(fixtures=path))
    assert fragment in str(caught.value)


def test_ids_given_twice_are_refused(tmp_path: Path) -> None:
    path = tmp_path / "seed.json"
    entry = {"id": "file-same", "filename": "a.txt", "purpose": "user_data", "content": "x"}
    path.write_text(json.dumps({"files": [entry, entry]}))
    with pytest.raises(FixturesError, match="file-same"):
        create_app(Settings(fixtures=path))


async def test_reset_does_not_read_the_file_again(tmp_path: Path, app_client: AppClient) -> None:
    path = tmp_path / "seed.json"
    path.write_text(json.dumps({"files": [{"id": "file-kept", "filename": "a.txt", "purpose": "user_data",
                                           "content": "x"}]}))  # fmt: skip
    app = create_app(Settings(clock="manual", fixtures=path))
    path.unlink()
    async with app_client(app) as http:
        assert (await http.post("/_mock/reset")).status_code == 200
        listed = await http.get("/v1/files", headers={"Authorization": "Bearer sk-mock"})
        assert [f["id"] for f in listed.json()["data"]] == ["file-kept"]


def test_seed_entries_may_carry_content_inline(tmp_path: Path) -> None:
    path = tmp_path / "seed.json"
    path.write_text(json.dumps({"files": [{"id": "file-inline", "filename": "a.txt", "purpose": "user_data",
                                           "content": "hello"}]}))  # fmt: skip
    app = create_app(Settings(fixtures=path))
    assert app.state.services.store.file_contents["file-inline"] == b"hello"
