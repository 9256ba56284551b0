"""Evals and eval runs: the create requests (the config shapes the SDK sends), the eval, the run."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from mockserver.schemas.common import Metadata, NotNull, Request, Wire, bounded
from mockserver.schemas.graders import (
    GraderMessage,
    PythonGrader,
    ScoreModelGrader,
    StringCheckGrader,
    TextSimilarityGrader,
)

# -- eval --------------------------------------------------------------------------------------------------------------


class CustomDataSourceConfig(Request):
    type: Literal["custom"]
    item_schema: dict[str, Any]
    include_sample_schema: bool = False


class LogsDataSourceConfig(Request):
    type: Literal["logs"]
    metadata: dict[str, Any] | None = None


class StoredCompletionsDataSourceConfig(Request):
    type: Literal["stored_completions"]
    metadata: dict[str, Any] | None = None


DataSourceConfig = Annotated[
    CustomDataSourceConfig | LogsDataSourceConfig | StoredCompletionsDataSourceConfig, Field(discriminator="type")
]


class LabelModelGrader(Request):
    type: Literal["label_model"]
    name: str
    model: str
    input: list[GraderMessage]
    labels: list[str]
    passing_labels: list[str]


class EvalTextSimilarityGrader(TextSimilarityGrader):
    pass_threshold: float


class EvalPythonGrader(PythonGrader):
    pass_threshold: Annotated[float | None, NotNull] = None


class EvalScoreModelGrader(ScoreModelGrader):
    pass_threshold: Annotated[float | None, NotNull] = None


TestingCriterion = Annotated[
    LabelModelGrader | StringCheckGrader | EvalTextSimilarityGrader | EvalPythonGrader | EvalScoreModelGrader,
    Field(discriminator="type"),
]


class CreateEval(Request):
    name: Annotated[str | None, NotNull] = None
    metadata: Metadata = None
    data_source_config: DataSourceConfig
    testing_criteria: Annotated[list[TestingCriterion], Field(min_length=1)]


class Eval(Wire):
    object: Literal["eval"] = "eval"
    id: str
    name: str
    data_source_config: dict[str, Any]
    testing_criteria: list[dict[str, Any]]
    created_at: int
    metadata: dict[str, str] | None = None


# -- runs --------------------------------------------------------------------------------------------------------------


class ContentRow(Request):
    item: dict[str, Any]
    sample: dict[str, Any] | None = None


class FileContentSource(Request):
    type: Literal["file_content"]
    content: list[ContentRow]


class FileIdSource(Request):
    type: Literal["file_id"]
    id: str


class StoredCompletionsSource(Request):
    type: Literal["stored_completions"]
    metadata: dict[str, Any] | None = None
    model: str | None = None
    created_after: int | None = None
    created_before: int | None = None
    limit: Annotated[int, bounded(integer=True, minimum=1)] | None = None


class ResponsesSource(Request):
    # The responses query has many optional filters; they select logs the mock does not have, so they are kept as
    # given rather than checked one by one.
    model_config = ConfigDict(extra="allow", strict=True)

    type: Literal["responses"]
    limit: Annotated[int, bounded(integer=True, minimum=1)] | None = None


JsonlSource = Annotated[FileContentSource | FileIdSource, Field(discriminator="type")]
CompletionsSource = Annotated[FileContentSource | FileIdSource | StoredCompletionsSource, Field(discriminator="type")]
ResponsesRunSource = Annotated[FileContentSource | FileIdSource | ResponsesSource, Field(discriminator="type")]


class JsonlRunDataSource(Request):
    type: Literal["jsonl"]
    source: JsonlSource


class CompletionsRunDataSource(Request):
    type: Literal["completions"]
    source: CompletionsSource
    input_messages: dict[str, Any] | None = None
    model: str | None = None
    sampling_params: dict[str, Any] | None = None


class ResponsesRunDataSource(Request):
    type: Literal["responses"]
    source: ResponsesRunSource
    input_messages: dict[str, Any] | None = None
    model: str | None = None
    sampling_params: dict[str, Any] | None = None


RunDataSource = Annotated[
    JsonlRunDataSource | CompletionsRunDataSource | ResponsesRunDataSource, Field(discriminator="type")
]


class CreateEvalRun(Request):
    name: Annotated[str | None, NotNull] = None
    metadata: Metadata = None
    data_source: RunDataSource


class ResultCounts(BaseModel):
    total: int = 0
    errored: int = 0
    failed: int = 0
    passed: int = 0


class EvalRunError(BaseModel):
    code: str
    message: str


class EvalRun(Wire):
    object: Literal["eval.run"] = "eval.run"
    id: str
    eval_id: str
    status: Literal["queued", "in_progress", "completed", "failed", "canceled"]
    model: str | None
    name: str
    created_at: int
    report_url: str
    result_counts: ResultCounts = Field(default_factory=ResultCounts)
    per_model_usage: list[dict[str, Any]] | None = None
    per_testing_criteria_results: list[dict[str, Any]] = Field(default_factory=list)
    data_source: dict[str, Any]
    metadata: dict[str, str] | None = None
    error: EvalRunError | None = None
