"""Responses: the create and input-token requests, the response object and its input items (the SDK's
`types/responses` shapes)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any, Literal, cast

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, ValidationError

from mockserver.schemas.common import LeftOutWhenNone, Metadata, NotNull, RequestBody, Wire, bounded
from mockserver.schemas.control import ForceTransition

ResponseStatus = Literal["queued", "in_progress", "completed", "failed", "incomplete", "cancelled"]
CompletionWindow = Literal["soonest", "2h", "8h"]


def _or_null(check: BeforeValidator) -> BeforeValidator:
    """`bounded` for a parameter that may also be sent as null (the SDK sends what the caller passed)."""
    plain = cast(Callable[[Any], Any], check.func)
    return BeforeValidator(lambda value: value if value is None else plain(value))


# -- requests ----------------------------------------------------------------------------------------------------------


class BackgroundOptions(RequestBody):
    completion_window: CompletionWindow = "soonest"
    continuation_id: Annotated[str | None, NotNull] = None


class PlainFormat(RequestBody):
    type: Literal["text", "json_object"]


class JsonSchemaFormat(RequestBody):
    type: Literal["json_schema"]
    name: str
    schema_: dict[str, Any] = Field(alias="schema")
    description: str | None = None
    strict: bool | None = None


class TextParam(RequestBody):
    format: Annotated[PlainFormat | JsonSchemaFormat, Field(discriminator="type")] | None = None
    verbosity: Literal["low", "medium", "high"] | None = None


class ReasoningParam(RequestBody):
    effort: Literal["none", "minimal", "low", "medium", "high", "xhigh"] | None = None
    summary: Literal["auto", "concise", "detailed"] | None = None
    generate_summary: Literal["auto", "concise", "detailed"] | None = None


class PromptParam(RequestBody):
    id: str
    version: str | None = None
    variables: dict[str, Any] | None = None


class ResponseInputs(RequestBody):
    """What a create and an input-token count share: the model and its input."""

    model: Annotated[str | None, NotNull] = None
    input: str | list[dict[str, Any]] | None = None
    instructions: str | None = None
    previous_response_id: str | None = None
    conversation: str | dict[str, Any] | None = None
    tools: list[dict[str, Any]] | None = None
    tool_choice: Literal["none", "auto", "required"] | dict[str, Any] | None = None
    parallel_tool_calls: bool | None = None
    reasoning: ReasoningParam | None = None
    text: TextParam | None = None
    truncation: Literal["auto", "disabled"] | None = None


class CreateResponse(ResponseInputs):
    model: str  # required to create
    background: bool | None = None
    background_options: BackgroundOptions | None = None
    stream: bool | None = None
    stream_options: dict[str, Any] | None = None
    metadata: Metadata = None
    store: bool | None = None
    temperature: Annotated[float | None, _or_null(bounded(integer=False, minimum=0, maximum=2))] = None
    top_p: Annotated[float | None, _or_null(bounded(integer=False, minimum=0, maximum=1))] = None
    # The real API refuses fewer than 16.
    max_output_tokens: Annotated[int | None, _or_null(bounded(integer=True, minimum=16))] = None
    max_tool_calls: int | None = None
    top_logprobs: Annotated[int | None, _or_null(bounded(integer=True, minimum=0, maximum=20))] = None
    include: list[str] | None = None
    user: str | None = None
    safety_identifier: str | None = None
    prompt_cache_key: str | None = None
    prompt_cache_retention: Literal["in_memory", "24h"] | None = None
    prompt: PromptParam | None = None
    service_tier: Literal["auto", "default", "flex", "scale", "priority"] | None = None


# -- the response ------------------------------------------------------------------------------------------------------


class OutputText(BaseModel):
    type: Literal["output_text"] = "output_text"
    text: str
    annotations: list[Any] = Field(default_factory=list)
    logprobs: list[Any] = Field(default_factory=list)


class OutputMessage(BaseModel):
    id: str
    type: Literal["message"] = "message"
    role: Literal["assistant"] = "assistant"
    status: Literal["in_progress", "completed", "incomplete"]
    content: list[OutputText]


class InputTokensDetails(BaseModel):
    cached_tokens: int = 0
    cache_write_tokens: int = 0


class OutputTokensDetails(BaseModel):
    reasoning_tokens: int = 0


class ResponseUsage(BaseModel):
    input_tokens: int
    input_tokens_details: InputTokensDetails = Field(default_factory=InputTokensDetails)
    output_tokens: int
    output_tokens_details: OutputTokensDetails = Field(default_factory=OutputTokensDetails)
    total_tokens: int


def function_tools(tools: list[dict[str, Any]] | None) -> list[FunctionTool]:
    """The function tools among those a request gave; other tools are taken but not echoed."""
    echoed = []
    for tool in tools or []:
        try:
            echoed.append(FunctionTool.model_validate(tool))
        except ValidationError:
            continue
    return echoed


class ResponseError(BaseModel):
    code: str
    message: str


class IncompleteDetails(BaseModel):
    reason: Literal["max_output_tokens", "content_filter"]


class TextConfig(Wire):
    format: dict[str, Any] = Field(default_factory=lambda: {"type": "text"})
    verbosity: str = "medium"


class FunctionTool(BaseModel):
    """A function tool as a response echoes it (the only kind of tool the mock echoes: it runs none)."""

    model_config = ConfigDict(extra="forbid")

    type: Literal["function"]
    name: str
    parameters: dict[str, Any] | None = None
    strict: bool | None = None
    description: str | None = None


class Reasoning(Wire):
    effort: str | None = None
    summary: str | None = None


class Response(Wire):
    id: str
    object: Literal["response"] = "response"
    created_at: int
    status: ResponseStatus
    background: bool
    completed_at: int | None = None
    error: ResponseError | None = None
    incomplete_details: IncompleteDetails | None = None
    instructions: str | None = None
    max_output_tokens: int | None = None
    max_tool_calls: int | None = None
    model: str
    output: list[OutputMessage] = Field(default_factory=list)
    parallel_tool_calls: bool = True
    previous_response_id: str | None = None
    reasoning: Reasoning = Field(default_factory=Reasoning)
    safety_identifier: str | None = None
    prompt_cache_key: str | None = None
    service_tier: str = "default"
    store: bool = True
    temperature: float = 1.0
    text: TextConfig = Field(default_factory=TextConfig)
    tool_choice: str | dict[str, Any] = "auto"
    tools: list[FunctionTool] = Field(default_factory=list)
    top_logprobs: int = 0
    top_p: float = 1.0
    truncation: str = "disabled"
    # Left out until there is something to count, and when not given, as the spec has them (not nullable).
    usage: LeftOutWhenNone[ResponseUsage] = None
    user: LeftOutWhenNone[str] = None
    metadata: dict[str, str] = Field(default_factory=dict)


# -- input items and token counts --------------------------------------------------------------------------------------


class InputText(BaseModel):
    type: Literal["input_text"] = "input_text"
    text: str


class InputMessage(Wire):
    """An input message as input_items lists it; other content types (images, files) are kept as sent."""

    id: str
    type: Literal["message"] = "message"
    role: str
    status: Literal["completed"] = "completed"
    content: list[InputText | dict[str, Any]]


class InputTokenCount(BaseModel):
    object: Literal["response.input_tokens"] = "response.input_tokens"
    input_tokens: int


class ForceResponseTransition(ForceTransition):
    error: ResponseError | None = None
    incomplete_details: IncompleteDetails | None = None
