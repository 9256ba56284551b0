from __future__ import annotations

import httpx
import openai
import pytest

from tests.conftest import Advance


async def test_upload_retrieve_content_delete(client: openai.AsyncOpenAI) -> None:
    file = await client.files.create(file=("notes.jsonl", b'{"a": 1}\n'), purpose="fine-tune")
    assert file.id.startswith("file-") and len(file.id) == len("file-") + 22
    assert (file.object, file.filename, file.purpose, file.bytes, file.status) == (
        "file", "notes.jsonl", "fine-tune", 9, "processed",
    )  # fmt: skip
    assert (await client.files.retrieve(file.id)).id == file.id
    assert (await client.files.content(file.id)).content == b'{"a": 1}\n'
    deleted = await client.files.delete(file.id)
    assert (deleted.id, deleted.object, deleted.deleted) == (file.id, "file", True)
    with pytest.raises(openai.NotFoundError) as caught:
        await client.files.retrieve(file.id)
    assert caught.value.param == "id"
    assert isinstance(caught.value.body, dict) and caught.value.body["message"] == f"No such File object: {file.id}"


async def test_list_is_newest_first_filters_by_purpose_and_paginates(client: openai.AsyncOpenAI) -> None:
    ids = [(await client.files.create(file=(f"{i}.jsonl", b"{}"), purpose="fine-tune")).id for i in range(3)]
    other = (await client.files.create(file=("doc.txt", b"hello"), purpose="user_data")).id
    page = await client.files.list()
    assert [f.id for f in page.data] == [other, *ids[::-1]]
    assert [f.id for f in (await client.files.list(purpose="fine-tune")).data] == ids[::-1]
    assert [f.id for f in (await client.files.list(order="asc", limit=2)).data] == ids[:2]
    assert [f.id async for f in client.files.list(limit=1)] == [other, *ids[::-1]]


async def test_an_empty_list_has_null_ends(http: httpx.AsyncClient) -> None:
    body = (await http.get("/v1/files")).json()
    assert body == {"object": "list", "data": [], "has_more": False, "first_id": None, "last_id": None}


async def test_batch_files_expire_after_thirty_days_unless_told(client: openai.AsyncOpenAI) -> None:
    batch = await client.files.create(file=("in.jsonl", b"{}"), purpose="batch")
    assert batch.expires_at == batch.created_at + 30 * 24 * 3600
    short = await client.files.create(
        file=("in.jsonl", b"{}"), purpose="batch", expires_after={"anchor": "created_at", "seconds": 3600}
    )
    assert short.expires_at == short.created_at + 3600
    assert (await client.files.create(file=("x.txt", b"x"), purpose="user_data")).expires_at is None


@pytest.mark.parametrize(
    ("files", "data", "param", "fragment"),
    [
        ({"file": ("a.jsonl", b"{}")}, {}, "purpose", "Missing required parameter: 'purpose'"),
        ({"purpose": (None, b"fine-tune")}, {}, "file", "Missing required parameter: 'file'"),
        ({"file": ("a.jsonl", b"{}")}, {"purpose": "fun"}, "purpose", "Invalid value: 'fun'"),
        ({"file": ("a.txt", b"{}")}, {"purpose": "fine-tune"}, "file", "Must be .jsonl"),
        ({"file": ("a.csv", b"{}")}, {"purpose": "batch"}, "file", "Invalid file format for Batch API"),
        ({"file": ("a.jsonl", b"{}")}, {"purpose": "batch", "colour": "red"}, "colour", "Unknown parameter"),
        (
            {"file": ("a.jsonl", b"{}")},
            {"purpose": "batch", "expires_after[anchor]": "created_at", "expires_after[seconds]": "5"},
            "expires_after.seconds",
            "between 3600 and 2592000",
        ),
    ],
)
async def test_bad_uploads_are_400s_naming_the_param(
    http: httpx.AsyncClient, files: dict[str, tuple[str | None, bytes]], data: dict[str, str], param: str, fragment: str
) -> None:
    response = await http.post("/v1/files", files=files, data=data)
    assert response.status_code == 400, response.text
    error = response.json()["error"]
    assert error["param"] == param and fragment in error["message"]
    assert (await http.get("/v1/files")).json()["data"] == []  # nothing half-written


async def test_uploads_must_be_multipart(http: httpx.AsyncClient) -> None:
    response = await http.post("/v1/files", json={"purpose": "fine-tune"})
    assert response.status_code == 400
    assert "multipart/form-data" in response.json()["error"]["message"]


async def test_a_broken_multipart_body_is_a_400(http: httpx.AsyncClient) -> None:
    response = await http.post(
        "/v1/files", content=b"--x\r\ngarbage", headers={"content-type": "multipart/form-data; boundary=x"}
    )
    assert response.status_code == 400
    assert response.json()["error"]["type"] == "invalid_request_error"


async def test_files_keep_simulated_creation_times(client: openai.AsyncOpenAI, advance: Advance) -> None:
    first = await client.files.create(file=("a.jsonl", b"{}"), purpose="fine-tune")
    await advance(90)
    second = await client.files.create(file=("b.jsonl", b"{}"), purpose="fine-tune")
    assert second.created_at - first.created_at == 90
