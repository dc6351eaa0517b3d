from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest
from fastapi import APIRouter, FastAPI
from pydantic import BaseModel, ConfigDict, Field

from hireflow.app import create_app
from hireflow.config import Settings
from hireflow.db import Database, DbSession
from hireflow.models import Organization


class Candidate(BaseModel):
    """A body shaped like the API's real inputs (extra fields forbidden)."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=50)
    age: int = Field(ge=16)
    tags: list[str] = Field(default_factory=list, max_length=3)


def probe_router() -> APIRouter:
    """Routes that exercise the HTTP machinery (bodies, crashes) before any feature has them."""
    router = APIRouter(prefix="/api/v1/_probe")

    @router.post("/candidates", status_code=201)
    async def create(body: Candidate, session: DbSession) -> Candidate:
        return body

    @router.post("/organizations/{slug}", status_code=201)
    async def add_organization(slug: str, session: DbSession) -> dict[str, str]:
        # Not flushed: the INSERT happens when the request's transaction commits.
        session.add(Organization(name=slug, slug=slug))
        return {"slug": slug}

    @router.get("/crash")
    async def crash() -> None:
        raise RuntimeError("secret internal detail")

    @router.get("/crash-page")
    async def crash_page() -> None:
        raise RuntimeError("secret internal detail")

    return router


@pytest.fixture(scope="session")
async def probe_app(database_url: str, test_settings: Settings) -> AsyncIterator[FastAPI]:
    from asgi_lifespan import LifespanManager

    app = create_app(
        database_url,
        test_settings.model_copy(update={"max_body_bytes": 2048, "max_upload_bytes": 8192}),
    )
    app.include_router(probe_router())
    async with LifespanManager(app):
        yield app


@pytest.fixture
async def probe(probe_app: FastAPI, db: Database) -> AsyncIterator[httpx.AsyncClient]:
    probe_app.state.database = db
    transport = httpx.ASGITransport(app=probe_app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        yield client
