"""DESIGN contract: the planners' suite runs against ``canvas-inbox sandbox --seed FILE``.
The same world, written as a JSON file and served by the real command, answers as the
in-process sandbox does (a smoke check of the path their conformance suite takes)."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.sandbox import seeds
from tests.sandbox.seeds import SAM, TINA


@pytest.fixture
def served(tmp_path: Path) -> Iterator[str]:
    """``python -m canvas_inbox.sandbox --port 0 --seed FILE``; yields its base URL."""
    seed_file = tmp_path / "seed.json"
    seed_file.write_text(json.dumps(seeds.school(seeds.DATED)), encoding="utf-8")
    proc = subprocess.Popen(
        [sys.executable, "-m", "canvas_inbox.sandbox", "--port", "0", "--seed", str(seed_file)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline()
        match = re.fullmatch(r"Canvas sandbox listening on (http://127\.0\.0\.1:\d+)\n", line)
        assert match, (line, proc.stderr.read() if proc.poll() is not None else "")
        yield match.group(1)
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def test_contract_seed_file_serves_the_same_world(served: str) -> None:
    """DESIGN: --seed FILE loads users, courses and conversations; tokens authenticate;
    the seeded inbox is ordered as §4.1 says; create answers 201 with an array."""
    headers = {"Authorization": f"Bearer {seeds.TOKENS[TINA]}"}
    with httpx.Client(base_url=f"{served}/api/v1", headers=headers, timeout=10) as tina:
        assert tina.get("users/self").json()["id"] == TINA
        inbox = tina.get("conversations").json()
        assert [c["subject"] for c in inbox] == ["Charlie", "Bravo", "Alpha"]
        r = tina.post("conversations", data={"recipients[]": str(SAM), "body": "from the CLI"})
        assert r.status_code == 201
        assert isinstance(r.json(), list)
        assert tina.get("conversations/unread_count").json() == {"unread_count": "3"}
