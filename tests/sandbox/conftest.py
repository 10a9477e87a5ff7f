"""Fixtures for the sandbox tests: a fresh small world per test, one HTTP caller per user."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest

from canvas_inbox.sandbox.runner import RunningSandbox
from tests.sandbox import seeds
from tests.sandbox.spec_http import Caller


@dataclass
class World:
    """A running sandbox plus lazily-made callers, closed when the test ends."""

    sandbox: RunningSandbox
    _callers: dict[int, Caller] = field(default_factory=dict)
    _extra: list[Caller] = field(default_factory=list)

    @property
    def api(self) -> str:
        return self.sandbox.api

    def as_(self, user_id: int) -> Caller:
        if user_id not in self._callers:
            self._callers[user_id] = Caller(self.api, self.sandbox.token(user_id), user_id)
        return self._callers[user_id]

    def anonymous(self, token: str | None = None) -> Caller:
        caller = Caller(self.api, token)
        self._extra.append(caller)
        return caller

    def close(self) -> None:
        for caller in [*self._callers.values(), *self._extra]:
            caller.close()


@pytest.fixture
def make_world(
    sandbox_factory: Callable[..., RunningSandbox],
) -> Iterator[Callable[..., World]]:
    """``make_world(seed_dict)``: start a sandbox on that seed; stopped after the test."""
    worlds: list[World] = []

    def make(seed: dict[str, Any] | None = None, **options: Any) -> World:
        world = World(sandbox_factory(seed=seed if seed is not None else seeds.school(), **options))
        worlds.append(world)
        return world

    yield make
    for world in worlds:
        world.close()


@pytest.fixture
def world(make_world: Callable[..., World]) -> World:
    """The base school (seeds.school()) with no conversations yet."""
    return make_world()


@pytest.fixture
def tina(world: World) -> Caller:
    return world.as_(seeds.TINA)


@pytest.fixture
def sam(world: World) -> Caller:
    return world.as_(seeds.SAM)


@pytest.fixture
def sue(world: World) -> Caller:
    return world.as_(seeds.SUE)


@pytest.fixture
def stan(world: World) -> Caller:
    return world.as_(seeds.STAN)
