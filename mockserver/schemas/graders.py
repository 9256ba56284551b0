"""Grader configurations, as reinforcement fine-tuning (and eval testing criteria) send them."""

from __future__ import annotations

from typing import Annotated, Any, Literal
from urllib.parse import urlsplit

from pydantic import AfterValidator, BaseModel, Field

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


class LabelModelGrader(RequestBody):
    type: Literal["label_model"]
    name: str
    model: str
    input: list[GraderMessage]
    labels: list[str]
    passing_labels: list[str]


SubGrader = Annotated[
    StringCheckGrader | TextSimilarityGrader | PythonGrader | ScoreModelGrader | LabelModelGrader,
    Field(discriminator="type"),
]


class MultiGrader(RequestBody):
    type: Literal["multi"]
    name: str
    # One grader, as the spec and the SDK type it, or graders by name, as the fine-tuning guide writes them (the
    # names are what `calculate_output` refers to).
    graders: SubGrader | dict[str, SubGrader]
    calculate_output: str


Grader = Annotated[
    StringCheckGrader | TextSimilarityGrader | PythonGrader | ScoreModelGrader | MultiGrader,
    Field(discriminator="type"),
]


# -- the alpha graders API (`/fine_tuning/alpha/graders/{run,validate}`) -----------------------------------------------


class ValidateGrader(RequestBody):
    grader: Grader


class RunGrader(RequestBody):
    grader: Grader
    model_sample: str
    item: Annotated[dict[str, Any] | None, NotNull] = None


class GraderErrors(BaseModel):
    formula_parse_error: bool = False
    sample_parse_error: bool = False
    truncated_observation_error: bool = False
    unresponsive_reward_error: bool = False
    invalid_variable_error: bool = False
    other_error: bool = False
    python_grader_server_error: bool = False
    python_grader_server_error_type: str | None = None
    python_grader_runtime_error: bool = False
    python_grader_runtime_error_details: str | None = None
    model_grader_server_error: bool = False
    model_grader_refusal_error: bool = False
    model_grader_parse_error: bool = False
    model_grader_server_error_details: str | None = None


class GraderRunMetadata(BaseModel):
    name: str
    type: str
    errors: GraderErrors = Field(default_factory=GraderErrors)
    execution_time: float
    scores: dict[str, Any]
    token_usage: int | None = None
    sampled_model_name: str | None = None


class GraderRunResult(BaseModel):
    reward: float
    metadata: GraderRunMetadata
    sub_rewards: dict[str, Any] = Field(default_factory=dict)
    model_grader_token_usage_per_model: dict[str, Any] = Field(default_factory=dict)


class GraderValidated(BaseModel):
    grader: dict[str, Any]
