"""`RouteTable`: a group of starlette routes where a request is tried only against those that can match its path.

Starlette's router tries its routes one by one, each with a regex. The OpenAI surface has well over a hundred
across its three URL prefixes, so a call near the end of the list paid for every route before it, on every request.
The table files each route under the shape of the paths it can match: the first segment (which every API route
spells out), the number of segments, and the last segment when the route spells it out. A request is tried against
its shape's routes only, in their order in the table, with starlette's own matching. So the result is what
starlette's router would give: the first full match, else the first partial one (a 405).
"""

from __future__ import annotations

import inspect
from collections.abc import Sequence
from typing import Any, NamedTuple

# The path below the mount exactly as each route's own `matches()` takes it (a private helper, but the same one).
from starlette._utils import get_route_path
from starlette.convertors import PathConvertor, StringConvertor
from starlette.datastructures import URLPath
from starlette.routing import BaseRoute, Match, NoMatchFound, Route
from starlette.types import Receive, Scope, Send

# (head: the URL prefix, if any, and the first segment after it; number of segments; last segment or None for
# "whatever the path has there")
Shape = tuple[str, int, str | None]


def _head(path: str, prefixes: Sequence[str]) -> str:
    """The path's URL prefix (the longest of `prefixes` it has) and the segment that follows it, else its first
    segment: `/openai/v1/files/x` -> `/openai/v1/files`."""
    for prefix in prefixes:
        if path.startswith(prefix) and path[len(prefix) : len(prefix) + 1] == "/":
            start = len(prefix) + 1
            break
    else:
        start = 1
    end = path.find("/", start)
    return path if end == -1 else path[:end]


class _Pattern(NamedTuple):
    head: str
    segments: int  # a minimum where `variable`
    last: str | None
    variable: bool  # a `:path` parameter can span segments

    @classmethod
    def of(cls, template: str, prefixes: Sequence[str]) -> _Pattern:
        segments = template.strip("/").split("/")
        head = _head(template, prefixes)
        if "{" in head:
            raise ValueError(f"{template}: a route table needs routes whose first segment after the prefix is literal")
        variable = ":path}" in template
        last = None if variable or "{" in segments[-1] else segments[-1]
        return cls(head, len(segments), last, variable)

    def admits(self, shape: Shape) -> bool:
        head, count, last = shape
        if head != self.head or (count != self.segments and not (self.variable and count > self.segments)):
            return False
        return self.last is None or self.last == last


# Paths remembered, and the longest one remembered: bounded in count and in size (an id is a few dozen characters).
MAX_REMEMBERED = 4096
MAX_REMEMBERED_PATH = 256


class RouteTable(BaseRoute):
    def __init__(self, routes: Sequence[Route], *, prefixes: Sequence[str] = ()) -> None:
        """`prefixes`: URL prefixes the routes sit below (`/v1`); the segment after one tells routes apart better
        than the prefix itself, which all of them share."""
        self.routes = list(routes)
        self._prefixes = sorted(prefixes, key=len, reverse=True)  # `/openai/v1` before `/openai`
        self._patterns = [(_Pattern.of(route.path, self._prefixes), route) for route in self.routes]
        shapes: set[Shape] = set()
        for pattern, _ in self._patterns:
            shapes |= {(pattern.head, pattern.segments, pattern.last), (pattern.head, pattern.segments, None)}
        self._by_shape = {shape: self._admitting(shape) for shape in shapes}
        # What `find()` found for recent (method, path) pairs: a client that polls asks for the same path again and
        # again. The table holds no app's state, so neither does this; it is bounded, and a race between two
        # threads' servers only costs a search.
        self._found: dict[tuple[str, str], tuple[Route, dict[str, str]]] = {}
        # By `id()`: starlette's routes compare by value, so they cannot be keys themselves.
        self._methods = {id(route): frozenset(route.methods or ()) for route in self.routes}
        for route in self.routes:
            # What `find()` relies on: a method to check, parameters that are the text they match, and an endpoint
            # the envelope can await with the request.
            if (
                route.methods is None
                or not inspect.iscoroutinefunction(route.endpoint)
                or not all(type(c) in (StringConvertor, PathConvertor) for c in route.param_convertors.values())
            ):
                raise ValueError(
                    f"{route.path}: a route table needs routes with methods, async function endpoints and string or "
                    "path parameters"
                )

    def _admitting(self, shape: Shape) -> list[Route]:
        return [route for pattern, route in self._patterns if pattern.admits(shape)]

    def _candidates(self, route_path: str) -> list[Route]:
        if "\n" in route_path:
            # A route's regex ends in `$`, which also matches before a final newline, and `.*` stops at one: such
            # a path (`%0A` in the URL) is not of the shape its text says, so every route is tried, as starlette does.
            return self.routes
        segments = route_path.split("/")  # a leading "" for the leading slash
        head, count, last = _head(route_path, self._prefixes), len(segments) - 1, segments[-1]
        found = self._by_shape.get((head, count, last))
        if found is None:
            found = self._by_shape.get((head, count, None))
        if found is None:  # longer than any route spells out: only variable-length routes can match
            found = self._admitting((head, count, last))
        return found

    def matches(self, scope: Scope) -> tuple[Match, Scope]:
        if scope["type"] != "http":
            return Match.NONE, {}
        partial: tuple[Route, Scope] | None = None
        for route in self._candidates(get_route_path(scope)):
            match, child_scope = route.matches(scope)
            if match is Match.FULL:
                # The router sets `scope["route"]` to the table and then applies this: `handle()` and anything
                # downstream see the route that matched.
                return Match.FULL, {**child_scope, "route": route}
            if match is Match.PARTIAL and partial is None:
                partial = route, child_scope
        if partial is not None:
            return Match.PARTIAL, {**partial[1], "route": partial[0]}
        return Match.NONE, {}

    def find(self, scope: Scope) -> tuple[Route, Scope] | None:
        """The route that fully matches the request and the scope it adds (its endpoint and path parameters), or
        None when none does (an unknown path, or a known one with another method): what `matches()` gives for a
        full match, from the routes of the path's shape that take the method, each tried with its regex alone."""
        route_path = get_route_path(scope)
        key = (scope["method"], route_path)
        found = self._found.get(key)
        if found is None:
            found = self._search(*key)
            if found is None:
                return None  # misses are not remembered: any path can miss, and they would crowd out the rest
            if len(route_path) <= MAX_REMEMBERED_PATH:
                if len(self._found) >= MAX_REMEMBERED:
                    self._found.clear()
                self._found[key] = found
        route, params = found
        return route, {"endpoint": route.endpoint, "path_params": {**scope.get("path_params", {}), **params}}

    def _search(self, method: str, route_path: str) -> tuple[Route, dict[str, str]] | None:
        for route in self._candidates(route_path):
            if method not in self._methods[id(route)]:
                continue
            match = route.path_regex.match(route_path)
            if match is not None:
                # String and path parameters are the text they match (checked when the table was built).
                return route, match.groupdict()
        return None

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        route: Route = scope["route"]
        await route.handle(scope, receive, send)

    def url_path_for(self, name: str, /, **path_params: Any) -> URLPath:
        for route in self.routes:
            try:
                return route.url_path_for(name, **path_params)
            except NoMatchFound:
                pass
        raise NoMatchFound(name, path_params)
