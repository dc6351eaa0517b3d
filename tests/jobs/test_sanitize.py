"""The description sanitizer keeps the allow-list and drops everything that could run."""

from __future__ import annotations

import pytest

from hireflow.jobs.sanitize import sanitize_description


@pytest.mark.parametrize(
    ("html", "expected"),
    [
        ("<p>Hi <script>alert(1)</script>there</p>", "<p>Hi there</p>"),
        ('<p><img src="x" onerror="alert(1)">text</p>', "<p>text</p>"),
        ('<p onclick="x()" style="color:red">text</p>', "<p>text</p>"),
        (
            '<a href="javascript:alert(1)">x</a>',
            '<a rel="noopener noreferrer nofollow">x</a>',
        ),
        (
            '<a href="https://example.com" target="_blank" rel="opener">x</a>',
            '<a href="https://example.com" rel="noopener noreferrer nofollow">x</a>',
        ),
        (
            '<a href="mailto:jobs@example.com">mail</a>',
            '<a href="mailto:jobs@example.com" rel="noopener noreferrer nofollow">mail</a>',
        ),
        ("<h1>Big</h1><h2>Ok</h2>", "Big<h2>Ok</h2>"),
        ("<style>p{}</style><iframe src=x></iframe><p>a</p>", "<p>a</p>"),
        (
            "<ul><li><strong>a</strong></li></ul><ol><li><em>b</em></li></ol>",
            "<ul><li><strong>a</strong></li></ul><ol><li><em>b</em></li></ol>",
        ),
        ("<blockquote>q</blockquote><pre><code>x</code></pre><br>", None),
        ("   ", ""),
    ],
)
def test_sanitize(html: str, expected: str | None) -> None:
    result = sanitize_description(html)
    assert result == (expected if expected is not None else html)
    assert "script" not in result
    assert "javascript" not in result
    assert "onerror" not in result
