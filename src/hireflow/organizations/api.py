"""Organization JSON routes."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path

from hireflow.api import API_PREFIX
from hireflow.db import DbSession
from hireflow.organizations import service
from hireflow.organizations.schemas import OrganizationPublic

router = APIRouter(prefix=API_PREFIX, tags=["organizations"])

Slug = Annotated[str, Path(min_length=1, max_length=100, pattern=r"^[a-z0-9][a-z0-9-]*$")]


@router.get(
    "/public/organizations/{slug}",
    response_model=OrganizationPublic,
    summary="Public profile of an organization",
    responses={404: {"description": "No organization has this slug."}},
)
async def read_public_organization(slug: Slug, session: DbSession) -> OrganizationPublic:
    organization = await service.get_public_organization(session, slug)
    return OrganizationPublic.model_validate(organization)
