"""Cursor pagination as the SDK drives it: `after` is the id of the last item of the previous page."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Generic, TypeVar

from starlette.datastructures import QueryParams

from mockserver.errors import InvalidRequestError
from mockserver.validation import ascii_integer

T = TypeVar("T")


@dataclass
class Page(Generic[T]):
    data: list[T]
    has_more: bool


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
    page: list[T] = []
    for _, item in iterator:
        if len(page) == limit:
            return Page(page, has_more=True)
        page.append(item)
    return Page(page, has_more=False)


def first_last_ids(page: Page[T], key: Callable[[T], str]) -> tuple[str | None, str | None]:
    if not page.data:
        return None, None
    return key(page.data[0]), key(page.data[-1])
