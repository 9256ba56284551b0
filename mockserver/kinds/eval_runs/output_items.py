"""An eval run's output items: one per data source item, with each testing criterion's result and the sample."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel

from mockserver.kinds.eval_runs.schemas import EvalRunError


class GraderResult(BaseModel):
    name: str
    type: str
    score: float
    passed: bool
    sample: dict[str, Any] | None = None


class SampleMessage(BaseModel):
    role: str
    content: str


class SampleUsage(BaseModel):
    total_tokens: int
    completion_tokens: int
    prompt_tokens: int
    cached_tokens: int = 0


class OutputItemSample(BaseModel):
    input: list[SampleMessage]
    output: list[SampleMessage]
    finish_reason: str = "stop"
    model: str
    usage: SampleUsage
    # Null when the sample has no error, as the spec's examples (real ids) show; the SDK's type wants an object.
    error: EvalRunError | None = None
    temperature: float = 1.0
    max_completion_tokens: int = 2048
    top_p: float = 1.0
    seed: int = 42


class OutputItem(BaseModel):
    object: Literal["eval.run.output_item"] = "eval.run.output_item"
    id: str
    run_id: str
    eval_id: str
    created_at: int
    status: Literal["pass", "fail"]
    datasource_item_id: int
    datasource_item: dict[str, Any]
    results: list[GraderResult]
    sample: OutputItemSample
