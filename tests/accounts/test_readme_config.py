"""The settings example in the README is what a newcomer copies: it must load as shown."""

from __future__ import annotations

import re
from pathlib import Path

from canvas_inbox.config import load_config

README = Path(__file__).resolve().parents[2] / "README.md"


def test_the_readme_settings_example_loads(tmp_path: Path) -> None:
    blocks = re.findall(r"```toml\n(.*?)```", README.read_text(encoding="utf-8"), re.S)
    assert blocks, "the README lost its settings example"
    path = tmp_path / "config.toml"
    path.write_text(blocks[0], encoding="utf-8")
    settings = load_config(path).settings
    assert settings.keymap == "default"
    assert settings.keys == {"archive": "e,y"}
