"""Interview kits: what the API takes and gives. Inputs forbid unknown fields.

Limits on one section and on the kit as a whole are checked here; that the items exist in the
organization, are not retired and are not repeated is checked by `service.save_kit`."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

MAX_SECTIONS = 10
MAX_ITEMS = 30
MAX_FOLLOW_UPS = 5
MAX_SECTION_MINUTES = 180
MAX_TITLE = 80

KitStatus = Literal["draft", "approved"]


class SectionIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    title: str = Field(min_length=1, max_length=MAX_TITLE)
    minutes: int = Field(ge=1, le=MAX_SECTION_MINUTES)
    item_ids: list[uuid.UUID] = Field(default_factory=list, max_length=MAX_ITEMS)

    @model_validator(mode="after")
    def _strip(self) -> SectionIn:
        self.title = self.title.strip()
        if not self.title:
            raise ValueError("A section needs a title.")
        return self


class KitWrite(BaseModel):
    """PUT: the whole kit (created or replaced)."""

    model_config = ConfigDict(extra="forbid")

    sections: list[SectionIn] = Field(min_length=1, max_length=MAX_SECTIONS)
    follow_ups: int = Field(default=1, ge=0, le=MAX_FOLLOW_UPS)

    @model_validator(mode="after")
    def _limits(self) -> KitWrite:
        ids = [item_id for section in self.sections for item_id in section.item_ids]
        if len(ids) > MAX_ITEMS:
            raise ValueError(f"A kit holds at most {MAX_ITEMS} items; this one has {len(ids)}.")
        return self


class KitItemRead(BaseModel):
    id: uuid.UUID
    title: str
    kind: str
    # The approved version's number, or "not approved".
    approved_version: int | Literal["not approved"]
    retired: bool


class SectionRead(BaseModel):
    title: str
    minutes: int
    items: list[KitItemRead]


class KitRead(BaseModel):
    id: uuid.UUID
    job_id: uuid.UUID
    status: KitStatus
    follow_ups: int
    total_minutes: int
    item_count: int
    sections: list[SectionRead]
    # {item_id: version_id} pinned at approval; empty while a draft.
    approved_versions: dict[str, str]
    approved_by_user_id: uuid.UUID | None
    approved_at: datetime | None
    # Items that keep the kit from being approved (no approved version, or retired).
    blocking_items: list[KitItemRead]
    updated_at: datetime


class PreviewQuestion(BaseModel):
    """What the candidate sees of one question or challenge: never rubrics, ideal answers,
    hidden tests or tags."""

    number: int
    kind: str
    prompt: str
    language: str | None = None
    languages: list[str] = Field(default_factory=list)
    starter_code: str | None = None
    suggested_minutes: int
    # Visible tests of a challenge, as examples (hidden tests are never shown).
    examples: list[PreviewExample] = Field(default_factory=list)


class PreviewExample(BaseModel):
    args: list[object]
    expected: object


class PreviewSection(BaseModel):
    title: str
    minutes: int
    questions: list[PreviewQuestion]


class KitPreview(BaseModel):
    status: KitStatus
    total_minutes: int
    follow_ups: int
    sections: list[PreviewSection]
    # Items shown from their newest approved version; not-approved items are left out.
    left_out: int


PreviewQuestion.model_rebuild()
