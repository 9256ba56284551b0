"""`RouteTable`: a group of starlette routes where a request is tried only against those that can match its path.

Starlette's router tries its routes one by one, each with a regex. The OpenAI surface has well over a hundred
across its three URL prefixes, so a call near the end of the list paid for every route before it, on every request.
The table files its routes in a tree of path segments: a literal segment is a child by its text, a parameter the
child any non-empty segment takes, and a trailing `:path` parameter takes whatever is left. A path walks the tree
once, segment by segment, and ends at the routes its shape admits, each with its parameters. Of those the first in
the table's order wins, as in starlette's router: the first full match, else the first partial one (a 405).
"""

from __future__ import annotations

import inspect
from collections.abc import Sequence
from typing import Any

from starlette.convertors import PathConvertor, StringConvertor
from starlette.datastructures import URLPath
from starlette.routing import BaseRoute, Match, NoMatchFound, Route
from starlette.types import Receive, Scope, Send

# A route where a path ends: its place in the table (which decides between overlapping routes), the route, and the
# names of its parameters in the order the path gives their values.
_End = tuple[int, Route, tuple[str, ...]]


class _Node:
    """Where a path is after some of its segments: what the next segment may be, and the routes that end here."""

    __slots__ = ("literal", "parameter", "ends", "rest")

    def __init__(self) -> None:
        self.literal: dict[str, _Node] = {}
        self.parameter: _Node | None = None  # a `{name}`: any segment but an empty one, as starlette's `[^/]+`
        self.ends: list[_End] = []  # routes whose template ends after this node's segment
        self.rest: list[_End] = []  # routes whose last parameter (`{name:path}`) takes what follows this node

    def add(self, template: str, end: _End) -> None:
        node = self
        segments = template.split("/")[1:]  # the template's leading slash
        for position, segment in enumerate(segments):
            if segment.startswith("{") and segment.endswith("}") and segment.count("{") == 1:
                if segment.endswith(":path}"):
                    if position != len(segments) - 1:
                        raise ValueError(f"{template}: a route table takes a path parameter only at the end")
                    node.rest.append(end)
                    return
                if node.parameter is None:
                    node.parameter = _Node()
                node = node.parameter
            elif "{" in segment or "}" in segment:
                raise ValueError(f"{template}: a route table needs each parameter to be a whole segment")
            else:
                node = node.literal.setdefault(segment, _Node())
        node.ends.append(end)


def _route_path(scope: Scope) -> str:
    """The path below the mount, as starlette's routes match it."""
    path: str = scope["path"]
    root: str = scope.get("root_path", "")
    if root and path.startswith(root) and path != root and path[len(root)] == "/":
        return path[len(root) :]
    return path


# Paths remembered, and the longest one remembered: bounded in count and in size (an id is a few dozen characters).
MAX_REMEMBERED = 4096
MAX_REMEMBERED_PATH = 256


class RouteTable(BaseRoute):
    def __init__(self, routes: Sequence[Route]) -> None:
        self.routes = list(routes)
        self._root = _Node()
        for index, route in enumerate(self.routes):
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
            self._root.add(route.path, (index, route, tuple(route.param_convertors)))
        self._methods = [frozenset(route.methods or ()) for route in self.routes]
        # What `find()` found for recent (method, path) pairs: a client that polls asks for the same path again and
        # again. The table holds no app's state, so neither does this; it is bounded, and a race between two
        # threads' servers only costs a search.
        self._found: dict[tuple[str, str], tuple[Route, dict[str, str]]] = {}

    def _walk(self, route_path: str) -> list[tuple[_End, tuple[str, ...]]]:
        """Every route the path's segments admit, whatever its method, with the values of its parameters."""
        segments = route_path.split("/")
        if segments[0]:  # not a path at all
            return []
        count = len(segments)
        found: list[tuple[_End, tuple[str, ...]]] = []
        # Depth first, by hand: most paths take one way through the tree, and a literal and a parameter child
        # both admitting a segment is the only fork.
        pending: list[tuple[_Node, int, tuple[str, ...]]] = [(self._root, 1, ())]
        while pending:
            node, position, values = pending.pop()
            if position == count:
                found.extend((end, values) for end in node.ends)
                continue
            if node.rest:  # starlette's `.*`: the rest of the path after this segment's slash, even nothing
                rest = "/".join(segments[position:])
                found.extend((end, (*values, rest)) for end in node.rest)
            segment = segments[position]
            child = node.literal.get(segment)
            if child is not None:
                pending.append((child, position + 1, values))
            if node.parameter is not None and segment:
                pending.append((node.parameter, position + 1, (*values, segment)))
        return found

    def matches(self, scope: Scope) -> tuple[Match, Scope]:
        if scope["type"] != "http":
            return Match.NONE, {}
        partial: tuple[Route, Scope] | None = None
        for (_, route, _), _ in sorted(self._walk(_route_path(scope)), key=lambda hit: hit[0][0]):
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
        full match, found in one walk of the tree."""
        route_path = _route_path(scope)
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
        best: tuple[_End, tuple[str, ...]] | None = None
        for hit in self._walk(route_path):
            index = hit[0][0]
            if method in self._methods[index] and (best is None or index < best[0][0]):
                best = hit
        if best is None:
            return None
        (_, route, names), values = best
        # String and path parameters are the text they match (checked when the table was built).
        return route, dict(zip(names, values, strict=True))

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
