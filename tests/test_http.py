"""The HTTP surface: both URL styles and their auth, projects, headers, and every kind of bad input."""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from typing import Any, cast

import httpx
import openai
import pytest

from mockserver import Settings, create_app
from tests.conftest import API_KEY, BASE_URL, AppClient

Upload = Callable[..., Awaitable[str]]


async def test_every_response_carries_the_openai_headers(http: httpx.AsyncClient) -> None:
    for response in (await http.get("/v1/models"), await http.get("/v1/nope"), await http.get("/_mock/health")):
        assert re.fullmatch(r"req_[0-9a-f]{32}", response.headers["x-request-id"])
        assert response.headers["openai-version"] == "2020-10-01"
        assert response.headers["openai-processing-ms"].isdigit()
        assert response.headers["openai-organization"].startswith("org-")


async def test_the_sdk_exposes_the_request_id(client: openai.AsyncOpenAI) -> None:
    raw = await client.models.with_raw_response.list()
    assert raw.request_id is not None and raw.request_id.startswith("req_")


async def test_a_missing_key_is_the_real_401(http: httpx.AsyncClient) -> None:
    response = await http.get("/v1/models", headers={"Authorization": ""})
    assert response.status_code == 401
    error = response.json()["error"]
    assert error["message"].startswith("You didn't provide an API key.")
    assert (error["type"], error["param"], error["code"]) == ("invalid_request_error", None, None)


async def test_the_azure_style_takes_api_key_or_bearer_and_checks_api_version(http: httpx.AsyncClient) -> None:
    assert (await http.get("/openai/v1/models", headers={"Authorization": "", "api-key": "k"})).status_code == 200
    assert (await http.get("/openai/v1/models?api-version=preview")).status_code == 200
    denied = await http.get("/openai/v1/models", headers={"Authorization": ""})
    assert denied.status_code == 401 and "Access denied" in denied.json()["error"]["message"]
    old = await http.get("/openai/v1/models?api-version=2024-10-21")
    assert old.status_code == 400 and old.json()["error"]["param"] == "api-version"


async def test_azure_openai_client_drives_fine_tuning(app: Any, upload: Upload, app_client: AppClient) -> None:
    async with app_client(app) as http_client:
        azure = openai.AsyncAzureOpenAI(
            api_key=API_KEY,
            base_url=f"{BASE_URL}/openai/v1/",
            api_version="preview",
            http_client=cast(Any, http_client),
        )
        # Same key, so the same project as the OpenAI-style client that uploaded the file.
        job = await azure.fine_tuning.jobs.create(model="gpt-4o-mini", training_file=await upload())
        assert (await azure.fine_tuning.jobs.cancel(job.id)).status == "cancelled"


async def test_api_keys_are_enforced_when_configured(app_client: AppClient) -> None:
    app = create_app(Settings(clock="manual", api_keys=("sk-good",)))
    async with app_client(app) as http:
        ok = await http.get("/v1/models", headers={"Authorization": "Bearer sk-good"})
        assert ok.status_code == 200
        bad = await http.get("/v1/models", headers={"Authorization": "Bearer sk-wrong-key-1234"})
        assert bad.status_code == 401
        assert bad.json()["error"]["code"] == "invalid_api_key"
        assert "sk-wrong-key-1234" not in bad.text and "1234" in bad.json()["error"]["message"]
        assert bad.headers["www-authenticate"] == 'Bearer realm="OpenAI API"'
        azure = await http.get("/openai/v1/models", headers={"api-key": "sk-wrong"})
        assert azure.status_code == 401


async def test_projects_do_not_see_each_other(
    http: httpx.AsyncClient, client: openai.AsyncOpenAI, upload: Upload
) -> None:
    job = await client.fine_tuning.jobs.create(model="gpt-4o-mini", training_file=await upload())
    for headers in ({"OpenAI-Project": "proj_other"}, {"Authorization": "Bearer sk-other", "OpenAI-Project": "p"}):
        assert (await http.get(f"/v1/fine_tuning/jobs/{job.id}", headers=headers)).status_code == 404
        assert (await http.post(f"/v1/fine_tuning/jobs/{job.id}/cancel", headers=headers)).status_code == 404
        assert (await http.get("/v1/fine_tuning/jobs", headers=headers)).json()["data"] == []
        assert (await http.get("/v1/files", headers=headers)).json()["data"] == []
    # The same project, whichever key it is reached with.
    scoped = await http.post(
        "/v1/files",
        files={"file": ("t.jsonl", b"{}")},
        data={"purpose": "fine-tune"},
        headers={"Authorization": "Bearer sk-a", "OpenAI-Project": "proj_shared"},
    )
    listed = await http.get("/v1/files", headers={"Authorization": "Bearer sk-b", "OpenAI-Project": "proj_shared"})
    assert [f["id"] for f in listed.json()["data"]] == [scoped.json()["id"]]
    assert (await client.fine_tuning.jobs.retrieve(job.id)).status == "validating_files"


async def test_unknown_routes_and_wrong_methods(http: httpx.AsyncClient) -> None:
    missing = await http.post("/v1/chat/completions/chat/completions", json={})
    assert missing.status_code == 404
    assert missing.json()["error"]["code"] == "unknown_url"
    assert "POST /v1/chat/completions/chat/completions" in missing.json()["error"]["message"]
    wrong = await http.get("/v1/fine_tuning/jobs/ftjob-x/cancel")
    assert wrong.status_code == 405 and wrong.headers["allow"] == "POST"
    assert (await http.delete("/v1/fine_tuning/jobs")).status_code == 405
    assert (await http.get("/elsewhere")).status_code == 404


BAD_CREATE_BODIES: list[tuple[Any, str | None, str | None]] = [
    ({"training_file": "F"}, "model", "missing_required_parameter"),
    ({"model": "gpt-4o-mini"}, "training_file", "missing_required_parameter"),
    ({"model": 4, "training_file": "F"}, "model", "invalid_type"),
    ({"model": "gpt-4o-mini", "training_file": "F", "seed": "1"}, "seed", "invalid_type"),
    ({"model": "gpt-4o-mini", "training_file": "F", "seed": -1}, "seed", "integer_below_min_value"),
    ({"model": "gpt-4o-mini", "training_file": "F", "seed": 2**31}, "seed", "integer_above_max_value"),
    ({"model": "gpt-4o-mini", "training_file": "F", "suffix": "x" * 65}, "suffix", "string_above_max_length"),
    ({"model": "gpt-4o-mini", "training_file": "F", "suffix": ""}, "suffix", "empty_string"),
    ({"model": "gpt-4o-mini", "training_file": "F", "hyperparameters": {"n_epochs": 0}}, "hyperparameters.n_epochs",
     "integer_below_min_value"),
    ({"model": "gpt-4o-mini", "training_file": "F", "hyperparameters": {"batch_size": 257}},
     "hyperparameters.batch_size", "integer_above_max_value"),
    ({"model": "gpt-4o-mini", "training_file": "F", "hyperparameters": {"n_epochs": "many"}},
     "hyperparameters.n_epochs", "invalid_type"),
    ({"model": "gpt-4o-mini", "training_file": "F", "hyperparameters": {"learning_rate_multiplier": -1}},
     "hyperparameters.learning_rate_multiplier", "decimal_below_min_value"),
    ({"model": "gpt-4o-mini", "training_file": "F", "hyperparameters": {"epochs": 3}}, "hyperparameters.epochs",
     "unknown_parameter"),
    ({"model": "gpt-4o-mini", "training_file": "F", "method": {"type": "lora"}}, "method.type", "invalid_value"),
    ({"model": "gpt-4o-mini", "training_file": "F", "method": {"type": "dpo", "dpo": {"hyperparameters": {"beta": 3}}}},
     "method.dpo.hyperparameters.beta", "decimal_above_max_value"),
    ({"model": "gpt-4o-mini", "training_file": "F", "method": {"type": "supervised", "dpo": {}}}, "method",
     "invalid_value"),
    ({"model": "o4-mini", "training_file": "F", "method": {"type": "reinforcement"}}, "method", "invalid_value"),
    ({"model": "gpt-4o-mini", "training_file": "F", "metadata": {"k": 1}}, "metadata", "invalid_type"),
    ({"model": "gpt-4o-mini", "training_file": "F", "metadata": {"k" * 65: "v"}}, "metadata",
     "string_above_max_length"),
    ({"model": "gpt-4o-mini", "training_file": "F", "metadata": {"k": "v" * 513}}, "metadata",
     "string_above_max_length"),
    ({"model": "gpt-4o-mini", "training_file": "F", "metadata": {f"k{i}": "v" for i in range(17)}}, "metadata",
     "object_above_max_properties"),
    ({"model": "gpt-4o-mini", "training_file": "F", "integrations": [{"type": "wandb", "wandb": {}}]},
     "integrations[0].wandb.project", "missing_required_parameter"),
    ({"model": "gpt-4o-mini", "training_file": "F", "integrations": [{"type": "slack"}]}, "integrations[0].type",
     "invalid_value"),
    ({"model": "gpt-4o-mini", "training_file": "F", "colour": "red"}, "colour", "unknown_parameter"),
    ({"model": "gpt-4o-mini", "training_file": "F", "hyperparameters": {}, "method": {"type": "supervised"}},
     "hyperparameters", None),  # fmt: skip
    ({"model": "gpt-5-turbo", "training_file": "F"}, "model", "model_not_available"),
    ({"model": "gpt-4o-mini", "training_file": "F", "method": {"type": "reinforcement", "reinforcement": {
        "grader": {"type": "python", "name": "g", "source": "def grade(s, i): return 1"}}}}, "model",
     "model_not_available"),
    ({"model": "gpt-4o-mini", "training_file": "file-unknown"}, "training_file", None),
    ({"model": "gpt-4o-mini", "training_file": "F", "validation_file": "file-unknown"}, "validation_file", None),
    ([1, 2], None, "invalid_type"),
]  # fmt: skip


@pytest.mark.parametrize(("body", "param", "code"), BAD_CREATE_BODIES)
async def test_every_bad_create_is_a_400_naming_the_field(
    http: httpx.AsyncClient, upload: Upload, body: Any, param: str | None, code: str | None
) -> None:
    training = await upload()
    if isinstance(body, dict):
        body = {key: training if value == "F" else value for key, value in body.items()}
    response = await http.post("/v1/fine_tuning/jobs", json=body)
    assert response.status_code == 400, response.text
    error = response.json()["error"]
    assert (error["type"], error["param"], error["code"]) == ("invalid_request_error", param, code)
    assert error["message"]
    assert (await http.get("/v1/fine_tuning/jobs")).json()["data"] == []  # nothing half-written


async def test_a_file_with_another_purpose_cannot_train(http: httpx.AsyncClient, upload: Upload) -> None:
    other = await upload(b"{}", filename="notes.txt", purpose="user_data")
    response = await http.post("/v1/fine_tuning/jobs", json={"model": "gpt-4o-mini", "training_file": other})
    assert response.status_code == 400
    assert response.json()["error"]["param"] == "training_file"
    assert "'user_data'" in response.json()["error"]["message"]


@pytest.mark.parametrize(
    ("content", "headers", "fragment"),
    [
        (b"{not json", {}, "We could not parse the JSON body"),
        (b"", {}, "You must provide a JSON body"),
        (b'"a string"', {}, "expected an object"),
        (b"\xff\xfe", {}, "We could not parse the JSON body"),
        (b"model=x", {"content-type": "application/x-www-form-urlencoded"}, "expected application/json"),
    ],
)
async def test_unreadable_bodies_are_400s(
    http: httpx.AsyncClient, content: bytes, headers: dict[str, str], fragment: str
) -> None:
    response = await http.post("/v1/fine_tuning/jobs", content=content, headers=headers)
    assert response.status_code == 400
    assert fragment in response.json()["error"]["message"]


async def test_an_unknown_scenario_is_a_400(http: httpx.AsyncClient, upload: Upload) -> None:
    body = {"model": "gpt-4o-mini", "training_file": await upload()}
    by_header = await http.post("/v1/fine_tuning/jobs", json=body, headers={"x-mock-scenario": "explode"})
    assert by_header.status_code == 400 and by_header.json()["error"]["param"] == "x-mock-scenario"
    by_metadata = await http.post("/v1/fine_tuning/jobs", json={**body, "metadata": {"mock_scenario": "expire"}})
    assert by_metadata.status_code == 400 and by_metadata.json()["error"]["param"] == "metadata.mock_scenario"


async def test_cancel_refuses_a_body_with_parameters(http: httpx.AsyncClient, upload: Upload) -> None:
    job = (
        await http.post("/v1/fine_tuning/jobs", json={"model": "gpt-4o-mini", "training_file": await upload()})
    ).json()
    refused = await http.post(f"/v1/fine_tuning/jobs/{job['id']}/cancel", json={"now": True})
    assert refused.status_code == 400 and refused.json()["error"]["param"] == "now"
    assert (await http.post(f"/v1/fine_tuning/jobs/{job['id']}/cancel", json={})).json()["status"] == "cancelled"


@pytest.mark.parametrize("query", ["limit=0", "limit=abc", "after=ftjob-unknown"])
async def test_bad_list_parameters_are_400s(http: httpx.AsyncClient, query: str) -> None:
    response = await http.get(f"/v1/fine_tuning/jobs?{query}")
    assert response.status_code == 400
    assert response.json()["error"]["param"] == query.split("=")[0]


async def test_oversized_bodies_are_413s(app_client: AppClient) -> None:
    app = create_app(Settings(clock="manual", max_body_bytes=1000))
    async with app_client(app) as http:
        http.headers["Authorization"] = f"Bearer {API_KEY}"
        declared = await http.post("/v1/fine_tuning/jobs", json={"model": "m" * 2000})
        assert declared.status_code == 413
        assert declared.json()["error"]["code"] == "request_too_large"

        async def stream() -> Any:
            for _ in range(5):
                yield b"x" * 400

        chunked = await http.post("/v1/fine_tuning/jobs", content=stream())
        assert chunked.status_code == 413
        upload = await http.post("/v1/files", files={"file": ("a.jsonl", b"x" * 5000)}, data={"purpose": "batch"})
        assert upload.status_code == 413
        assert (await http.get("/v1/files")).json()["data"] == []


async def test_models_list_and_retrieve(client: openai.AsyncOpenAI, http: httpx.AsyncClient) -> None:
    ids = [model.id async for model in client.models.list()]
    assert "gpt-4o-mini-2024-07-18" in ids
    assert (await client.models.retrieve("gpt-4o-mini")).object == "model"
    with pytest.raises(openai.NotFoundError) as caught:
        await client.models.retrieve("ft:123")
    assert caught.value.code == "model_not_found" and caught.value.param == "model"
    assert (await http.delete("/v1/models/gpt-4o-mini")).status_code == 403


async def test_every_kind_of_object_is_invisible_to_other_projects(
    http: httpx.AsyncClient, client: openai.AsyncOpenAI, upload: Upload
) -> None:
    training = await upload()
    job = await client.fine_tuning.jobs.create(model="gpt-4o-mini", training_file=training, suffix="mine")
    await http.post(f"/_mock/fine_tuning/jobs/{job.id}/transition", json={"status": "succeeded"})
    model = (await client.fine_tuning.jobs.retrieve(job.id)).fine_tuned_model
    batch_input = b'{"custom_id": "a", "method": "POST", "url": "/v1/embeddings", "body": {"model": "m", "input": "x"}}'
    batch_file = await upload(batch_input, filename="b.jsonl", purpose="batch")
    batch = await client.batches.create(input_file_id=batch_file, endpoint="/v1/embeddings", completion_window="24h")
    criteria: Any = [{"type": "string_check", "name": "n", "input": "a", "reference": "b", "operation": "eq"}]
    evaluation = await client.evals.create(
        data_source_config={"type": "custom", "item_schema": {}}, testing_criteria=criteria
    )
    source: Any = {"type": "jsonl", "source": {"type": "file_content", "content": [{"item": {}}]}}
    run = await client.evals.runs.create(evaluation.id, data_source=source)
    other = {"OpenAI-Project": "proj_someone_else"}
    for path in (
        f"/v1/fine_tuning/jobs/{job.id}", f"/v1/fine_tuning/jobs/{job.id}/events",
        f"/v1/fine_tuning/jobs/{job.id}/checkpoints", f"/v1/files/{training}", f"/v1/files/{training}/content",
        f"/v1/models/{model}", f"/v1/batches/{batch.id}", f"/v1/evals/{evaluation.id}",
        f"/v1/evals/{evaluation.id}/runs", f"/v1/evals/{evaluation.id}/runs/{run.id}",
    ):  # fmt: skip
        assert (await http.get(path, headers=other)).status_code == 404, path
    for path in (f"/v1/fine_tuning/jobs/{job.id}/cancel", f"/v1/batches/{batch.id}/cancel",
                 f"/v1/evals/{evaluation.id}/runs/{run.id}"):  # fmt: skip
        assert (await http.post(path, headers=other)).status_code == 404, path
    assert (await http.delete(f"/v1/files/{training}", headers=other)).status_code == 404
    assert (await http.delete(f"/v1/models/{model}", headers=other)).status_code == 404
    for path in ("/v1/fine_tuning/jobs", "/v1/files", "/v1/batches"):
        assert (await http.get(path, headers=other)).json()["data"] == [], path
    assert model not in [m["id"] for m in (await http.get("/v1/models", headers=other)).json()["data"]]
    # Another project cannot train on, batch or evaluate this project's files either.
    refused = await http.post(
        "/v1/fine_tuning/jobs", json={"model": "gpt-4o-mini", "training_file": training}, headers=other
    )
    assert refused.status_code == 400 and refused.json()["error"]["param"] == "training_file"
    # And everything is still there for its owner.
    assert (await client.batches.retrieve(batch.id)).id == batch.id
