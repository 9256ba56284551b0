"""What a user gets from `pip install`: the built wheel, in a fresh virtualenv, started from a directory that is not
the clone, serves the example seed it ships (`--fixtures example`)."""

from __future__ import annotations

import subprocess
import sys
import venv
from pathlib import Path

import httpx
import pytest

from mockserver import __version__
from tests.conftest import ROOT
from tests.e2e.conftest import start_cli

# SDK-independent, and it installs a virtualenv from the package index: once per `make test` is enough.
pytestmark = [pytest.mark.e2e, pytest.mark.heavy]


def run(*command: str | Path, cwd: Path) -> str:
    done = subprocess.run(command, cwd=cwd, capture_output=True, text=True, timeout=300, stdin=subprocess.DEVNULL)
    assert done.returncode == 0, f"{command}:\n{done.stdout}\n{done.stderr}"
    return done.stdout


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The `bin/` of a fresh virtualenv with only the wheel (and what it depends on) installed."""
    root = tmp_path_factory.mktemp("wheel")
    run(sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--wheel-dir", root / "dist", ROOT, cwd=root)
    (wheel,) = (root / "dist").glob("mockserver-*.whl")
    venv.create(root / "venv", with_pip=True)
    bin_dir = root / "venv" / "bin"
    run(bin_dir / "python", "-m", "pip", "install", "--quiet", wheel, cwd=root)
    return bin_dir


def test_the_wheel_prints_its_version_and_where_its_examples_are(installed: Path, tmp_path: Path) -> None:
    # The wheel's own dependencies bring the fast stack.
    version = run(installed / "mockserver", "--version", cwd=tmp_path).strip()
    assert version == f"mockserver {__version__} (http: httptools, loop: uvloop)"
    examples = Path(run(installed / "mockserver", "fixtures", "path", cwd=tmp_path).strip())
    assert examples.is_relative_to(installed.parent) and (examples / "seed.json").is_file()
    assert (examples / "training" / "valid.jsonl").is_file()


def test_the_wheel_serves_the_packaged_example_seed_from_any_directory(installed: Path, tmp_path: Path) -> None:
    server = start_cli(
        "serve", "--port", "0", "--clock", "manual", "--fixtures", "example",
        program=[str(installed / "mockserver")], cwd=tmp_path,
    )  # fmt: skip
    try:
        job = httpx.get(
            f"{server.base_url}/fine_tuning/jobs/ftjob-seedsucceeded00000000001",
            headers={"Authorization": "Bearer sk-mock"},
        )
        assert job.status_code == 200, job.text
        assert job.json()["status"] == "succeeded"
        file = httpx.get(
            f"{server.base_url}/files/file-seedvalidtraining00001/content", headers={"Authorization": "Bearer sk-mock"}
        )
        assert file.status_code == 200 and file.text.count("\n") == 12
    finally:
        assert server.stop() == 0


def test_the_wheel_serves_the_inspector_from_its_package_files(installed: Path, tmp_path: Path) -> None:
    server = start_cli("serve", "--port", "0", program=[str(installed / "mockserver")], cwd=tmp_path)
    try:
        page = httpx.get(f"{server.url}/_mock/ui")
        assert page.status_code == 200 and "mockserver inspector" in page.text
        for asset in ("inspector.js", "inspector.css"):
            assert httpx.get(f"{server.url}/_mock/ui/{asset}").status_code == 200, asset
    finally:
        assert server.stop() == 0
