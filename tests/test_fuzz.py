"""Fuzzing against OpenAI's own spec (schemathesis): for the operations the mock implements, positive and negative
cases, every response checked. Bounded here; `make fuzz` runs many more examples (MOCKSERVER_FUZZ_EXAMPLES)."""

from __future__ import annotations

import copy
import os
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
from starlette.routing import Route

from mockserver import Settings, create_app
from mockserver.routing import RouteTable
from tests.openapi import (
    NEGATIVE_CHECK_EXCEPTIONS,
    ROUTE_ALIASES,
    _patch_known_differences,
    _to_json_schema,
    load_document,
    patch_operations,
    path_pattern,
)

pytestmark = pytest.mark.heavy

EXAMPLES = int(os.environ.get("MOCKSERVER_FUZZ_EXAMPLES", "8"))
# The spec's paths the mock serves, every operation under them (test_openapi checks that each route is one).
PREFIXES = ("/files", "/fine_tuning", "/batches", "/evals", "/models")


def _spec() -> dict[str, Any]:
    document = load_document()
    components = _to_json_schema(document["components"])
    _patch_known_differences(components["schemas"])
    paths = {}
    for path, item in document["paths"].items():
        if not path.startswith(PREFIXES):
            continue
        paths[path] = _to_json_schema(copy.deepcopy(item))
    patch_operations(paths)
    assert ROUTE_ALIASES  # the /cancel alias is covered by the operation it stands for
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
    """A new route is fuzzed without a change here, as long as its spec path is under one of PREFIXES."""
    fuzzed = [(method.upper(), path_pattern(path)) for path, item in FUZZED["paths"].items() for method in item]
    (table,) = [route for route in schema.app.routes if isinstance(route, RouteTable)]
    served = [
        (method, route.path.removeprefix("/v1").replace("{model_id:path}", "ft:m:o::x"))
        for route in table.routes
        if isinstance(route, Route) and route.path.startswith("/v1/")
        for method in sorted(route.methods or ()) if method != "HEAD"
    ]  # fmt: skip
    assert len(served) >= 30
    for method, path in served:
        concrete = path.replace("{", "").replace("}", "")
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
