"""`POST /fine_tuning/alpha/graders/run`, simulated: string checks and text similarity are computed on the rendered
templates; python, score-model and multi graders answer a seeded random reward (nothing runs, no model is called)."""

from __future__ import annotations

import difflib
import json
import random
import re
from typing import Any

from mockserver.schemas.graders import (
    GraderRunMetadata,
    GraderRunResult,
    RunGrader,
    ScoreModelGrader,
    StringCheckGrader,
    TextSimilarityGrader,
)

_REFERENCE = re.compile(r"\{\{\s*(item|sample)\.([\w.]+)\s*\}\}")


def _render(template: str, namespaces: dict[str, Any]) -> str:
    def value(match: re.Match[str]) -> str:
        found: Any = namespaces.get(match.group(1))
        for key in match.group(2).split("."):
            found = found.get(key) if isinstance(found, dict) else None
        return found if isinstance(found, str) else json.dumps(found)

    return _REFERENCE.sub(value, template)


def _check(operation: str, given: str, reference: str) -> bool:
    if operation == "eq":
        return given == reference
    if operation == "ne":
        return given != reference
    if operation == "like":
        return reference in given
    return reference.lower() in given.lower()  # ilike


def run_grader(request: RunGrader, rng: random.Random) -> GraderRunResult:
    grader = request.grader
    try:
        output_json: Any = json.loads(request.model_sample)
    except ValueError:
        output_json = None
    namespaces = {
        "item": request.item or {},
        "sample": {"output_text": request.model_sample, "output_json": output_json},
    }
    sampled_model: str | None = None
    if isinstance(grader, StringCheckGrader):
        given, reference = _render(grader.input, namespaces), _render(grader.reference, namespaces)
        reward = 1.0 if _check(grader.operation, given, reference) else 0.0
    elif isinstance(grader, TextSimilarityGrader):
        given, reference = _render(grader.input, namespaces), _render(grader.reference, namespaces)
        # One similarity for every metric: a plausible number, not BLEU or ROUGE.
        reward = round(difflib.SequenceMatcher(None, given, reference).ratio(), 4)
    else:
        bounds = (grader.range or []) if isinstance(grader, ScoreModelGrader) else []
        low, high = (bounds[0], bounds[-1]) if len(bounds) >= 2 else (0.0, 1.0)
        reward = round(rng.uniform(low, high), 4)
        sampled_model = grader.model if isinstance(grader, ScoreModelGrader) else None
    metadata = GraderRunMetadata(
        name=grader.name,
        type=grader.type,
        execution_time=round(rng.uniform(0.05, 1.5), 3),
        scores={grader.name: reward},
        sampled_model_name=sampled_model,
    )
    return GraderRunResult(reward=reward, metadata=metadata)
