"""PostgreSQL extensions and the procrastinate task-queue schema

Revision ID: 0001
Revises:
Create Date: 2026-11-21 05:00
"""

from collections.abc import Sequence
from importlib import resources

from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

EXTENSIONS = ("btree_gist", "pg_trgm", "citext")


def upgrade() -> None:
    for name in EXTENSIONS:
        op.execute(f"CREATE EXTENSION IF NOT EXISTS {name}")
    # procrastinate's own schema, as shipped in the pinned package. When procrastinate is
    # upgraded, a new migration applies the files of its sql/migrations folder (see
    # docs/decisions/0003-task-queue.md).
    schema = resources.files("procrastinate.sql").joinpath("schema.sql").read_text()
    # Executed without parameters, so psycopg runs the script as is ('%' in it is no placeholder).
    dbapi = op.get_bind().connection.dbapi_connection
    assert dbapi is not None
    with dbapi.cursor() as cursor:
        cursor.execute(schema)


def downgrade() -> None:
    op.execute(
        "DROP TABLE IF EXISTS procrastinate_events, procrastinate_periodic_defers, "
        "procrastinate_jobs, procrastinate_workers CASCADE"
    )
    op.execute(r"""
        DO $$ DECLARE fn regprocedure; BEGIN
          FOR fn IN SELECT oid::regprocedure FROM pg_proc WHERE proname LIKE 'procrastinate\_%' LOOP
            EXECUTE 'DROP FUNCTION IF EXISTS ' || fn || ' CASCADE';
          END LOOP;
        END $$""")
    op.execute(
        "DROP TYPE IF EXISTS procrastinate_job_status, procrastinate_job_event_type, "
        "procrastinate_job_to_defer_v1 CASCADE"
    )
    for name in reversed(EXTENSIONS):
        op.execute(f"DROP EXTENSION IF EXISTS {name}")
