"""What a Store method does when SQLite fails under it.

The cache is only a cache: if a page turns out damaged in the middle of a session (a
disk error, a file truncated by a full disk), the cache file is moved aside, a fresh one
made, the damage reported in ``Store.recovered``, and the call made again on the fresh
file, so the user sees an emptier inbox that refills, not a crash. The drafts file is
the user's own writing: it is never reset behind their back; its failures, like every
other SQLite failure (disk full, another process holding the lock too long), become a
one-line ``StoreError`` the service can show.
"""

from __future__ import annotations

import functools
import sqlite3
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Concatenate, ParamSpec, TypeVar

from canvas_inbox.store._errors import StoreError
from canvas_inbox.store._schema import is_damage

if TYPE_CHECKING:
    from canvas_inbox.store._store import Store

P = ParamSpec("P")
R = TypeVar("R")


def cache_call(method: Callable[Concatenate[Store, P], R]) -> Callable[Concatenate[Store, P], R]:
    @functools.wraps(method)
    def call(self: Store, *args: P.args, **kwargs: P.kwargs) -> R:
        # A generator argument could not be read twice: take it whole first.
        args = tuple(list(a) if isinstance(a, Iterator) else a for a in args)  # type: ignore[assignment]
        try:
            return method(self, *args, **kwargs)
        except sqlite3.DatabaseError as error:
            if not is_damage(error) or not self._reset_cache(str(error)):
                raise StoreError(f"local cache: {error}") from None
        try:
            return method(self, *args, **kwargs)
        except sqlite3.Error as error:
            raise StoreError(f"local cache: {error}") from None

    return call


S = TypeVar("S")


def drafts_call(method: Callable[Concatenate[S, P], R]) -> Callable[Concatenate[S, P], R]:
    @functools.wraps(method)
    def call(self: S, *args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return method(self, *args, **kwargs)
        except sqlite3.Error as error:
            raise StoreError(f"drafts file: {error}") from None

    return call
