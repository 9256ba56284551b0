"""The README's two handlers, exactly as pasted: the correct one passes the receiver check, the careless one fails
its signature, timestamp and tamper cases and nothing else."""

from __future__ import annotations

from typing import Any

import pytest
from starlette.applications import Starlette

from mockserver import check_receiver
from tests.e2e.test_readme import code_blocks
from tests.webhooks.conftest import SECRET
from tests.webhooks.handlers import serving

SECTION = "Test your webhook handler"


def _handlers() -> list[str]:
    return [code for lang, code in code_blocks(SECTION) if lang == "python" and "app = Starlette(" in code]


def _app(code: str) -> Starlette:
    namespace: dict[str, Any] = {}
    exec(compile(code, "README.md", "exec"), namespace)  # the README's code as a user pastes it
    app = namespace["app"]
    assert isinstance(app, Starlette)
    return app


def test_the_readme_has_a_correct_and_a_careless_handler() -> None:
    correct, careless = _handlers()
    assert "unwrap(" in correct and "unwrap(" not in careless


def test_the_readmes_correct_handler_passes_and_its_careless_one_fails_the_check(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", "sk-unused")
    monkeypatch.setenv("OPENAI_WEBHOOK_SECRET", SECRET)
    correct, careless = (_app(code) for code in _handlers())
    events = ["batch.completed", "response.failed"]
    with serving(correct, "/webhooks") as url:
        report = check_receiver(url, SECRET, events=events)
    assert report.passed, report.table()
    with serving(careless, "/webhooks") as url:
        report = check_receiver(url, SECRET, events=events)
    assert {case.group for case in report.failures()} == {"signature", "timestamp", "tamper"}
