"""The `serve` command line in process: `--help` states every default; the environment twins of the new flags."""

from __future__ import annotations

import argparse

import pytest

from mockserver.cli import _with_environment, build_parser, settings_from_args
from mockserver.settings import Settings


def _settings(*argv: str) -> Settings:
    parser, serve = build_parser()
    return settings_from_args(parser.parse_args(["serve", *_with_environment(list(argv), serve)]))


def test_help_states_the_default_of_every_flag() -> None:
    parser, serve = build_parser()
    listen = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction)).choices["listen"]
    options = [a for command in (serve, listen) for a in command._actions if a.option_strings and a.dest != "help"]
    assert len(options) > 20
    for action in options:
        assert "default" in (action.help or "").lower(), action.option_strings
    text = " ".join(serve.format_help().split())
    for expected in (
        "--webhook-timeout SECONDS time one delivery attempt may take (default: 10)",
        "delivery attempts in flight at once (default: 32)",
        "request body limit, 413 above (default: 536870912)",
        "API requests /_mock/requests remembers (default: 1000)",
        "(default: off, every key shares one default project)",
    ):
        assert expected in text


def test_project_per_key_has_a_flag_and_an_environment_twin(monkeypatch: pytest.MonkeyPatch) -> None:
    assert _settings().project_per_key is False
    assert _settings("--project-per-key").project_per_key is True
    monkeypatch.setenv("MOCKSERVER_PROJECT_PER_KEY", "1")
    assert _settings().project_per_key is True
    monkeypatch.setenv("MOCKSERVER_PROJECT_PER_KEY", "0")
    assert _settings().project_per_key is False


@pytest.mark.parametrize(
    ("variable", "keys"),
    [
        ("sk-a,sk-b", ("sk-a", "sk-b")),
        ("sk-a sk-b", ("sk-a", "sk-b")),
        ("sk-a=proj_a,proj_b sk-c", ("sk-a=proj_a,proj_b", "sk-c")),
    ],
)
def test_api_keys_come_from_the_environment_with_their_projects(
    monkeypatch: pytest.MonkeyPatch, variable: str, keys: tuple[str, ...]
) -> None:
    monkeypatch.setenv("MOCKSERVER_API_KEY", variable)
    assert _settings().api_keys == keys
    assert _settings("--api-key", "sk-flag=proj_f").api_keys == ("sk-flag=proj_f",)
