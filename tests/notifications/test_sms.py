"""Text messages: off by default; the Twilio adapter against a real fake Twilio on loopback;
`send_sms` stores and enqueues in one transaction; the delivery job sends once, retries
temporary failures, fails refusals at once, and never reveals the auth token."""

from __future__ import annotations

import io
import uuid
from collections.abc import AsyncIterator, Iterator

import httpx
import pyotp
import pytest
from pydantic import SecretStr, ValidationError
from sqlalchemy import func, select, text, update
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from hireflow.config import Settings
from hireflow.db import Database
from hireflow.errors import Invalid
from hireflow.kit.clock import now
from hireflow.models import SmsMessage, User
from hireflow.notifications.sms import (
    SmsDisabled,
    SmsError,
    TwilioSmsSender,
    check_phone,
    send_sms,
    sms_enabled,
    sms_sender_for,
)
from hireflow.notifications.sms_tasks import deliver_sms, describe_error
from hireflow.worker import DEFAULT_RETRY, enqueue
from tests.factories.organizations import make_organization
from tests.factories.users import make_user, sign_in
from tests.fakes.twilio_server import AUTH_TOKEN, FROM_NUMBER, FakeTwilio
from tests.notifications.conftest import WorkerRun

TO = "+14155552671"
BODY = "Your interview with Acme: https://hireflow.test/i/abc123"
# Committed test messages have this kind, so the clean-up finds exactly those.
TEST_KIND = "sms_test"


@pytest.fixture
def twilio() -> Iterator[FakeTwilio]:
    with FakeTwilio() as server:
        yield server


def _sender(twilio: FakeTwilio, **overrides: str) -> TwilioSmsSender:
    values = {
        "account_sid": twilio.account_sid,
        "auth_token": twilio.auth_token,
        "from_number": FROM_NUMBER,
        "base_url": twilio.url,
        **overrides,
    }
    return TwilioSmsSender(**values, timeout=5.0)


def _enabled(base: Settings) -> Settings:
    """SMS on, pointing nowhere (for tests that only store and enqueue)."""
    return base.model_copy(
        update={
            "sms_provider": "twilio",
            "twilio_account_sid": "AC" + "0" * 32,
            "twilio_auth_token": SecretStr(AUTH_TOKEN),
            "twilio_from_number": FROM_NUMBER,
        }
    )


async def _counts(session: AsyncSession) -> tuple[int, int]:
    """Text messages stored and delivery jobs queued (visible in this transaction)."""
    messages = await session.scalar(select(func.count()).select_from(SmsMessage))
    jobs = await session.scalar(
        text(
            "SELECT count(*) FROM procrastinate_jobs WHERE task_name = 'notifications.deliver_sms'"
        )
    )
    return int(messages or 0), int(jobs or 0)


# --- the adapter ---------------------------------------------------------------------------


async def test_the_adapter_posts_the_form_with_basic_auth_and_returns_the_sid(
    twilio: FakeTwilio,
) -> None:
    sid = await _sender(twilio).send(TO, "Grüße – see you at 10:00 ✓")

    [request] = twilio.requests
    assert request.sid == sid
    assert request.authorized
    assert request.account_sid == twilio.account_sid
    assert request.form == {"To": TO, "From": FROM_NUMBER, "Body": "Grüße – see you at 10:00 ✓"}
    assert request.status == 201
    assert sid.startswith("SM")
    assert len(sid) == 34


async def test_a_400_from_twilio_is_permanent_with_its_code_and_message(
    twilio: FakeTwilio,
) -> None:
    twilio.fail_first(1, 400, code=21211, message="The 'To' number is not a valid phone number.")
    with pytest.raises(SmsError) as caught:
        await _sender(twilio).send(TO, BODY)
    assert caught.value.permanent is True
    assert str(caught.value) == (
        "Twilio answered 400 (code 21211): The 'To' number is not a valid phone number."
    )


@pytest.mark.parametrize("status", [500, 503, 429])
async def test_server_errors_and_rate_limits_are_temporary(twilio: FakeTwilio, status: int) -> None:
    twilio.fail_first(1, status, code=20429, message="Too many requests")
    with pytest.raises(SmsError) as caught:
        await _sender(twilio).send(TO, BODY)
    assert caught.value.permanent is False
    assert f"Twilio answered {status}" in str(caught.value)
    # The next call goes through.
    assert (await _sender(twilio).send(TO, BODY)).startswith("SM")


async def test_wrong_credentials_are_a_permanent_401(twilio: FakeTwilio) -> None:
    with pytest.raises(SmsError) as caught:
        await _sender(twilio, auth_token="wrong-token-0001").send(TO, BODY)
    assert caught.value.permanent is True
    assert str(caught.value) == "Twilio answered 401 (code 20003): Authenticate"
    assert "wrong-token-0001" not in str(caught.value)
    [request] = twilio.requests
    assert not request.authorized
    assert twilio.sent == []


async def test_an_unreachable_twilio_is_temporary() -> None:
    with FakeTwilio() as stopped:
        sender = _sender(stopped)
    with pytest.raises(SmsError) as caught:
        await sender.send(TO, BODY)
    assert caught.value.permanent is False
    assert str(caught.value).startswith("Twilio is unreachable")


# --- settings ------------------------------------------------------------------------------


def test_sms_is_off_by_default(test_settings: Settings) -> None:
    assert test_settings.sms_provider == "none"
    assert sms_enabled(test_settings) is False
    assert sms_sender_for(test_settings) is None


def test_twilio_without_its_credentials_is_refused_at_startup() -> None:
    with pytest.raises(ValidationError) as caught:
        Settings(sms_provider="twilio", twilio_account_sid="AC123")
    message = str(caught.value)
    assert "HIREFLOW_SMS_PROVIDER=twilio needs" in message
    assert "HIREFLOW_TWILIO_AUTH_TOKEN" in message
    assert "HIREFLOW_TWILIO_FROM_NUMBER" in message
    assert "HIREFLOW_TWILIO_ACCOUNT_SID" not in message


def test_twilio_needs_an_e164_from_number() -> None:
    with pytest.raises(ValidationError, match=r"E\.164"):
        Settings(
            sms_provider="twilio",
            twilio_account_sid="AC123",
            twilio_auth_token=AUTH_TOKEN,
            twilio_from_number="(415) 555-2671",
        )


def test_complete_twilio_settings_give_a_twilio_sender() -> None:
    settings = Settings(
        sms_provider="twilio",
        twilio_account_sid="AC123",
        twilio_auth_token=AUTH_TOKEN,
        twilio_from_number=FROM_NUMBER,
    )
    assert sms_enabled(settings) is True
    assert isinstance(sms_sender_for(settings), TwilioSmsSender)


# --- phone numbers -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("number", "e164"),
    [
        ("+14155552671", "+14155552671"),
        ("+1 (415) 555-2671", "+14155552671"),
        ("+44 20 7183 8750", "+442071838750"),
        ("  +49 151 12345678 ", "+4915112345678"),
    ],
)
def test_check_phone_gives_e164(number: str, e164: str) -> None:
    assert check_phone(number) == e164


@pytest.mark.parametrize(
    ("number", "says"),
    [
        ("4155552671", "international format"),
        ("(415) 555-2671", "international format"),
        ("+1 415 555", "not a valid phone number"),
        ("+999 12345678", "not a valid phone number"),
        ("+1 415 555 2671 ext. 3", "extension"),
        ("+1415555\n2671", "not a valid phone number"),
        ("+" + "1" * 60, "not a valid phone number"),
        ("hello", "international format"),
        ("", "international format"),
    ],
)
def test_check_phone_refuses_bad_numbers_clearly(number: str, says: str) -> None:
    with pytest.raises(Invalid, match=says) as caught:
        check_phone(number)
    assert caught.value.extra == {"field": "to"}


# --- send_sms ------------------------------------------------------------------------------


async def test_send_sms_is_refused_when_sms_is_off_and_nothing_is_stored(
    db: Database, test_settings: Settings
) -> None:
    async with db.transaction() as session:
        before = await _counts(session)
    with pytest.raises(SmsDisabled) as caught:
        async with db.transaction() as session:
            await send_sms(session, to=TO, body=BODY, kind="invitation", organization_id=None)
    assert caught.value.status == 422
    assert caught.value.code == "sms-disabled"
    assert "turned off" in caught.value.detail
    async with db.transaction() as session:
        assert await _counts(session) == before
    # Explicitly passed settings too.
    with pytest.raises(SmsDisabled):
        async with db.transaction() as session:
            await send_sms(
                session,
                to=TO,
                body=BODY,
                kind="invitation",
                organization_id=None,
                settings=test_settings,
            )


async def test_send_sms_stores_the_message_and_enqueues_its_delivery(
    db: Database, test_settings: Settings
) -> None:
    async with db.transaction() as session:
        organization = await make_organization(session)
        before = await _counts(session)
        message = await send_sms(
            session,
            to="+1 (415) 555-2671",
            body=BODY,
            kind="interview_invitation",
            organization_id=organization.id,
            settings=_enabled(test_settings),
        )
        assert await _counts(session) == (before[0] + 1, before[1] + 1)
        job_args = await session.scalar(
            text(
                "SELECT args->>'message_id' FROM procrastinate_jobs "
                "WHERE task_name = 'notifications.deliver_sms' ORDER BY id DESC LIMIT 1"
            )
        )
    assert job_args == str(message.id)
    async with db.transaction() as session:
        stored = await session.get(SmsMessage, message.id)
        assert stored is not None
        assert (stored.to_number, stored.body, stored.kind) == (
            TO,
            BODY,
            "interview_invitation",
        )
        assert (stored.status, stored.attempts, stored.organization_id) == (
            "queued",
            0,
            organization.id,
        )
        assert stored.provider_message_id is None
        assert stored.sent_at is None


@pytest.mark.parametrize(
    ("fields", "says"),
    [
        ({"to": "555-2671"}, "international format"),
        ({"to": "+1 415 555"}, "not a valid phone number"),
        ({"body": ""}, "needs some text"),
        ({"body": "   \n"}, "needs some text"),
        ({"body": "x" * 1601}, "at most 1600 characters"),
        ({"body": "a\x00b"}, "NUL"),
        ({"kind": "Not A Kind"}, "not a valid message kind"),
    ],
)
async def test_bad_numbers_and_bodies_are_invalid_and_nothing_is_stored(
    db: Database, test_settings: Settings, fields: dict[str, str], says: str
) -> None:
    values = {"to": TO, "body": BODY, "kind": "invitation", **fields}
    async with db.transaction() as session:
        before = await _counts(session)
    with pytest.raises(Invalid, match=says):
        async with db.transaction() as session:
            await send_sms(
                session,
                to=values["to"],
                body=values["body"],
                kind=values["kind"],
                organization_id=None,
                settings=_enabled(test_settings),
            )
    async with db.transaction() as session:
        assert await _counts(session) == before


async def test_a_body_of_exactly_1600_characters_is_accepted(
    db: Database, test_settings: Settings
) -> None:
    async with db.transaction() as session:
        message = await send_sms(
            session,
            to=TO,
            body="é" * 1600,
            kind="invitation",
            organization_id=None,
            settings=_enabled(test_settings),
        )
    assert len(message.body) == 1600


def test_describe_error_masks_the_auth_token(test_settings: Settings) -> None:
    settings = _enabled(test_settings)
    described = describe_error(SmsError(f"echoed {AUTH_TOKEN} back\nto us", False), settings)
    assert described == "SmsError: echoed *** back to us"
    assert len(describe_error(SmsError("x" * 2000, False), settings)) == 500


# --- delivery by the worker ----------------------------------------------------------------


@pytest.fixture
async def committed(engine: AsyncEngine) -> AsyncIterator[Database]:
    """A database whose transactions really commit (the worker reads through its own
    connections). Deletes the test messages and their delivery jobs afterwards."""
    database = Database(engine)
    yield database
    async with database.transaction() as session:
        await session.execute(
            text(
                "WITH gone AS (DELETE FROM sms_message WHERE kind = :kind "
                "RETURNING id::text AS id) "
                "DELETE FROM procrastinate_jobs WHERE task_name = 'notifications.deliver_sms' "
                "AND args->>'message_id' IN (SELECT id FROM gone)"
            ),
            {"kind": TEST_KIND},
        )


async def _queue(database: Database, settings: Settings, body: str = BODY) -> SmsMessage:
    async with database.transaction() as session:
        return await send_sms(
            session, to=TO, body=body, kind=TEST_KIND, organization_id=None, settings=settings
        )


async def _message(database: Database, message_id: uuid.UUID) -> SmsMessage:
    async with database.transaction() as session:
        message = await session.get(SmsMessage, message_id)
        assert message is not None
        return message


async def _jobs(database: Database, message: SmsMessage) -> list[tuple[str, int]]:
    async with database.transaction() as session:
        rows = await session.execute(
            text(
                "SELECT status::text, attempts FROM procrastinate_jobs "
                "WHERE task_name = 'notifications.deliver_sms' AND args->>'message_id' = :id "
                "ORDER BY id"
            ),
            {"id": str(message.id)},
        )
        return [(row[0], row[1]) for row in rows]


async def _make_retry_due(database: Database, message: SmsMessage) -> None:
    """Pretend the backoff wait is over, so the next worker run picks the job up."""
    async with database.transaction() as session:
        await session.execute(
            text(
                "UPDATE procrastinate_jobs SET scheduled_at = now() "
                "WHERE task_name = 'notifications.deliver_sms' AND args->>'message_id' = :id"
            ),
            {"id": str(message.id)},
        )


async def test_a_committed_message_is_sent_once_and_marked_with_twilios_sid(
    committed: Database,
    twilio: FakeTwilio,
    run_worker_once: WorkerRun,
    test_settings: Settings,
) -> None:
    settings = twilio.settings(test_settings)
    stored = await _queue(committed, settings)

    await run_worker_once(settings)

    [request] = twilio.sent
    assert request.form == {"To": TO, "From": FROM_NUMBER, "Body": BODY}
    message = await _message(committed, stored.id)
    assert (message.status, message.attempts, message.last_error) == ("sent", 1, None)
    assert message.sent_at is not None
    assert message.provider_message_id == request.sid
    assert message.provider_message_id is not None
    assert message.provider_message_id.startswith("SM")
    assert await _jobs(committed, stored) == [("succeeded", 1)]

    # At-least-once delivery: the same job may run again; nothing more is sent.
    async with committed.transaction() as session:
        await enqueue(session, deliver_sms, message_id=str(stored.id))
    await run_worker_once(settings)
    assert len(twilio.requests) == 1
    assert (await _message(committed, stored.id)).status == "sent"


async def test_after_a_500_the_retry_sends_the_message_once(
    committed: Database,
    twilio: FakeTwilio,
    run_worker_once: WorkerRun,
    test_settings: Settings,
) -> None:
    settings = twilio.settings(test_settings)
    twilio.fail_first(1, 500)
    stored = await _queue(committed, settings)

    await run_worker_once(settings)
    assert twilio.sent == []
    message = await _message(committed, stored.id)
    assert (message.status, message.attempts) == ("queued", 1)
    assert message.last_error == (
        "SmsError: Twilio answered 500 (code 20500): An internal server error has occurred"
    )
    assert await _jobs(committed, stored) == [("todo", 1)]

    await _make_retry_due(committed, stored)
    await run_worker_once(settings)

    assert len(twilio.requests) == 2
    assert [r.body for r in twilio.sent] == [BODY]
    message = await _message(committed, stored.id)
    assert (message.status, message.attempts) == ("sent", 2)
    assert message.provider_message_id == twilio.sent[0].sid
    assert await _jobs(committed, stored) == [("succeeded", 2)]


async def test_a_refused_message_fails_at_once_without_a_retry(
    committed: Database,
    twilio: FakeTwilio,
    run_worker_once: WorkerRun,
    test_settings: Settings,
) -> None:
    settings = twilio.settings(test_settings)
    twilio.fail_first(1, 400, code=21610, message="Attempt to send to unsubscribed recipient")
    stored = await _queue(committed, settings)

    await run_worker_once(settings)

    message = await _message(committed, stored.id)
    assert (message.status, message.attempts) == ("failed", 1)
    assert message.last_error == (
        "SmsError: Twilio answered 400 (code 21610): Attempt to send to unsubscribed recipient"
    )
    assert message.sent_at is None
    assert await _jobs(committed, stored) == [("succeeded", 1)]
    assert len(twilio.requests) == 1


async def test_wrong_credentials_fail_for_good_and_the_token_is_never_logged(
    committed: Database,
    twilio: FakeTwilio,
    run_worker_once: WorkerRun,
    test_settings: Settings,
    json_logs: io.StringIO,
) -> None:
    wrong_token = "wrong-token-9d8c7b6a"
    settings = twilio.settings(test_settings, twilio_auth_token=SecretStr(wrong_token))
    secret_body = "Your one-time code is 884213"
    stored = await _queue(committed, settings, body=secret_body)

    await run_worker_once(settings)

    message = await _message(committed, stored.id)
    assert (message.status, message.attempts) == ("failed", 1)
    assert message.last_error == "SmsError: Twilio answered 401 (code 20003): Authenticate"
    assert twilio.sent == []
    logs = json_logs.getvalue()
    assert "sms delivery failed for good" in logs
    assert str(stored.id) in logs
    assert wrong_token not in logs
    assert secret_body not in logs
    assert TO not in logs  # only the last digits


async def test_a_message_that_keeps_failing_is_failed_after_the_last_attempt(
    committed: Database,
    twilio: FakeTwilio,
    run_worker_once: WorkerRun,
    test_settings: Settings,
) -> None:
    assert DEFAULT_RETRY.max_attempts is not None
    attempts = DEFAULT_RETRY.max_attempts + 1  # the first run and every retry
    settings = twilio.settings(test_settings)
    twilio.fail_first(1000, 503, code=20503, message="Service unavailable")
    stored = await _queue(committed, settings)
    for run in range(1, attempts + 1):
        await run_worker_once(settings)
        message = await _message(committed, stored.id)
        assert message.attempts == run
        assert message.status == ("failed" if run == attempts else "queued")
        await _make_retry_due(committed, stored)
    await run_worker_once(settings)  # nothing is left to run

    assert len(twilio.requests) == attempts
    message = await _message(committed, stored.id)
    assert (message.status, message.attempts) == ("failed", attempts)
    assert message.last_error is not None
    assert "503" in message.last_error
    assert await _jobs(committed, stored) == [("failed", attempts)]


async def test_a_message_queued_before_sms_was_turned_off_fails_clearly(
    committed: Database,
    twilio: FakeTwilio,
    run_worker_once: WorkerRun,
    test_settings: Settings,
) -> None:
    stored = await _queue(committed, twilio.settings(test_settings))

    await run_worker_once(test_settings)

    message = await _message(committed, stored.id)
    assert (message.status, message.attempts) == ("failed", 1)
    assert message.last_error is not None
    assert "turned off" in message.last_error
    assert twilio.requests == []


# --- the platform API ----------------------------------------------------------------------

API = "/api/v1/platform/sms"


async def _sign_in_platform_admin(client: httpx.AsyncClient, db: Database) -> User:
    async with db.transaction() as session:
        admin = await make_user(session)
    await sign_in(client, admin.email)
    async with db.transaction() as session:
        await session.execute(
            update(User)
            .where(User.id == admin.id)
            .values(is_platform_admin=True, mfa_secret=pyotp.random_base32(), mfa_enabled_at=now())
        )
    return admin


async def test_platform_admins_list_text_messages_newest_first(
    client: httpx.AsyncClient, db: Database, test_settings: Settings
) -> None:
    await _sign_in_platform_admin(client, db)
    number = "+442071838750"
    async with db.transaction() as session:
        first = await send_sms(
            session,
            to=number,
            body="first",
            kind="api_test",
            organization_id=None,
            settings=_enabled(test_settings),
        )
        second = await send_sms(
            session,
            to=number,
            body="second",
            kind="api_test",
            organization_id=None,
            settings=_enabled(test_settings),
        )
        await session.execute(
            update(SmsMessage)
            .where(SmsMessage.id == first.id)
            .values(created_at=func.now() - text("interval '1 minute'"))
        )

    response = await client.get(API, params={"to": "+44 20 7183 8750", "limit": 1})
    assert response.status_code == 200, response.text
    page = response.json()
    [item] = page["items"]
    assert item["id"] == str(second.id)
    assert (item["to"], item["body"], item["status"], item["kind"]) == (
        number,
        "second",
        "queued",
        "api_test",
    )
    assert page["next_offset"] == 1

    response = await client.get(API, params={"to": number, "offset": 1})
    assert [i["id"] for i in response.json()["items"]] == [str(first.id)]
    assert response.json()["next_offset"] is None

    response = await client.get(API, params={"kind": "api_test", "status": "sent"})
    assert response.json()["items"] == []


async def test_the_sms_list_refuses_a_bad_number_filter(
    client: httpx.AsyncClient, db: Database
) -> None:
    await _sign_in_platform_admin(client, db)
    response = await client.get(API, params={"to": "not a number"})
    assert response.status_code == 422
    assert response.headers["content-type"].startswith("application/problem+json")
    assert "international format" in response.json()["detail"]


async def test_only_platform_admins_read_text_messages(
    client: httpx.AsyncClient, db: Database
) -> None:
    assert (await client.get(API)).status_code == 401
    async with db.transaction() as session:
        user = await make_user(session)
    await sign_in(client, user.email)
    response = await client.get(API)
    assert response.status_code == 403
    assert response.json()["detail"] == "Only platform admins can read the text messages."


async def test_the_sms_list_refuses_nul_in_filters(client: httpx.AsyncClient, db: Database) -> None:
    await _sign_in_platform_admin(client, db)
    for params in ({"kind": "a\x00b"}, {"to": "+1415\x005552671"}):
        response = await client.get(API, params=params)
        assert response.status_code == 422, response.text
