"""Fine-tuning jobs: `validating_files` → `queued` → `running` → `succeeded` | `failed`, `cancelled` from any
non-terminal state, `paused` ⇄ `queued`. Training runs epoch by epoch, each epoch a timer, each reporting its
metrics events and checkpoint."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from mockserver.catalogue import fine_tunable
from mockserver.errors import APIError, InvalidRequestError, NotFoundError
from mockserver.examples import example_path
from mockserver.files import Files
from mockserver.kinds.fine_tuning.job_log import NO_DATA, JobEvents, JobLog
from mockserver.kinds.fine_tuning.permissions import CheckpointPermissions
from mockserver.kinds.fine_tuning.schemas import (
    AUTO_HYPERPARAMETERS,
    Checkpoint,
    CreateFineTuningJob,
    FineTuningJob,
    Hyperparameters,
    JobError,
    Method,
)
from mockserver.kinds.fine_tuning.training import Plan, ResultsCsv, make_plan, resolve_method
from mockserver.kinds.fine_tuning.training_data import TrainingData, inspect_file
from mockserver.lifecycles.base import Entry, Lifecycle
from mockserver.lifecycles.machine import StateMachine, UserAction
from mockserver.lifecycles.runtime import Runtime
from mockserver.schemas.common import kept
from mockserver.schemas.models import Model

if TYPE_CHECKING:
    from mockserver.kinds.kind import Kind

MACHINE = StateMachine(
    edges={
        "validating_files": ("queued", "failed", "cancelled"),
        "queued": ("running", "paused", "cancelled"),
        "running": ("succeeded", "failed", "paused", "cancelled"),
        "paused": ("queued", "cancelled"),
    },
    terminal=frozenset({"succeeded", "failed", "cancelled"}),
    no_detour=frozenset({"paused"}),
    actions={
        "cancel": UserAction("cancelled", "cancelled", ("validating_files", "queued", "running", "paused")),
        "pause": UserAction("paused", "paused", ("queued", "running")),
        "resume": UserAction("queued", "resumed", ("paused",)),
    },
)

# Used when a job fails while training (the `fail` scenario, or a forced failure without an `error`).
TRAINING_FAILURE = JobError(code="server_error", message="The job failed due to an internal error.", param=None)
# Used for the `fail_validation` scenario when the file itself is fine.
VALIDATION_FAILURE = JobError(
    code="invalid_training_file",
    message="The job failed due to an invalid training file. The training file could not be validated.",
    param="training_file",
)


def _hyperparameters(method: Method) -> Hyperparameters:
    """The job's top-level hyperparameters, as given in its method (the shared instance when all are "auto")."""
    given = method.hyperparameters
    if given.batch_size == given.learning_rate_multiplier == given.n_epochs == "auto":
        return AUTO_HYPERPARAMETERS
    return Hyperparameters.model_validate(
        given.model_dump(include={"batch_size", "learning_rate_multiplier", "n_epochs"})
    )


@dataclass(kw_only=True)
class _Job(Entry[FineTuningJob]):
    """What the lifecycle tracks beside the job."""

    base_model: str
    training: TrainingData
    validation: TrainingData | None
    plan: Plan | None = None
    log: JobLog = field(default_factory=JobLog)
    epochs_done: int = 0
    epoch_started: float = 0.0
    # Training runs in segments (a pause ends one); epoch due times are computed from the segment's start, so that
    # rounding never pushes the last epoch past the end of the phase.
    segment_started: float = 0.0
    segment_first_epoch: int = 0


class FineTuningLifecycle(Lifecycle[FineTuningJob, _Job]):
    def __init__(self, kind: Kind, runtime: Runtime, files: Files) -> None:
        super().__init__(kind, runtime, files)
        # Files never change once uploaded, so each is read once per way it is used, not once per job.
        self._inspected: dict[tuple[str, str, str, str], TrainingData] = {}
        # Jobs with the same settings and file size run the same plan: its (frozen) plan, hyperparameters and
        # resolved method are made once and shared, not kept once per job (a resolved method is ~1.5 KB).
        self._plans: dict[tuple[str, int, bool], tuple[Plan, Hyperparameters, Method]] = {}
        self.permissions = CheckpointPermissions(self._succeeded_checkpoints, runtime.ids, runtime.now)

    def not_found(self, object_id: str) -> APIError:
        return NotFoundError(f"Could not find fine tune: {object_id}", param="fine_tune_id", code="fine_tune_not_found")

    # -- the API -----------------------------------------------------------------------------------------------------

    def create(
        self, project: str, request: CreateFineTuningJob, *, scenario: str | None = None, job_id: str | None = None
    ) -> FineTuningJob:
        """Validate everything first, then write: a refused request leaves nothing behind."""
        scenario = self.scenario(scenario, request.metadata)
        method = request.resolved_method()
        if request.method is not None and request.hyperparameters is not None:
            raise InvalidRequestError(
                "The 'hyperparameters' parameter is deprecated and cannot be used together with 'method'; "
                f"set them in 'method.{method.type}.hyperparameters' instead.",
                param="hyperparameters",
            )
        base_name = self._base_model(project, request.model, method.type)
        training = self._inspect(project, request.training_file, "training_file", method.type, base_name)
        validation = None
        if request.validation_file is not None:
            validation = self._inspect(project, request.validation_file, "validation_file", method.type, base_name)

        at = self._rt.now()
        ids = self._rt.ids
        job = kept(
            FineTuningJob(
                id=job_id or self.kind.new_id(ids),
                created_at=int(at),
                hyperparameters=_hyperparameters(method),
                model=request.model,
                organization_id=self._rt.fakes.organization_id,
                status="validating_files",
                training_file=request.training_file,
                validation_file=request.validation_file,
                integrations=request.integrations or [],
                seed=request.seed if request.seed is not None else ids.random.randint(0, 2**31 - 1),
                method=method,
                metadata=request.metadata,
                user_provided_suffix=request.suffix,
            )
        )
        state = _Job(
            obj=job, project=project, scenario=scenario, base_model=base_name, training=training, validation=validation
        )
        self._add(state)
        self._event(state, at, f"Created fine-tuning job: {job.id}")
        if request.validation_file is None:
            self._event(state, at, f"Validating training file: {request.training_file}")
        else:
            self._event(
                state,
                at,
                f"Validating training file: {request.training_file} and validation file: {request.validation_file}",
            )
        self._after_phase(state, "fine_tuning.validating_files", at, self._validated)
        return job

    def seed(
        self, project: str, fields: dict[str, Any], *, object_id: str | None, scenario: str | None
    ) -> FineTuningJob:
        return self.create(project, CreateFineTuningJob.model_validate(fields), scenario=scenario, job_id=object_id)

    def create_for_trigger(self, project: str) -> FineTuningJob:
        """A job on a new upload of the packaged example training file."""
        file = self._files.create(
            project,
            filename="valid.jsonl",
            purpose="fine-tune",
            content=example_path("training/valid.jsonl").read_bytes(),
            at=self._rt.now(),
        )
        return self.create(project, CreateFineTuningJob(model="gpt-4o-mini", training_file=file.id))

    def cancel(self, project: str, job_id: str) -> FineTuningJob:
        return self.act(project, job_id, "cancel")

    def pause(self, project: str, job_id: str) -> FineTuningJob:
        return self.act(project, job_id, "pause")

    def resume(self, project: str, job_id: str) -> FineTuningJob:
        return self.act(project, job_id, "resume")

    def events(self, project: str, job_id: str) -> JobEvents:
        """The job's events (`reversed()`: newest first, each made when reached)."""
        state = self._entries[self.get(project, job_id).id]
        return JobEvents(state.log, state.obj, state.plan, self._model_prefix(state))

    def _succeeded_checkpoints(self, project: str) -> Iterator[str]:
        """The checkpoint names of the project's succeeded jobs (what checkpoint permissions can be granted on)."""
        for job_id, job in self.objects.newest_first(project):
            if job.status == "succeeded":
                state = self._entries[job_id]
                yield from state.log.checkpoint_names(job, state.plan, self._model_prefix(state))

    def checkpoints(self, project: str, job_id: str) -> list[Checkpoint]:
        """The job's checkpoints, oldest first."""
        state = self._entries[self.get(project, job_id).id]
        return state.log.checkpoints(state.obj, state.plan, self._model_prefix(state))

    # -- checks ------------------------------------------------------------------------------------------------------

    def _base_model(self, project: str, name: str, method: str) -> str:
        """The snapshot a job trains, refusing what the real API would refuse."""
        if name.startswith("ft:"):
            if self._rt.store.models.get(project, name) is None:
                raise InvalidRequestError(
                    f"Model {name} is not available for fine-tuning or does not exist.",
                    param="model",
                    code="model_not_available",
                )
            return name.split(":")[1]
        base = fine_tunable(name)
        if base is None:
            raise InvalidRequestError(
                f"Model {name} is not available for fine-tuning or does not exist.",
                param="model",
                code="model_not_available",
            )
        if method not in base.methods:
            raise InvalidRequestError(
                f"Model {name} does not support the '{method}' fine-tuning method.",
                param="model",
                code="model_not_available",
            )
        return base.id

    def _inspect(self, project: str, file_id: str, param: str, method: str, model: str) -> TrainingData:
        file = self._files.find(project, file_id)
        if file is None:
            raise InvalidRequestError(f"invalid {param}: {file_id}", param=param)
        if file.purpose != "fine-tune":
            raise InvalidRequestError(
                f"File {file_id} has purpose '{file.purpose}', but fine-tuning files must have purpose 'fine-tune'.",
                param=param,
            )
        key = (file_id, method, model, param)
        if key not in self._inspected:
            content = self._files.content(project, file_id)
            self._inspected[key] = inspect_file(content, file_id=file_id, method=method, model=model, param=param)
        return self._inspected[key]

    # -- timers ------------------------------------------------------------------------------------------------------

    def _validated(self, state: _Job, at: float) -> None:
        error = state.training.error or (state.validation.error if state.validation else None)
        if error is None and state.scenario == "fail_validation":
            error = VALIDATION_FAILURE
        if error is not None:
            self._move(state, "failed", at, error=error)
        else:
            self._move(state, "queued", at)

    def _dequeued(self, state: _Job, at: float) -> None:
        self._move(state, "running", at)

    def _epoch_ended(self, state: _Job, at: float) -> None:
        assert state.plan is not None
        if state.epochs_done + 1 < state.plan.n_epochs:
            self._train_epoch(state, at)
            self._schedule_epoch(state, at)
        elif state.scenario == "fail":
            self._move(state, "failed", at)
        else:
            self._move(state, "succeeded", at)

    def _schedule_epoch(self, state: _Job, start: float) -> None:
        plan = state.plan
        assert plan is not None
        state.epoch_started = start
        epochs_into_segment = state.epochs_done + 1 - state.segment_first_epoch
        due = state.segment_started + self._rt.phases["fine_tuning.running"] * epochs_into_segment / plan.n_epochs
        self._schedule(state, due, self._epoch_ended)

    # -- what each status does --------------------------------------------------------------------------------------

    def _enter(self, state: _Job, source: str, target: str, at: float, details: dict[str, Any]) -> None:
        job = state.obj
        if target == "queued":
            if source == "paused":
                self._event(state, at, "Fine-tuning job resumed")
            else:
                self._event(state, at, "Files validated, moving job to queued state")
            if state.scenario != "stall":
                self._after_phase(state, "fine_tuning.queued", at, self._dequeued)
        elif target == "running":
            self._start_running(state, at)
        elif target == "paused":
            self._event(state, at, "Fine-tuning job paused")
        elif target == "succeeded":
            self._succeed(state, at)
        elif target == "failed":
            self._fail(state, at, details.get("error"))
        elif target == "cancelled":
            if source in ("running", "paused") and state.plan is not None:
                job.finished_at = int(at)
            self._event(state, at, "Fine-tuning job cancelled")

    def _start_running(self, state: _Job, at: float) -> None:
        job = state.obj
        if state.plan is None:
            state.plan, job.hyperparameters, job.method = self._plan(job.method, state)
            self._event(state, at, "Fine-tuning job started", data=None)
        state.segment_started = at
        state.segment_first_epoch = state.epochs_done
        self._schedule_epoch(state, at)

    def _plan(self, method: Method, state: _Job) -> tuple[Plan, Hyperparameters, Method]:
        key = (method.model_dump_json(), state.training.examples, state.validation is not None)
        if key not in self._plans:
            plan = make_plan(method, state.training.examples, has_validation=state.validation is not None)
            self._plans[key] = (plan, plan.hyperparameters(), resolve_method(method, plan))
        return self._plans[key]

    def _train_epoch(self, state: _Job, at: float) -> None:
        """Report the next epoch as finished at `at`: its metrics events, spread over the epoch, and its checkpoint
        (both made when read, from the log's record of the epoch)."""
        assert state.plan is not None
        state.epochs_done += 1
        state.log.epoch(state.plan, min(state.epoch_started, at), at)
        state.epoch_started = at

    def _succeed(self, state: _Job, at: float) -> None:
        job = state.obj
        plan = state.plan
        assert plan is not None  # the machine only reaches succeeded through running
        while state.epochs_done < plan.n_epochs:  # a forced success trains what is left in an instant
            self._train_epoch(state, at)
        model_name = f"{self._model_prefix(state)}:{self._rt.ids.model_tag()}"
        # The result file's bytes are made when downloaded, from the plan and the seed, like the metrics events.
        csv = ResultsCsv(plan, job.seed)
        result = self._files.create(
            state.project, filename="step_metrics.csv", purpose="fine-tune-results", content=csv, at=at
        )
        job.fine_tuned_model = model_name
        job.finished_at = int(at)
        job.trained_tokens = state.training.tokens * plan.n_epochs
        job.result_files = [result.id]
        self._rt.store.models.add(
            state.project, model_name, kept(Model(id=model_name, created=int(at), owned_by=job.organization_id))
        )
        self._event(state, at, f"New fine-tuned model created: {model_name}")
        self._event(state, at, "The job has successfully completed")

    def _fail(self, state: _Job, at: float, error: JobError | None) -> None:
        job = state.obj
        if error is None:
            error = TRAINING_FAILURE if state.plan is not None else (state.training.error or VALIDATION_FAILURE)
        job.error = error
        # A job that fails in validation never finished anything; one that fails while training has.
        if state.plan is not None:
            job.finished_at = int(at)
        self._event(state, at, error.message, level="error")

    # -- records -----------------------------------------------------------------------------------------------------

    def _model_prefix(self, state: _Job) -> str:
        suffix = state.obj.user_provided_suffix or ""
        return f"ft:{state.base_model}:{self._rt.fakes.organization_slug}:{suffix}"

    def _event(
        self, state: _Job, at: float, message: str, *, level: str = "info", data: dict[str, Any] | None = NO_DATA
    ) -> None:
        state.log.message(at, message, level, data, state.plan)
