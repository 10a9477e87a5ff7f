"""What people paste as their Canvas address becomes the site's origin, safely."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from canvas_inbox.accounts import AccountError, normalize_url


@pytest.mark.parametrize(
    ("pasted", "origin"),
    [
        ("https://school.instructure.com", "https://school.instructure.com"),
        ("https://school.instructure.com/", "https://school.instructure.com"),
        ("school.instructure.com", "https://school.instructure.com"),
        (
            "  School.Instructure.COM/courses/12/assignments?x=1#top ",
            "https://school.instructure.com",
        ),
        ("https://canvas.uni.edu:8443/login", "https://canvas.uni.edu:8443"),
        ("https://canvas.uni.edu:443", "https://canvas.uni.edu"),
        ("http://127.0.0.1:8765/", "http://127.0.0.1:8765"),
        ("http://localhost:3000", "http://localhost:3000"),
        ("http://[::1]:9000", "http://[::1]:9000"),
    ],
)
def test_pasted_addresses_become_the_origin(pasted: str, origin: str) -> None:
    assert normalize_url(pasted) == origin


@pytest.mark.parametrize(
    ("pasted", "says"),
    [
        ("http://school.instructure.com", "Refusing plain http://"),
        ("http://10.0.0.5", "Refusing plain http://"),
        ("", "Enter your school's Canvas address"),
        ("ftp://school.edu", "not a web address"),
        ("https://", "no valid host"),
        ("https://bad_host!.edu", "no valid host"),
        ("https://user:pw@school.edu", "Leave the user name"),
        ("https://school.edu:99999", "not a web address"),
    ],
)
def test_unusable_addresses_are_refused_with_a_reason(pasted: str, says: str) -> None:
    with pytest.raises(AccountError, match=says):
        normalize_url(pasted)


@given(st.text(max_size=200))
def test_any_input_gives_an_origin_or_one_clear_error(text: str) -> None:
    try:
        origin = normalize_url(text)
    except AccountError as error:
        message = str(error)
    else:
        message = ""
    if message:
        assert message.isprintable()
        return
    assert origin.startswith(("https://", "http://"))
    assert origin.count("/") == 2  # scheme://host[:port], no path
    if origin.startswith("http://"):
        host = origin.removeprefix("http://").rsplit(":", 1)[0]
        assert (
            host in ("localhost", "[::1]")
            or host.startswith("127.")
            or host.endswith(".localhost")
            or host.startswith("[")
        )
