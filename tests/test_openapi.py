"""The spec check that every test's responses pass through must itself be sound, or it proves nothing."""

from __future__ import annotations

import httpx
import pytest
from starlette.applications import Starlette
from starlette.routing import Route

from mockserver.routing import RouteTable
from tests.openapi import KNOWN_DIFFERENCES, NEWER_THAN_THE_SPEC, Spec, load_document, newer_than_the_spec


def _api_routes(app: Starlette) -> list[tuple[str, str]]:
    routes: list[tuple[str, str]] = []
    (table,) = [route for route in app.routes if isinstance(route, RouteTable)]
    for route in table.routes:
        assert isinstance(route, Route)
        if route.path.startswith("/v1/"):
            routes += [(method, route.path) for method in sorted(route.methods or ()) if method != "HEAD"]
    return routes


def _concrete(path: str) -> str:
    return path.replace("{model_id:path}", "ft:gpt-4o-mini:org::abc").replace("{", "").replace("}", "")


def test_every_route_we_serve_is_an_operation_of_the_spec(app: Starlette, spec: Spec) -> None:
    routes = _api_routes(app)
    assert len(routes) >= 16
    for method, path in routes:
        concrete = _concrete(path)
        if newer_than_the_spec(concrete.removeprefix("/v1")):
            continue
        assert spec.operation(method, concrete) is not None, f"{method} {path} is not in OpenAI's spec"


def test_the_routes_newer_than_the_spec_are_served_and_still_missing_from_it(app: Starlette, spec: Spec) -> None:
    newer = [(method, path) for method, path in _api_routes(app) if newer_than_the_spec(_concrete(path)[3:])]
    for pattern in NEWER_THAN_THE_SPEC:
        assert any(pattern.match(_concrete(path)[3:]) for _, path in newer), f"nothing we serve is {pattern.pattern}"
    for method, path in newer:
        assert spec.operation(method, _concrete(path)) is None, f"{method} {path} is in the spec now: check it there"


def test_a_wrong_object_is_caught(spec: Spec) -> None:
    assert spec.schema_errors("FineTuningJob", {"id": "ftjob-x"})
    assert spec.schema_errors("ErrorResponse", {"error": {"message": "m"}})
    errors = spec.response_errors("GET", "/v1/files", 200, b'{"object": "list", "data": [{"id": 3}]}')
    assert errors and any("data/0" in error for error in errors)
    assert spec.response_errors("GET", "/v1/made/up", 200, b"{}") == [
        "GET /v1/made/up answered 200, but the spec has no such operation"
    ]


@pytest.mark.parametrize("name", sorted({schema for schema, _, _ in KNOWN_DIFFERENCES}))
def test_each_known_difference_is_still_a_difference_in_the_published_spec(name: str) -> None:
    schema = load_document()["components"]["schemas"][name]
    if name == "FineTuningJob":
        assert "paused" not in schema["properties"]["status"]["enum"]
    elif name == "OpenAIFile":
        assert schema["properties"]["expires_at"]["type"] == "integer"
        assert "evals" not in schema["properties"]["purpose"]["enum"]
    elif name == "EvalRun":
        for key in ("error", "per_model_usage", "per_testing_criteria_results"):
            assert "null" not in str(schema["properties"][key])
    elif name == "EvalRunOutputItem":
        assert "null" not in str(schema["properties"]["sample"]["properties"]["error"])
    elif name == "Batch":
        assert "null" not in str(schema["properties"]["in_progress_at"])
    elif name in ("ListFilesResponse", "ListBatchesResponse", "EvalRunList", "EvalList", "EvalRunOutputItemList"):
        assert schema["properties"]["first_id"]["type"] == "string"


async def test_the_check_runs_on_what_the_tests_receive(http: httpx.AsyncClient, spec: Spec) -> None:
    response = await http.get("/v1/models")
    assert spec.response_errors("GET", "/v1/models", 200, response.content) == []
