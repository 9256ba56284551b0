"""Evals and eval runs: the create requests (the config shapes the SDK sends), the eval, the run."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from mockserver.schemas.common import Metadata, NotNull, RequestBody, Wire, bounded
from mockserver.schemas.control import ForceTransition
from mockserver.schemas.graders import (
    LabelModelGrader,
    PythonGrader,
    ScoreModelGrader,
    StringCheckGrader,
    TextSimilarityGrader,
)

# -- eval --------------------------------------------------------------------------------------------------------------


class CustomDataSourceConfig(RequestBody):
    type: Literal["custom"]
    item_schema: dict[str, Any]
    include_sample_schema: bool = False


class LogsDataSourceConfig(RequestBody):
    type: Literal["logs"]
    metadata: dict[str, Any] | None = None


class StoredCompletionsDataSourceConfig(RequestBody):
    type: Literal["stored_completions"]
    metadata: dict[str, Any] | None = None


DataSourceConfig = Annotated[
    CustomDataSourceConfig | LogsDataSourceConfig | StoredCompletionsDataSourceConfig, Field(discriminator="type")
]


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


class CreateEval(RequestBody):
    name: Annotated[str | None, NotNull] = None
    metadata: Metadata = None
    data_source_config: DataSourceConfig
    testing_criteria: Annotated[list[TestingCriterion], Field(min_length=1)]


class UpdateEval(RequestBody):
    name: Annotated[str | None, NotNull] = None
    metadata: Metadata = None


class Eval(Wire):
    object: Literal["eval"] = "eval"
    id: str
    name: str
    data_source_config: dict[str, Any]
    testing_criteria: list[dict[str, Any]]
    created_at: int
    metadata: dict[str, str] | None = None


class EvalDeleted(BaseModel):
    object: Literal["eval.deleted"] = "eval.deleted"
    deleted: bool = True
    eval_id: str


# -- runs --------------------------------------------------------------------------------------------------------------


class ContentRow(RequestBody):
    item: dict[str, Any]
    sample: dict[str, Any] | None = None


class FileContentSource(RequestBody):
    type: Literal["file_content"]
    content: list[ContentRow]


class FileIdSource(RequestBody):
    type: Literal["file_id"]
    id: str


class StoredCompletionsSource(RequestBody):
    type: Literal["stored_completions"]
    metadata: dict[str, Any] | None = None
    model: str | None = None
    created_after: int | None = None
    created_before: int | None = None
    limit: Annotated[int, bounded(integer=True, minimum=1)] | None = None


class ResponsesSource(RequestBody):
    # The responses query has many optional filters; they select logs the mock does not have, so they are kept as
    # given rather than checked one by one.
    model_config = ConfigDict(extra="allow", strict=True)

    type: Literal["responses"]
    limit: Annotated[int, bounded(integer=True, minimum=1)] | None = None


JsonlSource = Annotated[FileContentSource | FileIdSource, Field(discriminator="type")]
CompletionsSource = Annotated[FileContentSource | FileIdSource | StoredCompletionsSource, Field(discriminator="type")]
ResponsesRunSource = Annotated[FileContentSource | FileIdSource | ResponsesSource, Field(discriminator="type")]


class JsonlRunDataSource(RequestBody):
    type: Literal["jsonl"]
    source: JsonlSource


class CompletionsRunDataSource(RequestBody):
    type: Literal["completions"]
    source: CompletionsSource
    input_messages: dict[str, Any] | None = None
    model: str | None = None
    sampling_params: dict[str, Any] | None = None


class ResponsesRunDataSource(RequestBody):
    type: Literal["responses"]
    source: ResponsesRunSource
    input_messages: dict[str, Any] | None = None
    model: str | None = None
    sampling_params: dict[str, Any] | None = None


RunDataSource = Annotated[
    JsonlRunDataSource | CompletionsRunDataSource | ResponsesRunDataSource, Field(discriminator="type")
]


class CreateEvalRun(RequestBody):
    name: Annotated[str | None, NotNull] = None
    metadata: Metadata = None
    data_source: RunDataSource


class ResultCounts(BaseModel):
    total: int = 0
    errored: int = 0
    failed: int = 0
    passed: int = 0


class EvalRunError(BaseModel):
    model_config = ConfigDict(frozen=True)

    code: str
    message: str


class EvalRun(Wire):
    object: Literal["eval.run"] = "eval.run"
    id: str
    eval_id: str
    status: Literal["queued", "in_progress", "completed", "failed", "canceled"]
    model: str
    name: str
    created_at: int
    report_url: str
    result_counts: ResultCounts = Field(default_factory=ResultCounts)
    # Null until the run is graded, as a real queued run answers (README, "Where the SDK's types refuse").
    per_model_usage: list[dict[str, Any]] | None = None
    per_testing_criteria_results: list[dict[str, Any]] | None = None
    data_source: dict[str, Any]
    metadata: dict[str, str] | None = None
    error: EvalRunError | None = None


class EvalRunDeleted(BaseModel):
    object: Literal["eval.run.deleted"] = "eval.run.deleted"
    deleted: bool = True
    run_id: str


class ForceRunTransition(ForceTransition):
    error: EvalRunError | None = None
