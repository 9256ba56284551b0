"""The example data that ships with mockserver, usable from any directory: a seed file with an object in every
state (`mockserver serve --fixtures example`) and chat-format training files.

In the wheel the files are package data (`mockserver/_examples`, copied from the repository's `fixtures/` at build
time); in a source checkout, where the package is the repository's own folder, they are read from `fixtures/`.
"""

from __future__ import annotations

from pathlib import Path

# What `--fixtures example` names: the packaged seed file.
EXAMPLE_SEED = "example"

_PACKAGED = Path(__file__).parent / "_examples"
_CHECKOUT = Path(__file__).parent.parent / "fixtures"


def examples_dir() -> Path:
    """The folder that holds the example files."""
    return _PACKAGED if _PACKAGED.is_dir() else _CHECKOUT


def available() -> list[str]:
    """Every example's name, relative to `examples_dir()`, e.g. `training/valid.jsonl`."""
    root = examples_dir()
    return sorted(path.relative_to(root).as_posix() for path in root.rglob("*") if path.is_file())


def example_path(name: str = "seed.json") -> Path:
    """The path of one example file, e.g. `example_path("training/valid.jsonl")`.

    Raises:
        FileNotFoundError: there is no such example; the message lists those there are.
    """
    path = examples_dir() / name
    if not path.is_file():
        raise FileNotFoundError(f"no example named {name!r}; the examples are: {', '.join(available())}")
    return path


def fixtures_path(value: str | Path) -> Path:
    """What `--fixtures` names: the word `example` is the packaged seed file, anything else a path."""
    return example_path() if str(value) == EXAMPLE_SEED else Path(value)
