"""Fine-tuning jobs: the create request, the job, its events and checkpoints."""

from __future__ import annotations

from typing import Annotated, Any, Literal, NamedTuple

from pydantic import BaseModel, ConfigDict, Field, model_validator

from mockserver.schemas.common import LeftOutWhenNone, Metadata, RequestBody, Wire, bounded
from mockserver.schemas.control import ForceTransition
from mockserver.schemas.graders import Grader
from mockserver.validation import custom_error

JobStatus = Literal["validating_files", "queued", "running", "succeeded", "failed", "cancelled", "paused"]
MethodType = Literal["supervised", "dpo", "reinforcement"]

BatchSize = Annotated[Literal["auto"] | int, bounded(integer=True, minimum=1, maximum=256, auto=True)]
NEpochs = Annotated[Literal["auto"] | int, bounded(integer=True, minimum=1, maximum=50, auto=True)]
LearningRateMultiplier = Annotated[
    Literal["auto"] | float, bounded(integer=False, minimum=0, exclusive_minimum=True, auto=True)
]
Beta = Annotated[
    Literal["auto"] | float, bounded(integer=False, minimum=0, maximum=2, exclusive_minimum=True, auto=True)
]
ComputeMultiplier = Annotated[
    Literal["auto"] | float, bounded(integer=False, minimum=0.00001, maximum=10, exclusive_minimum=True, auto=True)
]
EvalCount = Annotated[Literal["auto"] | int, bounded(integer=True, minimum=1, auto=True)]
Seed = Annotated[int, bounded(integer=True, minimum=0, maximum=2147483647)]


# -- request ---------------------------------------------------------------------------------------------------------


class SupervisedHyperparameters(RequestBody):
    model_config = ConfigDict(frozen=True)

    batch_size: BatchSize = "auto"
    learning_rate_multiplier: LearningRateMultiplier = "auto"
    n_epochs: NEpochs = "auto"


class DpoHyperparameters(SupervisedHyperparameters):
    beta: Beta = "auto"


class ReinforcementHyperparameters(SupervisedHyperparameters):
    compute_multiplier: ComputeMultiplier = "auto"
    eval_interval: EvalCount = "auto"
    eval_samples: EvalCount = "auto"
    reasoning_effort: Literal["default", "low", "medium", "high"] = "default"


class SupervisedMethod(RequestBody):
    model_config = ConfigDict(frozen=True)

    hyperparameters: SupervisedHyperparameters = Field(default_factory=SupervisedHyperparameters)


class DpoMethod(RequestBody):
    model_config = ConfigDict(frozen=True)

    hyperparameters: DpoHyperparameters = Field(default_factory=DpoHyperparameters)


class ReinforcementMethod(RequestBody):
    model_config = ConfigDict(frozen=True)

    grader: Grader
    hyperparameters: ReinforcementHyperparameters = Field(default_factory=ReinforcementHyperparameters)


class Method(RequestBody):
    model_config = ConfigDict(frozen=True)

    # The real API echoes only the configuration of the chosen type; `_one_configuration` leaves the others None.
    type: MethodType
    supervised: LeftOutWhenNone[SupervisedMethod] = None
    dpo: LeftOutWhenNone[DpoMethod] = None
    reinforcement: LeftOutWhenNone[ReinforcementMethod] = None

    @model_validator(mode="before")
    @classmethod
    def _default_configuration(cls, data: Any) -> Any:
        # The job echoes the chosen configuration with its defaults, even when the request named only the type.
        if isinstance(data, dict):
            chosen = data.get("type")
            if chosen in ("supervised", "dpo") and data.get(chosen) is None:
                return {**data, chosen: {}}
        return data

    @model_validator(mode="after")
    def _one_configuration(self) -> Method:
        for other in ("supervised", "dpo", "reinforcement"):
            if other != self.type and getattr(self, other) is not None:
                raise custom_error(
                    "invalid_value",
                    f"Invalid 'method': '{other}' settings were given, but the method type is '{self.type}'.",
                )
        if self.type == "reinforcement" and self.reinforcement is None:
            raise custom_error("invalid_value", "Missing required parameter: 'method.reinforcement.grader'.")
        return self

    @property
    def hyperparameters(self) -> SupervisedHyperparameters:
        chosen = getattr(self, self.type)
        return chosen.hyperparameters if chosen is not None else SupervisedHyperparameters()


class WandbSettings(RequestBody):
    project: str
    name: str | None = None
    entity: str | None = None
    tags: list[str] | None = None


class Integration(RequestBody):
    type: Literal["wandb"]
    wandb: WandbSettings


class CreateFineTuningJob(RequestBody):
    model: str
    training_file: str
    validation_file: str | None = None
    hyperparameters: SupervisedHyperparameters | None = None
    suffix: Annotated[str, Field(min_length=1, max_length=64)] | None = None
    seed: Seed | None = None
    method: Method | None = None
    integrations: Annotated[list[Integration], Field(max_length=5)] | None = None
    metadata: Metadata = None

    def resolved_method(self) -> Method:
        """`method`, or the deprecated top-level `hyperparameters` as a supervised method."""
        if self.method is not None:
            return self.method
        if self.hyperparameters is None:
            return DEFAULT_METHOD
        return Method(
            type="supervised",
            supervised=SupervisedMethod(hyperparameters=self.hyperparameters or SupervisedHyperparameters()),
        )


# -- response --------------------------------------------------------------------------------------------------------


class JobError(BaseModel):
    model_config = ConfigDict(frozen=True)

    code: str
    message: str
    param: str | None = None


class Hyperparameters(BaseModel):
    model_config = ConfigDict(frozen=True)

    batch_size: Literal["auto"] | int | None = "auto"
    learning_rate_multiplier: Literal["auto"] | float = "auto"
    n_epochs: Literal["auto"] | int = "auto"


class FineTuningJob(Wire):
    id: str
    object: Literal["fine_tuning.job"] = "fine_tuning.job"
    created_at: int
    error: JobError | None = None
    fine_tuned_model: str | None = None
    finished_at: int | None = None
    hyperparameters: Hyperparameters
    model: str
    organization_id: str
    result_files: list[str] = Field(default_factory=list)
    status: JobStatus
    trained_tokens: int | None = None
    training_file: str
    validation_file: str | None = None
    integrations: list[Integration] | None = Field(default_factory=list)
    seed: int
    estimated_finish: int | None = None
    method: Method
    metadata: dict[str, str] | None = None
    # Not in the published spec or the SDK types, but sent by the real API.
    user_provided_suffix: str | None = None


class JobEvent(Wire):
    object: Literal["fine_tuning.job.event"] = "fine_tuning.job.event"
    id: str
    created_at: int
    level: Literal["info", "warn", "error"] = "info"
    message: str
    type: Literal["message", "metrics"] = "message"
    # "Fine-tuning job started" has no data: the SDK reads it as None, and the spec allows only an object.
    data: LeftOutWhenNone[dict[str, Any]] = Field(default_factory=dict)


class EventRecord(NamedTuple):
    """A job event as the job log makes it on a read (`job_log.JobLog`, which keeps none); `wire()` makes the
    `JobEvent` of the ones a page shows."""

    id: str
    created_at: int
    level: str
    message: str
    type: str
    data: dict[str, Any] | None

    def wire(self) -> JobEvent:
        return JobEvent.model_validate(self._asdict())


class CheckpointMetrics(BaseModel):
    """Only the metrics the checkpoint has are sent."""

    step: LeftOutWhenNone[float] = None
    train_loss: LeftOutWhenNone[float] = None
    train_mean_token_accuracy: LeftOutWhenNone[float] = None
    valid_loss: LeftOutWhenNone[float] = None
    valid_mean_token_accuracy: LeftOutWhenNone[float] = None
    full_valid_loss: LeftOutWhenNone[float] = None
    full_valid_mean_token_accuracy: LeftOutWhenNone[float] = None


class Checkpoint(Wire):
    object: Literal["fine_tuning.job.checkpoint"] = "fine_tuning.job.checkpoint"
    id: str
    created_at: int
    fine_tuned_model_checkpoint: str
    fine_tuning_job_id: str
    step_number: int
    metrics: CheckpointMetrics


# What most jobs are created with, shared by every job that has it: a job never changes these in place (it gets new
# ones when its hyperparameters are resolved), so one instance serves thousands of idle jobs.
DEFAULT_METHOD = Method(type="supervised", supervised=SupervisedMethod())
AUTO_HYPERPARAMETERS = Hyperparameters()


class ForceJobTransition(ForceTransition):
    error: JobError | None = None
