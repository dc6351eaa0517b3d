"""Through the worker to a real SMTP server: an organization's non-transactional email carries
the RFC 8058 one-click unsubscribe headers; a password reset does not."""

from __future__ import annotations

import re
from collections.abc import Callable

from sqlalchemy import delete

from hireflow.config import Settings
from hireflow.db import Database
from hireflow.models import Organization
from hireflow.notifications.service import send_templated
from tests.factories.organizations import make_organization
from tests.fakes.smtp_server import SmtpServer
from tests.notifications.conftest import WorkerRun


async def test_invitations_carry_list_unsubscribe_and_resets_do_not(
    committed_db: Database,
    smtp_server: SmtpServer,
    run_worker_once: WorkerRun,
    test_settings: Settings,
    new_address: Callable[[], str],
) -> None:
    candidate, user = new_address(), new_address()
    async with committed_db.transaction() as session:
        organization = await make_organization(session, name="Acme")
        organization_id = organization.id
    try:
        async with committed_db.transaction() as session:
            invitation = await send_templated(
                session,
                kind="interview_invitation",
                to=candidate,
                variables={
                    "candidate_name": "Grace",
                    "role": "Backend engineer",
                    "link": "https://hireflow.test/interview/abc",
                    "expires_at": "2026-12-01 17:00 UTC",
                    "duration_minutes": 30,
                    "message": "",
                    "sender_name": "Ada",
                },
                organization_id=organization_id,
                settings=test_settings,
            )
            reset = await send_templated(
                session,
                kind="reset_password",
                to=user,
                variables={"user_name": "Ada", "link": "https://hireflow.test/reset?token=x"},
                organization_id=None,
                settings=test_settings,
            )
        assert invitation is not None
        assert reset is not None

        await run_worker_once(smtp_server.settings(test_settings))

        received = {r.recipients[0]: r.message for r in smtp_server.received}
        invited = received[candidate]
        header = str(invited["List-Unsubscribe"])
        assert re.fullmatch(r"<https?://\S+/unsubscribe/[A-Za-z0-9_.=-]+>", header), header
        assert invited["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
        assert invited["Subject"] == "Your interview with Acme: Backend engineer"
        assert invited.get_content_type() == "multipart/alternative"
        assert received[user]["List-Unsubscribe"] is None
        assert received[user]["List-Unsubscribe-Post"] is None
    finally:
        async with committed_db.transaction() as session:
            await session.execute(delete(Organization).where(Organization.id == organization_id))
