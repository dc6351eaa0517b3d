"""Request dependencies shared by every domain: the settings and the request's origin."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from hireflow.audit.service import Origin
from hireflow.config import Settings


def _settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


def _origin(request: Request) -> Origin:
    return Origin.of(request)


AppSettings = Annotated[Settings, Depends(_settings)]
RequestOrigin = Annotated[Origin, Depends(_origin)]
