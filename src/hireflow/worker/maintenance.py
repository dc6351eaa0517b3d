"""Queue housekeeping that every installation runs."""

from __future__ import annotations

import structlog
from procrastinate import JobContext

from hireflow.config import get_settings
from hireflow.worker import queue, task

log = structlog.get_logger(__name__)


@queue.periodic(
    cron=f"* * * * * */{get_settings().worker_recovery_interval_seconds}",
    periodic_id="retry-stalled-jobs",
)
@task(
    name="hireflow.retry_stalled_jobs",
    retry=False,
    pass_context=True,
    queueing_lock="hireflow.retry_stalled_jobs",
)
async def retry_stalled_jobs(context: JobContext, timestamp: int) -> int:
    """Requeue jobs whose worker died mid-job (no heartbeat for `worker_stalled_after_seconds`):
    they run again on a live worker, which is why every handler is idempotent."""
    seconds = get_settings().worker_stalled_after_seconds
    stalled = list(await queue.job_manager.get_stalled_jobs(seconds_since_heartbeat=seconds))
    for job in stalled:
        log.warning(
            "retrying a job whose worker died", stalled_job_id=job.id, stalled_task=job.task_name
        )
        await queue.job_manager.retry_job(job)
    return len(stalled)


# Finished jobs are kept this long for inspection; failed ones are kept until someone acts.
KEEP_FINISHED_JOBS_HOURS = 72


@queue.periodic(cron="17 3 * * *", periodic_id="delete-old-jobs")
@task(name="hireflow.delete_old_jobs", retry=False, queueing_lock="hireflow.delete_old_jobs")
async def delete_old_jobs(timestamp: int) -> None:
    """Delete succeeded and cancelled jobs older than KEEP_FINISHED_JOBS_HOURS."""
    await queue.job_manager.delete_old_jobs(
        nb_hours=KEEP_FINISHED_JOBS_HOURS, include_failed=False, include_cancelled=True
    )
