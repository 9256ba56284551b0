"""Azure OpenAI, both client styles, with the SDK: the v1 surface (`AzureOpenAI(base_url=".../openai/v1/")`) and the
classic dated one (`AzureOpenAI(azure_endpoint=..., api_version=...)`, which calls `/openai/...?api-version=...`)."""

from __future__ import annotations

from collections.abc import Callable

import httpx
import openai
import pytest

from mockserver import MockServer
from tests.conftest import training_lines

pytestmark = pytest.mark.e2e

Sdk = Callable[..., openai.OpenAI]
ServerFactory = Callable[..., MockServer]
BATCH_INPUT = b'{"custom_id": "a", "method": "POST", "url": "/v1/embeddings", "body": {"model": "m", "input": "x"}}'


@pytest.fixture
def server(mock_server_factory: ServerFactory) -> MockServer:
    return mock_server_factory()


def _classic(sdk: Sdk, server: MockServer, api_version: str, **options: object) -> openai.OpenAI:
    return sdk(
        None, azure=True, azure_endpoint=server.url, api_version=api_version, _strict_response_validation=True,
        **options,
    )  # fmt: skip


def _drive(client: openai.OpenAI) -> None:
    """Upload files, then create, retrieve and cancel a fine-tuning job and a batch."""
    training = client.files.create(file=("t.jsonl", training_lines()), purpose="fine-tune")
    assert client.files.retrieve(training.id).filename == "t.jsonl"
    job = client.fine_tuning.jobs.create(model="gpt-4o-mini", training_file=training.id)
    assert client.fine_tuning.jobs.retrieve(job.id).status == "validating_files"
    assert client.fine_tuning.jobs.cancel(job.id).status == "cancelled"
    batch_file = client.files.create(file=("b.jsonl", BATCH_INPUT), purpose="batch")
    batch = client.batches.create(input_file_id=batch_file.id, endpoint="/v1/embeddings", completion_window="24h")
    assert client.batches.retrieve(batch.id).status == "validating"
    assert client.batches.cancel(batch.id).status == "cancelling"
    assert [f.id for f in client.files.list()] == [batch_file.id, training.id]


@pytest.mark.parametrize("api_version", ["2024-10-21", "preview"])
def test_the_classic_client_with_azure_endpoint(sdk: Sdk, server: MockServer, api_version: str) -> None:
    _drive(_classic(sdk, server, api_version))
    paths = {(entry["method"], entry["path"]) for entry in server.requests()}
    assert ("POST", "/openai/fine_tuning/jobs") in paths and ("POST", "/openai/files") in paths


def test_the_classic_client_with_a_deployment_reaches_the_same_resources(sdk: Sdk, server: MockServer) -> None:
    # With `azure_deployment`, the SDK keeps `/deployments/{name}` for inference routes only; the rest stay at /openai.
    _drive(_classic(sdk, server, "2024-10-21", azure_deployment="my-gpt-4o-mini"))


def test_the_v1_client_with_base_url(sdk: Sdk, server: MockServer) -> None:
    _drive(sdk(f"{server.url}/openai/v1/", azure=True, _strict_response_validation=True))


def test_both_azure_styles_and_openai_share_the_default_project(sdk: Sdk, server: MockServer) -> None:
    classic = _classic(sdk, server, "2024-10-21", api_key="azure-key-1")
    training = classic.files.create(file=("t.jsonl", training_lines()), purpose="fine-tune")
    v1 = sdk(f"{server.url}/openai/v1/", azure=True, api_key="azure-key-2", _strict_response_validation=True)
    job = v1.fine_tuning.jobs.create(model="gpt-4o-mini", training_file=training.id)
    openai_style = sdk(server.base_url, _strict_response_validation=True)
    assert openai_style.fine_tuning.jobs.retrieve(job.id).training_file == training.id


def test_the_classic_surface_needs_a_supported_api_version(server: MockServer) -> None:
    headers = {"api-key": "k"}
    missing = httpx.get(f"{server.url}/openai/fine_tuning/jobs", headers=headers)
    assert missing.status_code == 404
    assert missing.json() == {
        "error": {"message": "Resource not found", "type": "invalid_request_error", "param": None, "code": "404"}
    }
    wrong = httpx.get(f"{server.url}/openai/fine_tuning/jobs", params={"api-version": "v1"}, headers=headers)
    assert wrong.status_code == 400
    assert wrong.json()["error"] == {
        "message": "API version not supported",
        "type": "invalid_request_error",
        "param": "api-version",
        "code": "BadRequest",
    }
    dated = httpx.get(
        f"{server.url}/openai/fine_tuning/jobs", params={"api-version": "2025-04-01-preview"}, headers=headers
    )
    assert dated.status_code == 200
    denied = httpx.get(f"{server.url}/openai/fine_tuning/jobs", params={"api-version": "2024-10-21"})
    assert denied.status_code == 401 and "Access denied" in denied.json()["error"]["message"]
