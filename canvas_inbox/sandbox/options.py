"""How a sandbox is started: one settled record shared by the CLI, the runner and tests."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

# "demo", "empty", a path to a JSON seed file, or an already-parsed seed mapping.
Seed = str | Path | dict[str, Any]


@dataclass(frozen=True, slots=True)
class SandboxOptions:
    seed: Seed = "empty"
    db_path: Path | None = None  # None: a fresh database for every start
    latency_ms: float = 0.0  # delay every API answer
    fail_rate: float = 0.0  # share of API requests answered 500 or dropped
    throttle: bool = False  # Canvas's leaky bucket, headers and plain-text 403
    live_events_url: str | None = None  # POST every Live Event here
    activity_seconds: float = 0.0  # demo: others write to the demo user about this often
    random_seed: int = 0  # makes fail-rate, activity and the demo school repeatable
