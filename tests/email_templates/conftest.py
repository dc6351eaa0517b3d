"""The delivery fixtures of tests/notifications (committed database, SMTP server, a worker)."""

from __future__ import annotations

from tests.notifications.conftest import (  # noqa: F401 - fixtures
    committed_db,
    new_address,
    run_worker_once,
    smtp_server,
)
