"""Uploaded files of materials over the REST API (issue 12 item 1).

``POST /twinspaces/<id>/materials`` (``etwin_lti.web.api.content``) takes a multipart body
besides JSON; the helpers for that are here. The file and its thumbnail are read with the
material list's rule: without ``viewer_id`` public materials only, and only admin tokens may
read as a person; a material of another TwinSpace is 404 whatever its id.
"""

from __future__ import annotations

from typing import Any

from flask import request

from etwin_lti.domain.api_tokens import ApiPermission
from etwin_lti.domain.input_rules import ID_MAX
from etwin_lti.domain.model import Visibility
from etwin_lti.errors import InvalidInputError
from etwin_lti.services.uploads import FIELD, add_uploaded_material
from etwin_lti.web.api.auth import hub, requires, viewer
from etwin_lti.web.api.parsing import ApiBlueprint
from etwin_lti.web.files import file_response, uploaded_file
from schemas.api.content import MaterialCreateSchema, ViewerQuery
from schemas.api.material_files import FileUsageSchema, MaterialUploadFormSchema

bp = ApiBlueprint(
    "api_material_files", __name__, url_prefix="/api/v1", description="Files of materials"
)

_BINARY = {"schema": {"type": "string", "format": "binary"}}
_FILE_RESPONSES = {
    "200": {"description": "The file.", "content": {"*/*": _BINARY}},
    "206": {"description": "The asked-for range of the file.", "content": {"*/*": _BINARY}},
    "304": {"description": "Not modified since the ETag sent."},
    "416": {"description": "The range asked for is outside the file."},
}


def material_request_body() -> dict[str, Any]:
    return {
        "required": True,
        "content": {
            "application/json": {"schema": MaterialCreateSchema},
            "multipart/form-data": {
                # Written out (not allOf the form schema): the strict form schema forbids the
                # file part that the multipart body must carry.
                "schema": {
                    "type": "object",
                    "additionalProperties": False,
                    "required": ["actor_id", "title", FIELD],
                    "properties": {
                        "actor_id": {"type": "integer", "minimum": 1, "maximum": ID_MAX},
                        "title": {"type": "string"},
                        "visibility": {
                            "type": "string",
                            "enum": [v.value for v in Visibility],
                            "nullable": True,
                        },
                        FIELD: {"type": "string", "format": "binary"},
                    },
                }
            },
        },
    }


def add_uploaded_material_from_form(twinspace_id: int) -> Any:
    form = bp.ARGUMENTS_PARSER.parse(MaterialUploadFormSchema(), request, location="form")
    part = uploaded_file()
    if part is None:
        raise InvalidInputError(errors={FIELD: ["A file part named 'file' is required."]})
    return add_uploaded_material(
        hub(),
        form["actor_id"],
        twinspace_id,
        form["title"],
        part.stream,
        part.filename,
        visibility=form["visibility"],
    )


@bp.get("/twinspaces/<int:twinspace_id>/materials/<int:material_id>/file")
@requires(ApiPermission.READ)
@bp.arguments(ViewerQuery, location="query")
@bp.doc(responses=_FILE_RESPONSES)
def open_material_file(query: dict[str, Any], twinspace_id: int, material_id: int) -> Any:
    """The uploaded file; ``Range`` requests are answered with 206."""
    return _serve(query, twinspace_id, material_id, thumbnail=False)


@bp.get("/twinspaces/<int:twinspace_id>/materials/<int:material_id>/thumbnail")
@requires(ApiPermission.READ)
@bp.arguments(ViewerQuery, location="query")
@bp.doc(responses=_FILE_RESPONSES)
def open_material_thumbnail(query: dict[str, Any], twinspace_id: int, material_id: int) -> Any:
    """A photo's thumbnail (JPEG)."""
    return _serve(query, twinspace_id, material_id, thumbnail=True)


def _serve(query: dict[str, Any], twinspace_id: int, material_id: int, *, thumbnail: bool) -> Any:
    opened = hub().open_material_file(
        twinspace_id, material_id, viewer_id=viewer(query["viewer_id"]), thumbnail=thumbnail
    )
    return file_response(opened, f"m{material_id}-{'t' if thumbnail else 'f'}-{opened.size}")


@bp.get("/twinspaces/<int:twinspace_id>/file-usage")
@requires(ApiPermission.READ)
@bp.response(200, FileUsageSchema)
def twinspace_file_usage(twinspace_id: int) -> Any:
    """Bytes the TwinSpace's files and thumbnails take of its quota (ETWIN_TWINSPACE_QUOTA_MB)."""
    return {"used_bytes": hub().twinspace_file_usage(twinspace_id)}
