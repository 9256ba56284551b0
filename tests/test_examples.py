"""The example data that ships in the package, and the command-line ways to find it: `--fixtures example`,
`mockserver fixtures path`, and `mockserver --version`."""

from __future__ import annotations

from pathlib import Path

import pytest

from mockserver import Settings, __version__
from mockserver.cli import main
from mockserver.examples import available, example_path, examples_dir
from mockserver.stack import Stack


def test_the_word_example_names_the_packaged_seed_file() -> None:
    assert Settings(fixtures="example").fixtures == example_path("seed.json")
    assert Settings(fixtures=Path("my-seed.json")).fixtures == Path("my-seed.json")


def test_every_example_is_found_by_its_name() -> None:
    assert set(available()) >= {"seed.json", "training/valid.jsonl", "training/malformed.jsonl"}
    for name in available():
        assert example_path(name) == examples_dir() / name


def test_an_unknown_example_is_refused_with_the_names_there_are() -> None:
    with pytest.raises(FileNotFoundError, match=r"no example named 'nope'; the examples are: seed\.json, "):
        example_path("nope")


def test_fixtures_path_prints_a_file_or_the_folder(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["fixtures", "path", "training/valid.jsonl"]) == 0
    assert capsys.readouterr().out == f"{example_path('training/valid.jsonl')}\n"
    assert main(["fixtures", "path"]) == 0
    assert capsys.readouterr().out == f"{examples_dir()}\n"
    assert main(["fixtures", "path", "nope"]) == 2
    assert "no example named 'nope'" in capsys.readouterr().err


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["--version"])
    assert exited.value.code == 0
    assert capsys.readouterr().out == f"mockserver {__version__} ({Stack.choose()})\n"
