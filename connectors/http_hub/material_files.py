"""Uploaded files of materials over ``/api/v1`` (``MaterialFilesHub``).

The upload was checked and cleaned here already; the remote hub checks it again (it trusts no
caller) and keeps it in its own file store. A download streams the remote answer through as it
arrives, never held whole in memory.
"""

from __future__ import annotations

from typing import Any, BinaryIO, cast

import requests
from werkzeug.http import parse_options_header

from connectors.http_hub.base import HttpHubBase, _timed_out, remote_error
from etwin_lti.domain.files import CheckedUpload, OpenedFile, inline_type
from etwin_lti.domain.model import Material, Visibility
from etwin_lti.errors import RemoteServiceError, RemoteTimeoutError
from schemas.api.content import MaterialSchema
from schemas.api.material_files import FileUsageSchema


class MaterialFilesArea(HttpHubBase):
    def _send(self, method: str, path: str, **kwargs: Any) -> requests.Response:
        try:
            response = self._session.request(
                method,
                self._base + path,
                headers={"Authorization": f"Bearer {self._token}"},
                timeout=self._timeout,
                **kwargs,
            )
        except requests.RequestException as error:
            if _timed_out(error):
                raise RemoteTimeoutError(
                    f"The hub at {self._base} did not answer in time."
                ) from error
            raise RemoteServiceError(f"The hub at {self._base} could not be reached.") from error
        if response.status_code >= 400:
            try:
                payload = self._json(response)
            finally:
                response.close()
            raise remote_error(response.status_code, payload)
        return response

    def add_file_material(
        self,
        actor_id: int,
        twinspace_id: int,
        title: str,
        upload: CheckedUpload,
        *,
        visibility: Visibility | None = None,
    ) -> Material:
        form = {"actor_id": str(actor_id), "title": title}
        if visibility is not None:
            form["visibility"] = Visibility(visibility).value
        response = self._send(
            "POST",
            f"/twinspaces/{twinspace_id}/materials",
            data=form,
            files={"file": (upload.filename, upload.body, upload.file_type.content_type)},
        )
        material: Material = MaterialSchema().load(self._json(response))
        return material

    def open_material_file(
        self,
        twinspace_id: int,
        material_id: int,
        *,
        viewer_id: int | None,
        thumbnail: bool = False,
    ) -> OpenedFile:
        which = "thumbnail" if thumbnail else "file"
        return self._download(
            f"/twinspaces/{twinspace_id}/materials/{material_id}/{which}",
            params={"viewer_id": viewer_id} if viewer_id is not None else None,
        )

    def open_public_file(
        self, project_id: int, material_id: int, *, thumbnail: bool = False
    ) -> OpenedFile:
        which = "thumbnail" if thumbnail else "file"
        return self._download(f"/public/projects/{project_id}/materials/{material_id}/{which}")

    def _download(self, path: str, params: dict[str, Any] | None = None) -> OpenedFile:
        response = self._send("GET", path, params=params, stream=True)
        content_type, _ = parse_options_header(response.headers.get("Content-Type", ""))
        _, disposition = parse_options_header(response.headers.get("Content-Disposition", ""))
        try:
            size = int(response.headers["Content-Length"])
        except (KeyError, ValueError) as error:
            response.close()
            raise RemoteServiceError(
                f"The hub at {self._base} sent a file without its length."
            ) from error
        response.raw.decode_content = True
        return OpenedFile(
            content_type=content_type,
            size=size,
            filename=disposition.get("filename", "file"),
            inline=inline_type(content_type),
            body=cast(BinaryIO, response.raw),
        )

    def twinspace_file_usage(self, twinspace_id: int) -> int:
        usage = self._call("GET", f"/twinspaces/{twinspace_id}/file-usage", FileUsageSchema())
        return int(usage["used_bytes"])
