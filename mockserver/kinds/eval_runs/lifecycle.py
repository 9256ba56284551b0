"""Evals and their runs: a run goes `queued` → `in_progress` → `completed` | `failed`, and is `canceled` (one l,
as the real API spells it) at once when cancelled."""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from mockserver.errors import APIError, InvalidRequestError, NotFoundError
from mockserver.kinds.eval_runs.grading import Grader, Row
from mockserver.kinds.eval_runs.output_items import OutputItem
from mockserver.kinds.eval_runs.schemas import (
    CreateEval,
    CreateEvalRun,
    CustomDataSourceConfig,
    Eval,
    EvalDeleted,
    EvalRun,
    EvalRunDeleted,
    EvalRunError,
    FileContentSource,
    FileIdSource,
    UpdateEval,
)
from mockserver.lifecycles.base import Entry, Lifecycle
from mockserver.lifecycles.machine import StateMachine, UserAction
from mockserver.lifecycles.runtime import Runtime
from mockserver.schemas.control import ForceTransition
from mockserver.store import Collection

if TYPE_CHECKING:
    from mockserver.files import Files
    from mockserver.kinds.kind import Kind

# How many items a run over stored completions or responses logs finds: the mock has no logs to count.
LOGGED_ITEMS = 10

MACHINE = StateMachine(
    edges={"queued": ("in_progress", "failed", "canceled"), "in_progress": ("completed", "failed", "canceled")},
    terminal=frozenset({"completed", "failed", "canceled"}),
    actions={"cancel": UserAction("canceled", "canceled", ("queued", "in_progress"))},
)

VALIDATION_FAILURE = EvalRunError(code="invalid_data_source", message="The run's data source could not be read.")
RUN_FAILURE = EvalRunError(code="server_error", message="The eval run failed due to an internal error.")


def _schema(config: Any) -> dict[str, Any]:
    """The `schema` an eval shows for its data source config, as the real API derives it."""
    if isinstance(config, CustomDataSourceConfig):
        properties: dict[str, Any] = {"item": config.item_schema}
        required = ["item"]
        if config.include_sample_schema:
            properties["sample"] = {"type": "object", "properties": {"output_text": {"type": "string"}}}
            required.append("sample")
        return {"type": "object", "properties": properties, "required": required}
    return {
        "type": "object",
        "properties": {"item": {"type": "object"}, "sample": {"type": "object"}},
        "required": ["item", "sample"],
    }


# What `create_for_trigger` makes: a typical small eval and run, as the SDK would send them.
_TRIGGER_EVAL: dict[str, Any] = {
    "name": "triggered eval",
    "data_source_config": {
        "type": "custom",
        "item_schema": {"type": "object", "properties": {"question": {"type": "string"}, "answer": {"type": "string"}}},
        "include_sample_schema": True,
    },
    "testing_criteria": [
        {"type": "string_check", "name": "exact", "input": "{{sample.output_text}}", "reference": "{{item.answer}}",
         "operation": "eq"},
    ],
}  # fmt: skip
_ROWS = [{"item": {"question": f"q{i}", "answer": f"a{i}"}} for i in range(3)]
_TRIGGER_RUN: dict[str, Any] = {"data_source": {"type": "jsonl", "source": {"type": "file_content", "content": _ROWS}}}


@dataclass(kw_only=True)
class _Run(Entry[EvalRun]):
    rows: list[Row]
    criteria: list[dict[str, Any]]


def _row(line: str) -> Row:
    """A line of an uploaded jsonl file: `{"item": ..., "sample"?: ...}`, or a bare item."""
    try:
        data = json.loads(line)
    except ValueError:
        data = {"text": line}
    if isinstance(data, dict) and isinstance(data.get("item"), dict):
        sample = data.get("sample")
        return Row(data["item"], sample if isinstance(sample, dict) else None)
    return Row(data if isinstance(data, dict) else {"value": data})


class EvalRunLifecycle(Lifecycle[EvalRun, _Run]):
    """Eval runs, and the evals they belong to (which have no lifecycle of their own)."""

    def __init__(self, kind: Kind, runtime: Runtime, files: Files) -> None:
        super().__init__(kind, runtime, files)
        self.evals: Collection[Eval] = Collection()
        # When each eval was last updated (`order_by=updated_at`); the wire object does not show it.
        self._eval_updated: dict[str, float] = {}
        # By run id, in data source order; made when the run completes.
        self._output_items: dict[str, list[OutputItem]] = {}

    def force_at(self, path_params: Mapping[str, str], body: ForceTransition) -> EvalRun:
        found = self.objects.get_any(path_params["id"])
        if found is None or found[1].eval_id != path_params["eval_id"]:
            raise self.not_found(path_params["id"])
        return super().force_at(path_params, body)

    def not_found(self, object_id: str) -> APIError:
        return NotFoundError(f"No eval run found with id '{object_id}'.", param="run_id")

    # -- evals -------------------------------------------------------------------------------------------------------

    def create_eval(self, project: str, request: CreateEval, *, eval_id: str | None = None) -> Eval:
        config = request.data_source_config
        shown: dict[str, Any] = {"type": config.type, "schema": _schema(config)}
        if not isinstance(config, CustomDataSourceConfig):
            shown["metadata"] = config.metadata
        evaluation = Eval(
            id=eval_id or self._rt.ids.eval(),
            name=request.name or self._rt.fakes.faker.catch_phrase(),
            data_source_config=shown,
            testing_criteria=[criterion.model_dump(exclude_none=True) for criterion in request.testing_criteria],
            created_at=int(self._rt.now()),
            metadata=request.metadata,
        )
        self.evals.add(project, evaluation.id, evaluation)
        self._eval_updated[evaluation.id] = self._rt.now()
        return evaluation

    def get_eval(self, project: str, eval_id: str) -> Eval:
        found = self.evals.get(project, eval_id)
        if found is None:
            raise NotFoundError(f"No eval found with id '{eval_id}'.", param="eval_id")
        return found

    def list_evals(self, project: str, *, order: str, order_by: str) -> Iterator[tuple[str, Eval]]:
        """A project's evals in list order; ties in update time keep creation order."""
        evals = list(self.evals.oldest_first(project))
        if order_by == "updated_at":
            evals.sort(key=lambda pair: self._eval_updated.get(pair[0], pair[1].created_at))
        return reversed(evals) if order == "desc" else iter(evals)

    def update_eval(self, project: str, eval_id: str, request: UpdateEval) -> Eval:
        evaluation = self.get_eval(project, eval_id)
        if request.name is not None:
            evaluation.name = request.name
        if "metadata" in request.model_fields_set:
            evaluation.metadata = request.metadata
        self._eval_updated[eval_id] = self._rt.now()
        return evaluation

    def delete_eval(self, project: str, eval_id: str) -> EvalDeleted:
        """The eval and every run of it are gone; pending timers of its runs fire into nothing."""
        self.get_eval(project, eval_id)
        runs = [run_id for run_id, run in self.objects.oldest_first(project) if run.eval_id == eval_id]
        for run_id in runs:
            self._forget(project, run_id)
        self.evals.remove(project, eval_id)
        self._eval_updated.pop(eval_id, None)
        return EvalDeleted(eval_id=eval_id)

    # -- runs --------------------------------------------------------------------------------------------------------

    def create(
        self,
        project: str,
        eval_id: str,
        request: CreateEvalRun,
        *,
        scenario: str | None = None,
        run_id: str | None = None,
    ) -> EvalRun:
        evaluation = self.get_eval(project, eval_id)
        scenario = self.scenario(scenario, request.metadata)
        rows = self._rows(project, request)
        source = request.data_source
        at = self._rt.now()
        run_id = run_id or self.kind.new_id(self._rt.ids)
        run = EvalRun(
            id=run_id,
            eval_id=evaluation.id,
            status="queued",
            # No evidence of what the real API answers for a run that names no model; an empty string is what the
            # spec and the SDK's types allow (README, "What is not real").
            model=getattr(source, "model", None) or "",
            name=request.name or f"{evaluation.name} run",
            created_at=int(at),
            report_url=f"https://platform.openai.com/evaluation/evals/{evaluation.id}?run_id={run_id}",
            data_source=source.model_dump(exclude_none=True),
            metadata=request.metadata,
        )
        entry = _Run(obj=run, project=project, scenario=scenario, rows=rows, criteria=evaluation.testing_criteria)
        self._add(entry)
        if scenario != "stall":
            self._after_phase(entry, "eval_run.queued", at, self._dequeued)
        return run

    def seed(self, project: str, fields: dict[str, Any], *, object_id: str | None, scenario: str | None) -> EvalRun:
        """A run of a seeded (or earlier) eval: the entry names it with `eval_id`, the rest is the create request."""
        eval_id = fields.pop("eval_id", None)
        if not isinstance(eval_id, str):
            raise InvalidRequestError("A seeded eval run needs the 'eval_id' of its eval.", param="eval_id")
        request = CreateEvalRun.model_validate(fields)
        return self.create(project, eval_id, request, scenario=scenario, run_id=object_id)

    def create_for_trigger(self, project: str) -> EvalRun:
        """A new eval (one exact-match criterion) and a run of it over three inline rows."""
        evaluation = self.create_eval(project, CreateEval.model_validate(_TRIGGER_EVAL))
        return self.create(project, evaluation.id, CreateEvalRun.model_validate(_TRIGGER_RUN))

    def get_run(self, project: str, eval_id: str, run_id: str) -> EvalRun:
        self.get_eval(project, eval_id)
        run = self.get(project, run_id)
        if run.eval_id != eval_id:
            raise self.not_found(run_id)
        return run

    def cancel(self, project: str, eval_id: str, run_id: str) -> EvalRun:
        self.get_run(project, eval_id, run_id)
        return self.act(project, run_id, "cancel")

    def delete_run(self, project: str, eval_id: str, run_id: str) -> EvalRunDeleted:
        self.get_run(project, eval_id, run_id)
        self._forget(project, run_id)
        return EvalRunDeleted(run_id=run_id)

    def output_items(self, project: str, eval_id: str, run_id: str) -> list[OutputItem]:
        """A run's output items, in data source order (none until it completes)."""
        run = self.get_run(project, eval_id, run_id)
        return self._output_items.get(run.id, [])

    def output_item(self, project: str, eval_id: str, run_id: str, item_id: str) -> OutputItem:
        for item in self.output_items(project, eval_id, run_id):
            if item.id == item_id:
                return item
        raise NotFoundError(f"No output item found with id '{item_id}'.", param="output_item_id")

    def _forget(self, project: str, run_id: str) -> None:
        self._remove(project, run_id)
        self._output_items.pop(run_id, None)

    def _rows(self, project: str, request: CreateEvalRun) -> list[Row]:
        source = request.data_source.source
        if isinstance(source, FileContentSource):
            return [Row(row.item, row.sample) for row in source.content]
        if isinstance(source, FileIdSource):
            file = self._files.find(project, source.id)
            if file is None:
                raise InvalidRequestError(f"No such File object: {source.id}", param="data_source.source.id")
            content = self._files.content(project, file.id)
            return [_row(line) for line in content.decode("utf-8", "replace").splitlines() if line.strip()]
        # Logs the mock does not have: stand-in items, as many as the query's limit.
        faker = self._rt.fakes.faker
        return [Row({"input": faker.sentence()}) for _ in range(source.limit or LOGGED_ITEMS)]

    # -- timers and statuses -----------------------------------------------------------------------------------------

    def _dequeued(self, entry: _Run, at: float) -> None:
        if entry.scenario == "fail_validation":
            self._move(entry, "failed", at, error=VALIDATION_FAILURE)
        else:
            self._move(entry, "in_progress", at)

    def _graded(self, entry: _Run, at: float) -> None:
        self._move(entry, "failed" if entry.scenario == "fail" else "completed", at)

    def _enter(self, entry: _Run, source: str, target: str, at: float, details: dict[str, Any]) -> None:
        run = entry.obj
        if target == "in_progress":
            self._after_phase(entry, "eval_run.in_progress", at, self._graded)
        elif target == "completed":
            self._grade(entry, at)
        elif target == "failed":
            error = details.get("error") or (RUN_FAILURE if source == "in_progress" else VALIDATION_FAILURE)
            run.error = EvalRunError.model_validate(error)

    def _grade(self, entry: _Run, at: float) -> None:
        """Output items for every row, and the counts derived from them."""
        run, rng = entry.obj, self._rt.ids.random
        grader = Grader(rng, self._rt.fakes.faker.sentence, self._rt.ids.eval_output_item)
        items = grader.grade(run, entry.rows, entry.criteria, int(at))
        self._output_items[run.id] = items
        total = len(items)
        passed = sum(item.status == "pass" for item in items)
        run.result_counts.total = total
        run.result_counts.passed = passed
        run.result_counts.failed = total - passed
        run.per_testing_criteria_results = []
        for index, criterion in enumerate(entry.criteria):
            criterion_passed = sum(item.results[index].passed for item in items)
            run.per_testing_criteria_results.append(
                {"testing_criteria": criterion["name"], "passed": criterion_passed, "failed": total - criterion_passed}
            )
        if run.model:
            prompt = sum(item.sample.usage.prompt_tokens for item in items)
            completion = sum(item.sample.usage.completion_tokens for item in items)
            run.per_model_usage = [
                {"model_name": run.model, "invocation_count": total, "prompt_tokens": prompt,
                 "completion_tokens": completion, "total_tokens": prompt + completion, "cached_tokens": 0}
            ]  # fmt: skip
