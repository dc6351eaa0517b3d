"""`hireflow.kit.csv_rows.read_csv`: rows keyed by normalized columns, with line numbers."""

from __future__ import annotations

import pytest

from hireflow.errors import Invalid
from hireflow.kit.csv_rows import CsvTable, read_csv

KNOWN = frozenset({"full_name", "email"})
REQUIRED = frozenset({"full_name"})


def _read(data: bytes, max_rows: int = 100) -> CsvTable:
    return read_csv(data, max_rows=max_rows, required=REQUIRED, known=KNOWN)


def test_rows_keep_their_lines_and_normalized_columns() -> None:
    table = _read(b"\xef\xbb\xbf Full  Name ,EMAIL\nAda, a@x.test \n\n,\nGrace,g@x.test\n")
    assert table.columns == ["full_name", "email"]
    assert [(r.line, r.values) for r in table.rows] == [
        (2, {"full_name": "Ada", "email": "a@x.test"}),
        (5, {"full_name": "Grace", "email": "g@x.test"}),
    ]
    assert table.errors == []


def test_semicolon_files_and_wrong_field_counts() -> None:
    table = _read(b"full_name;email\nAda;a@x.test\nToo;many;fields\n")
    assert [r.values for r in table.rows] == [{"full_name": "Ada", "email": "a@x.test"}]
    assert [(e.line, e.column) for e in table.errors] == [(3, None)]


def test_multiline_fields_keep_the_line_they_start_on() -> None:
    table = _read(b'full_name,email\n"Ada\nLovelace",a@x.test\nGrace,g@x.test\n')
    assert [(r.line, r.values["full_name"]) for r in table.rows] == [
        (2, "Ada\nLovelace"),
        (4, "Grace"),
    ]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "empty"),
        (b"\xff\xfe\x00a", "UTF-8"),
        (b"full_name\x00\n", "binary"),
        (b"email\na@x.test\n", "Required columns are missing: full_name"),
        (b"full_name,age\nA,3\n", "Unknown columns: age"),
        (b"full_name,Full Name\nA,B\n", "more than once"),
        (b"full_name\n", "no rows"),
    ],
)
def test_unreadable_files(data: bytes, message: str) -> None:
    with pytest.raises(Invalid) as refused:
        _read(data)
    assert message in refused.value.detail


def test_row_limit() -> None:
    with pytest.raises(Invalid) as refused:
        _read(b"full_name\n" + b"A\n" * 11, max_rows=10)
    assert "more than 10" in refused.value.detail
