"""Background work of invitations: preparing them at their send time (the session, its link and
the email) and the periodic reminders."""

from __future__ import annotations

import uuid

from procrastinate import JobContext

from hireflow.invitations import rules as _rules  # noqa: F401  (registers the hooks in the worker)
from hireflow.invitations import service
from hireflow.worker import job_database, job_settings, queue, task


@task(name="invitations.prepare", pass_context=True)
async def prepare(context: JobContext, invitation_ids: list[str]) -> int:
    """Prepare these invitations (those still scheduled; a re-run does nothing more)."""
    ids = []
    for raw in invitation_ids:
        try:
            ids.append(uuid.UUID(raw))
        except ValueError:
            continue
    async with job_database(context).transaction() as session:
        return await service.prepare_invitations(session, ids, job_settings(context))


@queue.periodic(cron="*/10 * * * *", periodic_id="invitations-remind")
@task(name="invitations.remind", retry=False, pass_context=True, queueing_lock="invitations.remind")
async def remind(context: JobContext, timestamp: int) -> int:
    """Every 10 minutes: remind candidates whose link runs out soon and who have not started."""
    async with job_database(context).transaction() as session:
        return await service.send_reminders(session, job_settings(context))
