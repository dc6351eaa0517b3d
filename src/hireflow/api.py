"""The JSON API's path prefix. Domain routers declare it themselves
(`APIRouter(prefix=API_PREFIX)`), so each route's path, which metrics and logs use as the
route template, is the full path."""

API_PREFIX = "/api/v1"
