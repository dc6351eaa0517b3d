"""The command line: every command documents itself; admin creation and demo data work on a
real database and running them again changes nothing."""

from __future__ import annotations

from collections.abc import Iterator

import psycopg
import pytest
from typer.testing import CliRunner

from hireflow.cli import cli
from hireflow.config import get_settings
from hireflow.demo import ADMIN_EMAIL

COMMANDS = ["serve", "worker", "migrate", "demo", "createadmin", "jobs"]


@pytest.fixture
def runner(database_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[CliRunner]:
    monkeypatch.setenv("HIREFLOW_DATABASE_URL", database_url)
    get_settings.cache_clear()
    yield CliRunner()
    get_settings.cache_clear()
    with psycopg.connect(database_url, autocommit=True) as conn:
        conn.execute(
            "DELETE FROM \"user\" WHERE email LIKE '%%@cli.test' OR email = %s", [ADMIN_EMAIL]
        )
        conn.execute("DELETE FROM organization WHERE slug IN ('acme', 'globex')")


def test_every_command_has_help() -> None:
    runner = CliRunner()
    result = runner.invoke(cli, ["--help"])
    assert result.exit_code == 0
    for command in COMMANDS:
        assert command in result.output
        sub = runner.invoke(cli, [command, "--help"])
        assert sub.exit_code == 0, sub.output
        assert "Usage" in sub.output


def test_createadmin_creates_then_updates(runner: CliRunner, database_url: str) -> None:
    args = ["createadmin", "--email", "Root@CLI.test", "--name", "Root", "--password-stdin"]
    first = runner.invoke(cli, args, input="correct horse battery\n")
    assert first.exit_code == 0, first.output
    assert "created: Root@cli.test" in first.output
    again = runner.invoke(cli, args, input="another long password\n")
    assert again.exit_code == 0, again.output
    assert "updated" in again.output
    with psycopg.connect(database_url) as conn:
        rows = conn.execute(
            "SELECT email, is_platform_admin, password_hash LIKE '$argon2id$%%' "
            "FROM \"user\" WHERE email = 'root@cli.test'"
        ).fetchall()
    assert rows == [("Root@cli.test", True, True)]


@pytest.mark.parametrize(
    ("email", "password", "message"),
    [
        ("not-an-email", "long enough pass", "valid email"),
        ("short@cli.test", "short", "8 to 128"),
    ],
)
def test_createadmin_refuses_bad_input_and_writes_nothing(
    runner: CliRunner, database_url: str, email: str, password: str, message: str
) -> None:
    result = runner.invoke(
        cli,
        ["createadmin", "--email", email, "--name", "X", "--password-stdin"],
        input=password + "\n",
    )
    assert result.exit_code == 2
    assert message in result.output
    with psycopg.connect(database_url) as conn:
        assert conn.execute('SELECT count(*) FROM "user" WHERE email = %s', [email]).fetchone() == (
            0,
        )


def test_demo_is_idempotent(runner: CliRunner, database_url: str) -> None:
    def snapshot() -> list[tuple[object, ...]]:
        with psycopg.connect(database_url) as conn:
            return conn.execute(
                "SELECT 'org', slug, updated_at::text FROM organization "
                "UNION ALL SELECT 'user', email::text, updated_at::text FROM \"user\" "
                "ORDER BY 1, 2"
            ).fetchall()

    first = runner.invoke(cli, ["demo"])
    assert first.exit_code == 0, first.output
    assert ADMIN_EMAIL in first.output
    before = snapshot()
    assert [row[:2] for row in before if row[0] == "org"] == [("org", "acme"), ("org", "globex")]
    second = runner.invoke(cli, ["demo"])
    assert second.exit_code == 0
    assert snapshot() == before


def test_jobs_lists_and_validates_status(runner: CliRunner) -> None:
    assert runner.invoke(cli, ["jobs", "--status", "bogus"]).exit_code == 2
    result = runner.invoke(cli, ["jobs", "--status", "failed"])
    assert result.exit_code == 0, result.output
