"""Jobs JSON routes."""

from __future__ import annotations

from fastapi import APIRouter

from hireflow.api import API_PREFIX

router = APIRouter(prefix=API_PREFIX, tags=["jobs"])
