"""What many objects share to stay small (the all-"auto" method and hyperparameters, the outcome errors) cannot be
changed in place: a change through one job, in one app, would show in every job of every app in the process."""

from __future__ import annotations

import pydantic
import pytest

from mockserver import Settings, create_app
from mockserver.kinds.batches.lifecycle import PROCESSING_FAILURE, VALIDATION_FAILURE as BATCH_VALIDATION_FAILURE
from mockserver.kinds.eval_runs.lifecycle import RUN_FAILURE
from mockserver.kinds.fine_tuning.lifecycle import TRAINING_FAILURE, FineTuningLifecycle
from mockserver.kinds.fine_tuning.schemas import CreateFineTuningJob, FineTuningJob
from mockserver.services import Services
from tests.conftest import training_lines


def _idle_job_in_a_new_app() -> FineTuningJob:
    services: Services = create_app(Settings(clock="manual")).state.services
    file = services.files.create("p", filename="t.jsonl", purpose="fine-tune", content=training_lines(), at=0)
    request = CreateFineTuningJob.model_validate({"model": "gpt-4o-mini", "training_file": file.id})
    return services.lifecycle(FineTuningLifecycle).create("p", request)


def test_a_shared_default_cannot_be_changed_through_one_job() -> None:
    mine, theirs = _idle_job_in_a_new_app(), _idle_job_in_a_new_app()
    assert mine.method is theirs.method  # shared, which is why it must be frozen
    with pytest.raises(pydantic.ValidationError, match="frozen"):
        mine.hyperparameters.n_epochs = 3  # type: ignore[misc]
    with pytest.raises(pydantic.ValidationError, match="frozen"):
        mine.method.supervised.hyperparameters.batch_size = 8  # type: ignore[misc, union-attr]
    assert theirs.hyperparameters.n_epochs == "auto"


@pytest.mark.parametrize("shared", [TRAINING_FAILURE, PROCESSING_FAILURE, BATCH_VALIDATION_FAILURE, RUN_FAILURE])
def test_the_outcome_errors_placed_into_objects_are_frozen(shared: pydantic.BaseModel) -> None:
    with pytest.raises(pydantic.ValidationError, match="frozen"):
        shared.message = "changed"  # type: ignore[attr-defined]
