"""Random interleavings of everything a client and a test can do keep the lifecycle invariants (hypothesis)."""

from __future__ import annotations

import os
from collections import Counter
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, settings, strategies as st
from hypothesis.stateful import Bundle, RuleBasedStateMachine, invariant, rule

from mockserver.testing import InProcessMock
from tests.conftest import training_lines

pytestmark = pytest.mark.heavy

TERMINAL = {"succeeded", "failed", "cancelled"}
STATUSES = ["validating_files", "queued", "running", "paused", "succeeded", "failed", "cancelled"]


class Lifecycles(RuleBasedStateMachine):
    jobs = Bundle("jobs")

    def __init__(self) -> None:
        super().__init__()
        # In process, without sockets: the mock routes api.openai.com (control API included) to a fresh app.
        self.mock = InProcessMock(clock="manual", seed=5).start()
        self.client = httpx.Client(base_url=self.mock.url, headers={"Authorization": "Bearer sk-properties"})
        self.training = self._upload()
        self.finished: dict[str, str] = {}  # job -> the terminal status it first reached

    def _upload(self) -> str:
        response = self.client.post(
            "/v1/files", files={"file": ("t.jsonl", training_lines())}, data={"purpose": "fine-tune"}
        )
        assert response.status_code == 200
        file_id: str = response.json()["id"]
        return file_id

    def _ok(self, response: Any, *allowed: int) -> Any:
        assert response.status_code in allowed, (response.status_code, response.text)
        assert response.status_code < 500
        return response

    @rule(target=jobs, scenario=st.sampled_from(["succeed", "fail", "fail_validation", "stall"]))
    def create(self, scenario: str) -> str:
        body = {"model": "gpt-4o-mini", "training_file": self.training, "metadata": {"mock_scenario": scenario}}
        job_id: str = self._ok(self.client.post("/v1/fine_tuning/jobs", json=body), 200).json()["id"]
        return job_id

    @rule()
    def bad_create_writes_nothing(self) -> None:
        before = len(self.client.get("/v1/fine_tuning/jobs?limit=1000").json()["data"])
        body = {"model": "gpt-4o-mini", "training_file": self.training, "seed": -1}
        self._ok(self.client.post("/v1/fine_tuning/jobs", json=body), 400)
        assert len(self.client.get("/v1/fine_tuning/jobs?limit=1000").json()["data"]) == before

    @rule(job=jobs, action=st.sampled_from(["cancel", "pause", "resume"]))
    def act(self, job: str, action: str) -> None:
        self._ok(self.client.post(f"/v1/fine_tuning/jobs/{job}/{action}"), 200, 400, 404)

    @rule(job=jobs, status=st.sampled_from(STATUSES))
    def force(self, job: str, status: str) -> None:
        self._ok(self.client.post(f"/_mock/fine_tuning/jobs/{job}/transition", json={"status": status}), 200, 400, 404)

    @rule(seconds=st.floats(min_value=0, max_value=20, allow_nan=False))
    def advance(self, seconds: float) -> None:
        self._ok(self.client.post("/_mock/clock/advance", json={"seconds": seconds}), 200)

    @rule()
    def reset(self) -> None:
        self._ok(self.client.post("/_mock/reset"), 200)
        self.finished.clear()
        self.training = self._upload()

    def _jobs(self) -> list[dict[str, Any]]:
        data: list[dict[str, Any]] = self.client.get("/v1/fine_tuning/jobs?limit=1000").json()["data"]
        return data

    @invariant()
    def terminal_states_absorb(self) -> None:
        for job in self._jobs():
            if job["id"] in self.finished:
                assert job["status"] == self.finished[job["id"]]
            elif job["status"] in TERMINAL:
                self.finished[job["id"]] = job["status"]

    @invariant()
    def exactly_one_terminal_event_per_finished_job(self) -> None:
        events = self.client.get("/_mock/webhooks/events").json()["data"]
        per_object = Counter(event["data"]["id"] for event in events)
        assert all(count == 1 for count in per_object.values()), per_object
        for job in self._jobs():
            assert per_object[job["id"]] == (1 if job["status"] in TERMINAL else 0)
            if job["status"] in TERMINAL:
                matching = [e["type"] for e in events if e["data"]["id"] == job["id"]]
                assert matching == [f"fine_tuning.job.{job['status']}"]

    @invariant()
    def time_never_goes_backwards(self) -> None:
        events = self.client.get("/_mock/webhooks/events").json()["data"]
        stamps = [event["created_at"] for event in events]  # newest first
        assert stamps == sorted(stamps, reverse=True)
        for job in self._jobs():
            job_events = self.client.get(f"/v1/fine_tuning/jobs/{job['id']}/events?limit=1000").json()["data"]
            times = [event["created_at"] for event in job_events]
            assert times == sorted(times, reverse=True)
            assert times[-1] == job["created_at"]

    @invariant()
    def everything_listed_is_retrievable(self) -> None:
        for job in self._jobs():
            assert self.client.get(f"/v1/fine_tuning/jobs/{job['id']}").json()["status"] == job["status"]
        for file in self.client.get("/v1/files").json()["data"]:
            assert self.client.get(f"/v1/files/{file['id']}").status_code == 200

    def teardown(self) -> None:
        self.client.close()
        self.mock.check()
        self.mock.stop()


Lifecycles.TestCase.settings = settings(
    max_examples=int(os.environ.get("MOCKSERVER_PROPERTY_EXAMPLES", "15")),
    stateful_step_count=20,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    derandomize=True,
)
TestLifecycles = Lifecycles.TestCase
