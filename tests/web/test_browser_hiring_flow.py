"""Browser: the hiring flow of issue 4, end to end. A hiring manager posts a job and opens it; a
visitor applies to it from the careers page with a PDF resume; the manager imports 10,000
candidates from a CSV file, finds the applicant among them by a word of their resume and moves
them to Offer on the job's pipeline board. And: a person recorded twice (email in another case,
phone in another format) is flagged as a possible duplicate on the profile and merged through
the confirmation page.

The server runs in its own process, so the set-up data is committed and every name is unique to
the run; the end state is read back from the database."""

from __future__ import annotations

import csv
import re
import uuid
from pathlib import Path

import pytest
from playwright.async_api import Browser, expect
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from hireflow.db import Database
from hireflow.models import Application, ApplicationEvent, Candidate, JobStage, Organization
from tests.factories.applications import make_application
from tests.factories.candidates import make_candidate, pdf_bytes
from tests.factories.jobs import make_job
from tests.factories.organizations import make_organization
from tests.factories.users import PASSWORD, make_member
from tests.web.conftest import DESKTOP, BrowserPage, open_page

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

IMPORTED = 10_000
RESUME_WORD = "zanzibarite"
# Previewing and importing 10,000 rows takes seconds, not the 5 s `expect` waits by default.
SLOW_MS = 60_000
UUID = r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"

FIRST_NAMES = ["Amara", "Bruno", "Chiara", "Dmitri", "Elif", "Farid", "Greta", "Hiro", "Ines"]
LAST_NAMES = ["Novak", "Okoye", "Petrov", "Quintero", "Rossi", "Sato", "Tanaka", "Ueda"]
HEADLINES = ["Warehouse operative", "Line cook", "Data analyst", "Electrician", "Nurse"]
SKILLS = ["Python:4;SQL", "Forklift;First aid:3", "Excel:5", "Welding;Wiring:2", "Triage"]


async def hiring_manager(engine: AsyncEngine, run: str) -> tuple[Organization, str]:
    """A new organization with a hiring manager (a role without MFA); returns their email."""
    async with Database(engine).transaction() as session:  # really commits
        organization = await make_organization(session, name=f"Tidewater Energy {run}")
        user, _ = await make_member(
            session, organization, role="hiring_manager", email=f"hm-{run}@example.test"
        )
    return organization, user.email


async def sign_in(opened: BrowserPage, email: str, next_path: str) -> None:
    page = opened.page
    await page.goto(opened.url(f"/login?next={next_path}"))
    await page.get_by_label("Email address").fill(email)
    await page.get_by_label("Password").fill(PASSWORD)
    await page.get_by_role("button", name="Sign in").click()
    await expect(page).to_have_url(opened.url(next_path))


async def no_csp_violations(opened: BrowserPage, seen: list[str]) -> None:
    """Collect the current page's CSP violations (the list in the page restarts on every
    navigation, so this runs on each page visited)."""
    seen.extend(f"{opened.page.url}: {v}" for v in await opened.csp_violations())


def write_candidates_csv(path: Path, run: str) -> None:
    with path.open("w", newline="", encoding="utf-8") as file:
        writer = csv.writer(file)
        writer.writerow(["full_name", "email", "phone", "headline", "location", "skills", "tags"])
        for i in range(IMPORTED):
            writer.writerow(
                [
                    f"{FIRST_NAMES[i % len(FIRST_NAMES)]} {LAST_NAMES[i % len(LAST_NAMES)]} {i}",
                    f"import-{run}-{i}@example.test",
                    f"+1 212 555 {i:04d}",  # unique: no row is a duplicate of another
                    HEADLINES[i % len(HEADLINES)],
                    "Brest",
                    SKILLS[i % len(SKILLS)],
                    "fair-2025;imported",
                ]
            )


async def test_post_a_job_receive_an_application_import_10000_find_and_move_to_offer(
    desktop: BrowserPage,
    browser: Browser,
    live_server: str,
    engine: AsyncEngine,
    tmp_path: Path,
) -> None:
    run = uuid.uuid4().hex[:8]
    organization, manager = await hiring_manager(engine, run)
    org = f"/organizations/{organization.id}"
    applicant_name = "Zora Quillfeather"
    applicant_email = f"zora-{run}@example.test"
    resume = tmp_path / "zora-quillfeather.pdf"
    resume.write_bytes(
        pdf_bytes(f"{applicant_name}\nGeologist. Field work on {RESUME_WORD} deposits in Tanzania.")
    )
    candidates_csv = tmp_path / "job-fair.csv"
    write_candidates_csv(candidates_csv, run)
    page = desktop.page
    csp: list[str] = []

    # --- 1. Post a job: create it (a draft), then open it. ---------------------------------------
    await sign_in(desktop, manager, f"{org}/jobs")
    await expect(page.get_by_role("heading", level=1)).to_have_text("Jobs")
    await expect(page.get_by_text("No jobs yet")).to_be_visible()
    await no_csp_violations(desktop, csp)
    await page.get_by_role("link", name="New job").first.click()
    await expect(page.get_by_role("heading", level=1)).to_have_text("New job")
    await page.get_by_label("Title").fill("Field geologist")
    await page.get_by_label("Description").fill("<p>Map the <strong>coast</strong> with us.</p>")
    await page.get_by_label("Skills").fill("Mapping, Mineralogy")
    await page.get_by_label("Location").fill("Brest")
    await page.get_by_label("Remote policy").select_option(label="Hybrid")
    await no_csp_violations(desktop, csp)
    await page.get_by_role("button", name="Create job").click()

    await expect(page.get_by_role("heading", level=1)).to_have_text("Field geologist")
    await expect(page.locator("#toasts .toast-success")).to_contain_text("Job created")
    header = page.locator(".page-header")
    await expect(header.locator(".badge")).to_have_text("Draft")
    await expect(page.locator(".job-description strong")).to_have_text("coast")
    found = re.search(rf"/jobs/({UUID})(?:\?|$)", page.url)
    assert found, page.url
    job_id = uuid.UUID(found.group(1))
    await page.get_by_role("button", name="Open", exact=True).click()
    await expect(page.locator("#toasts .toast-success")).to_contain_text("Status changed")
    await expect(header.locator(".badge")).to_have_text("Open")
    await no_csp_violations(desktop, csp)

    # --- 2. A visitor (not signed in, own browser context) applies on the careers page. ----------
    applicant = await open_page(browser, live_server, DESKTOP)
    try:
        visitor = applicant.page
        await visitor.goto(applicant.url(f"/careers/{organization.slug}"))
        await expect(visitor.get_by_role("heading", level=1)).to_have_text(
            f"Open positions at {organization.name}"
        )
        await visitor.get_by_role("link", name="Field geologist").click()
        await expect(visitor.get_by_role("heading", level=1)).to_have_text("Field geologist")
        await visitor.get_by_label("Full name").fill(applicant_name)
        await visitor.get_by_label("Email address").fill(applicant_email)
        await visitor.get_by_label("Phone number").fill("+44 20 7946 0958")
        await visitor.get_by_label(re.compile(r"^Resume\b")).set_input_files(str(resume))
        await visitor.get_by_role("checkbox", name=re.compile("consider my application")).check()
        await no_csp_violations(applicant, csp)
        await visitor.get_by_role("button", name="Send application").click()
        await expect(visitor.get_by_role("heading", level=1)).to_have_text("Application sent")
        await expect(visitor.locator(".careers-applied strong")).to_have_text("Field geologist")
        await no_csp_violations(applicant, csp)
        assert applicant.console_errors() == []
    finally:
        await applicant.page.context.close()

    # --- 3. Import 10,000 candidates from a CSV file: upload → preview → import. -----------------
    main_nav = page.get_by_role("navigation", name="Main")
    await main_nav.get_by_role("link", name="Candidates").click()
    await expect(page.get_by_role("heading", level=1)).to_have_text("Candidates")
    # The applicant is there already, from the careers page.
    await expect(page.get_by_role("link", name=applicant_name)).to_be_visible()
    await no_csp_violations(desktop, csp)
    await page.get_by_role("link", name="Import CSV").first.click()
    await expect(page.get_by_role("heading", level=1)).to_have_text("Import candidates")
    await page.get_by_label("CSV file").set_input_files(str(candidates_csv))
    await no_csp_violations(desktop, csp)
    await page.get_by_role("button", name="Preview").click()

    summary = page.locator("p", has=page.locator("strong", has_text="job-fair.csv"))
    await expect(summary).to_have_text(
        re.compile(r"job-fair\.csv: 10,?000 row\(s\),\s+0 with errors,\s+0 possible duplicate"),
        timeout=SLOW_MS,
    )
    preview = page.locator("section[aria-labelledby='preview-title']")
    await expect(preview.locator("tbody tr")).to_have_count(20)
    await expect(preview.locator("tbody tr").first).to_contain_text(f"import-{run}-0@example.test")
    await no_csp_violations(desktop, csp)
    await page.get_by_role("button", name=re.compile(r"^Import 10,?000 row\(s\)$")).click()

    await expect(page.locator("#toasts .toast-success")).to_contain_text(
        "Candidates imported", timeout=SLOW_MS
    )
    await expect(page.get_by_text(re.compile(r"10,?000 candidate\(s\) created"))).to_be_visible()
    await no_csp_violations(desktop, csp)
    await page.get_by_role("link", name="See the imported candidates").click()
    results = page.locator("table.candidate-table tbody tr")
    await expect(results).to_have_count(50)  # a page of them, newest first
    await expect(page.get_by_role("link", name="Next", exact=True)).to_be_visible()

    # --- 4. Find the applicant among them by a word of their resume. -----------------------------
    search = page.get_by_role("search")
    await search.get_by_role("link", name="Clear").click()
    await expect(page).to_have_url(desktop.url(f"{org}/candidates"))
    await search.get_by_label("Search").fill(RESUME_WORD)
    await search.get_by_role("button", name="Search").click()
    await expect(results).to_have_count(1)
    await expect(results.first).to_contain_text(applicant_email)
    latest = results.first.locator("td").last  # the "Latest application" column
    await expect(latest.get_by_role("link", name="Field geologist")).to_be_visible()
    await expect(latest.locator(".badge")).to_have_text("Applied")
    await no_csp_violations(desktop, csp)
    await results.first.get_by_role("link", name=applicant_name).click()

    await expect(page.get_by_role("heading", level=1)).to_have_text(applicant_name)
    applications = page.locator("section[aria-labelledby='applications-title']")
    await expect(applications.get_by_role("link", name="Field geologist")).to_be_visible()
    await expect(applications.locator(".badge")).to_have_text("Applied")
    await no_csp_violations(desktop, csp)

    # --- 5. Move them to Offer on the job's pipeline board (htmx swaps the board). ---------------
    await applications.get_by_role("link", name="Field geologist").click()
    await expect(page.get_by_role("heading", level=1)).to_have_text(applicant_name)
    await page.locator(".page-header").get_by_role("link", name="Pipeline").click()
    await expect(page.get_by_role("heading", level=1)).to_have_text("Pipeline")
    await expect(page.locator(".pipeline-total")).to_have_text("1 application")
    await page.wait_for_function("window.htmx !== undefined")
    await no_csp_violations(desktop, csp)
    url_before = page.url
    await page.get_by_label(f"Move {applicant_name} to").select_option(label="Offer")
    async with page.expect_response(re.compile(r"/applications/.+/move$")) as answer:
        await page.get_by_role("button", name=f"Move {applicant_name}").click()
    assert (await answer.value).status == 200

    offer = page.get_by_role("region", name=re.compile(r"^Offer\b"))
    await expect(offer.get_by_role("link", name=applicant_name)).to_be_visible()
    await expect(offer.locator(".pipeline-count")).to_have_text("1")
    applied = page.get_by_role("region", name=re.compile(r"^Applied\b"))
    await expect(applied.get_by_text("No applications in this stage.")).to_be_visible()
    assert page.url == url_before  # swapped in place
    await no_csp_violations(desktop, csp)

    await offer.get_by_role("link", name=applicant_name).click()
    await expect(page.locator(".page-header .badge").first).to_have_text("Offer")
    await no_csp_violations(desktop, csp)

    assert csp == []
    assert desktop.console_errors() == []

    # --- What the database holds. ----------------------------------------------------------------
    async with Database(engine).transaction() as session:
        application = await session.scalar(select(Application).where(Application.job_id == job_id))
        assert application is not None
        stage = await session.get(JobStage, application.stage_id)
        assert stage is not None
        assert stage.key == "offer"
        moves = list(
            await session.scalars(
                select(ApplicationEvent).where(
                    ApplicationEvent.application_id == application.id,
                    ApplicationEvent.type == "moved",
                )
            )
        )
        assert [m.to_stage_id for m in moves] == [stage.id]
        candidate = await session.get(Candidate, application.candidate_id)
        assert candidate is not None
        assert candidate.email == applicant_email
        assert RESUME_WORD in candidate.resume_text
        imported = await session.scalar(
            select(func.count())
            .select_from(Candidate)
            .where(Candidate.organization_id == organization.id, Candidate.source == "import")
        )
        assert imported == IMPORTED


async def test_a_duplicate_is_flagged_on_the_profile_and_merged(
    desktop: BrowserPage, engine: AsyncEngine
) -> None:
    """The person applied once (Title-case email, US national phone); a recruiter adds them again
    by hand (lower-case email, international phone): the new profile names the first record as a
    possible duplicate, and merging it brings its application over."""
    run = uuid.uuid4().hex[:8]
    organization, manager = await hiring_manager(engine, run)
    async with Database(engine).transaction() as session:
        job = await make_job(session, organization, title="Harbour pilot")
        first = await make_candidate(
            session,
            organization,
            full_name="Dana Okafor",
            email=f"Dana.Okafor-{run}@Example.TEST",
            phone="(415) 555-0100",
            source="careers_page",
        )
        await make_application(session, job, first, source="careers_page")
    page = desktop.page
    csp: list[str] = []

    await sign_in(desktop, manager, f"/organizations/{organization.id}/candidates")
    await page.get_by_role("link", name="New candidate").first.click()
    await expect(page.get_by_role("heading", level=1)).to_have_text("New candidate")
    await page.get_by_label("Full name").fill("Dana R. Okafor")
    await page.get_by_label("Email").fill(f"dana.okafor-{run}@example.test")
    await page.get_by_label("Phone").fill("+1 415-555-0100")
    await no_csp_violations(desktop, csp)
    await page.get_by_role("button", name="Add candidate").click()

    await expect(page.get_by_role("heading", level=1)).to_have_text("Dana R. Okafor")
    await expect(page.locator("#toasts .toast-success")).to_contain_text("Candidate added")
    duplicates = page.get_by_role("region", name="Possible duplicates")
    await expect(duplicates.get_by_role("link", name="Dana Okafor", exact=True)).to_be_visible()
    await expect(duplicates).to_contain_text("same email, phone")
    found = re.search(rf"/candidates/({UUID})(?:\?|$)", page.url)
    assert found, page.url
    second_id = uuid.UUID(found.group(1))
    await no_csp_violations(desktop, csp)
    await duplicates.get_by_role("link", name="Merge Dana Okafor into this profile").click()

    await expect(page.get_by_role("heading", level=1)).to_have_text(
        "Merge Dana Okafor into Dana R. Okafor?"
    )
    await expect(page.get_by_text("1 application(s): Harbour pilot (Applied)")).to_be_visible()
    from_duplicate = page.get_by_text("(415) 555-0100")
    await expect(from_duplicate).to_contain_text(f"Dana.Okafor-{run}@Example.TEST")
    await no_csp_violations(desktop, csp)
    await page.get_by_role("button", name="Merge the records").click()

    await expect(page.get_by_role("heading", level=1)).to_have_text("Dana R. Okafor")
    await expect(page.locator("#toasts .toast-success")).to_contain_text("Records merged")
    assert f"/candidates/{second_id}?" in page.url
    await expect(page.get_by_role("region", name="Possible duplicates")).to_have_count(0)
    applications = page.locator("section[aria-labelledby='applications-title']")
    await expect(applications.get_by_role("link", name="Harbour pilot")).to_be_visible()
    await no_csp_violations(desktop, csp)

    assert csp == []
    assert desktop.console_errors() == []
    async with Database(engine).transaction() as session:
        merged = await session.get(Candidate, first.id)
        assert merged is not None
        assert merged.merged_into_id == second_id
        moved = await session.scalar(
            select(Application.candidate_id).where(Application.job_id == job.id)
        )
        assert moved == second_id
