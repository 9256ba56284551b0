"""The public surface is `mockserver.__all__`, sorted as httpx keeps its own, and `import mockserver` is light."""

from __future__ import annotations

import subprocess
import sys
import types

import mockserver


def test_all_public_names_are_exported_and_sorted() -> None:
    public = {
        name
        for name in dir(mockserver)
        if not name.startswith("_") and not isinstance(getattr(mockserver, name), types.ModuleType)
    }
    public.discard("annotations")  # `from __future__ import annotations`
    public.discard("TYPE_CHECKING")
    public.discard("Any")
    assert mockserver.__all__ == sorted(public | {"__version__"}, key=str.casefold)


def test_mock_server_is_there_when_asked_for() -> None:
    from mockserver import MockServer
    from mockserver.testing import MockServer as Same

    assert MockServer is Same


def test_importing_mockserver_does_not_import_uvicorn() -> None:
    code = "import sys, mockserver; print('uvicorn' in sys.modules)"
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert run.stdout.strip() == "False"
