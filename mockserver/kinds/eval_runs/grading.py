"""A run's grading, simulated: per item and criterion a pass or fail (nothing is really graded), the sample the
model would have produced, and the output items that the run's counts are then derived from."""

from __future__ import annotations

import json
import random
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from mockserver.kinds.eval_runs.output_items import (
    GraderResult,
    OutputItem,
    OutputItemSample,
    SampleMessage,
    SampleUsage,
)
from mockserver.kinds.eval_runs.schemas import EvalRun

_ITEM_REFERENCE = re.compile(r"\{\{\s*item\.([\w.]+)\s*\}\}")
# Criteria whose score is a verdict (1 or 0) rather than a number compared with a threshold.
_VERDICTS = ("string_check", "label_model")


@dataclass(frozen=True)
class Row:
    """One data source item, and the sample it came with (a jsonl row's `sample`), if any."""

    item: dict[str, Any]
    sample: dict[str, Any] | None = None


def _lookup(item: dict[str, Any], dotted: str) -> Any:
    value: Any = item
    for key in dotted.split("."):
        value = value.get(key) if isinstance(value, dict) else None
    return value


def _render(text: str, item: dict[str, Any]) -> str:
    def value(match: re.Match[str]) -> str:
        found = _lookup(item, match.group(1))
        return found if isinstance(found, str) else json.dumps(found)

    return _ITEM_REFERENCE.sub(value, text)


def _text(content: Any) -> str:
    """A template message's content (a string, an input_text part, or a list of parts) as plain text."""
    if isinstance(content, str):
        return content
    if isinstance(content, dict):
        return str(content.get("text", ""))
    if isinstance(content, list):
        return "".join(_text(part) for part in content)
    return ""


def _input(data_source: dict[str, Any], item: dict[str, Any]) -> list[SampleMessage]:
    messages = data_source.get("input_messages") or {}
    if messages.get("type") == "template":
        return [
            SampleMessage(role=str(m.get("role", "user")), content=_render(_text(m.get("content")), item))
            for m in messages.get("template", [])
        ]
    if messages.get("type") == "item_reference":
        referenced = _lookup({"item": item}, str(messages.get("item_reference", "")))
        if isinstance(referenced, list) and all(isinstance(m, dict) and "role" in m for m in referenced):
            return [SampleMessage(role=str(m["role"]), content=_text(m.get("content"))) for m in referenced]
        return [
            SampleMessage(role="user", content=referenced if isinstance(referenced, str) else json.dumps(referenced))
        ]
    return [SampleMessage(role="user", content=json.dumps(item))]


def _tokens(text: str) -> int:
    return len(text) // 4 + 1  # about four characters a token, as elsewhere in the mock


class Grader:
    """Grades the rows of one run against its criteria with one seeded random source."""

    def __init__(self, rng: random.Random, sentence: Callable[[], str], new_id: Callable[[], str]) -> None:
        self._rng = rng
        self._sentence = sentence
        self._new_id = new_id

    def _result(self, criterion: dict[str, Any], pass_rate: float) -> GraderResult:
        kind = str(criterion.get("type", ""))
        passed = self._rng.random() < pass_rate
        if kind in _VERDICTS:
            score = 1.0 if passed else 0.0
        else:
            given = criterion.get("pass_threshold")
            threshold = 0.5 if given is None else float(given)
            score = round(self._rng.uniform(threshold, 1.0) if passed else self._rng.uniform(0.0, threshold), 4)
        return GraderResult(
            name=str(criterion["name"]), type=f"{kind.replace('_', '-')}-grader", score=score, passed=passed
        )

    def _sample(self, run: EvalRun, row: Row) -> OutputItemSample:
        given = row.sample or {}
        inputs = _input(run.data_source, row.item)
        output = given.get("output_text")
        answer = output if isinstance(output, str) else self._sentence()
        model = run.model or str(given.get("model", ""))
        prompt = sum(_tokens(m.content) for m in inputs) if run.model else 0
        completion = _tokens(answer) if run.model else 0
        return OutputItemSample(
            input=inputs,
            output=[SampleMessage(role="assistant", content=answer)],
            model=model,
            usage=SampleUsage(total_tokens=prompt + completion, completion_tokens=completion, prompt_tokens=prompt),
        )

    def grade(self, run: EvalRun, rows: list[Row], criteria: list[dict[str, Any]], at: int) -> list[OutputItem]:
        """Every row's output item; an item passes when every criterion passed it."""
        pass_rates = [self._rng.uniform(0.6, 0.95) for _ in criteria]
        items = []
        for index, row in enumerate(rows):
            results = [self._result(criterion, rate) for criterion, rate in zip(criteria, pass_rates, strict=True)]
            items.append(
                OutputItem(
                    id=self._new_id(),
                    run_id=run.id,
                    eval_id=run.eval_id,
                    created_at=at,
                    status="pass" if all(r.passed for r in results) else "fail",
                    datasource_item_id=index,
                    datasource_item=row.item,
                    results=results,
                    sample=self._sample(run, row),
                )
            )
        return items
