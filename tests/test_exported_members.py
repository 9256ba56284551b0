from __future__ import annotations

import mockserver


def test_the_public_api_is_exactly_what_all_names() -> None:
    exported = set(mockserver.__all__)
    public = {name for name in dir(mockserver) if not name.startswith("_")} | {"__version__"}
    public.discard("annotations")  # `from __future__ import annotations`
    # Sub-modules are importable but are not part of the top-level surface.
    modules = {name for name in public if type(getattr(mockserver, name)).__name__ == "module"}
    assert exported == public - modules
    for name in exported:
        assert getattr(mockserver, name) is not None
