"""Receiving and serving material files over HTTP (issue 12 item 1), for the pages and the API.

Receiving: a view marked ``@accepts_upload`` may take a body of ``UPLOAD_REQUEST_MAX`` (the
app's default is 2 MB); ``etwin_lti.web.input_guard`` raises the request's own limit before any
byte is read, so Werkzeug refuses a larger ``Content-Length`` at once (413) and stops a body
without one as soon as it passes the limit, and the multipart body is parsed as a stream (file
parts spooled to temporary files), never held whole in memory.

Serving: the hub has already decided that this viewer may see the material. The answer is
``Content-Disposition: attachment`` except for images, sound and video (``inline``), the stored
type only from the accepted list (anything else would be ``application/octet-stream``),
``nosniff``, and a policy that runs nothing should a browser render the file itself. Range
requests (sound and video seeking) are Werkzeug's ``make_conditional`` over the store's seekable
stream: S3 then fetches only the asked-for bytes.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable
from typing import Any, TypeVar
from urllib.parse import quote

from flask import Response, request
from werkzeug.datastructures import FileStorage
from werkzeug.exceptions import RequestedRangeNotSatisfiable
from werkzeug.wrappers import Response as WerkzeugResponse
from werkzeug.wsgi import wrap_file

from etwin_lti.domain.files import ALLOWED_TYPES, MAX_FILE_BYTES, MB, OpenedFile

F = TypeVar("F", bound=Callable[..., Any])
UPLOAD_MARK = "_etwin_accepts_upload"
# The file plus the form's few small fields and the multipart boundaries.
UPLOAD_REQUEST_MAX = MAX_FILE_BYTES + MB
FILE_POLICY = "default-src 'none'; media-src 'self'; img-src 'self'; sandbox"


def accepts_upload(view: F) -> F:
    setattr(view, UPLOAD_MARK, True)
    return view


def uploaded_file(name: str = "file") -> FileStorage | None:
    """The multipart file part, or None when none was sent (or sent without a name)."""
    part = request.files.get(name)
    # A browser's empty file input still sends a part, with an empty file name.
    return part if part is not None and part.filename else None


MEMBERS_CACHE = "private, no-cache"  # the browser may keep them, shared caches may not


def file_response(
    opened: OpenedFile, etag: str, *, cache_control: str = MEMBERS_CACHE
) -> WerkzeugResponse:
    content_type = opened.content_type if opened.content_type in ALLOWED_TYPES else None
    mimetype = content_type or "application/octet-stream"
    if mimetype == "text/plain":
        mimetype = "text/plain; charset=utf-8"
    response = Response(
        wrap_file(request.environ, opened.body), mimetype=mimetype, direct_passthrough=True
    )
    response.content_length = opened.size
    response.headers["Content-Disposition"] = content_disposition(
        opened.filename, inline=opened.inline and content_type is not None
    )
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = FILE_POLICY
    response.headers["Cache-Control"] = cache_control  # revalidated by ETag either way
    response.set_etag(etag)
    try:
        answer = response.make_conditional(
            request.environ, accept_ranges=True, complete_length=opened.size
        )
    except RequestedRangeNotSatisfiable:
        opened.body.close()
        raise
    if answer.status_code == 304:  # no body goes out: the server never closes the file
        opened.body.close()
    return answer


def content_disposition(filename: str, *, inline: bool) -> str:
    """RFC 6266: an ASCII ``filename`` for old clients and ``filename*`` in UTF-8. The name was
    cleaned by ``safe_filename`` (no quotes, slashes or control characters) when stored."""
    disposition = "inline" if inline else "attachment"
    fallback = unicodedata.normalize("NFKD", filename).encode("ascii", "ignore").decode("ascii")
    fallback = "".join(c for c in fallback if c.isprintable() and c not in '"\\') or "file"
    value = f'{disposition}; filename="{fallback}"'
    if fallback != filename:
        value += f"; filename*=UTF-8''{quote(filename, safe='')}"
    return value
