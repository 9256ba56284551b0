"""The alpha graders API through the official SDK (sync and async, strict parsing): validate echoes a valid grader,
run answers a `GraderRunResponse`."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.conftest import resolve

STRING_CHECK: Any = {
    "type": "string_check", "name": "exact", "input": "{{sample.output_text}}", "reference": "{{item.label}}",
    "operation": "eq",
}  # fmt: skip
SIMILARITY: Any = {
    "type": "text_similarity", "name": "close", "input": "{{sample.output_text}}", "reference": "{{item.label}}",
    "evaluation_metric": "fuzzy_match",
}  # fmt: skip
SCORE_MODEL: Any = {
    "type": "score_model", "name": "judge", "model": "gpt-4o-mini", "range": [1, 5],
    "input": [{"role": "user", "content": "Score {{sample.output_text}} from 1 to 5."}],
}  # fmt: skip
MULTI: Any = {"type": "multi", "name": "both", "graders": SIMILARITY, "calculate_output": "close"}


@pytest.mark.parametrize("grader", [STRING_CHECK, SIMILARITY, SCORE_MODEL, MULTI], ids=lambda g: g["type"])
async def test_validate_answers_the_grader(sdk: Any, grader: Any) -> None:
    validated = await resolve(sdk.fine_tuning.alpha.graders.validate(grader=grader))
    assert validated.grader is not None and validated.grader.to_dict() == grader


@pytest.mark.parametrize(("sample", "reward"), [("cat", 1.0), ("dog", 0.0)])
async def test_a_string_check_is_really_computed(sdk: Any, sample: str, reward: float) -> None:
    ran = await resolve(
        sdk.fine_tuning.alpha.graders.run(grader=STRING_CHECK, model_sample=sample, item={"label": "cat"})
    )
    assert ran.reward == reward
    assert (ran.metadata.name, ran.metadata.type, ran.metadata.scores) == ("exact", "string_check", {"exact": reward})
    assert not any(value for value in ran.metadata.errors.to_dict().values())
    assert ran.sub_rewards == {} and ran.api_model_grader_token_usage_per_model == {}


async def test_text_similarity_and_model_graders_give_plausible_rewards(sdk: Any) -> None:
    graders = sdk.fine_tuning.alpha.graders
    same = await resolve(graders.run(grader=SIMILARITY, model_sample="a cat", item={"label": "a cat"}))
    close = await resolve(graders.run(grader=SIMILARITY, model_sample="a cat", item={"label": "a hat"}))
    assert same.reward == 1.0 and 0 < close.reward < 1
    scored = await resolve(graders.run(grader=SCORE_MODEL, model_sample="meow"))
    assert 1 <= scored.reward <= 5 and scored.metadata.sampled_model_name == "gpt-4o-mini"


@pytest.mark.parametrize(
    ("path", "body", "param"),
    [
        ("validate", {}, "grader"),
        ("validate", {"grader": {**STRING_CHECK, "type": "regex"}}, "grader.type"),
        ("validate", {"grader": {**STRING_CHECK, "operation": "gt"}}, "grader.operation"),
        ("validate", {"grader": {**MULTI, "graders": {"type": "label_model", "model": "m"}}}, "grader.graders"),
        ("run", {"grader": STRING_CHECK}, "model_sample"),
        ("run", {"grader": STRING_CHECK, "model_sample": 3}, "model_sample"),
        ("run", {"grader": STRING_CHECK, "model_sample": "x", "item": "label"}, "item"),
    ],
)
async def test_bad_graders_are_400s_naming_the_field(
    http: httpx.AsyncClient, path: str, body: dict[str, Any], param: str
) -> None:
    response = await http.post(f"/v1/fine_tuning/alpha/graders/{path}", json=body)
    assert response.status_code == 400, response.text
    assert response.json()["error"]["param"].startswith(param)


async def test_the_azure_prefix_serves_the_graders_too(http: httpx.AsyncClient) -> None:
    headers = {"api-key": "sk-test", "Authorization": ""}
    response = await http.post(
        "/openai/v1/fine_tuning/alpha/graders/validate", json={"grader": STRING_CHECK}, headers=headers
    )
    assert response.status_code == 200 and response.json() == {"grader": STRING_CHECK}
