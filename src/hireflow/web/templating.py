"""The Jinja2 environment every page renders with."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from fastapi.templating import Jinja2Templates

from hireflow import __version__

WEB_DIR = Path(__file__).parent
STATIC_DIR = WEB_DIR / "static"
DIST_DIR = STATIC_DIR / "dist"

templates = Jinja2Templates(directory=WEB_DIR / "templates")


@cache
def _build_stamp() -> str:
    # Bundles are rebuilt by `make assets`; the stamp busts browser caches after a rebuild.
    try:
        return str(int((DIST_DIR / ".built").stat().st_mtime))
    except FileNotFoundError:
        return __version__


def asset_url(path: str) -> str:
    return f"/static/dist/{path}?v={_build_stamp()}"


def assets_built() -> bool:
    return (DIST_DIR / ".built").exists()


templates.env.globals.update(app_name="hireflow", version=__version__, asset=asset_url)
