"""Fuzzing against OpenAI's own spec (schemathesis): for the operations the mock implements, positive and negative
cases, every response checked. Bounded here; `make fuzz` runs many more examples (MOCKSERVER_FUZZ_EXAMPLES)."""

from __future__ import annotations

import copy
import os
import re
from typing import Any

import hypothesis
import pytest
import schemathesis
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    negative_data_rejection,
    response_schema_conformance,
)
from starlette.routing import Match, Route

from mockserver import Settings, create_app
from mockserver.routes import table
from tests.openapi import (
    NEGATIVE_CHECK_EXCEPTIONS,
    ROUTE_ALIASES,
    _patch_known_differences,
    _to_json_schema,
    load_document,
    newer_than_the_spec,
    patch_operations,
    path_pattern,
)

pytestmark = pytest.mark.heavy

EXAMPLES = int(os.environ.get("MOCKSERVER_FUZZ_EXAMPLES", "8"))


def _served(method: str, path: str) -> bool:
    """Whether the mock serves this spec operation (its route table matches it in full)."""
    scope = {"type": "http", "method": method, "path": "/v1" + re.sub(r"\{[^/]+\}", "x", path), "root_path": ""}
    return table.matches(scope)[0] is Match.FULL


def _spec() -> dict[str, Any]:
    document = load_document()
    components = _to_json_schema(document["components"])
    _patch_known_differences(components["schemas"])
    paths = {}
    for path, item in document["paths"].items():
        kept = {m: op for m, op in item.items() if isinstance(op, dict) and _served(m.upper(), path)}
        if kept:
            paths[path] = _to_json_schema(copy.deepcopy(kept))
    patch_operations(paths)
    return {
        "openapi": document["openapi"],
        "info": document["info"],
        "servers": [{"url": "/v1"}],
        "paths": paths,
        "components": components,
    }


FUZZED = _spec()
schema = schemathesis.openapi.from_dict(FUZZED)
schema.app = create_app(Settings(clock="manual", seed=99))


def test_every_route_the_mock_serves_is_fuzzed() -> None:
    """A new route is fuzzed without a change here, as long as the spec has it (the newer ones are listed once, in
    tests/openapi.py, and go through the hostile-input fuzzing instead)."""
    fuzzed = [(method.upper(), path_pattern(path)) for path, item in FUZZED["paths"].items() for method in item]
    served = [
        (method, route.path.removeprefix("/v1").replace("{model_id:path}", "ft:m:o::x"))
        for route in table.routes
        if isinstance(route, Route) and route.path.startswith("/v1/")
        for method in sorted(route.methods or ()) if method != "HEAD"
    ]  # fmt: skip
    assert len(served) >= 30
    for method, path in served:
        concrete = path.replace("{", "").replace("}", "")
        if newer_than_the_spec(concrete):
            continue
        for alias, target in ROUTE_ALIASES:
            concrete = alias.sub(target, concrete)
        assert any(m == method and p.match(concrete) for m, p in fuzzed), f"{method} {path} is not fuzzed"


schema.config.generation.update(modes=list(GenerationMode))


@schema.parametrize()
@hypothesis.settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=list(hypothesis.HealthCheck),
    derandomize=True,
    database=None,
)
def test_every_operation_against_the_spec(case: Any) -> None:
    checks = [not_a_server_error, response_schema_conformance, content_type_conformance]
    if case.operation.label not in NEGATIVE_CHECK_EXCEPTIONS:
        checks.append(negative_data_rejection)
    case.call_and_validate(headers={"Authorization": "Bearer sk-fuzz"}, checks=checks)
