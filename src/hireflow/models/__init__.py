"""All ORM tables, one module per aggregate; imported here so metadata is complete."""

from hireflow.models.base import Base
from hireflow.models.organization import Organization
from hireflow.models.user import User

__all__ = ["Base", "Organization", "User"]
