from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from canvas_inbox.store import Store


@pytest.fixture
def store() -> Iterator[Store]:
    with Store.open(None) as s:
        yield s


@pytest.fixture
def cache_path(tmp_path: Path) -> Path:
    return tmp_path / "cache" / "school.sqlite3"


@pytest.fixture
def disk_store(cache_path: Path) -> Iterator[Store]:
    with Store.open(cache_path) as s:
        yield s
