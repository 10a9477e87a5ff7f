"""The access token: in the OS keyring, or in ``CANVAS_INBOX_TOKEN``. Nowhere else.

Keyring backends fail in many ways on headless machines (no D-Bus, a locked
collection, no backend at all). Every such failure becomes ``KeyringUnavailable`` with
one line that says what to do instead, never a traceback.
"""

from __future__ import annotations

import os

SERVICE_NAME = "canvas-inbox"
TOKEN_ENV = "CANVAS_INBOX_TOKEN"  # noqa: S105 (the variable's name, not a secret)

REMEDY = (
    f"set {TOKEN_ENV} instead, or install and unlock a keyring backend "
    "(GNOME Keyring, KWallet, macOS Keychain or Windows Credential Locker)"
)


class KeyringUnavailable(Exception):
    """No usable keyring on this machine."""


def env_token() -> str | None:
    token = os.environ.get(TOKEN_ENV, "").strip()
    return token or None


def _keyring():  # type: ignore[no-untyped-def]
    import keyring
    from keyring.backends import fail

    backend = keyring.get_keyring()
    if isinstance(backend, fail.Keyring) or backend.priority <= 0:
        raise KeyringUnavailable(f"No system keyring is available: {REMEDY}.")
    return keyring


def get_token(profile: str) -> str | None:
    try:
        return _keyring().get_password(SERVICE_NAME, profile)
    except KeyringUnavailable:
        raise
    except Exception as error:  # backends raise anything from D-Bus errors to OSError
        raise KeyringUnavailable(_describe(error, "read")) from None


def set_token(profile: str, token: str) -> None:
    try:
        _keyring().set_password(SERVICE_NAME, profile, token)
    except KeyringUnavailable:
        raise
    except Exception as error:
        raise KeyringUnavailable(_describe(error, "store the token in")) from None


def delete_token(profile: str) -> bool:
    """Forget the profile's token; False if there was none."""
    try:
        keyring = _keyring()
        if keyring.get_password(SERVICE_NAME, profile) is None:
            return False
        keyring.delete_password(SERVICE_NAME, profile)
        return True
    except KeyringUnavailable:
        raise
    except Exception as error:
        raise KeyringUnavailable(_describe(error, "remove the token from")) from None


def _describe(error: Exception, verb: str) -> str:
    # The backend's own words can be long and multi-line; the class name is enough to
    # tell "locked" from "no D-Bus", and it can never carry the token.
    return f"Could not {verb} the system keyring ({type(error).__name__}): {REMEDY}."
