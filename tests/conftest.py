"""Fixtures every test layer shares: sandboxes on loopback, stopped by the test."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import ExitStack
from typing import Any

import pytest

from canvas_inbox.sandbox.options import SandboxOptions
from canvas_inbox.sandbox.runner import RunningSandbox, run_sandbox
from tests.keyrings import MemoryKeyring


@pytest.fixture(autouse=True)
def isolated_home(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> MemoryKeyring:
    """Every test gets its own config file, cache and data directories and in-memory keyring, and no
    CANVAS_INBOX_TOKEN from the environment: no test can touch the user's real ones."""
    import keyring

    home = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("CANVAS_INBOX_CONFIG", str(home / "config" / "config.toml"))
    monkeypatch.setenv("CANVAS_INBOX_CACHE_DIR", str(home / "cache"))
    monkeypatch.setenv("CANVAS_INBOX_DATA_DIR", str(home / "data"))
    monkeypatch.delenv("CANVAS_INBOX_TOKEN", raising=False)
    ring = MemoryKeyring()
    keyring.set_keyring(ring)
    return ring


@pytest.fixture
def sandbox_factory() -> Iterator[Callable[..., RunningSandbox]]:
    """Start as many sandboxes as a test needs: ``sandbox_factory(seed=..., latency_ms=...)``."""
    with ExitStack() as stack:

        def start(**options: Any) -> RunningSandbox:
            return stack.enter_context(run_sandbox(SandboxOptions(**options)))

        yield start


@pytest.fixture
def demo_sandbox(sandbox_factory: Callable[..., RunningSandbox]) -> RunningSandbox:
    """The built-in demo school."""
    return sandbox_factory(seed="demo")
