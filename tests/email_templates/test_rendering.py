"""The template language: checked before saving (parse errors with their line, unknown
variables, constructs outside the allowed subset, size limits), HTML escaped and text not,
the branded layout and footer, and the tracking instrumentation."""

from __future__ import annotations

import pytest

from hireflow.errors import Invalid
from hireflow.notifications.catalog import CATALOG
from hireflow.notifications.rendering import (
    MAX_BODY_BYTES,
    Branding,
    Content,
    check_content,
    check_template,
    default_content,
    instrument,
    render,
)

INVITATION = CATALOG["interview_invitation"]
ACME = Branding("Acme", "#112233", "https://acme.example/logo.png")


def _invitation_values(**overrides: str | int) -> dict[str, str | int]:
    return {**INVITATION.sample_values, **overrides}


def test_every_default_template_passes_its_own_checks() -> None:
    for kind in CATALOG.values():
        check_content(kind, default_content(kind))


def test_html_is_escaped_and_text_is_not() -> None:
    content = Content("Hi {{ candidate_name }}", "Note: {{ message }}", "<p>{{ message }}</p>")
    rendered = render(
        INVITATION, content, _invitation_values(message="<script>x</script> & co"), ACME
    )
    assert "Note: <script>x</script> & co" in rendered.text
    assert "<p>&lt;script&gt;x&lt;/script&gt; &amp; co</p>" in rendered.html
    assert "<script>x" not in rendered.html


def test_the_layout_carries_the_branding_and_the_footers() -> None:
    rendered = render(
        INVITATION,
        default_content(INVITATION),
        _invitation_values(),
        ACME,
        unsubscribe_url="https://hireflow.test/unsubscribe/tok",
    )
    assert "border-top:6px solid #112233" in rendered.html
    assert '<img src="https://acme.example/logo.png" alt="Acme"' in rendered.html
    assert 'href="https://hireflow.test/unsubscribe/tok"' in rendered.html
    assert rendered.text.endswith(
        "-- \nSent by Acme with hireflow.\n"
        "Unsubscribe from Acme's emails: https://hireflow.test/unsubscribe/tok\n"
    )
    plain = render(INVITATION, default_content(INVITATION), _invitation_values(), ACME)
    assert "Unsubscribe" not in plain.text
    assert "Unsubscribe" not in plain.html


def test_a_missing_variable_does_not_render() -> None:
    values = _invitation_values()
    del values["role"]
    with pytest.raises(Invalid, match="role"):
        render(INVITATION, default_content(INVITATION), values, ACME)


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("{% for x in role %}{{ x }}{% endfor %}", "Loops"),
        ("{{ ''.__class__ }}", "Attribute"),
        ("{{ role.upper }}", "Attribute"),
        ("{{ role['x'] }}", "Attribute"),
        ("{{ role.upper() }}", "Calling"),
        ("{{ range(10) }}", "Calling"),
        ("{% set x = 1 %}", "set"),
        ("{% macro m() %}{% endmacro %}", "Macros"),
        ("{% include 'base.html' %}", "Including"),
        ("{% extends 'base.html' %}", "Including"),
        ("{% block b %}{% endblock %}", "Blocks"),
        ("{{ role | attr('x') }}", "not allowed"),
        ("{{ role | truncate(role) }}", "plain values"),
        ("{{ 9 ** 9 }}", "not allowed"),
    ],
)
def test_constructs_outside_the_subset_are_refused(source: str, expected: str) -> None:
    with pytest.raises(Invalid, match=expected) as refused:
        check_template(source, "html_body", INVITATION.allowed_variables)
    assert refused.value.extra["field"] == "html_body"


def test_the_allowed_subset_renders() -> None:
    source = (
        "{% if message and duration_minutes > 20 %}{{ message | upper }}"
        "{% elif not role %}none{% else %}{{ role ~ '!' }}{% endif %}"
        "{{ candidate_name | truncate(5, true, '', 0) | lower }}"
        "{{ sender_name if message else '' }}"
    )
    check_template(source, "text_body", INVITATION.allowed_variables)
    rendered = render(INVITATION, Content("s", source, "<p>x</p>"), _invitation_values(), ACME)
    assert rendered.text.startswith("LOOKING FORWARD TO HEARING FROM YOU!graceAda Lovelace")


def test_a_parse_error_names_its_line() -> None:
    with pytest.raises(Invalid) as refused:
        check_template("line one\nline two {% if %}\n", "text_body", INVITATION.allowed_variables)
    assert refused.value.extra["line"] == 2
    assert refused.value.detail.startswith("Line 2:")


def test_unknown_variables_are_listed() -> None:
    with pytest.raises(Invalid) as refused:
        check_template("{{ salary }} {{ bonus }} {{ role }}", "text_body", INVITATION.variables)
    assert refused.value.extra["unknown_variables"] == ["bonus", "salary"]


def test_size_limits() -> None:
    with pytest.raises(Invalid, match="100 KB"):
        check_template("x" * (MAX_BODY_BYTES + 1), "html_body", INVITATION.allowed_variables)
    with pytest.raises(Invalid, match="300"):
        check_content(INVITATION, Content("x" * 301, "t", "h"))
    with pytest.raises(Invalid, match="line break"):
        check_content(INVITATION, Content("a\nb", "t", "h"))
    # Short as a template, too long once rendered.
    long_subject = Content("{{message}}" * 20, "t", "h")
    check_template(long_subject.subject, "subject", INVITATION.allowed_variables)
    with pytest.raises(Invalid, match="longer than 300"):
        check_content(INVITATION, long_subject)


def test_instrumenting_rewrites_web_links_only_and_adds_the_pixel() -> None:
    page = (
        '<html><body><a href="https://a.example/x?y=1&amp;z=2">A</a> '
        "<a href='mailto:hr@acme.example'>mail</a> "
        '<a href="https://hireflow.test/unsubscribe/tok">Unsubscribe</a></body></html>'
    )
    seen: list[str] = []

    def click(target: str) -> str:
        seen.append(target)
        return f"https://hireflow.test/t/c/{len(seen)}?a&b"

    result = instrument(
        page,
        click_url=click,
        pixel_url="https://hireflow.test/t/o/p.gif",
        keep=frozenset({"https://hireflow.test/unsubscribe/tok"}),
    )
    assert seen == ["https://a.example/x?y=1&z=2"]
    assert 'href="https://hireflow.test/t/c/1?a&amp;b"' in result
    assert "href='mailto:hr@acme.example'" in result
    assert 'href="https://hireflow.test/unsubscribe/tok"' in result
    assert result.endswith(
        '<img src="https://hireflow.test/t/o/p.gif" width="1" height="1" '
        'alt="" style="display:block;width:1px;height:1px;border:0;">\n'
        "</body></html>"
    )
