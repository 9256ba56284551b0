"""`RouteTable` must choose exactly the route starlette's router would, for every path and method, only faster; and
its `find()` (what the envelope dispatches with) the same route whenever that is a full match."""

from __future__ import annotations

import itertools

import pytest
from starlette.routing import Match, Route, Router
from starlette.types import Scope

from mockserver.routes import PREFIXES, table
from mockserver.routing import MAX_REMEMBERED, MAX_REMEMBERED_PATH, RouteTable

METHODS = ("GET", "HEAD", "POST", "DELETE", "PATCH")


def _paths() -> list[str]:
    """Every route's template made concrete in several ways, plus the near misses around them."""
    paths = {"/", "", "/unknown", "/unknown/x", "/v1", "/v1/", "/openai/v1/", "/v2/files", "/openai/files"}
    paths |= {prefix + path for prefix in PREFIXES for path in ("/files/", "/fine_tuning", "/fine_tuning/jobs/")}
    # A newline (`%0A` in a URL) is where a regex's `$` and `.*` do not take the text as it reads.
    values = ["x1", "cancel", "runs", "jobs", "ft:gpt-4o-mini:org::abc", "a/b", "a/b/c", "a\nb", "x\n"]
    for route in table.routes:
        template = route.path
        for value in values:
            concrete = template
            while "{" in concrete:
                start, end = concrete.index("{"), concrete.index("}")
                concrete = concrete[:start] + value + concrete[end + 1 :]
            paths |= {concrete, concrete + "/", concrete + "/extra", concrete.rsplit("/", 1)[0], concrete + "\n"}
    return sorted(paths)


def _scope(method: str, path: str, root: str = "") -> Scope:
    return {"type": "http", "method": method, "path": root + path, "root_path": root, "path_params": {}}


def _starlette_choice(router: Router, scope: Scope) -> tuple[Match, Route | None, Scope]:
    """What `Router.app` does before handling: the first full match, else the first partial one."""
    partial: tuple[Route, Scope] | None = None
    for route in router.routes:
        assert isinstance(route, Route)
        match, child = route.matches(scope)
        if match is Match.FULL:
            return match, route, child
        if match is Match.PARTIAL and partial is None:
            partial = route, child
    if partial is not None:
        return Match.PARTIAL, partial[0], partial[1]
    return Match.NONE, None, {}


def test_the_table_chooses_what_starlettes_router_chooses() -> None:
    router = Router(routes=list(table.routes))
    mismatches: list[tuple[object, ...]] = []
    checked = 0
    for path, method in itertools.product(_paths(), METHODS):
        scope = _scope(method, path)
        expected_match, expected_route, expected_child = _starlette_choice(router, scope)
        match, child = table.matches(scope)
        checked += 1
        found = table.find(scope)
        full = (expected_route, expected_child["path_params"]) if expected_match is Match.FULL else None
        if (found and (found[0], found[1]["path_params"])) != full:
            mismatches.append((method, path, "find", found, full))
        if (match, child.get("route"), child.get("path_params")) != (
            expected_match,
            expected_route,
            expected_child.get("path_params"),
        ):
            mismatches.append((method, path, match, expected_match))
    assert checked > 1000
    assert mismatches == []


def test_both_url_styles_a_wrong_method_and_variable_length_ids_are_found() -> None:
    match, child = table.matches(_scope("GET", "/openai/v1/fine_tuning/jobs/ftjob-1/cancel"))
    assert match is Match.PARTIAL and child["route"].path == "/openai/v1/fine_tuning/jobs/{job_id}/cancel"  # a 405
    match, child = table.matches(_scope("GET", "/v1/models/a/b/c/d"))
    assert match is Match.FULL and child["path_params"] == {"model_id": "a/b/c/d"}


def test_a_table_below_a_mount_matches_what_is_below_the_mount() -> None:
    match, child = table.matches(_scope("POST", "/v1/fine_tuning/jobs/ftjob-1/cancel", root="/mounted"))
    assert match is Match.FULL and child["path_params"] == {"job_id": "ftjob-1"}
    # The mount's own path is the empty path below it, which no route matches, as in starlette.
    assert table.matches(_scope("GET", "", root="/v1/files")) == (Match.NONE, {})
    assert table.find(_scope("GET", "", root="/v1/files")) is None


def test_order_decides_between_overlapping_routes_as_in_starlette() -> None:
    async def endpoint(request: object) -> None: ...

    first = Route("/things/{thing_id}", endpoint, methods=["GET"])
    second = Route("/things/special", endpoint, methods=["GET"])
    third = Route("/things/special", endpoint, methods=["POST"])
    for routes in itertools.permutations([first, second, third]):
        ordered, router = RouteTable(list(routes)), Router(routes=list(routes))
        for method, path in itertools.product(METHODS, ["/things/special", "/things/other"]):
            scope = _scope(method, path)
            expected = _starlette_choice(router, scope)
            match, child = ordered.matches(scope)
            assert (match, child.get("route")) == expected[:2], (routes, method, path)
            found = ordered.find(scope)
            assert (found and found[0]) == (expected[1] if expected[0] is Match.FULL else None), (routes, method, path)


def test_a_route_with_a_parameter_first_is_refused() -> None:
    async def endpoint(request: object) -> None: ...

    with pytest.raises(ValueError, match="first segment after the prefix is literal"):
        RouteTable([Route("/{anything}/x", endpoint)])


def test_a_route_the_envelope_could_not_dispatch_is_refused() -> None:
    async def endpoint(request: object) -> None: ...

    def blocking(request: object) -> None: ...

    for route in (
        Route("/things/{thing_id}", blocking, methods=["GET"]),  # starlette would run it in a thread
        Route("/things/{thing_id:int}", endpoint, methods=["GET"]),  # a parameter that is not its text
    ):
        with pytest.raises(ValueError, match="async function endpoints"):
            RouteTable([route])


def test_what_find_remembers_stays_bounded() -> None:
    async def endpoint(request: object) -> None: ...

    remembering = RouteTable([Route("/things/{thing_id}", endpoint, methods=["GET"])])
    for number in range(MAX_REMEMBERED + 10):
        found = remembering.find(_scope("GET", f"/things/{number}"))
        assert found is not None and found[1]["path_params"] == {"thing_id": str(number)}
    assert len(remembering._found) <= MAX_REMEMBERED
    assert remembering.find(_scope("GET", "/things/7")) is not None  # found again after being forgotten
    remembering._found.clear()
    assert remembering.find(_scope("POST", "/things/7")) is None  # a miss, never remembered
    long = "x" * (MAX_REMEMBERED_PATH + 1)
    assert remembering.find(_scope("GET", f"/things/{long}")) is not None  # found, but too long to remember
    assert remembering._found == {}
