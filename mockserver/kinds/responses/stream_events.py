"""The Server-Sent Events of a response's stream (the SDK's `ResponseStreamEvent` members the mock sends), each with
its `sequence_number`, and their wire form."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, Field

from mockserver.kinds.responses.schemas import OutputMessage, OutputText, Response


class StreamEvent(BaseModel):
    type: str
    sequence_number: int = 0

    def sse(self) -> bytes:
        """The event as the real API frames it: its type as the SSE event name, the JSON as its data."""
        return f"event: {self.type}\ndata: {self.model_dump_json()}\n\n".encode()


class ResponseSnapshot(StreamEvent):
    """`response.created`, `.queued`, `.in_progress`, `.completed`, `.failed`, `.incomplete`: the whole response as
    it was then."""

    type: Literal[
        "response.created",
        "response.queued",
        "response.in_progress",
        "response.completed",
        "response.failed",
        "response.incomplete",
    ]
    response: Response


class OutputItemEvent(StreamEvent):
    type: Literal["response.output_item.added", "response.output_item.done"]
    output_index: int = 0
    item: OutputMessage


class ContentPartEvent(StreamEvent):
    type: Literal["response.content_part.added", "response.content_part.done"]
    item_id: str
    output_index: int = 0
    content_index: int = 0
    part: OutputText


class TextEvent(StreamEvent):
    """Where a piece of output text goes: the message's one text part."""

    item_id: str
    output_index: int = 0
    content_index: int = 0
    logprobs: list[Any] = Field(default_factory=list)


class TextDelta(TextEvent):
    type: Literal["response.output_text.delta"] = "response.output_text.delta"
    delta: str


class TextDone(TextEvent):
    type: Literal["response.output_text.done"] = "response.output_text.done"
    text: str


def snapshot(kind: str, response: Response) -> ResponseSnapshot:
    return ResponseSnapshot(type=kind, response=response.model_copy(deep=True))


def message_events(message: OutputMessage) -> list[StreamEvent]:
    """What streams an assistant message: the item and its part added, the text in word-sized deltas, then each
    done, in the real order."""
    text = message.content[0].text
    empty = OutputMessage(id=message.id, status="in_progress", content=[])
    words = text.split(" ")
    deltas: list[StreamEvent] = [
        TextDelta(item_id=message.id, delta=word if index == 0 else " " + word) for index, word in enumerate(words)
    ]
    return [
        OutputItemEvent(type="response.output_item.added", item=empty),
        ContentPartEvent(type="response.content_part.added", item_id=message.id, part=OutputText(text="")),
        *deltas,
        TextDone(item_id=message.id, text=text),
        ContentPartEvent(type="response.content_part.done", item_id=message.id, part=OutputText(text=text)),
        OutputItemEvent(type="response.output_item.done", item=message.model_copy(deep=True)),
    ]
