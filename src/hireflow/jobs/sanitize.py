"""Job descriptions are rich text: whatever HTML comes in is reduced to an allow-list of tags
(paragraphs, emphasis, lists, headings, links, quotes, code) before it is stored, so pages and
the careers site can show it as it is."""

from __future__ import annotations

import html as htmllib
import re

import nh3

ALLOWED_TAGS = frozenset(
    {
        "p",
        "br",
        "strong",
        "em",
        "ul",
        "ol",
        "li",
        "h2",
        "h3",
        "h4",
        "a",
        "blockquote",
        "code",
        "pre",
    }
)
ALLOWED_ATTRIBUTES = {"a": {"href"}}
ALLOWED_URL_SCHEMES = frozenset({"http", "https", "mailto"})
LINK_REL = "noopener noreferrer nofollow"


def sanitize_description(html: str) -> str:
    """`html` with only the allowed tags and attributes; links get `rel` set, and any URL
    scheme other than http, https and mailto is dropped (so no `javascript:` links). Text of
    removed tags stays; the content of `<script>` and `<style>` goes entirely."""
    if not html.strip():
        return ""
    return nh3.clean(
        html,
        tags=set(ALLOWED_TAGS),
        attributes={tag: set(names) for tag, names in ALLOWED_ATTRIBUTES.items()},
        url_schemes=set(ALLOWED_URL_SCHEMES),
        link_rel=LINK_REL,
        clean_content_tags={"script", "style"},
        strip_comments=True,
    ).strip()


_BLOCK_END = re.compile(r"(?i)<br\s*/?>|</(p|li|h2|h3|h4|blockquote|pre)>")


def description_text(html: str) -> str:
    """The plain text of a stored description (for AI interviews and other text-only uses):
    block ends become line breaks, tags go, entities are decoded."""
    if not html.strip():
        return ""
    with_breaks = _BLOCK_END.sub("\n", html)
    text = htmllib.unescape(nh3.clean(with_breaks, tags=set(), clean_content_tags={"script"}))
    lines = (line.strip() for line in text.splitlines())
    return "\n".join(line for line in lines if line)
