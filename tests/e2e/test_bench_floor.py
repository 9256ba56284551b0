"""`bench/floor_server.py`, the mock `make bench` loads beside the ceiling to show the floor of a POST: the same
server, except that a job's cancel changes nothing. If it stopped starting, or started cancelling, the bench's
`cancel, no change` row would measure something else without saying so."""

from __future__ import annotations

import sys
from collections.abc import Callable

import openai

from tests.conftest import ROOT, training_lines
from tests.e2e.conftest import start_cli


def test_the_floor_server_answers_a_cancel_with_the_job_unchanged(sdk: Callable[..., openai.OpenAI]) -> None:
    program = (sys.executable, str(ROOT / "bench" / "floor_server.py"))
    server = start_cli("serve", "--host", "127.0.0.1", "--port", "0", "--clock", "manual", program=program)
    try:
        client = sdk(server.base_url, _strict_response_validation=True)
        training = client.files.create(file=("t.jsonl", training_lines()), purpose="fine-tune")
        job = client.fine_tuning.jobs.create(model="gpt-4o-mini", training_file=training.id)
        answered = client.fine_tuning.jobs.cancel(job.id)
        assert answered.id == job.id
        assert answered.status == job.status == client.fine_tuning.jobs.retrieve(job.id).status == "validating_files"
    finally:
        assert server.stop() == 0
