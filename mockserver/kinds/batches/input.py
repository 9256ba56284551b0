"""Reading a batch input file as the real service does while `validating`: one request per JSONL line.

Structural problems (a line that is not JSON, a missing or duplicate `custom_id`, a method other than POST, a `url`
other than the batch's endpoint, a body that is not an object, more than one model) fail the whole batch with
`errors`. A request whose body the endpoint would refuse is not a structural problem: it runs and its 400 goes to
the error file, as on the real API.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from mockserver.kinds.batches.schemas import BatchError
from mockserver.validation import loads

MAX_REQUESTS = 50_000
DUPLICATE_MESSAGE = (
    "The custom_id for this request is a duplicate of another request. The custom_id parameter must be unique for "
    "each individual request in a batch."
)


@dataclass(frozen=True)
class BatchRequest:
    line: int
    custom_id: str
    body: dict[str, Any]


@dataclass
class BatchInput:
    requests: list[BatchRequest] = field(default_factory=list)
    errors: list[BatchError] = field(default_factory=list)
    model: str | None = None


def _line_problem(data: Any, line: int, endpoint: str) -> BatchError | None:
    if not isinstance(data, dict):
        return BatchError(code="invalid_request", message="Each line must be a JSON object.", line=line)
    for key in ("custom_id", "method", "url", "body"):
        if key not in data:
            return BatchError(
                code="missing_required_parameter", message=f"Missing required parameter: '{key}'.", param=key, line=line
            )
    if not isinstance(data["custom_id"], str) or not data["custom_id"]:
        return BatchError(
            code="invalid_request", message="The custom_id must be a non-empty string.", param="custom_id", line=line
        )
    if data["method"] != "POST":
        return BatchError(
            code="invalid_method",
            message=f"Only the POST method is supported, but this request uses {data['method']!r}.",
            param="method",
            line=line,
        )
    if data["url"] != endpoint:
        return BatchError(
            code="mismatched_endpoint",
            message=f"The url of this request ({data['url']!r}) does not match the batch endpoint ({endpoint!r}).",
            param="url",
            line=line,
        )
    if not isinstance(data["body"], dict):
        return BatchError(code="invalid_request", message="The body must be a JSON object.", param="body", line=line)
    return None


def read_batch_input(content: bytes, endpoint: str) -> BatchInput:
    parsed = BatchInput()
    try:
        text = content.decode("utf-8")
    except UnicodeDecodeError:
        parsed.errors.append(BatchError(code="invalid_file", message="The input file is not valid UTF-8 text."))
        return parsed
    seen: set[str] = set()
    for line, raw in enumerate(text.splitlines(), start=1):
        if not raw.strip():
            continue
        try:
            data = loads(raw)
        except ValueError:
            parsed.errors.append(
                BatchError(code="invalid_json_line", message="This line is not parseable as valid JSON.", line=line)
            )
            continue
        problem = _line_problem(data, line, endpoint)
        if problem is None and data["custom_id"] in seen:
            problem = BatchError(code="duplicate_custom_id", message=DUPLICATE_MESSAGE, param="custom_id", line=line)
        model = data["body"].get("model") if problem is None else None
        if problem is None and isinstance(model, str):
            if parsed.model is None:
                parsed.model = model
            elif model != parsed.model:
                problem = BatchError(
                    code="mismatched_model",
                    message=f"All requests in a batch must use the same model: this line uses {model!r}, "
                    f"earlier lines {parsed.model!r}.",
                    param="body.model",
                    line=line,
                )
        if problem is not None:
            parsed.errors.append(problem)
            continue
        seen.add(data["custom_id"])
        parsed.requests.append(BatchRequest(line, data["custom_id"], data["body"]))
    if not parsed.requests and not parsed.errors:
        parsed.errors.append(BatchError(code="empty_file", message="The input file is empty: it holds no requests."))
    if len(parsed.requests) > MAX_REQUESTS:
        parsed.errors.append(
            BatchError(code="too_many_requests", message=f"A batch can hold at most {MAX_REQUESTS} requests.")
        )
    return parsed
