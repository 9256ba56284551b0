"""What each batch request gets back: a body shaped like the endpoint's real response (content from faker), or the
400 the endpoint would give a body it cannot take."""

from __future__ import annotations

import base64
from collections.abc import Callable
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


@dataclass(frozen=True)
class _Request:
    """One batch request being answered, with what every endpoint's answer draws on."""

    body: dict[str, Any]
    model: str
    created: int
    text: str
    prompt_tokens: int
    completion_tokens: int
    ids: IdFactory

    @property
    def total_tokens(self) -> int:
        return self.prompt_tokens + self.completion_tokens

    def inputs(self) -> list[Any]:
        value = self.body["input"]
        return value if isinstance(value, list) else [value]


def _chat_completion(r: _Request) -> Outcome:
    return Outcome(200, {
        "id": r.ids.alnum("chatcmpl-", 29), "object": "chat.completion", "created": r.created, "model": r.model,
        "choices": [{
            "index": 0, "message": {"role": "assistant", "content": r.text, "refusal": None, "annotations": []},
            "logprobs": None, "finish_reason": "stop",
        }],
        "usage": {
            "prompt_tokens": r.prompt_tokens, "completion_tokens": r.completion_tokens, "total_tokens": r.total_tokens,
            "prompt_tokens_details": {"cached_tokens": 0, "audio_tokens": 0},
            "completion_tokens_details": {"reasoning_tokens": 0, "audio_tokens": 0,
                                          "accepted_prediction_tokens": 0, "rejected_prediction_tokens": 0},
        },
        "service_tier": "default", "system_fingerprint": r.ids.hex("fp_", 10),
    }, r.prompt_tokens, r.completion_tokens)  # fmt: skip


def _completion(r: _Request) -> Outcome:
    return Outcome(200, {
        "id": r.ids.alnum("cmpl-", 29), "object": "text_completion", "created": r.created, "model": r.model,
        "choices": [{"text": r.text, "index": 0, "logprobs": None, "finish_reason": "stop"}],
        "usage": {
            "prompt_tokens": r.prompt_tokens, "completion_tokens": r.completion_tokens, "total_tokens": r.total_tokens
        },
    }, r.prompt_tokens, r.completion_tokens)  # fmt: skip


def _embeddings(r: _Request) -> Outcome:
    dimensions = int(r.body.get("dimensions") or (3072 if r.model.endswith("large") else 1536))
    rng = r.ids.random
    data = [
        {
            "object": "embedding",
            "index": index,
            "embedding": [round(rng.uniform(-0.1, 0.1), 6) for _ in range(dimensions)],
        }
        for index in range(len(r.inputs()))
    ]
    usage = {"prompt_tokens": r.prompt_tokens, "total_tokens": r.prompt_tokens}
    return Outcome(200, {"object": "list", "data": data, "model": r.model, "usage": usage}, r.prompt_tokens, 0)


def _response(r: _Request) -> Outcome:
    return Outcome(200, {
        "id": r.ids.hex("resp_", 48), "object": "response", "created_at": r.created, "status": "completed",
        "error": None, "incomplete_details": None, "model": r.model,
        "output": [{
            "type": "message", "id": r.ids.hex("msg_", 48), "status": "completed", "role": "assistant",
            "content": [{"type": "output_text", "text": r.text, "annotations": []}],
        }],
        "usage": {
            "input_tokens": r.prompt_tokens, "input_tokens_details": {"cached_tokens": 0},
            "output_tokens": r.completion_tokens, "output_tokens_details": {"reasoning_tokens": 0},
            "total_tokens": r.total_tokens,
        },
    }, r.prompt_tokens, r.completion_tokens)  # fmt: skip


def _moderation(r: _Request) -> Outcome:
    categories = ("harassment", "hate", "self-harm", "sexual", "violence")
    results = [
        {"flagged": False, "categories": dict.fromkeys(categories, False),
         "category_scores": {name: round(r.ids.random.uniform(0, 0.01), 6) for name in categories}}
        for _ in r.inputs()
    ]  # fmt: skip
    return Outcome(
        200, {"id": r.ids.hex("modr-", 32), "model": r.model or "omni-moderation-latest", "results": results}
    )


def _images(r: _Request) -> Outcome:
    count = int(r.body.get("n") or 1)
    return Outcome(200, {"created": r.created, "data": [{"b64_json": _PIXEL} for _ in range(count)]})


def _video(r: _Request) -> Outcome:
    return Outcome(200, {
        "id": r.ids.hex("video_", 32), "object": "video", "created_at": r.created, "status": "completed",
        "model": r.model or "sora-2", "progress": 100, "seconds": str(r.body.get("seconds", "4")),
        "size": str(r.body.get("size", "720x1280")),
    })  # fmt: skip


_ANSWERS: dict[str, Callable[[_Request], Outcome]] = {
    "/v1/chat/completions": _chat_completion,
    "/v1/completions": _completion,
    "/v1/embeddings": _embeddings,
    "/v1/responses": _response,
    "/v1/moderations": _moderation,
    "/v1/images/generations": _images,
    "/v1/images/edits": _images,
    "/v1/videos": _video,
}


def respond(endpoint: str, body: dict[str, Any], *, at: float, ids: IdFactory, fakes: FakeData) -> Outcome:
    refused = _refusal(endpoint, body)
    if refused is not None:
        return refused
    text = fakes.faker.sentence(nb_words=12)
    request = _Request(
        body=body,
        model=str(body.get("model", "")),
        created=int(at),
        text=text,
        prompt_tokens=_tokens(body.get("messages") or body.get("prompt") or body.get("input")),
        completion_tokens=_tokens(text),
        ids=ids,
    )
    return _ANSWERS[endpoint](request)
