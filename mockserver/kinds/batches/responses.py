"""What each batch request gets back: a body shaped like the endpoint's real response (content from faker), or the
400 the endpoint would give a body it cannot take."""

from __future__ import annotations

import base64
from dataclasses import dataclass
from typing import Any

from mockserver.fakes import FakeData
from mockserver.ids import IdFactory

# The fields each endpoint cannot do without.
REQUIRED: dict[str, tuple[str, ...]] = {
    "/v1/chat/completions": ("model", "messages"),
    "/v1/completions": ("model", "prompt"),
    "/v1/embeddings": ("model", "input"),
    "/v1/responses": ("model", "input"),
    "/v1/moderations": ("input",),
    "/v1/images/generations": ("prompt",),
    "/v1/images/edits": ("image", "prompt"),
    "/v1/videos": ("prompt",),
}
# A 1×1 transparent PNG: a real image, as small as one gets.
_PIXEL = base64.b64encode(
    bytes.fromhex(
        "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
        "1f15c4890000000d4944415478da63f8cfc0f01f0005000201a5e2e1a30000000049454e44ae426082"
    )
).decode()


@dataclass(frozen=True)
class Outcome:
    status_code: int
    body: dict[str, Any]
    input_tokens: int = 0
    output_tokens: int = 0


def _tokens(value: Any) -> int:
    return max(1, len(str(value)) // 4)


def _refusal(endpoint: str, body: dict[str, Any]) -> Outcome | None:
    for name in REQUIRED[endpoint]:
        if name not in body:
            error = {
                "message": f"Missing required parameter: '{name}'.",
                "type": "invalid_request_error",
                "param": name,
                "code": "missing_required_parameter",
            }
            return Outcome(400, {"error": error})
    return None


def respond(endpoint: str, body: dict[str, Any], *, at: float, ids: IdFactory, fakes: FakeData) -> Outcome:
    refused = _refusal(endpoint, body)
    if refused is not None:
        return refused
    created = int(at)
    model = str(body.get("model", ""))
    text = fakes.faker.sentence(nb_words=12)
    prompt_tokens = _tokens(body.get("messages") or body.get("prompt") or body.get("input"))
    completion_tokens = _tokens(text)
    total = prompt_tokens + completion_tokens
    if endpoint == "/v1/chat/completions":
        return Outcome(200, {
            "id": ids.alnum("chatcmpl-", 29), "object": "chat.completion", "created": created, "model": model,
            "choices": [{
                "index": 0, "message": {"role": "assistant", "content": text, "refusal": None, "annotations": []},
                "logprobs": None, "finish_reason": "stop",
            }],
            "usage": {
                "prompt_tokens": prompt_tokens, "completion_tokens": completion_tokens, "total_tokens": total,
                "prompt_tokens_details": {"cached_tokens": 0, "audio_tokens": 0},
                "completion_tokens_details": {"reasoning_tokens": 0, "audio_tokens": 0,
                                              "accepted_prediction_tokens": 0, "rejected_prediction_tokens": 0},
            },
            "service_tier": "default", "system_fingerprint": ids.hex("fp_", 10),
        }, prompt_tokens, completion_tokens)  # fmt: skip
    if endpoint == "/v1/completions":
        return Outcome(200, {
            "id": ids.alnum("cmpl-", 29), "object": "text_completion", "created": created, "model": model,
            "choices": [{"text": text, "index": 0, "logprobs": None, "finish_reason": "stop"}],
            "usage": {"prompt_tokens": prompt_tokens, "completion_tokens": completion_tokens, "total_tokens": total},
        }, prompt_tokens, completion_tokens)  # fmt: skip
    if endpoint == "/v1/embeddings":
        inputs = body["input"] if isinstance(body["input"], list) else [body["input"]]
        dimensions = int(body.get("dimensions") or (3072 if model.endswith("large") else 1536))
        rng = ids.random
        data = [
            {
                "object": "embedding",
                "index": index,
                "embedding": [round(rng.uniform(-0.1, 0.1), 6) for _ in range(dimensions)],
            }
            for index in range(len(inputs))
        ]
        usage = {"prompt_tokens": prompt_tokens, "total_tokens": prompt_tokens}
        return Outcome(200, {"object": "list", "data": data, "model": model, "usage": usage}, prompt_tokens, 0)
    if endpoint == "/v1/responses":
        return Outcome(200, {
            "id": ids.hex("resp_", 48), "object": "response", "created_at": created, "status": "completed",
            "error": None, "incomplete_details": None, "model": model,
            "output": [{
                "type": "message", "id": ids.hex("msg_", 48), "status": "completed", "role": "assistant",
                "content": [{"type": "output_text", "text": text, "annotations": []}],
            }],
            "usage": {
                "input_tokens": prompt_tokens, "input_tokens_details": {"cached_tokens": 0},
                "output_tokens": completion_tokens, "output_tokens_details": {"reasoning_tokens": 0},
                "total_tokens": total,
            },
        }, prompt_tokens, completion_tokens)  # fmt: skip
    if endpoint == "/v1/moderations":
        categories = ("harassment", "hate", "self-harm", "sexual", "violence")
        inputs = body["input"] if isinstance(body["input"], list) else [body["input"]]
        results = [
            {"flagged": False, "categories": dict.fromkeys(categories, False),
             "category_scores": {name: round(ids.random.uniform(0, 0.01), 6) for name in categories}}
            for _ in inputs
        ]  # fmt: skip
        return Outcome(
            200, {"id": ids.hex("modr-", 32), "model": model or "omni-moderation-latest", "results": results}
        )
    if endpoint in ("/v1/images/generations", "/v1/images/edits"):
        count = int(body.get("n") or 1)
        return Outcome(200, {"created": created, "data": [{"b64_json": _PIXEL} for _ in range(count)]})
    return Outcome(200, {
        "id": ids.hex("video_", 32), "object": "video", "created_at": created, "status": "completed",
        "model": model or "sora-2", "progress": 100, "seconds": str(body.get("seconds", "4")),
        "size": str(body.get("size", "720x1280")),
    })  # fmt: skip
