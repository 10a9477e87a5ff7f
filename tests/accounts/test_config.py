"""The config file: validated strictly, errors name the key, never holds the token."""

from __future__ import annotations

from pathlib import Path

import pytest

from canvas_inbox.config import (
    Config,
    ConfigError,
    Profile,
    Settings,
    config_path,
    load_config,
    save_config,
)


def write(text: str) -> Path:
    path = config_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


def test_a_missing_file_gives_the_defaults() -> None:
    config = load_config()
    assert config.settings == Settings()
    assert config.settings.poll_interval == 30.0
    assert config.settings.keymap == "default"
    assert config.profiles == {}


def test_settings_and_profiles_are_read() -> None:
    write(
        'default_profile = "uni"\n'
        '[settings]\npoll_interval = 60\npeek = true\nkeymap = "mutt"\n'
        '[settings.keys]\nreply = "R"\n'
        '[profiles.uni]\nurl = "https://uni.instructure.com"\nuser_id = 7\n'
    )
    config = load_config()
    assert config.default_profile == "uni"
    assert config.settings.poll_interval == 60
    assert config.settings.peek is True
    assert config.settings.keymap == "mutt"
    assert config.settings.keys == {"reply": "R"}
    assert config.profiles["uni"].user_id == 7


@pytest.mark.parametrize(
    ("text", "names"),
    [
        ("[settings]\npoll_intervall = 10\n", "unknown key 'settings.poll_intervall'"),
        ('[settings]\npoll_interval = "often"\n', "settings.poll_interval: expected float"),
        ("[settings]\npoll_interval = 1\n", "settings.poll_interval: expected float >= 5"),
        ('[settings]\nkeymap = "emacs"\n', "settings.keymap"),
        ("colour = 1\n", "unknown key 'colour'"),
        ("[profiles.uni]\nurl = 3\n", "profiles.uni.url: expected str"),
        (
            '[profiles.uni]\nurl = "https://x"\ntoken = "secret"\n',
            "unknown key 'profiles.uni.token'",
        ),
        ("[settings\n", "not valid TOML"),
    ],
)
def test_a_bad_file_is_refused_naming_the_key(text: str, names: str) -> None:
    path = write(text)
    with pytest.raises(ConfigError) as caught:
        load_config()
    message = str(caught.value)
    assert names in message
    assert str(path) in message
    assert "\n" not in message


def test_save_then_load_round_trips_and_writes_no_nulls() -> None:
    config = Config(
        default_profile="uni",
        settings=Settings(bell=True, keys={"archive": "y"}),
        profiles={"uni": Profile(url="https://uni.instructure.com", user_id=3, user_name="Ana")},
    )
    save_config(config)
    assert load_config() == config
    assert "null" not in config_path().read_text()
    assert "editor" not in config_path().read_text()  # unset optionals are left out
