"""Every error shape Canvas sends maps to the right exception with one clean line."""

from __future__ import annotations

import httpx
import pytest

from canvas_inbox.canvas import (
    AuthenticationError,
    CanvasClient,
    CanvasError,
    ExpiredToken,
    FieldError,
    Forbidden,
    NetworkError,
    NotFound,
    RequestTimeout,
    ServerError,
    Throttled,
    UnexpectedResponse,
    ValidationError,
)
from tests.canvas.fakes import NO_WAIT, TOKEN, FakeCanvas, json_response

AUTH = {"WWW-Authenticate": 'Bearer realm="canvas-lms"'}
CASES = [
    (
        "invalid-token",
        401,
        {"errors": [{"message": "Invalid access token."}]},
        AUTH,
        AuthenticationError,
        "Invalid access token.",
    ),
    (
        "expired-token",
        401,
        {"errors": [{"message": "Expired access token.", "expired_at": "2026-01-01T00:00:00Z"}]},
        AUTH,
        ExpiredToken,
        "Expired access token.",
    ),
    (
        "revoked-token",
        401,
        {"errors": [{"message": "Revoked access token."}]},
        AUTH,
        AuthenticationError,
        "Revoked access token.",
    ),
    (
        "no-credentials",
        401,
        {"status": "unauthenticated", "errors": [{"message": "user authorization required"}]},
        AUTH,
        AuthenticationError,
        "user authorization required",
    ),
    (
        "forbidden-new",
        403,
        {
            "status": "unauthorized",
            "errors": [{"message": "user not authorized to perform that action"}],
        },
        {},
        Forbidden,
        "user not authorized to perform that action",
    ),
    (
        "forbidden-old-401",
        401,
        {
            "status": "unauthorized",
            "errors": [{"message": "user not authorized to perform that action"}],
        },
        {},
        Forbidden,
        "user not authorized to perform that action",
    ),
    (
        "scopes",
        401,
        {"errors": [{"message": "Insufficient scopes on access token."}]},
        AUTH,
        Forbidden,
        "Insufficient scopes on access token.",
    ),
    (
        "not-found",
        404,
        {"errors": [{"message": "The specified resource does not exist."}]},
        {},
        NotFound,
        "The specified resource does not exist.",
    ),
    (
        "array",
        400,
        [{"attribute": "recipients", "message": "invalid"}],
        {},
        ValidationError,
        "recipients: invalid",
    ),
    (
        "model",
        400,
        {
            "errors": {
                "subject": [{"attribute": "subject", "type": "too_long", "message": "too_long"}]
            }
        },
        {},
        ValidationError,
        "subject: too long",
    ),
    ("message", 400, {"message": "invalid event"}, {}, ValidationError, "invalid event"),
    (
        "missing-object",
        400,
        {"errors": [{"message": "conversation is missing"}]},
        {},
        ValidationError,
        "conversation is missing",
    ),
    ("empty-object", 400, {}, {}, ValidationError, "Canvas refused the request without saying why"),
    (
        "concluded-course",
        400,
        [{"attribute": "Course concluded", "message": "Unable to send messages"}],
        {},
        ValidationError,
        "Course concluded: Unable to send messages",
    ),
    (
        "sentence-in-attribute",
        400,
        [{"attribute": "Unable to send messages to users in Biology 101", "message": ""}],
        {},
        ValidationError,
        "Unable to send messages to users in Biology 101",
    ),
    (
        "field-error-as-401",
        401,
        [{"attribute": "workflow_state", "message": "Course concluded, unable to send messages"}],
        {},
        ValidationError,
        "workflow_state: Course concluded, unable to send messages",
    ),
    (
        "server-error",
        500,
        {
            "errors": [{"message": "An error occurred.", "error_code": "internal_server_error"}],
            "error_report_id": 123,
        },
        {},
        ServerError,
        "Canvas failed (500): An error occurred.",
    ),
]


@pytest.mark.parametrize(
    ("status", "body", "headers", "kind", "line"),
    [case[1:] for case in CASES],
    ids=[case[0] for case in CASES],
)
async def test_error_shapes(
    canvas: FakeCanvas,
    client: CanvasClient,
    status: int,
    body: object,
    headers: dict[str, str],
    kind: type[CanvasError],
    line: str,
) -> None:
    canvas.routes["POST /api/v1/conversations"] = json_response(body, status, headers)
    with pytest.raises(CanvasError) as caught:
        await client.create_conversation(["2"], "hi")
    error = caught.value
    assert type(error) is kind
    assert str(error) == line
    assert error.status_code == status
    assert error.path == "/api/v1/conversations"
    assert error.method == "POST"
    assert TOKEN not in repr(error)


async def test_validation_errors_keep_every_field(canvas: FakeCanvas, client: CanvasClient) -> None:
    canvas.routes["POST /api/v1/conversations"] = json_response(
        [
            {"attribute": "recipients", "message": "blank"},
            {"attribute": "body", "message": "blank"},
        ],
        400,
    )
    with pytest.raises(ValidationError) as caught:
        await client.create_conversation([], "")
    assert caught.value.errors == [FieldError("recipients", "blank"), FieldError("body", "blank")]
    assert str(caught.value) == "recipients: blank; body: blank"


async def test_throttled_post_is_not_retried(canvas: FakeCanvas, client: CanvasClient) -> None:
    canvas.routes["POST /api/v1/conversations"] = httpx.Response(
        403,
        text="403 Forbidden (Rate Limit Exceeded)\n",
        headers={"content-type": "text/plain", "X-Rate-Limit-Remaining": "0.0"},
    )
    with pytest.raises(Throttled):
        await client.create_conversation(["2"], "hi")
    assert len(canvas.requests) == 1


async def test_html_404_means_not_canvas(canvas: FakeCanvas, client: CanvasClient) -> None:
    canvas.routes["GET /api/v1/users/self"] = httpx.Response(
        404, text="<html>Not Found</html>", headers={"content-type": "text/html"}
    )
    with pytest.raises(UnexpectedResponse, match="Canvas site"):
        await client.get_self()


async def test_hostile_error_text_becomes_one_line_without_the_token(
    canvas: FakeCanvas, client: CanvasClient
) -> None:
    canvas.routes["POST /api/v1/conversations"] = json_response(
        [{"attribute": "body", "message": f"bad\n\x1b[31mred\x1b[0m {TOKEN} " + "x" * 500}], 400
    )
    with pytest.raises(ValidationError) as caught:
        await client.create_conversation(["2"], "hi")
    text = str(caught.value)
    assert "\n" not in text
    assert "\x1b" not in text
    assert TOKEN not in text
    assert len(text) <= 300
    assert text.startswith("body: bad")


async def test_connection_refused_is_network_error_not_sent(canvas: FakeCanvas) -> None:
    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("[Errno 111] Connection refused", request=request)

    async with CanvasClient(
        "https://school.example.edu",
        TOKEN,
        transport=httpx.MockTransport(refuse),
        retry=NO_WAIT,
    ) as client:
        with pytest.raises(NetworkError) as caught:
            await client.create_conversation(["2"], "hi")
    assert caught.value.maybe_sent is False
    assert str(caught.value) == (
        "could not connect to school.example.edu ([Errno 111] Connection refused)"
    )


async def test_read_timeout_on_post_may_have_been_sent() -> None:
    calls = 0

    def slow(request: httpx.Request) -> httpx.Response:
        nonlocal calls
        calls += 1
        raise httpx.ReadTimeout("timed out", request=request)

    async with CanvasClient(
        "https://school.example.edu", TOKEN, transport=httpx.MockTransport(slow), retry=NO_WAIT
    ) as client:
        with pytest.raises(RequestTimeout) as caught:
            await client.add_message(41, "hi")
    assert caught.value.maybe_sent is True
    assert isinstance(caught.value, NetworkError)
    assert calls == 1  # a POST is never repeated


async def test_plain_http_to_a_remote_host_is_refused() -> None:
    with pytest.raises(ValueError, match="plain http"):
        CanvasClient("http://school.example.edu", TOKEN)
    for loopback in ("http://127.0.0.1:8765", "http://localhost:8765", "http://[::1]:8765"):
        await CanvasClient(loopback, TOKEN).aclose()


@pytest.mark.parametrize("bad", ["abc\ndef", "abc def", "tökén", ""])
async def test_a_mangled_token_is_refused_without_showing_it(bad: str) -> None:
    with pytest.raises(ValueError, match="copy it again") as caught:
        CanvasClient("https://school.example.edu", bad)
    assert not bad or bad not in str(caught.value)


async def test_a_refused_redirect_names_where_it_went() -> None:
    def vanity(request: httpx.Request) -> httpx.Response:
        return httpx.Response(
            301, headers={"location": "https://school.instructure.com/api/v1/users/self"}
        )

    async with CanvasClient(
        "https://canvas.school.edu", TOKEN, transport=httpx.MockTransport(vanity)
    ) as client:
        with pytest.raises(UnexpectedResponse) as caught:
            await client.get_self()
    assert caught.value.redirect_to == "https://school.instructure.com"


async def test_an_upload_url_over_plain_http_to_a_remote_host_is_refused(
    canvas: FakeCanvas, client: CanvasClient, tmp_path: object
) -> None:
    from pathlib import Path

    path = Path(str(tmp_path)) / "a.txt"
    path.write_text("x")
    canvas.routes["POST /api/v1/users/self/files"] = json_response(
        {"upload_url": "http://uploads.example.com/x", "upload_params": {}}
    )
    with pytest.raises(UnexpectedResponse, match="plain http"):
        await client.upload_attachment(path)
    assert len(canvas.requests) == 1


def test_urls_with_credentials_are_blanked_in_messages() -> None:
    error = CanvasError(
        "see https://school.example.edu/api/v1/x?access_token=abc123&page=2 "
        "and Authorization: Bearer abc123"
    )
    assert "abc123" not in str(error)
    assert "access_token=***" in str(error)
