"""Fixtures for the sandbox tests: a fresh small world per test, one HTTP caller per user."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from typing import Any

import pytest

from canvas_inbox.sandbox.options import SandboxOptions
from canvas_inbox.sandbox.runner import RunningSandbox, run_sandbox
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


@pytest.fixture(scope="session")
def _stopping() -> Iterator[list[threading.Thread]]:
    """Sandboxes still shutting down; all are joined before the session ends."""
    threads: list[threading.Thread] = []
    yield threads
    for thread in threads:
        thread.join(timeout=15)


@pytest.fixture
def make_world(_stopping: list[threading.Thread]) -> Iterator[Callable[..., World]]:
    """``make_world(seed_dict)``: start a sandbox on that seed; stopped after the test.

    Starting takes ~20 ms, but uvicorn needs ~200 ms to stop (its 0.1 s exit tick), which
    would be most of this suite's time: each test asks its servers to stop at teardown and
    the wait for them runs in a thread while the next test goes on (joined at session end).
    """
    worlds: list[World] = []
    running: list[AbstractContextManager[RunningSandbox]] = []

    def make(seed: dict[str, Any] | None = None, **options: Any) -> World:
        options.setdefault("seed", seed if seed is not None else seeds.school())
        context = run_sandbox(SandboxOptions(**options))
        world = World(context.__enter__())
        running.append(context)
        worlds.append(world)
        return world

    yield make
    for world in worlds:
        world.close()
    for context in running:
        stop = threading.Thread(
            target=context.__exit__, args=(None, None, None), name="sandbox-stop", daemon=True
        )
        stop.start()
        _stopping.append(stop)


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
