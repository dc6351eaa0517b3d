"""Reading a create request: JSON, or a multipart form whose job description may be a file
(UC-R1 A2). The same reader serves the API and the configure page, so both validate alike."""

from __future__ import annotations

import json
from typing import Any

from fastapi import Request
from fastapi.exceptions import RequestValidationError
from pydantic import ValidationError
from starlette.datastructures import FormData, UploadFile

from hireflow.ai_interviews.schemas import SessionCreate
from hireflow.ai_interviews.service import JobDescriptionFile
from hireflow.config import Settings
from hireflow.errors import AppError, Invalid, PayloadTooLarge

FILE_FIELD = "job_description_file"
LIST_FIELDS = ("skills",)


class UnsupportedMediaType(AppError):
    status = 415
    code = "unsupported-media-type"
    title = "Unsupported media type"


async def read_create_request(
    request: Request, settings: Settings, *, ignore: frozenset[str] = frozenset()
) -> tuple[SessionCreate, JobDescriptionFile | None]:
    content_type = request.headers.get("content-type", "")
    if content_type.startswith("application/json"):
        try:
            data = json.loads(await request.body())
        except ValueError as exc:  # rendered as 400 malformed-json, like every JSON route
            raise RequestValidationError(
                [
                    {
                        "type": "json_invalid",
                        "loc": ("body",),
                        "msg": "JSON decode error",
                        "ctx": {"error": str(exc)},
                    }
                ]
            ) from None
        if not isinstance(data, dict):
            raise Invalid("The request body must be a JSON object.")
        return _validate(data), None
    if content_type.startswith(("multipart/form-data", "application/x-www-form-urlencoded")):
        form = await request.form()
        data, upload = _form_fields(form, ignore)
        jd_file = None
        if upload is not None and (upload.filename or upload.size):
            raw = await upload.read(settings.max_document_bytes + 1)
            if len(raw) > settings.max_document_bytes:
                raise PayloadTooLarge(
                    f"The job description file is larger than "
                    f"{settings.max_document_bytes // 1_048_576} MiB.",
                    extra={"field": FILE_FIELD},
                )
            jd_file = JobDescriptionFile(upload.filename, raw)
        return _validate(data), jd_file
    raise UnsupportedMediaType(
        "Send the session as application/json, or as multipart/form-data with the job "
        f"description as text or as a file in `{FILE_FIELD}`."
    )


def _form_fields(
    form: FormData, ignore: frozenset[str]
) -> tuple[dict[str, Any], UploadFile | None]:
    data: dict[str, Any] = {}
    upload: UploadFile | None = None
    for key, value in form.multi_items():
        if key in ignore:
            continue
        if key == FILE_FIELD:
            if not isinstance(value, str):
                upload = value
            continue
        if not isinstance(value, str):
            raise Invalid(f"`{key}` must be a text field, not a file.", extra={"field": key})
        if key in LIST_FIELDS:
            # A repeated field, or one comma-separated field (a text input).
            data.setdefault(key, []).extend(v for v in (p.strip() for p in value.split(",")) if v)
        elif value.strip() == "":
            continue  # an empty optional input
        else:
            data[key] = value
    return data, upload


def _validate(data: dict[str, Any]) -> SessionCreate:
    try:
        return SessionCreate.model_validate(data)
    except ValidationError as exc:
        errors = exc.errors(include_url=False)
        raise RequestValidationError(
            [{**error, "loc": ("body", *error["loc"])} for error in errors]
        ) from None
