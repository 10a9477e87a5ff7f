"""Canvas's three-step file upload into "conversation attachments" (§10).

1. ``POST /api/v1/users/self/files`` (with the token): name, size, content type, folder
   → an upload URL and parameters.
2. A multipart POST of those parameters, unchanged, with the file field LAST, to the
   upload URL, WITHOUT the token: the upload host is often another host (S3, inst-fs).
3. The upload host answers 201 with the File, or with a redirect (or a ``location``) to
   confirm the upload at Canvas; that GET carries the token only if it goes to the
   profile's own host.
"""

from __future__ import annotations

import mimetypes
from pathlib import Path
from typing import Any
from urllib.parse import urljoin, urlsplit

import httpx
import msgspec

from canvas_inbox.canvas import _paging
from canvas_inbox.canvas._errors import (
    CanvasError,
    NetworkError,
    RequestTimeout,
    UnexpectedResponse,
    clean_line,
    error_for_status,
)
from canvas_inbox.canvas._http import Wire, check_base_url, params
from canvas_inbox.canvas._records import File, UploadTicket

FOLDER = "conversation attachments"
_REDIRECTS = (301, 302, 303, 307, 308)


class _Located(msgspec.Struct):
    location: str | None = None
    id: int | None = None
    display_name: str | None = None


async def upload(
    wire: Wire, path: Path, *, name: str | None = None, content_type: str | None = None
) -> File:
    path = Path(path)
    try:
        size = path.stat().st_size
    except OSError as error:
        raise CanvasError(f"cannot read {path.name}: {error.strerror or error}") from None
    name = name or path.name
    content_type = content_type or mimetypes.guess_type(name)[0] or "application/octet-stream"
    form = {
        "name": name,
        "size": size,
        "content_type": content_type,
        "parent_folder_path": FOLDER,
        "on_duplicate": "rename",
    }
    response = await wire.request("POST", "/api/v1/users/self/files", data=params(form))
    ticket: UploadTicket = wire.decode(response, UploadTicket)
    upload_url = urljoin(wire.base_url + "/", ticket.upload_url)
    try:
        check_base_url(upload_url)  # no plain http to a remote host, even without the token
    except ValueError as error:
        raise UnexpectedResponse(f"Canvas gave an unusable upload address: {error}") from None

    fields = {
        str(key): _field(value) for key, value in ticket.upload_params.items() if value is not None
    }
    try:
        # Opening is instant; the bytes are streamed from disk, not read into memory.
        with path.open("rb") as stream:  # noqa: ASYNC230
            # httpx writes data fields before files: the file field goes last, as S3 needs.
            response = await _post_without_token(
                wire, upload_url, fields, {ticket.file_param: (name, stream, content_type)}
            )
    except OSError as error:
        raise CanvasError(f"cannot read {path.name}: {error.strerror or error}") from None
    return await _confirm(wire, response)


def _field(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict | list):
        return msgspec.json.encode(value).decode()
    return str(value)


async def _post_without_token(
    wire: Wire, url: str, data: dict[str, str], files: dict[str, Any]
) -> httpx.Response:
    host = urlsplit(url).hostname or "?"
    try:
        # A bare request: the AsyncClient carries no Authorization of its own, and none
        # is added here, whichever host this is.
        wire.trust_public_cas(url)
        return await wire.http.post(url, data=data, files=files)
    except httpx.TimeoutException:
        raise RequestTimeout(f"the upload to {host} timed out", method="POST") from None
    except httpx.InvalidURL:
        raise UnexpectedResponse(f"Canvas gave an unusable upload address on {host}") from None
    except httpx.RequestError as error:
        reason = clean_line(str(error), secret=wire.token) or type(error).__name__
        raise NetworkError(f"the upload to {host} failed ({reason})", method="POST") from None


async def _confirm(wire: Wire, response: httpx.Response) -> File:
    status = response.status_code
    path = urlsplit(str(response.url)).path
    if status in _REDIRECTS and "location" in response.headers:
        return await _follow(wire, urljoin(str(response.url), response.headers["location"]))
    if status >= 400:
        raise error_for_status(
            status,
            response.headers.get("content-type", ""),
            response.content,
            method="POST",
            path=path,
        )
    if 200 <= status < 300:
        located = _located(response.content)
        if located is not None and located.display_name is not None and located.id:
            return wire.decode(response, File)  # type: ignore[no-any-return]
        target = (located.location if located else None) or response.headers.get("location")
        if target:
            return await _follow(wire, urljoin(str(response.url), target))
    raise UnexpectedResponse(f"the upload host answered {status} without the file")


def _located(content: bytes) -> _Located | None:
    try:
        return msgspec.json.decode(content, type=_Located, strict=False)
    except (msgspec.DecodeError, msgspec.ValidationError):
        return None


async def _follow(wire: Wire, url: str) -> File:
    if wire.is_home(url):
        response = await wire.request("GET", url, retry=True)
        return wire.decode(response, File)  # type: ignore[no-any-return]
    if _paging.origin(url) is None:
        raise UnexpectedResponse("the upload host redirected to something that is not a URL")
    # Another host: go there, but without the token.
    try:
        check_base_url(url)
        wire.trust_public_cas(url)
        response = await wire.http.get(url)
    except ValueError as error:
        raise UnexpectedResponse(f"the upload host redirected badly: {error}") from None
    except httpx.HTTPError as error:
        raise NetworkError(f"confirming the upload failed ({type(error).__name__})") from None
    if response.status_code >= 400:
        raise error_for_status(
            response.status_code,
            response.headers.get("content-type", ""),
            response.content,
            method="GET",
            path=urlsplit(url).path,
        )
    return wire.decode(response, File)  # type: ignore[no-any-return]
