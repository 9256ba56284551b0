"""Hostile-JSON fuzzing of every route (hypothesis), on top of the spec-driven fuzzing of `test_fuzz.py`.

Bodies are valid requests with one node, at any depth, replaced by something hostile (a lone surrogate, deep nesting,
a huge or non-finite number, unicode digits, NUL, a very long string, a value of the wrong type), or hostile JSON as
a whole, or bytes that are not JSON at all; path parameters and query values get the same treatment. The property:
never a 500, always the error envelope, and after any refused request every read of the project still answers 200.
`make test` runs a few examples per route; `make fuzz` 1000 (MOCKSERVER_HOSTILE_EXAMPLES).
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from typing import Any, cast
from urllib.parse import quote

import httpx
import pytest
from hypothesis import HealthCheck, given, settings, strategies as st
from starlette.routing import Route

from mockserver import Settings, create_app
from mockserver.control.routes import routes as control_routes
from mockserver.routes import resource_routes
from tests.conftest import training_lines

pytestmark = pytest.mark.heavy

EXAMPLES = int(os.environ.get("MOCKSERVER_HOSTILE_EXAMPLES", "12"))
AUTH = {"authorization": "Bearer sk-hostile"}

ROUTES = sorted(
    {("/v1" + route.path, method) for route in resource_routes for method in route.methods or () if method != "HEAD"}
    | {("/_mock" + route.path, method) for route in cast(list[Route], control_routes) for method in route.methods or ()
       if method != "HEAD"}
)  # fmt: skip
READS = ["/v1/files", "/v1/fine_tuning/jobs", "/v1/batches", "/v1/models", "/_mock/requests", "/_mock/webhooks/events"]

CRITERIA = [{"type": "string_check", "name": "x", "input": "{{item.a}}", "reference": "b", "operation": "eq"}]
BATCH_LINE = {"custom_id": "1", "method": "POST", "url": "/v1/chat/completions",
              "body": {"model": "gpt-4o-mini", "messages": [{"role": "user", "content": "hi"}]}}  # fmt: skip


class World:
    """One app per route, with one of each object for path parameters and templates to name."""

    def __init__(self) -> None:
        self.app = create_app(
            Settings(clock="manual", seed=3), webhook_transport=httpx.MockTransport(lambda r: httpx.Response(200))
        )
        # Imported here: starlette's test client needs httpx2, which the openai 2.x run (heavy tests off) lacks.
        from starlette.testclient import TestClient

        self.client = TestClient(self.app, raise_server_exceptions=False)
        self.client.__enter__()
        c = self.client
        self.file = self._ok(c.post("/v1/files", headers=AUTH, files={"file": ("t.jsonl", training_lines())},
                                    data={"purpose": "fine-tune"}))["id"]  # fmt: skip
        batch_input = (json.dumps(BATCH_LINE) + "\n").encode()
        self.batch_file = self._ok(c.post("/v1/files", headers=AUTH, files={"file": ("b.jsonl", batch_input)},
                                          data={"purpose": "batch"}))["id"]  # fmt: skip
        self.job = self._ok(c.post("/v1/fine_tuning/jobs", headers=AUTH, json=self.templates()["job"]))["id"]
        self.batch = self._ok(c.post("/v1/batches", headers=AUTH, json=self.templates()["batch"]))["id"]
        self.eval = self._ok(c.post("/v1/evals", headers=AUTH, json=self.templates()["eval"]))["id"]
        self.run = self._ok(c.post(f"/v1/evals/{self.eval}/runs", headers=AUTH, json=self.templates()["run"]))["id"]
        self.endpoint = self._ok(c.post("/_mock/webhooks/endpoints", json=self.templates()["endpoint"]))["id"]
        self.event = (
            self._ok(c.post(f"/v1/fine_tuning/jobs/{self.job}/cancel", headers=AUTH))
            and (c.get("/_mock/webhooks/events").json()["data"][0]["id"])
        )

    @staticmethod
    def _ok(response: Any) -> Any:
        assert response.status_code == 200, response.text
        return response.json()

    def templates(self) -> dict[str, Any]:
        file = getattr(self, "file", "file-x")
        return {
            "job": {"model": "gpt-4o-mini", "training_file": file, "suffix": "s", "metadata": {"k": "v"},
                    "method": {"type": "supervised", "supervised": {"hyperparameters": {"n_epochs": 2}}}},
            "batch": {"input_file_id": getattr(self, "batch_file", "file-x"), "endpoint": "/v1/chat/completions",
                      "completion_window": "24h", "metadata": {"k": "v"}},
            "eval": {"name": "e", "data_source_config": {"type": "custom", "item_schema": {"type": "object"}},
                     "testing_criteria": CRITERIA},
            "run": {"name": "r", "data_source": {"type": "jsonl", "source": {"type": "file_content",
                                                                             "content": [{"item": {"a": "b"}}]}}},
            "endpoint": {"url": "http://hooks.test/in", "events": ["batch.completed"], "project": "proj_x"},
            "update": {"url": "http://hooks.test/other", "enabled": True, "events": None},
            "rotate": {"secret": "whsec_RdvaYFYUXuIFuEbvZHwMfYFhUf7aMYjYcmM24+Aj40c=", "expire_previous_after": 5},
            "resend": {"endpoint_id": getattr(self, "endpoint", "we_x")},
            "fault": {"method": "GET", "path": "/v1/never/*", "status": 503, "times": 1, "rate": 0.5},
            "advance": {"seconds": 1.5},
            "transition": {"status": "failed", "error": {"code": "x", "message": "m", "param": None}},
        }  # fmt: skip

    def template(self, path: str, method: str) -> Any:
        templates = self.templates()
        key = {
            ("/v1/fine_tuning/jobs", "POST"): "job", ("/v1/batches", "POST"): "batch", ("/v1/evals", "POST"): "eval",
            ("/v1/evals/{eval_id}/runs", "POST"): "run", ("/_mock/webhooks/endpoints", "POST"): "endpoint",
            ("/_mock/webhooks/endpoints/{endpoint_id}", "PATCH"): "update",
            ("/_mock/webhooks/endpoints/{endpoint_id}/rotate", "POST"): "rotate",
            ("/_mock/webhooks/events/{event_id}/resend", "POST"): "resend", ("/_mock/faults", "POST"): "fault",
            ("/_mock/clock/advance", "POST"): "advance",
        }.get((path, method), "transition" if path.endswith("/transition") else None)  # fmt: skip
        return {} if key is None else templates[key]

    def fill(self, path: str, hostile: str | None) -> str:
        ids = {"file_id": self.file, "job_id": self.job, "batch_id": self.batch, "eval_id": self.eval,
               "run_id": self.run, "endpoint_id": self.endpoint, "event_id": self.event, "fault_id": "fault_1",
               "model_id:path": "gpt-4o-mini"}  # fmt: skip
        for name, value in ids.items():
            path = path.replace("{" + name + "}", _quoted(hostile) if hostile is not None else value)
        return path

    def close(self) -> None:
        self.client.__exit__(None, None, None)


def _quoted(text: str) -> str:
    """Percent-encoded as it would arrive from a client that encodes lone surrogates anyway (invalid UTF-8)."""
    return quote(text.encode("utf-8", "surrogatepass"), safe="")


# -- hostile values --------------------------------------------------------------------------------------------------

ANY_CHAR = st.characters(codec=None, categories=None)  # surrogates, NUL and control characters included
HOSTILE_STRINGS = st.one_of(
    st.text(ANY_CHAR, max_size=20),
    st.sampled_from(["\ud800", "a\udfffb", "\x00", "１２", "٣٤", "1e400", "NaN", "-1", "0", "", " ", "auto"]),
    st.integers(1, 300_000).map(lambda n: "x" * n),
)
# In a URL: as hostile, but short enough for the client to send (httpx refuses URLs over 64 KB).
URL_STRINGS = st.one_of(
    st.text(ANY_CHAR, max_size=20),
    st.sampled_from(["\ud800", "a\udfffb", "\x00", "１２", "٣٤", "1e400", "NaN", "-1", "0", "", " ", "..", "%"]),
    st.integers(1, 8_000).map(lambda n: "x" * n),
)
HOSTILE_NUMBERS = st.one_of(
    st.integers(-(10**600), 10**600),
    st.sampled_from([2**63, -(2**63) - 1, 2**64, 0, -1, 1]),
    st.floats(allow_nan=True, allow_infinity=True),
)
LEAVES = st.one_of(HOSTILE_STRINGS, HOSTILE_NUMBERS, st.booleans(), st.none())
NESTED = st.integers(1, 12_000).map(lambda depth: json.loads("[" * min(depth, 900) + "]" * min(depth, 900)))
VALUES = st.recursive(
    st.one_of(LEAVES, NESTED),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(ANY_CHAR, max_size=8), inner, max_size=4),
    max_leaves=8,
)
RAW_BODIES = st.one_of(
    st.binary(max_size=64),
    st.integers(60, 20_000).map(lambda depth: b'{"a": ' + b"[" * depth + b"]" * depth + b"}"),
    st.sampled_from([b'{"a": "\xed\xa0\x80"}', b'{"seconds": 1e999}', b'{"seconds": -Infinity}', b"\xff\xfe{}",
                     b'{"a": ' + b"9" * 5000 + b"}", b"[]", b"null", b'"\\ud800"', b"{" * 100_000]),
)  # fmt: skip


def _nodes(value: Any, path: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    """Every place in a JSON value where something can be put: each member, each item, and a new member."""
    yield path
    if isinstance(value, dict):
        yield (*path, "\x00new")
        for key, item in value.items():
            yield from _nodes(item, (*path, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _nodes(item, (*path, index))


def _replace(value: Any, path: tuple[Any, ...], new: Any) -> Any:
    if not path:
        return new
    head, rest = path[0], path[1:]
    if isinstance(value, dict):
        return {**value, head: _replace(value.get(head), rest, new)}
    copy = list(value)
    copy[head] = _replace(copy[head], rest, new)
    return copy


@st.composite
def bodies(draw: st.DrawFn, template: Any) -> bytes:
    kind = draw(st.sampled_from(["mutated", "mutated", "mutated", "whole", "raw"]))
    if kind == "raw":
        return draw(RAW_BODIES)
    if kind == "whole":
        value = draw(VALUES)
    else:
        path = draw(st.sampled_from(list(_nodes(template))))
        value = _replace(template, path, draw(VALUES))
    try:
        return json.dumps(value, allow_nan=True).encode()
    except (ValueError, RecursionError):  # more digits than Python prints, or deeper than json.dumps goes
        return b'{"a": ' + b"9" * 5000 + b"}"


QUERY = st.dictionaries(
    st.sampled_from(["limit", "after", "order", "purpose", "status", "event_type", "path", "x\x00"]),
    URL_STRINGS,
    max_size=3,
)
FORM_TEXT = st.text(st.characters(codec="utf-8"), max_size=30) | st.sampled_from(
    ["１２", "\x00", "9" * 5000, "x" * 70_000]
)


# -- the property ----------------------------------------------------------------------------------------------------


def _check(world: World, response: Any, what: str) -> None:
    """`response` is starlette's test client's (httpx2's), not httpx's."""
    assert response.status_code < 500, (what, response.status_code, response.text[:500])
    if response.status_code >= 400:
        error = response.json()["error"]
        assert set(error) == {"message", "type", "param", "code"}, (what, error)
        assert isinstance(error["message"], str) and error["message"], (what, error)
        world.client.delete("/_mock/faults")  # a fault created by an earlier example must not answer the reads
        for read in READS:
            answer = world.client.get(read, headers=AUTH)
            assert answer.status_code == 200, (what, read, answer.text[:500])
        assert world.client.get(f"/v1/fine_tuning/jobs/{world.job}/events", headers=AUTH).status_code in (200, 404)


@pytest.fixture(scope="module")
def worlds() -> Iterator[dict[tuple[str, str], World]]:
    built: dict[tuple[str, str], World] = {}
    yield built
    for world in built.values():
        world.close()


@pytest.mark.parametrize(("path", "method"), ROUTES, ids=[f"{method} {path}" for path, method in ROUTES])
def test_no_hostile_input_breaks_a_route(path: str, method: str, worlds: dict[tuple[str, str], World]) -> None:
    world = worlds.setdefault((path, method), World())
    template = world.template(path, method)

    if (path, method) == ("/v1/files", "POST"):

        @given(fields=st.dictionaries(st.sampled_from(["purpose", "expires_after[anchor]", "expires_after[seconds]",
                                                        "extra", "file"]), FORM_TEXT, max_size=4),
               content=st.binary(max_size=256), filename=FORM_TEXT)  # fmt: skip
        @settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck), database=None)
        def upload(fields: dict[str, str], content: bytes, filename: str) -> None:
            files = {"file": (filename or "f", content)}
            response = world.client.post(path, headers=AUTH, data=fields, files=files)
            _check(world, response, f"{method} {path} {fields!r}")

        upload()
        return

    @given(body=bodies(template), query=QUERY, hostile_id=st.none() | URL_STRINGS)
    @settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck), database=None)
    def request(body: bytes, query: dict[str, str], hostile_id: str | None) -> None:
        url = world.fill(path, hostile_id if "{" in path else None)
        if query:
            url += "?" + "&".join(f"{_quoted(name)}={_quoted(value)}" for name, value in query.items())
        content = body if method in ("POST", "PATCH", "DELETE") else None
        headers = {**AUTH, "content-type": "application/json"}
        response = world.client.request(method, url, content=content, headers=headers)
        _check(world, response, f"{method} {url} {body[:200]!r}")

    request()
