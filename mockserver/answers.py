"""Answers of the OpenAI surface, made once per state of what they show rather than once per request.

A test that polls reads the same object many times between two changes, and serialising a fine-tuning job costs more
than the rest of its retrieve together; a list of twenty costs twenty of them. So each app keeps what it answered
since the last change, and forgets all of it on any change. Emptying everything is coarse, but it needs no
bookkeeping per object, costs nothing per object kept (the cache is bounded), and cannot miss a change that touched
a nested field, as invalidating one object at a time could. What empties it, between them every way a kept object
changes:
- every request other than a GET or HEAD: before it is served, as soon as its handler returns, and after it is
  answered (the envelope);
- every timer firing (the scheduler), which is how every simulated state change happens.
Kept, by what they stand for:
- whole answers to GETs, by path, query string and project (`read()`): a repeated read skips routing and its
  handler, though never the key check, the fault rules or the journal;
- the JSON of the objects the lifecycles and the files keep, and whole list pages of them, for other reads of them;
- the wire forms that stand for kept objects the API shows through another model (a webhook endpoint).
What a route builds from scratch on each read (a page of events) is serialised as it is. Code that changes a kept
object some other way calls `clear()`.

`MOCKSERVER_CHECK_ANSWER_CACHE=1` (set by the mock's own test suite) makes every read that the cache could answer
run its handler anyway and compare, and every cached JSON compared with a fresh serialisation; a difference fails
the request, naming what was stale.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Callable, Sequence
from typing import Any, TypeVar, cast

from pydantic import BaseModel

from mockserver.schemas.common import ListResponse

S = TypeVar("S")
M = TypeVar("M", bound=BaseModel)

# Enough for every object a test polls and the pages it lists, small enough that no workload makes it a memory cost
# (a fine-tuning job's JSON is about a kilobyte, a page of twenty about twenty).
MAX_CACHED = 4096
MAX_PAGES = 256
CHECK_VARIABLE = "MOCKSERVER_CHECK_ANSWER_CACHE"
# A GET of the OpenAI surface, as the whole-answer cache knows it: path, query string, project.
ReadKey = tuple[str, bytes, str]


@functools.cache
def _field_after_data(model: type[BaseModel]) -> str | None:
    names = list(model.model_fields)
    following = names[names.index("data") + 1 :]
    return following[0] if following else None


def _split_at_data(model: type[BaseModel], shell: bytes) -> tuple[bytes, bytes]:
    """`shell` (the list's JSON without `data`) cut where `data` goes, with the commas it needs on either side:
    before the field that follows it in the model, or at the end."""
    following = _field_after_data(model)
    if following is None:
        return shell[:-1] + (b"," if len(shell) > 2 else b""), b"}"
    # A key followed by `:` cannot occur inside a string value, where every quote is escaped.
    head, marker, tail = shell.partition(b'"' + following.encode() + b'":')
    return head, b"," + marker + tail


class StaleAnswerError(AssertionError):
    """The cache held JSON that no longer matches its object: a change did not empty it (a bug in the mock)."""


class AnswerCache:
    def __init__(self, *, check: bool | None = None) -> None:
        # By object identity; the object is held beside its JSON so that its `id()` cannot be reused meanwhile.
        self._json: dict[int, tuple[BaseModel, bytes]] = {}
        # Whole list answers, by the list's own fields and its items' identities (the items held likewise): a test
        # that polls a list asks for the same page again and again, and splicing 20 jobs is 20 kB copied twice.
        self._pages: dict[tuple[bytes, tuple[int, ...]], tuple[Sequence[BaseModel], bytes]] = {}
        # Wire forms of kept objects the API shows through another model (a webhook endpoint), by the kept object.
        self._forms: dict[tuple[int, Callable[[Any], BaseModel]], tuple[object, BaseModel]] = {}
        # Whole answers to reads of the OpenAI surface, by path, query string and project (see `read()`).
        self._reads: dict[ReadKey, bytes] = {}
        self._check = os.environ.get(CHECK_VARIABLE) == "1" if check is None else check

    @property
    def checking(self) -> bool:
        return self._check

    def clear(self) -> None:
        self._json.clear()
        self._pages.clear()
        self._forms.clear()
        self._reads.clear()

    def read(self, key: ReadKey) -> bytes | None:
        """The body of a 200 JSON answer to the same GET (path, query string, project) since the last change.
        A read of the OpenAI surface depends on nothing else: the key check and fault rules still run before it,
        the journal records it, and what depends on the request's other headers (a stream, a file's content) is
        not JSON, so never remembered. The control API is not cached (its journal and reports change on reads)."""
        return self._reads.get(key)

    def remember(self, key: ReadKey, body: bytes) -> None:
        """A read's answer; when checking, one already remembered must be what the handler answered again."""
        if self._check:
            known = self._reads.get(key)
            if known is not None and known != body:
                raise StaleAnswerError(f"the answer cache held a stale answer to GET {key[0]}: {known!r}, now {body!r}")
        if len(self._reads) >= MAX_CACHED:
            self._reads.clear()
        self._reads[key] = body

    def form(self, source: S, make: Callable[[S], M]) -> M:
        """`make(source)`, made once per state of `source`: the same wire object for every read until a change, so
        that its JSON is cached too."""
        key = (id(source), make)
        found = self._forms.get(key)
        if found is None:
            made = make(source)
            if len(self._forms) >= MAX_CACHED:
                self._forms.clear()
            self._forms[key] = (source, made)
            return made
        kept = cast(M, found[1])
        if self._check and make(source) != kept:
            # Named by type and id only: a source is internal (a webhook endpoint holds its signing secret).
            named = f"{type(source).__name__} {getattr(source, 'id', '?')}"
            raise StaleAnswerError(f"the answer cache held a stale {type(kept).__name__} for {named}")
        return kept

    def __len__(self) -> int:
        return len(self._json)

    def json(self, obj: BaseModel) -> bytes:
        """The object's JSON as `model_dump_json()` gives it (nulls included)."""
        found = self._json.get(id(obj))
        if found is None:
            data = obj.__pydantic_serializer__.to_json(obj)
            if len(self._json) >= MAX_CACHED:
                self._json.clear()
            self._json[id(obj)] = (obj, data)
            return data
        if self._check:
            fresh = obj.__pydantic_serializer__.to_json(obj)
            if fresh != found[1]:
                raise StaleAnswerError(
                    f"the answer cache held stale JSON for {type(obj).__name__} {getattr(obj, 'id', '?')}: "
                    f"cached {found[1]!r}, now {fresh!r}"
                )
        return found[1]

    def list_json(self, response: ListResponse[Any]) -> bytes:
        """A list answer whose items come from the cache: the list's own fields serialised by its model without
        `data`, and the items spliced in where `data` goes."""
        items: Sequence[BaseModel] = response.data
        shell = response.__pydantic_serializer__.to_json(response, exclude={"data"})
        key = (shell, tuple(map(id, items)))
        page = self._pages.get(key)
        if page is not None and not self._check:
            return page[1]
        head, tail = _split_at_data(type(response), shell)
        data = b"".join((head, b'"data":[', b",".join(map(self.json, items)), b"]", tail))
        if len(self._pages) >= MAX_PAGES:
            self._pages.clear()
        self._pages[key] = (items, data)
        if self._check and data != response.__pydantic_serializer__.to_json(response):
            raise StaleAnswerError(f"the spliced list differs from the list model's own JSON: {data!r}")
        return data
