"""What a response says and counts: its input as items, the assistant's text (Faker, so reproducible under
`--seed`), a text cut at `max_output_tokens`, and the token estimate the rest of the mock uses (~4 characters)."""

from __future__ import annotations

import json
from typing import Any

from mockserver.ids import IdFactory
from mockserver.kinds.responses.schemas import InputMessage, InputText, ResponseInputs


def tokens(text: str) -> int:
    """About four characters a token, as elsewhere in the mock."""
    return max(1, len(text) // 4)


def input_text(request: ResponseInputs) -> str:
    """Everything the model reads, as one text to count."""
    parts = [request.instructions or ""]
    if isinstance(request.input, str):
        parts.append(request.input)
    elif request.input is not None:
        parts.append(json.dumps(request.input))
    return "".join(parts)


def input_items(request: ResponseInputs, ids: IdFactory) -> list[InputMessage]:
    """The input as `input_items` lists it: a text is one user message; messages keep their role and content."""
    if request.input is None:
        return []
    if isinstance(request.input, str):
        return [InputMessage(id=ids.hex("msg_", 48), role="user", content=[InputText(text=request.input)])]
    items = []
    for item in request.input:
        content: Any = item.get("content", [])
        parts = [InputText(text=content)] if isinstance(content, str) else content
        extra = {key: value for key, value in item.items() if key not in ("id", "type", "role", "content", "status")}
        items.append(
            InputMessage(
                id=str(item.get("id") or ids.hex("msg_", 48)),
                role=str(item.get("role", "user")),
                content=parts,
                **extra,
            )
        )
    return items


def cut(text: str, max_tokens: int) -> str:
    """The text as far as `max_tokens` tokens go (whole words)."""
    kept = text[: max_tokens * 4]
    return kept.rsplit(" ", 1)[0] if " " in kept and len(kept) < len(text) else kept
