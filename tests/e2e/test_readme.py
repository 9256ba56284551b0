"""The README runs as pasted: its quickstart against a server started as it says, and every `curl` line against a
server started as `make run` starts one. The code comes out of the README itself, so the two cannot drift apart."""

from __future__ import annotations

import re
import shlex
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import ROOT
from tests.e2e.conftest import CliServer, start_cli

pytestmark = pytest.mark.e2e

README = (ROOT / "README.md").read_text()
FENCE = re.compile(r"^## (?P<heading>.+?)$|^```(?P<lang>\w*)\n(?P<code>.*?)^```$", re.M | re.S)
QUICKSTART = "Quickstart: point the SDK at it"
QUICKSTART_ADDRESS = "127.0.0.1:8010"
MAKE_RUN_ADDRESSES = ("http://127.0.0.1:8000", "localhost:8000")


def code_blocks(section: str) -> Iterator[tuple[str, str]]:
    """(language, code) of each fenced block under the `## section` heading."""
    current = None
    for match in FENCE.finditer(README):
        if match["heading"] is not None:
            current = match["heading"]
        elif current == section:
            yield match["lang"], match["code"]


def curl_lines() -> list[str]:
    return [line.strip() for line in README.splitlines() if line.strip().startswith("curl ")]


def serve_arguments(shell: str) -> list[str]:
    """The README's `mockserver serve ...` line, on a free port instead of its fixed one."""
    line = next(line for line in shell.splitlines() if "/mockserver serve" in line)
    words = shlex.split(line)
    arguments = words[words.index("serve") + 1 :]
    arguments[arguments.index("--port") + 1] = "0"
    return arguments


@pytest.fixture
def quickstart_server() -> Iterator[CliServer]:
    shell = next(code for lang, code in code_blocks(QUICKSTART) if lang == "sh")
    server = start_cli("serve", *serve_arguments(shell))
    yield server
    assert server.stop() == 0


def test_the_quickstart_runs_as_pasted_from_any_directory(quickstart_server: CliServer, tmp_path: Path) -> None:
    code = next(code for lang, code in code_blocks(QUICKSTART) if lang == "python")
    assert QUICKSTART_ADDRESS in code
    code = code.replace(QUICKSTART_ADDRESS, quickstart_server.url.removeprefix("http://"))
    # Another directory than the clone's: the training file must come from the package, not a relative path.
    run = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True, timeout=60)
    assert run.returncode == 0, run.stderr
    fine_tuned_model, events = run.stdout.splitlines()
    assert fine_tuned_model.startswith("ft:gpt-4o-mini-2024-07-18:") and ":demo:" in fine_tuned_model
    assert "The job has successfully completed" in events


@pytest.mark.skipif(shutil.which("curl") is None, reason="curl is not installed (apt-get install curl)")
def test_every_curl_line_runs_as_pasted() -> None:
    lines = curl_lines()
    assert len(lines) >= 6, lines
    server = start_cli("serve", "--port", "0")  # what `make run` starts, on a free port
    try:
        for line in lines:
            for address in MAKE_RUN_ADDRESSES:
                line = line.replace(address, server.url)
            assert server.url in line, f"this README line names no server the test knows: {line}"
            run = subprocess.run(
                [*shlex.split(line), "--silent", "--show-error", "--write-out", "\n%{http_code}"],
                capture_output=True,
                text=True,
                timeout=30,
            )
            body, _, status = run.stdout.rpartition("\n")
            assert run.returncode == 0 and status.startswith("2"), f"{line}\n-> {status} {body} {run.stderr}"
    finally:
        assert server.stop() == 0
