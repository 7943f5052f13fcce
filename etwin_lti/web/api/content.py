"""TwinSpace pages and materials, the Project Diary and the forum."""

from __future__ import annotations

from typing import Any

from flask import request

from etwin_lti.domain.api_tokens import ApiPermission
from etwin_lti.web.api.auth import (
    check_reads_pupils_content,
    diary_view,
    hub,
    requires,
    viewer,
)
from etwin_lti.web.api.material_files import (
    add_uploaded_material_from_form,
    material_request_body,
)
from etwin_lti.web.api.parsing import ApiBlueprint
from etwin_lti.web.files import accepts_upload
from schemas.api.content import (
    DiaryCommentSchema,
    DiaryPostSchema,
    ForumPostSchema,
    ForumThreadSchema,
    MaterialCreateSchema,
    MaterialSchema,
    PageCreateSchema,
    PageSchema,
    ReplySchema,
    TitledPostSchema,
    ViewerQuery,
)

bp = ApiBlueprint(
    "api_content", __name__, url_prefix="/api/v1", description="Pages, materials, diary, forum"
)


@bp.get("/twinspaces/<int:twinspace_id>/pages")
@requires(ApiPermission.READ)
@bp.arguments(ViewerQuery, location="query")
@bp.response(200, PageSchema(many=True))
def list_pages(query: dict[str, Any], twinspace_id: int) -> Any:
    return hub().list_pages(twinspace_id, viewer_id=viewer(query["viewer_id"]))


@bp.post("/twinspaces/<int:twinspace_id>/pages")
@requires(ApiPermission.WRITE)
@bp.arguments(PageCreateSchema)
@bp.response(201, PageSchema)
def add_page(body: dict[str, Any], twinspace_id: int) -> Any:
    """Visibility null: private when pupils are members, else public."""
    return hub().add_page(
        body["actor_id"], twinspace_id, body["title"], body["body"], visibility=body["visibility"]
    )


@bp.get("/twinspaces/<int:twinspace_id>/materials")
@requires(ApiPermission.READ)
@bp.arguments(ViewerQuery, location="query")
@bp.response(200, MaterialSchema(many=True))
def list_materials(query: dict[str, Any], twinspace_id: int) -> Any:
    return hub().list_materials(twinspace_id, viewer_id=viewer(query["viewer_id"]))


@bp.post("/twinspaces/<int:twinspace_id>/materials")
@accepts_upload
@requires(ApiPermission.WRITE, acting_body=True)  # both bodies name ``actor_id``
@bp.doc(requestBody=material_request_body())
@bp.response(201, MaterialSchema)
def add_material(twinspace_id: int) -> Any:
    """A link (JSON), or an uploaded file (multipart/form-data: ``actor_id``, ``title``,
    ``visibility`` and the part ``file``; 20 MB, images 5 MB; type checked by content)."""
    if request.mimetype == "multipart/form-data":
        return add_uploaded_material_from_form(twinspace_id)
    body = bp.ARGUMENTS_PARSER.parse(MaterialCreateSchema(), request, location="json")
    return hub().add_material(
        body["actor_id"],
        twinspace_id,
        body["title"],
        body["kind"],
        body["url"],
        visibility=body["visibility"],
    )


@bp.get("/projects/<int:project_id>/diary")
@requires(ApiPermission.READ)
@bp.arguments(ViewerQuery, location="query")
@bp.response(200, DiaryPostSchema(many=True))
def list_diary(query: dict[str, Any], project_id: int) -> Any:
    """Newest post first; comments oldest first. Officers get no pupils' comments; hidden
    posts and comments only for a ``viewer_id`` who is a teacher administrator."""
    posts = hub().list_diary(project_id, viewer_id=viewer(query["viewer_id"]))
    return diary_view(posts)


@bp.post("/projects/<int:project_id>/diary")
@requires(ApiPermission.WRITE)
@bp.arguments(TitledPostSchema)
@bp.response(201, DiaryPostSchema)
def post_diary(body: dict[str, Any], project_id: int) -> Any:
    return hub().post_diary(body["actor_id"], project_id, body["title"], body["body"])


@bp.post("/diary/<int:post_id>/comments")
@requires(ApiPermission.WRITE)
@bp.arguments(ReplySchema)
@bp.response(201, DiaryCommentSchema)
def comment_diary(body: dict[str, Any], post_id: int) -> Any:
    return hub().comment_diary(body["actor_id"], post_id, body["body"])


@bp.get("/twinspaces/<int:twinspace_id>/threads")
@requires(ApiPermission.READ)
@bp.arguments(ViewerQuery, location="query")
@bp.response(200, ForumThreadSchema(many=True))
def list_threads(query: dict[str, Any], twinspace_id: int) -> Any:
    """Admin tokens, and teachers working in the TwinSpace: the forum is members' and pupils'
    work, not evidence (officers never read it)."""
    check_reads_pupils_content("The forum", twinspace_id)
    return hub().list_threads(twinspace_id, viewer_id=viewer(query["viewer_id"]))


@bp.post("/twinspaces/<int:twinspace_id>/threads")
@requires(ApiPermission.WRITE)
@bp.arguments(TitledPostSchema)
@bp.response(201, ForumThreadSchema)
def create_thread(body: dict[str, Any], twinspace_id: int) -> Any:
    return hub().create_thread(body["actor_id"], twinspace_id, body["title"], body["body"])


@bp.post("/threads/<int:thread_id>/posts")
@requires(ApiPermission.WRITE)
@bp.arguments(ReplySchema)
@bp.response(201, ForumPostSchema)
def reply_thread(body: dict[str, Any], thread_id: int) -> Any:
    return hub().reply_thread(body["actor_id"], thread_id, body["body"])
