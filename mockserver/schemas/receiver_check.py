"""The receiver check's report: per case, what was sent, what the receiver answered, and whether that is right."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, Field

from mockserver.schemas.common import RequestBody

CaseGroup = Literal["valid", "signature", "timestamp", "tamper", "duplicate", "speed"]


class CheckCase(BaseModel):
    name: str  # e.g. "valid batch.completed", "bad signature", "duplicate webhook-id"
    group: CaseGroup
    expected: str  # "2xx" or "4xx", or the budget
    got: str  # "200 in 3 ms", "timed out after 10 s", "ConnectError: …"
    passed: bool
    why: str | None = None  # what a failure means for production


class ReceiverReport(BaseModel):
    object: Literal["webhook.receiver_check"] = "webhook.receiver_check"
    url: str
    passed: bool
    cases: list[CheckCase]
    notes: list[str]

    def failures(self) -> list[CheckCase]:
        return [case for case in self.cases if not case.passed]

    def table(self) -> str:
        """The report as a text table (case, expected, got, verdict), then the failures explained and the notes."""
        rows = [("case", "expected", "got", "verdict")]
        rows += [(c.name, c.expected, c.got, "ok" if c.passed else "FAIL") for c in self.cases]
        widths = [max(len(row[i]) for row in rows) for i in range(4)]
        lines = ["  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip() for row in rows]
        lines += [f"FAIL {c.name}: {c.why}" for c in self.failures() if c.why]
        lines += [f"note: {note}" for note in self.notes]
        failed = len(self.failures())
        lines.append(f"{len(self.cases) - failed} of {len(self.cases)} cases passed" + ("" if failed else ": all good"))
        return "\n".join(lines)

    def assert_passed(self) -> None:
        """For a test: raise AssertionError with the table unless every case passed."""
        if not self.passed:
            raise AssertionError(f"the webhook receiver at {self.url} failed the check:\n{self.table()}")


class CheckRequest(RequestBody):
    """`POST /_mock/webhooks/endpoints/{id}/check`: the budgets (seconds, real time)."""

    timeout: Annotated[float, Field(gt=0, le=600, allow_inf_nan=False)] | None = None  # default: --webhook-timeout
    budget: Annotated[float, Field(gt=0, le=600, allow_inf_nan=False)] = 1.0
