"""Import and export of library content as JSON and CSV.

JSON: `{"format": "hireflow.library", "version": 1, "items": [<item as the create API takes
it>, …]}`, the latest version of every item (or of a filter).
CSV: one row per item, columns `CSV_COLUMNS`; `skills` and `languages` separated by `;`,
`rubric`, `starter_code` and `tests` as JSON in their cell (question rows leave the challenge
columns empty, and the reverse).

An import checks the whole file first and creates every item (each a `draft`) or none; a
preview (`dry_run`) runs the same checks and writes nothing. (`imports.service` batches are
limited to jobs and candidates by their table, so library imports are direct.)"""

from __future__ import annotations

import csv
import io
import json
import uuid
from dataclasses import dataclass, field
from typing import Any

from pydantic import TypeAdapter, ValidationError
from sqlalchemy.ext.asyncio import AsyncSession

from hireflow.audit import service as audit
from hireflow.audit.service import Origin
from hireflow.authz.context import Ctx
from hireflow.authz.permissions import Permission
from hireflow.errors import Invalid
from hireflow.kit.csv_rows import read_csv
from hireflow.library import service
from hireflow.library.schemas import ChallengeIn, ItemIn, QuestionIn
from hireflow.models import LibraryItem, LibraryItemVersion

MAX_ITEMS = 1000
MAX_EXPORT = 5000
CSV_COLUMNS = (
    "kind",
    "title",
    "skills",
    "seniority",
    "category",
    "type",
    "prompt",
    "statement",
    "languages",
    "starter_code",
    "entrypoint",
    "tests",
    "time_limit_seconds",
    "rubric",
)
JSON_CELLS = ("starter_code", "tests", "rubric")
LIST_CELLS = ("skills", "languages")

_ITEM: TypeAdapter[QuestionIn | ChallengeIn] = TypeAdapter(ItemIn)


def as_input(version: LibraryItemVersion, kind: str) -> dict[str, Any]:
    """A version as the create API (and an import) takes it."""
    content = dict(version.content)
    body: dict[str, Any] = {
        "kind": kind,
        "title": version.title,
        "skills": list(version.skills),
        "seniority": version.seniority,
        "category": version.category,
        "rubric": content.get("rubric"),
    }
    if kind == "question":
        body |= {"type": content.get("type"), "prompt": content.get("prompt")}
    else:
        for name in ("statement", "languages", "starter_code", "entrypoint", "tests"):
            body[name] = content.get(name)
        body["time_limit_seconds"] = content.get("time_limit_seconds")
    return body


async def export_items(session: AsyncSession, ctx: Ctx, **filters: Any) -> list[dict[str, Any]]:
    ctx.require(Permission.LIBRARY_READ)
    out: list[dict[str, Any]] = []
    cursor: str | None = None
    while len(out) < MAX_EXPORT:
        page = await service.list_items(session, ctx, cursor=cursor, limit=100, **filters)
        out += [as_input(latest, item.kind) for item, latest in page.rows]
        if page.next_cursor is None:
            break
        cursor = page.next_cursor
    return out


def to_csv(items: list[dict[str, Any]]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(CSV_COLUMNS)
    for body in items:
        row: list[str] = []
        for name in CSV_COLUMNS:
            value = body.get(name)
            if value is None:
                row.append("")
            elif name in JSON_CELLS:
                row.append(json.dumps(value, ensure_ascii=False))
            elif name in LIST_CELLS:
                row.append("; ".join(value))
            else:
                row.append(str(value))
        writer.writerow(row)
    return buffer.getvalue()


@dataclass
class Checked:
    items: list[QuestionIn | ChallengeIn] = field(default_factory=list)
    errors: list[dict[str, Any]] = field(default_factory=list)  # {"row", "field", "message"}


def _errors(row: int, exc: ValidationError) -> list[dict[str, Any]]:
    return [
        {
            "row": row,
            "field": ".".join(str(p) for p in e["loc"][1:]) or None,
            "message": str(e["msg"]).removeprefix("Value error, "),
        }
        for e in exc.errors()[:20]
    ]


def check_json(data: bytes) -> Checked:
    try:
        raw = json.loads(data.decode("utf-8-sig"))
    except (UnicodeDecodeError, ValueError) as exc:
        raise Invalid("The file is not UTF-8 JSON.") from exc
    if isinstance(raw, list):
        raw = {"items": raw}
    if not isinstance(raw, dict):
        raise Invalid('Give an object {"items": [...]} or a list of items.')
    checked = Checked()
    items = raw.get("items")
    if not isinstance(items, list) or not items:
        raise Invalid("The file has no items.", extra={"field": "items"})
    if len(items) > MAX_ITEMS:
        raise Invalid(f"Import at most {MAX_ITEMS} items at a time.")
    if raw.get("format", "hireflow.library") != "hireflow.library" or raw.get("version", 1) != 1:
        raise Invalid("The file is not a hireflow library export (format 1).")
    for index, entry in enumerate(items, start=1):
        try:
            checked.items.append(_ITEM.validate_python(entry))
        except ValidationError as exc:
            checked.errors += _errors(index, exc)
    return checked


def _cell(name: str, value: str) -> Any:
    if value == "":
        return None
    if name in JSON_CELLS:
        return json.loads(value)
    if name in LIST_CELLS:
        return [part.strip() for part in value.split(";") if part.strip()]
    if name == "time_limit_seconds":
        return int(value)
    return value


def check_csv(data: bytes) -> Checked:
    table = read_csv(
        data,
        max_rows=MAX_ITEMS,
        required=frozenset({"kind", "title", "rubric"}),
        known=frozenset(CSV_COLUMNS),
    )
    checked = Checked(
        errors=[{"row": e.line, "field": e.column, "message": e.message} for e in table.errors]
    )
    for row in table.rows:
        body: dict[str, Any] = {}
        bad = False
        for name, value in row.values.items():
            try:
                parsed = _cell(name, value)
            except ValueError:
                checked.errors.append(
                    {"row": row.line, "field": name, "message": "This cell is not valid."}
                )
                bad = True
                continue
            if parsed is not None:
                body[name] = parsed
        if bad:
            continue
        body.setdefault("skills", [])
        try:
            checked.items.append(_ITEM.validate_python(body))
        except ValidationError as exc:
            checked.errors += _errors(row.line, exc)
    return checked


def check(data: bytes, fmt: str) -> Checked:
    if not data:
        raise Invalid("The file is empty.")
    return check_csv(data) if fmt == "csv" else check_json(data)


async def import_items(
    session: AsyncSession, ctx: Ctx, checked: Checked, origin: Origin, *, fmt: str
) -> list[LibraryItem]:
    """Every item of a checked file as a new draft, or none (any error → 422)."""
    ctx.require(Permission.LIBRARY_WRITE)
    if checked.errors:
        raise Invalid(
            f"{len({e['row'] for e in checked.errors})} item(s) have errors: nothing was imported.",
            extra={"errors": checked.errors[:100]},
        )
    items: list[LibraryItem] = []
    for body in checked.items:
        item, _ = await service.create_item(session, ctx, body, origin, source="import")
        items.append(item)
    await audit.record_by(
        session,
        ctx,
        "library.imported",
        origin=origin,
        target_type="organization",
        target_id=ctx.organization.id,
        data={"count": len(items), "format": fmt},
    )
    return items


def item_ids(items: list[LibraryItem]) -> list[uuid.UUID]:
    return [item.id for item in items]
