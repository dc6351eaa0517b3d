"""The web layer over HTTP: home page, styleguide, error page, htmx toasts, template macros."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from html.parser import HTMLParser

import httpx
import pytest
from asgi_lifespan import LifespanManager
from fastapi import FastAPI

from hireflow.app import create_app
from hireflow.config import Settings
from hireflow.web.pages import STYLEGUIDE_FAILURE, STYLEGUIDE_PAGE_COUNT
from hireflow.web.templating import WEB_DIR, templates

HTML = {"accept": "text/html"}
HTMX = {"hx-request": "true", "accept": "text/html"}


class Markup(HTMLParser):
    """The parts of a page the tests look at: links, headings, and anything the CSP would block."""

    def __init__(self, text: str) -> None:
        super().__init__()
        self.links: list[str] = []
        self.ids: list[str] = []
        self.csp_offences: list[str] = []
        self.h1: list[str] = []
        self._in_h1 = False
        self.feed(text)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        names = dict(attrs)
        if tag == "a" and names.get("href"):
            self.links.append(names["href"] or "")
        if names.get("id"):
            self.ids.append(names["id"] or "")
        if tag == "script" and not names.get("src"):
            self.csp_offences.append("inline <script>")
        if tag == "style":
            self.csp_offences.append("<style> element")
        for name, _ in attrs:
            if name == "style" or name.startswith("on"):
                self.csp_offences.append(f"{name}= on <{tag}>")
        if tag == "h1":
            self._in_h1 = True
            self.h1.append("")

    def handle_endtag(self, tag: str) -> None:
        if tag == "h1":
            self._in_h1 = False

    def handle_data(self, data: str) -> None:
        if self._in_h1:
            self.h1[-1] += data


def assert_html(response: httpx.Response, status: int = 200) -> Markup:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("text/html")
    return Markup(response.text)


# --- home page ---------------------------------------------------------------------------


async def test_home_page_is_html_with_the_product_heading(client: httpx.AsyncClient) -> None:
    page = assert_html(await client.get("/", headers=HTML))
    assert page.h1 == ["Hiring, end to end, on your own servers"]
    assert "/api/docs" in page.links
    assert "/healthz" in page.links


async def test_home_page_links_only_to_addresses_that_answer(client: httpx.AsyncClient) -> None:
    # The home page must not link to pages this version does not have.
    page = assert_html(await client.get("/", headers=HTML))
    internal = sorted({link for link in page.links if link.startswith("/")})
    assert internal, "the home page links to the install's own pages"
    for link in internal:
        response = await client.get(link, headers=HTML)
        assert response.status_code == 200, f"{link} answered {response.status_code}"
    assert not [link for link in page.links if not link.startswith(("/", "#"))]


async def test_the_favicon_is_served(client: httpx.AsyncClient) -> None:
    response = await client.get("/static/favicon.svg")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("image/svg+xml")


# --- CSP: no inline scripts, styles or handlers ------------------------------------------


@pytest.mark.parametrize(
    ("path", "status"),
    [
        ("/", 200),
        ("/styleguide", 200),
        (f"/styleguide?page={STYLEGUIDE_PAGE_COUNT}", 200),
        ("/no/such/page", 404),
    ],
)
async def test_pages_have_nothing_the_csp_blocks(
    client: httpx.AsyncClient, path: str, status: int
) -> None:
    response = await client.get(path, headers=HTML)
    page = assert_html(response, status)
    assert page.csp_offences == []
    assert "script-src 'self'" in response.headers["content-security-policy"]


def test_no_template_has_inline_script_style_or_handlers() -> None:
    offending = re.compile(
        r"<script(?![^>]*\bsrc=)[^>]*>|<style\b|\sstyle\s*=|\son[a-z]+\s*=", re.IGNORECASE
    )
    templates_dir = WEB_DIR / "templates"
    checked = 0
    for path in templates_dir.rglob("*.html"):
        if path.name == "api_docs.html":  # Swagger UI's page, with its own relaxed CSP
            continue
        checked += 1
        found = offending.findall(path.read_text())
        assert not found, f"{path.relative_to(templates_dir)}: {found}"
    assert checked >= 5


# --- styleguide --------------------------------------------------------------------------


async def test_styleguide_shows_every_component(client: httpx.AsyncClient) -> None:
    response = await client.get("/styleguide", headers=HTML)
    page = assert_html(response)
    assert page.h1 == ["Styleguide"]
    for component in [
        'class="button button-danger"',
        "disabled>Disabled</button>",
        'aria-busy="true"',
        'class="table-wrap"',
        'class="empty-state"',
        'class="pagination"',
        "badge badge-success badge-dot",
        'class="toast toast-error"',
        'class="callout callout-warning"',
        "<fieldset>",
        'aria-invalid="true"',
        'hx-post="/styleguide/fail"',
    ]:
        assert component in response.text, component
    # Ids are unique, so every aria-describedby/for points at one element.
    assert len(page.ids) == len(set(page.ids))


async def test_styleguide_pagination_marks_the_current_page(client: httpx.AsyncClient) -> None:
    response = await client.get("/styleguide?page=6", headers=HTML)
    page = assert_html(response)
    assert '<a href="/styleguide?page=6" aria-current="page"' in response.text
    assert "/styleguide?page=5" in page.links
    assert "/styleguide?page=7" in page.links
    assert f"/styleguide?page={STYLEGUIDE_PAGE_COUNT}" in page.links


async def test_styleguide_rejects_a_page_out_of_range(client: httpx.AsyncClient) -> None:
    response = await client.get(f"/styleguide?page={STYLEGUIDE_PAGE_COUNT + 1}", headers=HTML)
    page = assert_html(response, 422)
    assert page.h1 == ["Validation failed"]


async def test_styleguide_stays_out_of_the_api_schema(client: httpx.AsyncClient) -> None:
    paths = (await client.get("/api/openapi.json")).json()["paths"]
    assert not [path for path in paths if path.startswith("/styleguide")]


@pytest.fixture
async def production_client(
    database_url: str, test_settings: Settings
) -> AsyncIterator[httpx.AsyncClient]:
    # Its own app (these routes don't touch the database, so no per-test transaction is needed).
    app: FastAPI = create_app(
        database_url, test_settings.model_copy(update={"environment": "production"})
    )
    async with LifespanManager(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
            yield client


async def test_styleguide_does_not_exist_in_production(
    production_client: httpx.AsyncClient,
) -> None:
    assert_html(await production_client.get("/styleguide", headers=HTML), 404)
    response = await production_client.post("/styleguide/fail", headers=HTMX)
    assert response.status_code == 404
    home = assert_html(await production_client.get("/", headers=HTML))
    assert "/styleguide" not in home.links


# --- error page and toasts ---------------------------------------------------------------


async def test_unknown_page_for_a_browser_is_the_error_page(client: httpx.AsyncClient) -> None:
    response = await client.get("/no/such/page", headers=HTML)
    page = assert_html(response, 404)
    assert page.h1 == ["Not Found"]
    assert "Error 404" in response.text
    assert f'<code class="request-id">{response.headers["x-request-id"]}</code>' in response.text
    assert "/" in page.links


async def test_failing_htmx_request_answers_with_a_toast_fragment(
    client: httpx.AsyncClient,
) -> None:
    response = await client.post("/styleguide/fail", headers=HTMX, data={"name": "Ada"})
    assert response.status_code == 422
    assert response.headers["content-type"].startswith("text/html")
    assert response.headers["hx-retarget"] == "#toasts"
    assert response.headers["hx-reswap"] == "beforeend"
    text = response.text
    assert text.lstrip().startswith('<div class="toast toast-error" role="alert"')
    assert "<html" not in text
    assert STYLEGUIDE_FAILURE in text
    assert f"<code>{response.headers['x-request-id']}</code>" in text
    assert 'class="toast-close" aria-label="Dismiss notification"' in text
    assert "data-auto-dismiss" not in text  # errors stay until dismissed


async def test_failing_form_without_javascript_gets_the_error_page(
    client: httpx.AsyncClient,
) -> None:
    response = await client.post("/styleguide/fail", headers=HTML, data={"name": "Ada"})
    page = assert_html(response, 422)
    assert page.h1 == ["The request is not valid"]
    assert STYLEGUIDE_FAILURE in response.text


async def test_successful_htmx_request_answers_with_a_success_toast(
    client: httpx.AsyncClient,
) -> None:
    response = await client.post("/styleguide/ok", headers=HTMX)
    assert response.status_code == 200
    assert "hx-retarget" not in response.headers
    assert response.text.lstrip().startswith('<div class="toast toast-success" role="status"')
    assert "data-auto-dismiss" in response.text


# --- macros ------------------------------------------------------------------------------


def render(source: str, **context: object) -> str:
    template = templates.env.from_string('{% import "partials/ui.html" as ui %}' + source)
    return template.render(**context)


def test_field_links_its_error_and_help_to_the_input() -> None:
    html = render(
        '{{ ui.field("email", "Email", type="email", value=value, required=true,'
        ' help="We send the link here.", error="Enter an email address.") }}',
        value='a"><script>x</script>',
    )
    page = Markup(html)
    assert '<label for="field-email">Email' in html
    assert 'aria-describedby="field-email-error field-email-help"' in html
    assert 'aria-invalid="true"' in html
    assert {"field-email", "field-email-error", "field-email-help"} <= set(page.ids)
    assert "<script>" not in html  # values are escaped
    assert " required" in html


def test_field_without_error_is_not_invalid() -> None:
    html = render('{{ ui.field("name", "Name", attrs={"hx-get": "/x", "autofocus": true}) }}')
    assert "aria-invalid" not in html
    assert "aria-describedby" not in html
    assert "(optional)" in html
    assert 'hx-get="/x" autofocus>' in html


def test_select_marks_the_selected_option() -> None:
    html = render(
        '{{ ui.select("stage", "Stage", [("1", "Applied"), ("2", "Offer")], selected=2,'
        ' placeholder="Choose") }}'
    )
    assert '<option value="2" selected>Offer</option>' in html
    assert '<option value="1">Applied</option>' in html
    assert '<option value="">Choose</option>' in html


def pages_in(html: str) -> list[int]:
    return [int(n) for n in re.findall(r'aria-label="Page (\d+)"', html)]


def test_pagination_shows_the_ends_and_the_neighbours_of_the_current_page() -> None:
    html = render('{{ ui.pagination(5, 10, "/jobs?status=open", total=97) }}')
    assert pages_in(html) == [1, 4, 5, 6, 10]
    assert html.count("pagination-gap") == 2
    assert '<a href="/jobs?status=open&amp;page=5" aria-current="page"' in html
    assert 'href="/jobs?status=open&amp;page=4" rel="prev"' in html
    assert 'href="/jobs?status=open&amp;page=6" rel="next"' in html
    assert "Page 5 of 10 · 97 results" in html


def test_pagination_on_the_first_page_cannot_go_back() -> None:
    html = render('{{ ui.pagination(1, 3, "/jobs") }}')
    assert pages_in(html) == [1, 2, 3]
    assert 'rel="prev"' not in html
    assert '<span class="pagination-disabled" aria-disabled="true">Previous</span>' in html
    assert 'href="/jobs?page=2" rel="next"' in html


def test_pagination_of_a_single_page_renders_nothing() -> None:
    assert render('{{ ui.pagination(1, 1, "/jobs") }}').strip() == ""


def test_empty_state_offers_its_action() -> None:
    html = render(
        '{{ ui.empty_state("No jobs yet", "Create the first job.", action_href="/jobs/new",'
        ' action_label="Create a job") }}'
    )
    assert '<h2 class="empty-state-title">No jobs yet</h2>' in html
    assert '<a class="button" href="/jobs/new">Create a job</a>' in html


def test_flashes_render_as_toasts_in_the_toast_region() -> None:
    html = templates.get_template("base.html").render(
        flashes=[{"kind": "success", "title": "Job published", "message": "It is live."}]
    )
    region = html[html.index('<div id="toasts"') :]
    assert '<div class="toast toast-success" role="status" data-auto-dismiss>' in region
    assert "Job published" in region
    assert "It is live." in region
