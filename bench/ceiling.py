"""The ceiling: a bare starlette app on the same uvicorn, answering the same routes with a static fine-tuning job of
the same size as the mock's, and the same four headers the real API adds to every answer (`x-request-id`,
`openai-version`, `openai-organization`, `openai-processing-ms`: the SDK reads the first, and uvicorn spends about
8 µs a request writing the four). Nothing can give the same answer faster on this stack; the mock is measured
against it.

    python bench/ceiling.py   # prints the port it listens on
"""

from __future__ import annotations

import json
import socket
import sys

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from mockserver.stack import Stack

JOB = json.dumps(
    {
        "object": "fine_tuning.job",
        "id": "ftjob-abcdefghijklmnopqrstuvwx",
        "model": "gpt-4o-mini",
        "created_at": 1795300000,
        "finished_at": None,
        "fine_tuned_model": None,
        "organization_id": "org-abcdefghijklmnopqrstuvwx",
        "result_files": [],
        "status": "cancelled",
        "validation_file": None,
        "training_file": "file-abcdefghijklmnopqrstuv",
        "hyperparameters": {"n_epochs": "auto", "batch_size": "auto", "learning_rate_multiplier": "auto"},
        "trained_tokens": None,
        "error": None,
        "user_provided_suffix": None,
        "seed": 1234567890,
        "estimated_finish": None,
        "integrations": [],
        "metadata": None,
        "method": {
            "type": "supervised",
            "supervised": {
                "hyperparameters": {"batch_size": "auto", "learning_rate_multiplier": "auto", "n_epochs": "auto"}
            },
        },
    }
).encode()
LIST = json.dumps({"object": "list", "data": [json.loads(JOB)] * 20, "has_more": True}).encode()


# Static values of the mock's lengths: the ceiling sends what the mock sends, and computes nothing.
HEADERS = {
    "x-request-id": "req_0123456789abcdef0123456789abcdef",
    "openai-version": "2020-10-01",
    "openai-organization": "org-abcdefghijklmnopqrstuvwx",
    "openai-processing-ms": "0",
}


async def job(request: Request) -> Response:
    return Response(JOB, media_type="application/json", headers=HEADERS)


async def jobs(request: Request) -> Response:
    return Response(LIST, media_type="application/json", headers=HEADERS)


app = Starlette(
    routes=[
        Route("/v1/fine_tuning/jobs", jobs, methods=["GET"]),
        Route("/v1/fine_tuning/jobs/{job_id}", job, methods=["GET"]),
        Route("/v1/fine_tuning/jobs/{job_id}/cancel", job, methods=["POST"]),
    ]
)

if __name__ == "__main__":
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.bind(("127.0.0.1", 0))
    sock.listen(2048)
    sys.stdout.write(f"{sock.getsockname()[1]}\n")
    sys.stdout.flush()
    # The same stack as the mock's (`--http`/`--loop` auto): a ratio between two stacks would measure the stacks.
    uvicorn.Server(uvicorn.Config(app, log_level="warning", access_log=False, **Stack.choose().config())).run(
        sockets=[sock]
    )
