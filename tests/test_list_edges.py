"""The new lists at their edges: `limit` at and past its bounds, and `after` naming an id that is not in the list
(a 400 naming `after`, as the README says: the real API's answer is not recorded)."""

from __future__ import annotations

import httpx
import pytest

from tests.conftest import training_lines
from tests.test_evals import CONFIG, CRITERIA, JSONL

LISTS = ["evals", "runs", "output_items", "permissions"]


@pytest.fixture
async def urls(http: httpx.AsyncClient) -> dict[str, str]:
    """One list of each kind, each with at least one item."""
    eval_id = (await http.post("/v1/evals", json={"data_source_config": CONFIG, "testing_criteria": CRITERIA})).json()[
        "id"
    ]
    run_id = (await http.post(f"/v1/evals/{eval_id}/runs", json={"data_source": JSONL})).json()["id"]
    await http.post("/_mock/clock/advance", json={"seconds": 60})
    upload = await http.post("/v1/files", files={"file": ("t.jsonl", training_lines()), "purpose": (None, "fine-tune")})
    body = {"model": "gpt-4o-mini-2024-07-18", "training_file": upload.json()["id"]}
    job_id = (await http.post("/v1/fine_tuning/jobs", json=body)).json()["id"]
    await http.post(f"/_mock/fine_tuning/jobs/{job_id}/transition", json={"status": "succeeded"})
    model = (await http.get(f"/v1/fine_tuning/jobs/{job_id}")).json()["fine_tuned_model"]
    await http.post(f"/v1/fine_tuning/checkpoints/{model}/permissions", json={"project_ids": ["proj_a", "proj_b"]})
    return {
        "evals": "/v1/evals",
        "runs": f"/v1/evals/{eval_id}/runs",
        "output_items": f"/v1/evals/{eval_id}/runs/{run_id}/output_items",
        "permissions": f"/v1/fine_tuning/checkpoints/{model}/permissions",
    }


@pytest.mark.parametrize("kind", LISTS)
@pytest.mark.parametrize(
    ("query", "code"),
    [
        ("limit=0", "integer_below_min_value"),
        ("limit=101", "integer_above_max_value"),
        ("limit=many", "invalid_type"),
        ("after=nope_123", "invalid_value"),
    ],
)
async def test_out_of_range_limits_and_unknown_cursors_are_400s(
    http: httpx.AsyncClient, urls: dict[str, str], kind: str, query: str, code: str
) -> None:
    response = await http.get(f"{urls[kind]}?{query}")
    assert response.status_code == 400, response.text
    error = response.json()["error"]
    assert (error["code"], error["param"]) == (code, query.split("=")[0])


@pytest.mark.parametrize("kind", LISTS)
async def test_limits_at_the_bounds_are_served(http: httpx.AsyncClient, urls: dict[str, str], kind: str) -> None:
    one = (await http.get(f"{urls[kind]}?limit=1")).json()
    assert len(one["data"]) == 1 and one["first_id"] == one["last_id"] == one["data"][0]["id"]
    every = (await http.get(f"{urls[kind]}?limit=100")).json()
    assert not every["has_more"] and every["data"][0]["id"] == one["data"][0]["id"]
    assert one["has_more"] == (len(every["data"]) > 1)
