"""Grader configurations, as reinforcement fine-tuning (and eval testing criteria) send them."""

from __future__ import annotations

from typing import Annotated, Any, Literal
from urllib.parse import urlsplit

from pydantic import AfterValidator, Field

from mockserver.schemas.common import NotNull, RequestBody, bounded
from mockserver.validation import PARAM, custom_error


class CacheBreakpoint(RequestBody):
    mode: Literal["explicit"]


class InputText(RequestBody):
    type: Literal["input_text"]
    text: str
    prompt_cache_breakpoint: Annotated[CacheBreakpoint | None, NotNull] = None


class OutputText(RequestBody):
    type: Literal["output_text"]
    text: str


def _uri(value: str) -> str:
    # The spec's `format: uri`: an absolute URI (http(s) or a data: URL), not any string.
    if not urlsplit(value).scheme:
        raise custom_error("invalid_value", f"Invalid '{PARAM}': expected a URL, but got '{value}'.")
    return value


class InputImage(RequestBody):
    type: Literal["input_image"]
    image_url: Annotated[str, AfterValidator(_uri)]
    detail: Annotated[str | None, NotNull] = None


class AudioData(RequestBody):
    data: str
    format: Literal["mp3", "wav"]


class InputAudio(RequestBody):
    type: Literal["input_audio"]
    input_audio: AudioData


ContentPart = Annotated[InputText | OutputText | InputImage | InputAudio, Field(discriminator="type")]


class GraderMessage(RequestBody):
    """A message of a model grader's prompt: text, one content part, or a list of them (the spec's EvalItem)."""

    role: Literal["user", "assistant", "system", "developer"]
    content: str | ContentPart | list[ContentPart]
    type: Annotated[Literal["message"] | None, NotNull] = None


class StringCheckGrader(RequestBody):
    type: Literal["string_check"]
    name: str
    input: str
    reference: str
    operation: Literal["eq", "ne", "like", "ilike"]


class TextSimilarityGrader(RequestBody):
    type: Literal["text_similarity"]
    name: str
    input: str
    reference: str
    evaluation_metric: Literal[
        "cosine", "fuzzy_match", "bleu", "gleu", "meteor", "rouge_1", "rouge_2", "rouge_3", "rouge_4", "rouge_5",
        "rouge_l",
    ]  # fmt: skip


class PythonGrader(RequestBody):
    type: Literal["python"]
    name: str
    source: str
    image_tag: Annotated[str | None, NotNull] = None


class SamplingParams(RequestBody):
    seed: int | None = None
    top_p: float | None = None
    temperature: float | None = None
    max_completions_tokens: Annotated[int, bounded(integer=True, minimum=1)] | None = None
    reasoning_effort: Literal["none", "minimal", "low", "medium", "high", "xhigh", "max"] | None = None


class ScoreModelGrader(RequestBody):
    type: Literal["score_model"]
    name: str
    model: str
    # Message lists and sampling settings are passed through to the model; their inner shapes are not checked here.
    input: list[GraderMessage]
    range: Annotated[list[float] | None, NotNull] = None
    sampling_params: Annotated[SamplingParams | None, NotNull] = None


class MultiGrader(RequestBody):
    type: Literal["multi"]
    name: str
    graders: dict[str, Any]
    calculate_output: str


Grader = Annotated[
    StringCheckGrader | TextSimilarityGrader | PythonGrader | ScoreModelGrader | MultiGrader,
    Field(discriminator="type"),
]
