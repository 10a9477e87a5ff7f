"""Which URL and token a command uses: env over keyring, --url without a profile,
and one clear line whenever something is missing."""

from __future__ import annotations

import keyring
import pytest
from keyring.backends import fail

from canvas_inbox import credentials
from canvas_inbox.accounts import AccountError, list_profiles, logout, resolve_connection
from canvas_inbox.config import Config, Profile, save_config
from tests.keyrings import MemoryKeyring


def two_profiles(default: str | None = "uni") -> Config:
    config = Config(
        default_profile=default,
        profiles={
            "uni": Profile(url="https://uni.instructure.com", user_id=1),
            "college": Profile(url="https://college.instructure.com", user_id=2),
        },
    )
    save_config(config)
    return config


def test_the_default_profile_uses_its_keyring_token(isolated_home: MemoryKeyring) -> None:
    two_profiles()
    credentials.set_token("uni", "tok-uni")
    connection = resolve_connection()
    assert (connection.profile, connection.base_url, connection.token) == (
        "uni",
        "https://uni.instructure.com",
        "tok-uni",
    )
    assert connection.cache_dir.name == "uni"
    assert "tok-uni" not in repr(connection)


def test_profile_option_picks_another(isolated_home: MemoryKeyring) -> None:
    two_profiles()
    credentials.set_token("college", "tok-college")
    assert resolve_connection("college").token == "tok-college"


def test_environment_token_overrides_the_keyring(monkeypatch: pytest.MonkeyPatch) -> None:
    two_profiles()
    credentials.set_token("uni", "tok-uni")
    monkeypatch.setenv("CANVAS_INBOX_TOKEN", "tok-env")
    assert resolve_connection().token == "tok-env"


def test_url_with_environment_token_needs_no_profile(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CANVAS_INBOX_TOKEN", "tok-env")
    connection = resolve_connection(url="canvas.example.edu/courses/3")
    assert connection.base_url == "https://canvas.example.edu"
    assert connection.profile is None
    assert connection.token == "tok-env"


def test_url_without_any_token_says_what_to_do() -> None:
    with pytest.raises(AccountError, match="CANVAS_INBOX_TOKEN"):
        resolve_connection(url="https://canvas.example.edu")


def test_no_profile_at_all_points_to_login_and_demo() -> None:
    with pytest.raises(AccountError, match=r"canvas-inbox login --url .*--demo"):
        resolve_connection()


def test_unknown_profile_lists_the_known_ones() -> None:
    two_profiles()
    with pytest.raises(AccountError, match=r"No profile named 'work' \(profiles: college, uni\)"):
        resolve_connection("work")


def test_several_profiles_and_no_default_asks_for_one() -> None:
    two_profiles(default=None)
    with pytest.raises(AccountError, match="pass --profile"):
        resolve_connection()


def test_a_profile_whose_token_is_gone_asks_to_log_in() -> None:
    two_profiles()
    with pytest.raises(AccountError, match=r"login --url https://uni\.instructure\.com"):
        resolve_connection()


def test_no_keyring_backend_is_one_line_with_the_remedy() -> None:
    two_profiles()
    keyring.set_keyring(fail.Keyring())
    with pytest.raises(AccountError) as caught:
        resolve_connection()
    assert "No system keyring is available" in str(caught.value)
    assert "CANVAS_INBOX_TOKEN" in str(caught.value)


def test_a_broken_keyring_backend_is_one_line_too() -> None:
    class Broken(MemoryKeyring):
        def get_password(self, service: str, username: str) -> str | None:
            raise RuntimeError("org.freedesktop.DBus.Error.ServiceUnknown\nlong trace")

    two_profiles()
    keyring.set_keyring(Broken())
    with pytest.raises(AccountError) as caught:
        resolve_connection()
    assert "\n" not in str(caught.value)
    assert "CANVAS_INBOX_TOKEN" in str(caught.value)


def test_logout_forgets_the_token_and_keeps_the_profile(isolated_home: MemoryKeyring) -> None:
    two_profiles()
    credentials.set_token("uni", "tok-uni")
    assert logout() == "uni"
    assert isolated_home.passwords == {}
    assert [name for name, _, _ in list_profiles()] == ["college", "uni"]
    with pytest.raises(AccountError, match="No token for profile 'uni'"):
        resolve_connection()


def test_logout_can_purge_the_cache() -> None:
    two_profiles()
    credentials.set_token("uni", "tok-uni")
    cache = resolve_connection().cache_dir
    cache.mkdir(parents=True)
    (cache / "cache.sqlite3").write_bytes(b"x")
    logout("uni", purge_cache=True)
    assert not cache.exists()


def test_profiles_are_listed_with_the_default_marked() -> None:
    two_profiles()
    assert [(name, is_default) for name, _, is_default in list_profiles()] == [
        ("college", False),
        ("uni", True),
    ]
