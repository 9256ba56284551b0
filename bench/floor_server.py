"""The mock as shipped, except that a fine-tuning job's cancel changes nothing: it finds the job and answers it.

`make bench` loads it like the mock, beside the ceiling, to show how much of cancel's distance from the ceiling is
the state change (its timer, status, event, transition records) and how much is the request path every POST takes
(envelope, key check, journal, routing, handler, lookup, the job's serialisation).

    python bench/floor_server.py serve --port 0 ...   # the arguments of `mockserver serve`
"""

from __future__ import annotations

import sys

from mockserver.cli import main
from mockserver.kinds.fine_tuning.lifecycle import FineTuningLifecycle
from mockserver.kinds.fine_tuning.schemas import FineTuningJob


def _cancel_that_changes_nothing(self: FineTuningLifecycle, project: str, job_id: str) -> FineTuningJob:
    return self.get(project, job_id)


if __name__ == "__main__":
    FineTuningLifecycle.cancel = _cancel_that_changes_nothing  # type: ignore[method-assign]
    sys.exit(main(sys.argv[1:]))
