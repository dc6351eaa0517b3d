"""Code runs: code run against all of a challenge version's tests (visible and hidden) in
`hireflow.sandbox`, kept as a `CodeRun` row with its per-test results. A reviewer runs the
reference solution here; AI interview scoring runs a candidate's answer the same way
(`record_run`). Hidden tests reveal only pass/fail."""

from __future__ import annotations

import uuid
from typing import Any, Literal

from sqlalchemy.ext.asyncio import AsyncSession

from hireflow import sandbox
from hireflow.audit import service as audit
from hireflow.audit.service import Origin
from hireflow.authz.context import Ctx
from hireflow.authz.permissions import Permission
from hireflow.errors import Invalid, ServiceUnavailable
from hireflow.library import service
from hireflow.library.schemas import RunRead, RunRequest, TestResultRead
from hireflow.models import CodeRun, LibraryItemVersion

Language = Literal["python", "javascript"]


def test_cases(content: dict[str, Any]) -> list[sandbox.TestCase]:
    return [
        sandbox.TestCase(
            name=str(t.get("name") or f"test {i + 1}"),
            args=list(t.get("args") or []),
            expected=t.get("expected"),
            hidden=bool(t.get("hidden")),
        )
        for i, t in enumerate(content.get("tests") or [])
        if isinstance(t, dict)
    ]


def _stored(result: sandbox.TestResult) -> dict[str, Any]:
    entry: dict[str, Any] = {
        "name": result.name[:80],
        "hidden": result.hidden,
        "passed": result.passed,
        "status": "passed" if result.passed else "failed",
    }
    if not result.hidden:
        if result.got is not None:
            entry["actual"] = result.got[:2000]
        if result.error is not None:
            entry["message"] = result.error[:2000]
    return entry


async def record_run(
    session: AsyncSession,
    version: LibraryItemVersion,
    language: Language,
    code: str,
    *,
    user_id: uuid.UUID | None = None,
    session_id: uuid.UUID | None = None,
    question_id: str | None = None,
) -> tuple[CodeRun, sandbox.RunResult]:
    """Run `code` against every test of the challenge `version`; the stored run and the result."""
    content = version.content
    result = await sandbox.run_tests(
        language, code, str(content.get("entrypoint") or "solution"), test_cases(content)
    )
    run = CodeRun(
        organization_id=version.organization_id,
        version_id=version.id,
        session_id=session_id,
        question_id=question_id,
        language=language,
        code=code,
        status=result.status,
        passed=result.passed,
        total=result.total,
        results=[_stored(r) for r in result.results],
        duration_ms=result.duration_ms,
        created_by_user_id=user_id,
    )
    session.add(run)
    await session.flush()
    await session.refresh(run)
    return run, result


def run_read(run: CodeRun, tests: list[dict[str, Any]], detail: str | None = None) -> RunRead:
    by_name = {t["name"]: t for t in tests}
    results: list[TestResultRead] = []
    for entry in run.results:
        test = by_name.get(entry.get("name", ""), {})
        hidden = bool(entry.get("hidden", test.get("hidden", True)))
        results.append(
            TestResultRead(
                name=entry.get("name", ""),
                hidden=hidden,
                passed=bool(entry.get("passed")),
                status=str(entry.get("status", "")),
                args=None if hidden else test.get("args"),
                expected=None if hidden else test.get("expected"),
                actual=None if hidden else entry.get("actual"),
                message=None if hidden else entry.get("message"),
            )
        )
    return RunRead(
        id=run.id,
        version_id=run.version_id,
        language=run.language,
        status=run.status,
        passed=run.passed,
        total=run.total,
        duration_ms=run.duration_ms,
        results=results,
        created_at=run.created_at,
        detail=detail,
    )


async def run_version(
    session: AsyncSession,
    ctx: Ctx,
    item_id: uuid.UUID,
    number: int,
    body: RunRequest,
    origin: Origin,
) -> RunRead:
    ctx.require(Permission.LIBRARY_WRITE)
    item, version = await service.get_version(session, ctx, item_id, number)
    if item.kind != "challenge":
        raise Invalid("Only a coding challenge has tests to run.")
    if body.language not in (version.content.get("languages") or []):
        raise Invalid(
            "This challenge is not offered in that language.", extra={"field": "language"}
        )
    ok, reason = sandbox.availability(body.language)
    if not ok:
        raise ServiceUnavailable(f"Code runs in {body.language} are not available: {reason}")
    run, result = await record_run(
        session, version, body.language, body.code, user_id=ctx.user.id if ctx.user else None
    )
    await audit.record_by(
        session,
        ctx,
        "library.code_run",
        origin=origin,
        target_type="library_item",
        target_id=item.id,
        data={"version": version.number, "status": run.status, "passed": run.passed},
    )
    return run_read(run, list(version.content.get("tests") or []), result.detail[:1000] or None)
