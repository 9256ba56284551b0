"""Every list of kinds in the server comes from one registration (`mockserver.kinds.KINDS`): these check that the
derived lists agree with it, so that a new kind cannot be half-registered."""

from __future__ import annotations

import itertools
from collections.abc import Awaitable, Callable

import httpx
import openai
import pytest
from starlette.applications import Starlette
from starlette.routing import Mount, Route

from mockserver import Settings
from mockserver.fixtures import FixturesFile
from mockserver.kinds import ANNOUNCED, DEFAULT_PHASES, KINDS, SCENARIOS, kind_of
from mockserver.routes import PREFIXES, table
from mockserver.services import Services
from mockserver.webhooks.event_types import EVENT_TYPES

Upload = Callable[..., Awaitable[str]]


def test_every_announced_event_is_a_subscribable_type_sent_on_a_terminal_state() -> None:
    for kind in KINDS:
        for status, event_type in kind.events.items():
            assert event_type in EVENT_TYPES, (kind.name, event_type)
            assert kind.machine.is_terminal(status), (kind.name, status)
    assert len(set(ANNOUNCED.values())) == sum(len(kind.events) for kind in KINDS)


def test_phases_and_scenarios_are_the_kinds_own() -> None:
    assert Settings().phases == DEFAULT_PHASES == {n: s for kind in KINDS for n, s in kind.phases.items()}
    for kind in KINDS:
        assert len({name.split(".")[0] for name in kind.phases}) == 1, kind.phases  # one `--phase` prefix a kind
        assert kind.scenarios[0] == "succeed" and set(kind.scenarios) <= set(SCENARIOS)
    for scenario in SCENARIOS:
        assert Settings(default_scenario=scenario).default_scenario == scenario
    with pytest.raises(ValueError, match="unknown scenario 'explode'; known scenarios: succeed, fail"):
        Settings(default_scenario="explode")


def test_no_kinds_id_prefix_begins_anothers() -> None:
    for one, other in itertools.permutations(KINDS, 2):
        assert not other.id_prefix.startswith(one.id_prefix), (one.name, other.name)
    for kind in KINDS:
        assert kind_of(kind.id_prefix + "x") is kind


def test_every_kind_has_its_routes_at_both_prefixes_and_a_control_route(app: Starlette) -> None:
    served = {route.path for route in table.routes}
    (control,) = [route for route in app.routes if isinstance(route, Mount) and route.path == "/_mock"]
    control_paths = {route.path for route in control.routes if isinstance(route, Route)}
    for kind in KINDS:
        assert kind.routes
        for route in kind.routes:
            assert {prefix + route.path for prefix in PREFIXES} <= served
        assert kind.transition_route in control_paths
        assert set(kind.machine.actions) <= {"cancel", "pause", "resume"}


def test_the_fixtures_format_has_a_list_for_each_kind_that_can_be_seeded() -> None:
    seedable = {kind.name for kind in KINDS if kind.seedable}
    assert "fine_tuning_jobs" in seedable
    assert set(FixturesFile.model_fields) == {"project", "files", "evals", "webhook_endpoints", *seedable}


async def test_a_reset_rebuilds_every_kinds_lifecycle(
    services: Services, http: httpx.AsyncClient, client: openai.AsyncOpenAI, upload: Upload
) -> None:
    job = await client.fine_tuning.jobs.create(model="gpt-4o-mini", training_file=await upload())
    before = dict(services.lifecycles)
    await http.post("/_mock/reset")
    assert set(services.lifecycles) == {kind.name for kind in KINDS}
    for name, lifecycle in services.lifecycles.items():
        assert lifecycle is not before[name] and len(lifecycle.objects) == 0
    assert (await http.get(f"/v1/fine_tuning/jobs/{job.id}")).status_code == 404
