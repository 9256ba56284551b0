"""Validate responses against OpenAI's published spec (`tests/spec/openai-openapi.yaml`, vendored).

The spec is OpenAPI 3.1 but keeps a few 3.0 habits (`nullable`, boolean `exclusiveMinimum`); they are rewritten to
JSON Schema 2020-12 before use. Where the real API and the spec disagree, the real API wins: every such exception
is in this module (`KNOWN_DIFFERENCES`, `RESPONSE_CORRECTIONS`, `NEGATIVE_CHECK_EXCEPTIONS`, `ROUTE_ALIASES`) and in
the README's list, and nowhere else.
"""

from __future__ import annotations

import functools
import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from jsonschema import Draft202012Validator

SPEC_PATH = Path(__file__).resolve().parent / "spec" / "openai-openapi.yaml"
API_PREFIXES = ("/openai/v1", "/v1", "/openai")  # the longest first: Azure v1, OpenAI, Azure classic

# (schema, JSON pointer inside it, what the real API does, and the patch that admits it)
KNOWN_DIFFERENCES: list[tuple[str, str, str]] = [
    (
        "FineTuningJob",
        "/properties/status/enum",
        "'paused' is missing from the enum, yet the spec's own pause example answers status 'paused'",
    ),
    (
        "OpenAIFile",
        "/properties/expires_at, /properties/status_details",
        "both are null on a file that does not expire and has no error (seen in real 2025 responses)",
    ),
    (
        "OpenAIFile",
        "/properties/purpose/enum",
        "'evals' is missing, yet uploads accept it and a real 2025 response shows a file with purpose 'evals'",
    ),
    (
        "EvalRun",
        "/properties/error, /properties/per_model_usage, /properties/per_testing_criteria_results",
        "error is null on every run without one, per_model_usage and per_testing_criteria_results are null until "
        "the run is graded: a recorded real response (a queued run, May 2025) and the spec's own examples of queued, "
        "canceled and completed runs",
    ),
    (
        "EvalRunOutputItem",
        "/properties/sample/properties/error",
        "null when the sample has no error, as the spec's own output item examples show",
    ),
    (
        "Batch",
        "/properties/*_at, output_file_id, error_file_id, errors, usage, model",
        "unset ones are null, as recorded real responses show (e.g. a cancelled batch's in_progress_at); the spec "
        "types them as optional non-null",
    ),
    *(
        (
            name,
            "/properties/first_id, /properties/last_id",
            "an empty list has no first or last id: they are null, the spec types them as plain strings",
        )
        for name in ("ListFilesResponse", "ListBatchesResponse", "EvalRunList", "EvalList", "EvalRunOutputItemList")
    ),
]


# Operation-level corrections: (method, path, status, what the real API answers instead).
RESPONSE_CORRECTIONS: list[tuple[str, str, str, str]] = [
    ("post", "/evals/{eval_id}/runs", "400", "the error envelope {'error': ...}, like every other operation; the spec "
     "documents a bare Error object"),
    ("delete", "/evals/{eval_id}", "404", "the error envelope, as above"),
    ("delete", "/evals/{eval_id}/runs/{run_id}", "404", "the error envelope, as above"),
    ("delete", "/responses/{response_id}", "404", "the error envelope, as above"),
    # The beta twin of the delete, which the fuzzing reaches too (`?beta=true` is read as part of the id).
    ("delete", "/responses/{response_id}?beta=true", "404", "the error envelope, as above"),
    ("post", "/responses/{response_id}/cancel", "404", "the error envelope, as above"),
]  # fmt: skip


def patch_operations(paths: dict[str, Any]) -> None:
    for method, path, status, _ in RESPONSE_CORRECTIONS:
        response = paths[path][method]["responses"][status]
        response["content"]["application/json"]["schema"] = {"$ref": "#/components/schemas/ErrorResponse"}


# Operations where fuzzing's "schema-violating" input cannot be told from valid input, so rejecting it would be wrong:
# `metadata[k]=false` on the jobs list is a typed value in the spec, but in a query string it is the text "false".
# A response's create and its token count take the model's whole input: tools, input items, prompt variables, each a
# deep union of dozens of shapes that the mock echoes or counts but never runs. It checks every top-level parameter
# (types, bounds, unknown names: tests/test_responses.py) and takes the nested ones as objects, so the fuzzing's
# invalid nested shapes are accepted (the README's "What is not real" says so).
# A video character's `name` is a multipart form field, so text whatever it looks like: the fuzzing's "integer" name
# arrives as the text "-6221865625889", a valid name (found at 150 examples per operation).
NEGATIVE_CHECK_EXCEPTIONS = {
    "GET /fine_tuning/jobs",
    "POST /responses",
    "POST /responses/input_tokens",
    "POST /videos/characters",
}


# Routes the real API (or the spec's own examples) use that are not operations of the spec, and the operation whose
# schemas they answer with.
ROUTE_ALIASES: list[tuple[re.Pattern[str], str]] = [
    # The spec's curl example cancels a run at .../cancel; the SDK posts to the run itself (the spec's operation).
    (re.compile(r"^(/evals/[^/]+/runs/[^/]+)/cancel$"), r"\1"),
]


# Operations the official SDK has that the vendored spec predates (it is v2.3.0). The spec has nothing to say about
# their answers; the tests check them with the SDK's own types under strict response validation instead, and
# `tests/test_openapi.py` fails once a newer spec has them (then they belong in the spec check).
NEWER_THAN_THE_SPEC: list[re.Pattern[str]] = [
    re.compile(r"^/webhook_endpoints(/[^/]+(/rotate_secret|/test)?)?$"),
    re.compile(r"^/webhook_event_types$"),
]


def newer_than_the_spec(path: str) -> bool:
    """Whether `path` (below the API prefix) is an operation the spec predates."""
    return any(pattern.match(path) for pattern in NEWER_THAN_THE_SPEC)


def _patch_known_differences(schemas: dict[str, Any]) -> None:
    schemas["FineTuningJob"]["properties"]["status"]["enum"].append("paused")
    for key in ("expires_at", "status_details"):
        field = schemas["OpenAIFile"]["properties"][key]
        schemas["OpenAIFile"]["properties"][key] = {"anyOf": [field, {"type": "null"}]}
    schemas["OpenAIFile"]["properties"]["purpose"]["enum"].append("evals")
    for key in ("error", "per_model_usage", "per_testing_criteria_results"):
        field = schemas["EvalRun"]["properties"][key]
        schemas["EvalRun"]["properties"][key] = {"anyOf": [field, {"type": "null"}]}
    sample = schemas["EvalRunOutputItem"]["properties"]["sample"]["properties"]
    sample["error"] = {"anyOf": [sample["error"], {"type": "null"}]}
    for name in ("ListFilesResponse", "ListBatchesResponse", "EvalRunList", "EvalList", "EvalRunOutputItemList"):
        for key in ("first_id", "last_id"):
            schemas[name]["properties"][key] = {"anyOf": [{"type": "string"}, {"type": "null"}]}
    batch = schemas["Batch"]["properties"]
    for key, field in list(batch.items()):
        if key not in schemas["Batch"]["required"]:
            batch[key] = {"anyOf": [field, {"type": "null"}]}


def _to_json_schema(node: Any) -> Any:
    """Rewrite the spec's OpenAPI 3.0-isms into JSON Schema 2020-12."""
    if isinstance(node, list):
        return [_to_json_schema(item) for item in node]
    if not isinstance(node, dict):
        return node
    out = {key: _to_json_schema(value) for key, value in node.items()}
    for bound, limit in (("exclusiveMinimum", "minimum"), ("exclusiveMaximum", "maximum")):
        if isinstance(out.get(bound), bool):
            if out.pop(bound) and limit in out:
                out[bound] = out.pop(limit)
    if out.pop("nullable", False) is True:
        out = {"anyOf": [out, {"type": "null"}]}
    return out


def path_pattern(path: str) -> re.Pattern[str]:
    """A spec path (`/evals/{eval_id}`) as a regular expression that matches concrete paths."""
    return re.compile("^" + re.sub(r"\\\{[^/]+?\\\}", "[^/]+", re.escape(path)) + "$")


@dataclass(frozen=True)
class Operation:
    pattern: re.Pattern[str]
    method: str
    schema: dict[str, Any] | None  # the 200 JSON schema; None for non-JSON answers (file content)


class Spec:
    def __init__(self, document: dict[str, Any]) -> None:
        schemas = _to_json_schema(document["components"]["schemas"])
        _patch_known_differences(schemas)
        self._components = {"schemas": schemas}
        self.operations: list[Operation] = []
        for path, item in document["paths"].items():
            pattern = path_pattern(path)
            for method, operation in item.items():
                if not isinstance(operation, dict) or "responses" not in operation:
                    continue
                content = operation["responses"].get("200", {}).get("content", {})
                schema = content.get("application/json", {}).get("schema")
                self.operations.append(Operation(pattern, method.upper(), _to_json_schema(schema) if schema else None))

    @functools.cache  # noqa: B019  # one Spec per session
    def validator(self, schema_json: str) -> Draft202012Validator:
        schema = json.loads(schema_json)
        return Draft202012Validator({**schema, "components": self._components})

    def errors(self, schema: dict[str, Any], instance: Any) -> list[str]:
        validator = self.validator(json.dumps(schema, sort_keys=True))
        return [
            f"{'/'.join(map(str, e.absolute_path)) or '<root>'}: {e.message}" for e in validator.iter_errors(instance)
        ]

    def schema_errors(self, name: str, instance: Any) -> list[str]:
        return self.errors({"$ref": f"#/components/schemas/{name}"}, instance)

    @staticmethod
    def below_prefix(path: str) -> str | None:
        """The path below `/v1` or `/openai/v1`; None for any other path."""
        for prefix in API_PREFIXES:
            if path.startswith(prefix + "/"):
                return path[len(prefix) :]
        return None

    def operation(self, method: str, path: str) -> Operation | None:
        below = self.below_prefix(path)
        if below is None:
            return None
        path = below
        for alias, target in ROUTE_ALIASES:
            path = alias.sub(target, path)
        for operation in self.operations:
            if operation.method == method and operation.pattern.match(path):
                return operation
        return None

    def stream_errors(self, body: bytes) -> list[str]:
        """Problems with a stream of Server-Sent Events: each event's data is checked as a `ResponseStreamEvent`."""
        problems = []
        for line in body.decode().splitlines():
            if line.startswith("data: "):
                problems.extend(self.schema_errors("ResponseStreamEvent", json.loads(line[len("data: ") :])))
        return problems

    def response_errors(
        self, method: str, path: str, status: int, body: bytes, content_type: str = "application/json"
    ) -> list[str] | None:
        """Problems with one response, or None when the spec has nothing to say about it."""
        if content_type.startswith("text/event-stream"):
            return self.stream_errors(body)
        if "json" not in content_type:
            operation = self.operation(method, path)
            if status < 400 and operation is not None and (operation.schema or {}).get("type") == "string":
                return None  # raw content (a file's bytes), described by the spec as a string
            return [f"{method} {path} answered {status} with {content_type!r}, not JSON"]
        if status >= 400:
            return self.schema_errors("ErrorResponse", json.loads(body))
        operation = self.operation(method, path)
        if operation is None:
            if newer_than_the_spec(self.below_prefix(path) or ""):
                return None
            if path.startswith(API_PREFIXES):
                return [f"{method} {path} answered {status}, but the spec has no such operation"]
            return None
        if operation.schema is None:
            return None
        return self.errors(operation.schema, json.loads(body))


@functools.cache
def load_document() -> dict[str, Any]:
    """The spec as published (callers must not change it)."""
    with SPEC_PATH.open() as handle:
        document: dict[str, Any] = yaml.load(handle, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
        return document


@functools.cache
def load_spec() -> Spec:
    return Spec(load_document())


class ResponseChecker:
    """httpx response hooks that check every response against the spec; `assert_clean()` when the test ends."""

    def __init__(self, spec: Spec) -> None:
        self.spec = spec
        self.violations: list[str] = []
        self.checked = 0

    def _check(self, response: Any, body: bytes) -> None:
        request = response.request
        problems = self.spec.response_errors(
            request.method, request.url.path, response.status_code, body, response.headers.get("content-type", "")
        )
        if problems is not None:
            self.checked += 1
            self.violations.extend(f"{request.method} {request.url.path}: {problem}" for problem in problems)

    def sync_hook(self, response: Any) -> None:
        self._check(response, response.read())

    async def async_hook(self, response: Any) -> None:
        self._check(response, await response.aread())

    def assert_clean(self) -> None:
        assert not self.violations, "responses that do not match OpenAI's spec:\n" + "\n".join(self.violations)
