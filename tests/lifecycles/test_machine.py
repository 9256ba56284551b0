from __future__ import annotations

import pytest

from mockserver.kinds.fine_tuning.lifecycle import MACHINE
from mockserver.lifecycles.machine import StateMachine, UserAction


def test_legal_paths_go_forward_through_every_working_state() -> None:
    assert MACHINE.path("validating_files", "succeeded") == ["queued", "running", "succeeded"]
    assert MACHINE.path("validating_files", "failed") == ["failed"]
    assert MACHINE.path("queued", "failed") == ["running", "failed"]
    assert MACHINE.path("paused", "succeeded") == ["queued", "running", "succeeded"]


def test_cancelled_is_reachable_from_every_non_terminal_state() -> None:
    for state in ("validating_files", "queued", "running", "paused"):
        assert MACHINE.path(state, "cancelled") == ["cancelled"]


def test_terminal_states_absorb() -> None:
    for state in ("succeeded", "failed", "cancelled"):
        assert MACHINE.is_terminal(state)
        for target in MACHINE.states:
            assert MACHINE.path(state, target) is None


def test_no_path_backwards_or_to_itself() -> None:
    assert MACHINE.path("running", "validating_files") is None
    assert MACHINE.path("queued", "queued") is None
    # pause-then-resume would lead back to queued: a forced path never detours through paused
    assert MACHINE.path("running", "queued") is None
    assert MACHINE.path("running", "paused") == ["paused"]


def test_user_actions_are_edges_of_the_machine() -> None:
    assert MACHINE.actions["resume"] == UserAction("queued", "resumed", ("paused",))
    with pytest.raises(ValueError, match=r"action 'resume': running -> queued is not an edge of the machine"):
        StateMachine(
            edges={"queued": ("running",), "running": ("done",)},
            terminal=frozenset({"done"}),
            actions={"resume": UserAction("queued", "resumed", ("running",))},
        )
