"""Rendering email templates safely: a bounded subset of Jinja in a sandbox, the branded
layout around the HTML, the footer (with the unsubscribe link of non-transactional mail) and
the tracking instrumentation of the HTML part.

Organizations write templates, so a template is checked before it is saved or previewed:
it must parse, use only documented variables, and use only output, `if`/`elif`/`else`,
comparisons, `and`/`or`/`not`, `~`, inline `x if c else y` and a few filters. There are no
loops, calls, attribute or item access, assignments or includes, so rendering takes time in
proportion to the template and cannot reach Python objects.
"""

from __future__ import annotations

import functools
import html as html_lib
import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass

from jinja2 import (
    Environment,
    StrictUndefined,
    Template,
    TemplateError,
    TemplateSyntaxError,
    meta,
    nodes,
)
from jinja2.sandbox import ImmutableSandboxedEnvironment
from markupsafe import Markup

from hireflow.errors import Invalid
from hireflow.notifications.catalog import MessageKind

MAX_SUBJECT_LENGTH = 300
MAX_BODY_BYTES = 100_000
# A rendered body: variables may repeat, so more than the template, but still bounded.
MAX_RENDERED_BYTES = 1_000_000
ALLOWED_FILTERS = frozenset(
    {"upper", "lower", "title", "capitalize", "trim", "default", "truncate", "e", "escape"}
)
_ALLOWED_NODES: tuple[type[nodes.Node], ...] = (
    nodes.Template,
    nodes.Output,
    nodes.TemplateData,
    nodes.Name,
    nodes.Const,
    nodes.If,
    nodes.Compare,
    nodes.Operand,
    nodes.And,
    nodes.Or,
    nodes.Not,
    nodes.Filter,
    nodes.Keyword,
    nodes.CondExpr,
    nodes.Concat,
)
FIELDS = ("subject", "text_body", "html_body")
DEFAULT_BRAND_COLOR = "#3b4fd8"
_COLOR = re.compile(r"#[0-9a-fA-F]{6}")


def _environment(*, autoescape: bool) -> ImmutableSandboxedEnvironment:
    environment = ImmutableSandboxedEnvironment(
        undefined=StrictUndefined, autoescape=autoescape, keep_trailing_newline=True
    )
    # Only the whitelisted filters exist; no globals (range, dict, lipsum, …), no tests.
    environment.filters = {
        name: f for name, f in environment.filters.items() if name in ALLOWED_FILTERS
    }
    environment.globals = {}
    return environment


class TemplateInvalid(Invalid):
    """A template outside the language, with unknown variables, or breaking a limit."""

    code = "template-invalid"
    title = "The email template is not valid"


_TEXT = _environment(autoescape=False)
_HTML = _environment(autoescape=True)


@dataclass(frozen=True)
class Content:
    """A template's three parts (as an organization saved them, or the default)."""

    subject: str
    text_body: str
    html_body: str


@dataclass(frozen=True)
class Branding:
    organization_name: str
    brand_color: str = DEFAULT_BRAND_COLOR
    logo_url: str | None = None

    def variables(self) -> dict[str, str]:
        return {
            "organization_name": self.organization_name,
            "brand_color": self.brand_color,
            "logo_url": self.logo_url or "",
        }


PLATFORM_BRANDING = Branding("hireflow")


def branding(organization_name: str, brand_color: object, logo_url: object) -> Branding:
    """Branding from stored settings, re-checked: the colour goes into a style attribute."""
    color = brand_color if isinstance(brand_color, str) and _COLOR.fullmatch(brand_color) else ""
    logo = logo_url if isinstance(logo_url, str) and logo_url.startswith("https://") else None
    return Branding(organization_name, color or DEFAULT_BRAND_COLOR, logo)


@dataclass(frozen=True)
class Rendered:
    subject: str
    text: str
    html: str


def default_content(kind: MessageKind) -> Content:
    return Content(kind.subject, kind.text, kind.html)


# --- checking a template ------------------------------------------------------------------------


def _walk(node: nodes.Node) -> Iterator[nodes.Node]:
    yield node
    for child in node.iter_child_nodes():
        yield from _walk(child)


def _refuse(field: str, detail: str, line: int | None = None) -> TemplateInvalid:
    extra: dict[str, object] = {"field": field}
    if line is not None:
        extra["line"] = line
        detail = f"Line {line}: {detail}"
    return TemplateInvalid(detail, extra=extra)


def _describe(node: nodes.Node) -> str:
    if isinstance(node, nodes.For):
        return "Loops ({% for %}) are not allowed."
    if isinstance(node, nodes.Getattr | nodes.Getitem):
        return "Attribute and item access (x.y, x['y']) are not allowed: use plain variables."
    if isinstance(node, nodes.Call):
        return "Calling functions or methods is not allowed."
    if isinstance(node, nodes.Assign | nodes.AssignBlock):
        return "{% set %} is not allowed."
    if isinstance(node, nodes.Macro | nodes.CallBlock):
        return "Macros are not allowed."
    if isinstance(node, nodes.Include | nodes.Import | nodes.FromImport | nodes.Extends):
        return "Including, importing or extending templates is not allowed."
    if isinstance(node, nodes.Block):
        return "Blocks are not allowed."
    return f"This construct ({type(node).__name__}) is not allowed in email templates."


def check_template(source: str, field: str, allowed: Mapping[str, str]) -> None:
    """`Invalid` (naming `field`, and the line when known) unless `source` is a template of the
    allowed language that uses only the `allowed` variables."""
    if len(source.encode()) > MAX_BODY_BYTES:
        raise _refuse(field, f"A template has at most {MAX_BODY_BYTES // 1000} KB.")
    if "\x00" in source:
        raise _refuse(field, "A template cannot contain NUL characters.")
    environment = _HTML if field == "html_body" else _TEXT
    try:
        tree = environment.parse(source)
    except TemplateSyntaxError as exc:
        raise _refuse(field, exc.message or "The template does not parse.", exc.lineno) from exc
    for node in _walk(tree):
        if not isinstance(node, _ALLOWED_NODES):
            raise _refuse(field, _describe(node), node.lineno)
        if isinstance(node, nodes.Name) and node.ctx != "load":
            raise _refuse(field, "Assigning variables is not allowed.", node.lineno)
        if isinstance(node, nodes.Filter):
            if node.name not in ALLOWED_FILTERS:
                allowed_filters = ", ".join(sorted(ALLOWED_FILTERS))
                raise _refuse(
                    field,
                    f"The filter “{node.name}” is not allowed (allowed: {allowed_filters}).",
                    node.lineno,
                )
            if node.dyn_args is not None or node.dyn_kwargs is not None:
                raise _refuse(field, "Filter arguments must be plain values.", node.lineno)
            for argument in [*node.args, *(k.value for k in node.kwargs)]:
                if not isinstance(argument, nodes.Const):
                    raise _refuse(field, "Filter arguments must be plain values.", node.lineno)
    unknown = sorted(meta.find_undeclared_variables(tree) - set(allowed))
    if unknown:
        raise TemplateInvalid(
            f"Unknown variables: {', '.join(unknown)}. Available: {', '.join(sorted(allowed))}.",
            extra={"field": field, "unknown_variables": unknown},
        )


def check_content(kind: MessageKind, content: Content) -> None:
    """Every part of `content` checked for `kind`, then rendered with the sample values (which
    catches a subject that renders too long or a filter given the wrong arguments)."""
    if not content.subject.strip():
        raise _refuse("subject", "A subject is required.")
    if len(content.subject) > MAX_SUBJECT_LENGTH:
        raise _refuse("subject", f"A subject has at most {MAX_SUBJECT_LENGTH} characters.")
    if "\r" in content.subject or "\n" in content.subject:
        raise _refuse("subject", "A subject cannot contain line breaks.")
    for field in FIELDS:
        check_template(getattr(content, field), field, kind.allowed_variables)
    render(kind, content, kind.sample_values, PLATFORM_BRANDING)


# --- rendering ----------------------------------------------------------------------------------


@functools.lru_cache(maxsize=512)
def _compiled(source: str, html: bool) -> Template:
    """Compiling is most of a render's cost; the same few templates render again and again."""
    return (_HTML if html else _TEXT).from_string(source)


def _render_part(source: str, field: str, variables: Mapping[str, object]) -> str:
    try:
        result = _compiled(source, field == "html_body").render(variables)
    except (TemplateError, TypeError, ValueError, OverflowError) as exc:
        raise _refuse(field, f"The template does not render: {exc}") from exc
    if len(result.encode()) > MAX_RENDERED_BYTES:
        raise _refuse(field, "The rendered email is too large.")
    return result


_LAYOUT = Environment(autoescape=True, undefined=StrictUndefined).from_string(
    """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{ subject }}</title>
</head>
<body style="margin:0;padding:0;background-color:#f4f5f7;">
<table role="presentation" width="100%" cellpadding="0" cellspacing="0" border="0" \
style="background-color:#f4f5f7;">
<tr><td align="center" style="padding:24px 12px;">
<table role="presentation" width="600" cellpadding="0" cellspacing="0" border="0" \
style="max-width:600px;width:100%;background-color:#ffffff;border-radius:8px;\
border-top:6px solid {{ brand_color }};">
<tr><td style="padding:24px 32px 0 32px;font-family:Helvetica,Arial,sans-serif;">
{%- if logo_url %}
<img src="{{ logo_url }}" alt="{{ organization_name }}" height="40" \
style="display:block;height:40px;border:0;">
{%- else %}
<strong style="font-size:18px;color:{{ brand_color }};">{{ organization_name }}</strong>
{%- endif %}
</td></tr>
<tr><td style="padding:16px 32px 24px 32px;font-family:Helvetica,Arial,sans-serif;\
font-size:15px;line-height:1.5;color:#1f2330;">
{{ body }}
</td></tr>
<tr><td style="padding:16px 32px;border-top:1px solid #e6e8ee;\
font-family:Helvetica,Arial,sans-serif;font-size:12px;line-height:1.5;color:#6b7080;">
{{ footer }}
{%- if unsubscribe_url %}
<br>You receive this email because {{ organization_name }} contacted you. \
<a href="{{ unsubscribe_url }}" style="color:#6b7080;">Unsubscribe</a> from its emails.
{%- endif %}
</td></tr>
</table>
</td></tr>
</table>
</body>
</html>
"""
)


def _footer(branding: Branding) -> str:
    if branding is PLATFORM_BRANDING or branding.organization_name == "hireflow":
        return "Sent by hireflow."
    return f"Sent by {branding.organization_name} with hireflow."


def render(
    kind: MessageKind,
    content: Content,
    variables: Mapping[str, object],
    branding: Branding,
    *,
    unsubscribe_url: str | None = None,
) -> Rendered:
    """The email of `kind` from `content`: subject, the text with its footer and the HTML in
    the branded layout. `Invalid` when a part does not render or breaks a limit."""
    values = {**branding.variables(), **variables} if kind.organization_scoped else variables
    subject = _render_part(content.subject, "subject", values).strip()
    if "\r" in subject or "\n" in subject:
        raise _refuse("subject", "The subject renders with a line break.")
    if not subject:
        raise _refuse("subject", "The subject renders empty.")
    if len(subject) > MAX_SUBJECT_LENGTH:
        raise _refuse(
            "subject", f"The subject renders longer than {MAX_SUBJECT_LENGTH} characters."
        )
    text = _render_part(content.text_body, "text_body", values).rstrip("\n")
    text = f"{text}\n\n-- \n{_footer(branding)}\n"
    if unsubscribe_url:
        text += f"Unsubscribe from {branding.organization_name}'s emails: {unsubscribe_url}\n"
    body = _render_part(content.html_body, "html_body", values)
    page = _LAYOUT.render(
        subject=subject,
        body=Markup(body),  # noqa: S704 - rendered by the autoescaping sandbox above
        footer=_footer(branding),
        unsubscribe_url=unsubscribe_url,
        **branding.variables(),
    )
    return Rendered(subject=subject, text=text, html=page)


# --- tracking -----------------------------------------------------------------------------------

_HREF = re.compile(r"""(<a\b[^>]*?\bhref\s*=\s*)(["'])(https?://[^"']+)\2""", re.IGNORECASE)


def instrument(
    page: str, *, click_url: Callable[[str], str], pixel_url: str, keep: frozenset[str]
) -> str:
    """`page` with every http(s) link (except those in `keep`, such as the unsubscribe link)
    going through its click redirect, and the open pixel before `</body>`."""

    def rewrite(match: re.Match[str]) -> str:
        target = html_lib.unescape(match.group(3))
        if target in keep:
            return match.group(0)
        quote = match.group(2)
        return f"{match.group(1)}{quote}{html_lib.escape(click_url(target))}{quote}"

    rewritten = _HREF.sub(rewrite, page)
    pixel = (
        f'<img src="{html_lib.escape(pixel_url)}" width="1" height="1" alt="" '
        'style="display:block;width:1px;height:1px;border:0;">'
    )
    if "</body>" in rewritten:
        return rewritten.replace("</body>", f"{pixel}\n</body>", 1)
    return rewritten + pixel
