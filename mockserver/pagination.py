"""Cursor pagination as the SDK drives it: `after` is the id of the last item of the previous page."""

from __future__ import annotations

import itertools
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Generic, TypeVar

from starlette.datastructures import QueryParams

from mockserver.errors import InvalidRequestError
from mockserver.schemas.common import CursorListResponse
from mockserver.validation import ascii_integer

T = TypeVar("T")


@dataclass
class Page(Generic[T]):
    data: list[T]
    has_more: bool
    first_id: str | None = None
    last_id: str | None = None


def read_limit(query: QueryParams, *, default: int, maximum: int | None = None) -> int:
    raw = query.get("limit")
    if raw is None:
        return default
    limit = ascii_integer(raw)
    if limit is None:
        raise InvalidRequestError(
            f"Invalid type for 'limit': expected an integer, but got a string instead ('{raw}').",
            param="limit",
            code="invalid_type",
        )
    if limit < 1:
        raise InvalidRequestError(
            f"Invalid 'limit': integer below minimum value. Expected a value >= 1, but got {limit} instead.",
            param="limit",
            code="integer_below_min_value",
        )
    if maximum is not None and limit > maximum:
        raise InvalidRequestError(
            f"Invalid 'limit': integer above maximum value. Expected a value <= {maximum}, but got {limit} instead.",
            param="limit",
            code="integer_above_max_value",
        )
    return limit


def read_order(query: QueryParams, *, default: str) -> str:
    order = query.get("order", default)
    if order not in ("asc", "desc"):
        raise InvalidRequestError(
            f"Invalid value: '{order}'. Supported values are: 'asc' and 'desc'.", param="order", code="invalid_value"
        )
    return order


def read_choice(query: QueryParams, name: str, choices: tuple[str, ...], default: str | None = None) -> str | None:
    """An enum query parameter (`status`, `order_by`): one of `choices`, else a 400 listing them."""
    value = query.get(name, default)
    if value is not None and value not in choices:
        supported = ", ".join(f"'{choice}'" for choice in choices)
        raise InvalidRequestError(
            f"Invalid value: '{value}'. Supported values are: {supported}.", param=name, code="invalid_value"
        )
    return value


def paginate(items: Iterable[tuple[str, T]], *, after: str | None, limit: int) -> Page[T]:
    """One page from `(id, item)` pairs already in list order, starting after the item whose id is `after`."""
    iterator = iter(items)
    if after:
        for object_id, _ in iterator:
            if object_id == after:
                break
        else:
            raise InvalidRequestError(
                f"Invalid 'after': no object with id '{after}' in this list.", param="after", code="invalid_value"
            )
    # One more than the page: whether it exists is `has_more`.
    taken = list(itertools.islice(iterator, limit + 1))
    has_more = len(taken) > limit
    if has_more:
        del taken[limit]
    page = [item for _, item in taken]
    return Page(page, has_more, taken[0][0] if taken else None, taken[-1][0] if taken else None)


def cursor_list(
    items: Iterable[tuple[str, T]], query: QueryParams, *, default_limit: int = 20, max_limit: int | None = 100
) -> CursorListResponse[T]:
    """A list answer with `first_id`/`last_id`, one page of `(id, item)` pairs in list order (`after`, `limit`)."""
    limit = read_limit(query, default=default_limit, maximum=max_limit)
    page = paginate(items, after=query.get("after"), limit=limit)
    # The generic class itself, not `CursorListResponse[T]`: parametrising it again on every list cost a microsecond,
    # and a type variable validates and serialises its items as the bare class does.
    return CursorListResponse(data=page.data, has_more=page.has_more, first_id=page.first_id, last_id=page.last_id)
