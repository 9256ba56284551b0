"""Videos driven by the official SDK (sync and async, strict response validation) on the manual clock."""

from __future__ import annotations

import json
import struct
import zlib
from pathlib import Path
from typing import Any

import httpx
import openai
import pytest

from mockserver import Settings, create_app
from mockserver.kinds import DEFAULT_PHASES
from tests.conftest import Advance, resolve

QUEUED = DEFAULT_PHASES["video.queued"]
IN_PROGRESS = DEFAULT_PHASES["video.in_progress"]
PNG_BYTES = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"
    b"\x00\x00\x00\rIDATx\xdac\xf8\xcf\xc0\xf0\x1f\x00\x05\x00\x01\xff\xa5\xe2\xe1\xa3\x00\x00\x00\x00IEND\xaeB`\x82"
)

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")  # the SDK marks the Sora API deprecated


def boxes(data: bytes) -> list[tuple[bytes, bytes]]:
    """The top-level ISO BMFF boxes of an MP4, as (type, payload); fails unless they tile the file exactly."""
    found, offset = [], 0
    while offset < len(data):
        size, kind = struct.unpack(">I4s", data[offset : offset + 8])
        assert size >= 8 and offset + size <= len(data), f"box {kind!r} overruns the file"
        found.append((kind, data[offset + 8 : offset + size]))
        offset += size
    return found


def png_size(data: bytes) -> tuple[int, int]:
    """Decode a PNG's header and pixel data (CRCs checked); its width and height."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    offset, width, height, pixels = 8, 0, 0, b""
    while offset < len(data):
        (length,) = struct.unpack(">I", data[offset : offset + 4])
        kind, chunk = data[offset + 4 : offset + 8], data[offset + 8 : offset + 8 + length]
        (crc,) = struct.unpack(">I", data[offset + 8 + length : offset + 12 + length])
        assert zlib.crc32(kind + chunk) == crc
        if kind == b"IHDR":
            width, height = struct.unpack(">II", chunk[:8])
        elif kind == b"IDAT":
            pixels += chunk
        offset += 12 + length
    assert len(zlib.decompress(pixels)) == height * (1 + 3 * width)
    return width, height


async def test_a_video_walks_queued_in_progress_completed_with_progress_rising(sdk: Any, advance: Advance) -> None:
    video = await resolve(sdk.videos.create(prompt="A calico cat playing a piano", seconds="8", size="1280x720"))
    assert video.status == "queued" and video.progress == 0 and video.id.startswith("video_")
    assert (video.model, video.seconds, video.size, video.prompt) == (
        "sora-2",
        "8",
        "1280x720",
        "A calico cat playing a piano",
    )
    assert video.completed_at is None and video.expires_at is None and video.error is None
    await advance(QUEUED)
    seen = []
    for _ in range(5):
        current = await resolve(sdk.videos.retrieve(video.id))
        assert current.status == "in_progress"
        seen.append(current.progress)
        await advance(IN_PROGRESS / 5)
    assert seen == sorted(seen) and seen[0] == 0 and seen[-1] > seen[0] and seen[-1] < 100
    done = await resolve(sdk.videos.retrieve(video.id))
    assert done.status == "completed" and done.progress == 100
    assert done.completed_at == video.created_at + QUEUED + IN_PROGRESS
    assert done.expires_at is not None and done.expires_at > done.completed_at


async def test_the_fail_scenario_fails_with_a_real_shaped_error(sdk: Any, advance: Advance) -> None:
    video = await resolve(sdk.videos.create(prompt="x", extra_headers={"x-mock-scenario": "fail"}))
    await advance(QUEUED + IN_PROGRESS)
    failed = await resolve(sdk.videos.retrieve(video.id))
    assert failed.status == "failed" and failed.completed_at is None
    assert failed.error is not None and failed.error.code and failed.error.message
    with pytest.raises(openai.BadRequestError, match="status is 'failed'"):
        await resolve(sdk.videos.download_content(video.id))


async def test_the_stall_scenario_stays_queued_until_forced(
    sdk: Any, advance: Advance, http: httpx.AsyncClient
) -> None:
    video = await resolve(sdk.videos.create(prompt="x", extra_headers={"x-mock-scenario": "stall"}))
    await advance(24 * 3600)
    assert (await resolve(sdk.videos.retrieve(video.id))).status == "queued"
    error = {"code": "moderation_blocked", "message": "Your request was blocked by our moderation system."}
    forced = await http.post(f"/_mock/videos/{video.id}/transition", json={"status": "failed", "error": error})
    assert forced.status_code == 200, forced.text
    assert (await resolve(sdk.videos.retrieve(video.id))).error.code == "moderation_blocked"


async def test_an_unknown_scenario_is_a_400(sdk: Any) -> None:
    with pytest.raises(openai.BadRequestError, match="Supported mock scenarios are: 'succeed', 'fail', 'stall'"):
        await resolve(sdk.videos.create(prompt="x", extra_headers={"x-mock-scenario": "expire"}))


async def test_input_reference_as_an_upload_and_as_an_object(sdk: Any, http: httpx.AsyncClient) -> None:
    uploaded = await resolve(sdk.videos.create(prompt="x", input_reference=("ref.png", PNG_BYTES, "image/png")))
    assert uploaded.status == "queued"
    as_json = await http.post(
        "/v1/videos", json={"prompt": "x", "input_reference": {"image_url": "https://e.test/a.png"}}
    )
    assert as_json.status_code == 200 and as_json.json()["object"] == "video"
    missing = await http.post("/v1/videos", json={"prompt": "x", "input_reference": {"file_id": "file-nope"}})
    assert missing.status_code == 400 and missing.json()["error"]["param"] == "input_reference.file_id"


@pytest.mark.parametrize(
    ("body", "param"),
    [
        ({}, "prompt"),
        ({"prompt": "x", "seconds": 4}, "seconds"),
        ({"prompt": "x", "seconds": "5"}, "seconds"),
        ({"prompt": "x", "size": "1x1"}, "size"),
        ({"prompt": "x", "model": "sora-9"}, "model"),
        ({"prompt": "x", "colour": "red"}, "colour"),
    ],
)
async def test_bad_creates_are_400s_naming_the_field(http: httpx.AsyncClient, body: dict[str, Any], param: str) -> None:
    response = await http.post("/v1/videos", json=body)
    assert response.status_code == 400 and response.json()["error"]["param"] == param


async def test_bad_forms_and_content_types_are_400s(http: httpx.AsyncClient) -> None:
    form = await http.post("/v1/videos", data={"prompt": "x", "input_reference[a][": "y"})
    assert form.status_code == 400
    stray = await http.post("/v1/videos", data={"prompt": "x"}, files={"other": ("a.bin", b"1")})
    assert stray.status_code == 400 and stray.json()["error"]["param"] == "other"
    text = await http.post("/v1/videos", content=b"prompt=x", headers={"content-type": "text/plain"})
    assert text.status_code == 400 and text.json()["error"]["code"] == "invalid_content_type"


async def test_list_pages_newest_first_and_retrieve_and_delete(sdk: Any) -> None:
    made = [(await resolve(sdk.videos.create(prompt=f"v{i}"))).id for i in range(3)]
    page = await resolve(sdk.videos.list(limit=2))
    assert [v.id for v in page.data] == made[::-1][:2] and page.has_more
    rest = await resolve(sdk.videos.list(limit=2, after=page.data[-1].id))
    assert [v.id for v in rest.data] == [made[0]] and not rest.has_more
    oldest = await resolve(sdk.videos.list(order="asc"))
    assert [v.id for v in oldest.data] == made
    deleted = await resolve(sdk.videos.delete(made[1]))
    assert deleted.id == made[1] and deleted.deleted and deleted.object == "video.deleted"
    with pytest.raises(openai.NotFoundError):
        await resolve(sdk.videos.retrieve(made[1]))
    with pytest.raises(openai.NotFoundError):
        await resolve(sdk.videos.delete(made[1]))


async def test_content_variants_open_as_their_media_types(sdk: Any, advance: Advance) -> None:
    video = await resolve(sdk.videos.create(prompt="x", seconds="12"))
    with pytest.raises(openai.BadRequestError, match="status is 'queued'"):
        await resolve(sdk.videos.download_content(video.id))
    await advance(QUEUED + IN_PROGRESS)
    mp4 = await resolve(sdk.videos.download_content(video.id))
    assert mp4.response.headers["content-type"] == "video/mp4"
    found = dict(boxes(mp4.content))
    assert list(found) == [b"ftyp", b"moov", b"mdat"] and found[b"ftyp"][:4] == b"isom"
    mvhd = dict(boxes(found[b"moov"]))[b"mvhd"]
    timescale, duration = struct.unpack(">II", mvhd[12:20])
    assert duration / timescale == 12
    thumbnail = await resolve(sdk.videos.download_content(video.id, variant="thumbnail"))
    assert thumbnail.response.headers["content-type"] == "image/webp"
    webp = thumbnail.content
    assert webp[:4] == b"RIFF" and webp[8:16] == b"WEBPVP8L" and struct.unpack("<I", webp[4:8])[0] == len(webp) - 8
    bits = int.from_bytes(webp[21:25], "little")
    assert webp[20] == 0x2F and ((bits & 0x3FFF) + 1, ((bits >> 14) & 0x3FFF) + 1) == (1, 1)
    sprites = await resolve(sdk.videos.download_content(video.id, variant="spritesheet"))
    assert sprites.response.headers["content-type"] == "image/png"
    assert png_size(sprites.content) == (16 * 12, 9)


async def test_an_unknown_variant_is_a_400(http: httpx.AsyncClient) -> None:
    response = await http.get("/v1/videos/video_x/content", params={"variant": "gif"})
    assert response.status_code == 400 and response.json()["error"]["param"] == "variant"


async def test_remix_edit_and_extend_make_new_videos_from_a_completed_one(
    sdk: Any, advance: Advance, http: httpx.AsyncClient
) -> None:
    source = await resolve(sdk.videos.create(prompt="x", seconds="8", model="sora-2-pro"))
    with pytest.raises(openai.BadRequestError, match="status is 'queued'"):
        await resolve(sdk.videos.remix(source.id, prompt="y"))
    await advance(QUEUED + IN_PROGRESS)
    remix = await resolve(sdk.videos.remix(source.id, prompt="y"))
    assert remix.remixed_from_video_id == source.id and remix.status == "queued" and remix.model == "sora-2-pro"
    edit = await http.post("/v1/videos/edits", json={"prompt": "z", "video": {"id": source.id}})
    assert edit.status_code == 200 and edit.json()["seconds"] == "8" and edit.json()["prompt"] == "z"
    extension = await http.post(
        "/v1/videos/extensions", json={"prompt": "z", "seconds": "4", "video": {"id": source.id}}
    )
    assert extension.status_code == 200 and extension.json()["seconds"] == "12"
    uploaded_edit = await resolve(sdk.videos.edit(prompt="z", video=("in.mp4", b"\x00\x00\x00\x08free")))
    assert uploaded_edit.status == "queued"
    uploaded_extension = await resolve(sdk.videos.extend(prompt="z", seconds="8", video=("in.mp4", b"x")))
    assert uploaded_extension.seconds == "8"
    failing = await resolve(sdk.videos.remix(source.id, prompt="y", extra_headers={"x-mock-scenario": "fail"}))
    await advance(QUEUED + IN_PROGRESS)
    assert (await resolve(sdk.videos.retrieve(failing.id))).status == "failed"
    assert (await resolve(sdk.videos.retrieve(remix.id))).status == "completed"
    unknown = await http.post("/v1/videos/edits", json={"prompt": "z", "video": {"id": "video_nope"}})
    assert unknown.status_code == 404
    missing = await http.post("/v1/videos/extensions", json={"prompt": "z", "seconds": "4"})
    assert missing.status_code == 400 and missing.json()["error"]["param"] == "video"


async def test_characters_are_kept_by_name(sdk: Any, http: httpx.AsyncClient) -> None:
    character = await resolve(sdk.videos.create_character(name="Captain", video=("cameo.mp4", b"x")))
    assert character.id and character.name == "Captain" and character.created_at
    again = await resolve(sdk.videos.get_character(character.id))
    assert (again.id, again.name) == (character.id, "Captain")
    with pytest.raises(openai.NotFoundError):
        await resolve(sdk.videos.get_character("char_nope"))
    no_video = await http.post("/v1/videos/characters", data={"name": "x"})
    assert no_video.status_code == 400 and no_video.json()["error"]["param"] == "video"


async def test_videos_are_per_project(http: httpx.AsyncClient) -> None:
    made = (await http.post("/v1/videos", json={"prompt": "x"}, headers={"OpenAI-Project": "proj_a"})).json()
    other = await http.get(f"/v1/videos/{made['id']}", headers={"OpenAI-Project": "proj_b"})
    assert other.status_code == 404


async def test_a_fixtures_file_seeds_videos_in_any_state(tmp_path: Path) -> None:
    path = tmp_path / "seed.json"
    path.write_text(json.dumps({"videos": [
        {"id": "video_seededdone", "prompt": "a", "seconds": "8", "status": "completed"},
        {"id": "video_seededfail", "prompt": "b", "status": "failed", "error": {"code": "c", "message": "m"}},
        {"id": "video_seededwait", "prompt": "c", "scenario": "stall"},
    ]}))  # fmt: skip
    app = create_app(Settings(clock="manual", fixtures=path))
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as http:
        http.headers["Authorization"] = "Bearer sk-test"
        listed = (await http.get("/v1/videos", params={"order": "asc"})).json()["data"]
        assert [(v["id"], v["status"]) for v in listed] == [
            ("video_seededdone", "completed"), ("video_seededfail", "failed"), ("video_seededwait", "queued")
        ]  # fmt: skip
        assert listed[0]["seconds"] == "8" and listed[1]["error"] == {"code": "c", "message": "m"}
        assert (await http.get("/v1/videos/video_seededdone/content")).headers["content-type"] == "video/mp4"
