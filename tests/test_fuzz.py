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

from mockserver import Settings, create_app
from tests.openapi import (
    NEGATIVE_CHECK_EXCEPTIONS,
    ROUTE_ALIASES,
    _patch_known_differences,
    _to_json_schema,
    load_document,
    patch_operations,
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


schema = schemathesis.openapi.from_dict(_spec())
schema.app = create_app(Settings(clock="manual", seed=99))
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
