"""Email templates in and out of the API."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

# Characters; `notifications.rendering` also holds bodies to 100 KB of UTF-8.
MAX_SUBJECT = 300
MAX_BODY = 100_000


class TemplateContent(BaseModel):
    subject: str
    text_body: str
    html_body: str


class TemplateKindRead(BaseModel):
    """One kind of email and whether the organization changed it."""

    kind: str
    label: str
    description: str
    transactional: bool = Field(description="Ignores unsubscribes; no unsubscribe link.")
    organization_scoped: bool = Field(description="Whether the organization may customize it.")
    customized: bool
    variables: dict[str, str] = Field(description="What the template may use: name → meaning.")
    updated_at: datetime | None = None


class TemplateRead(TemplateKindRead):
    content: TemplateContent = Field(description="What is sent: the organization's or the default.")
    default: TemplateContent


class TemplateUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    subject: str = Field(min_length=1, max_length=MAX_SUBJECT)
    text_body: str = Field(min_length=1, max_length=MAX_BODY)
    html_body: str = Field(min_length=1, max_length=MAX_BODY)


class TemplatePreviewIn(BaseModel):
    """A draft to preview; a part left out is the saved (or default) one."""

    model_config = ConfigDict(extra="forbid")

    subject: str | None = Field(default=None, max_length=MAX_SUBJECT)
    text_body: str | None = Field(default=None, max_length=MAX_BODY)
    html_body: str | None = Field(default=None, max_length=MAX_BODY)


class PreviewRead(BaseModel):
    subject: str
    text: str
    html: str
