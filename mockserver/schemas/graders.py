"""Grader configurations, as reinforcement fine-tuning (and eval testing criteria) send them."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import Field

from mockserver.schemas.common import Request


class StringCheckGrader(Request):
    type: Literal["string_check"]
    name: str
    input: str
    reference: str
    operation: Literal["eq", "ne", "like", "ilike"]


class TextSimilarityGrader(Request):
    type: Literal["text_similarity"]
    name: str
    input: str
    reference: str
    evaluation_metric: Literal[
        "cosine", "fuzzy_match", "bleu", "gleu", "meteor", "rouge_1", "rouge_2", "rouge_3", "rouge_4", "rouge_5",
        "rouge_l",
    ]  # fmt: skip


class PythonGrader(Request):
    type: Literal["python"]
    name: str
    source: str
    image_tag: str | None = None


class ScoreModelGrader(Request):
    type: Literal["score_model"]
    name: str
    model: str
    # Message lists and sampling settings are passed through to the model; their inner shapes are not checked here.
    input: list[dict[str, Any]]
    range: list[float] | None = None
    sampling_params: dict[str, Any] | None = None


class MultiGrader(Request):
    type: Literal["multi"]
    name: str
    graders: dict[str, Any]
    calculate_output: str


Grader = Annotated[
    StringCheckGrader | TextSimilarityGrader | PythonGrader | ScoreModelGrader | MultiGrader,
    Field(discriminator="type"),
]
