"""Reading an uploaded CSV file into rows keyed by normalized column names, with the file's
line numbers kept for error reports. Domain-free: callers validate the values."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass

from hireflow.errors import Invalid


@dataclass(frozen=True)
class CsvRow:
    line: int  # the line of the file the row starts on (the header is line 1)
    values: dict[str, str]


@dataclass(frozen=True)
class CsvRowError:
    line: int
    column: str | None
    message: str

    def as_dict(self) -> dict[str, object]:
        return {"line": self.line, "column": self.column, "message": self.message}


@dataclass(frozen=True)
class CsvTable:
    columns: list[str]
    rows: list[CsvRow]
    errors: list[CsvRowError]  # rows that could not be read at all (wrong number of fields)


def normalize_column(name: str) -> str:
    return "_".join(name.strip().lower().replace("-", " ").split())


def _delimiter(text: str) -> str:
    """The delimiter the header row uses: the commonest of comma, semicolon and tab in it.
    (Sniffing whole lines fails as soon as one row has a wrong number of fields.)"""
    header = text.lstrip("\r\n").splitlines()[0] if text.strip() else ""
    counts = {d: header.count(d) for d in ",;\t"}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else ","


def read_csv(
    data: bytes, *, max_rows: int, required: frozenset[str], known: frozenset[str]
) -> CsvTable:
    """Raises `Invalid` for a file that cannot be read as a whole (encoding, header, size);
    rows with the wrong number of fields are returned in `errors`."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise Invalid("The CSV file must be UTF-8 encoded text.") from exc
    if "\x00" in text:
        raise Invalid("This is not a CSV file (it contains binary data).")
    if not text.strip():
        raise Invalid("The CSV file is empty.")
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(text))
    try:
        header = next(reader)
    except (StopIteration, csv.Error) as exc:
        raise Invalid("The CSV file has no readable header row.") from exc
    columns = [normalize_column(name) for name in header]
    duplicated = sorted({c for c in columns if columns.count(c) > 1 and c})
    if duplicated:
        raise Invalid(f"Columns appear more than once: {', '.join(duplicated)}.")
    missing = sorted(required - set(columns))
    if missing:
        raise Invalid(
            f"Required columns are missing: {', '.join(missing)}.",
            extra={"missing_columns": missing, "known_columns": sorted(known)},
        )
    unknown = sorted(c for c in columns if c and c not in known)
    if unknown:
        raise Invalid(
            f"Unknown columns: {', '.join(unknown)}. Known columns: {', '.join(sorted(known))}.",
            extra={"unknown_columns": unknown, "known_columns": sorted(known)},
        )
    rows: list[CsvRow] = []
    errors: list[CsvRowError] = []
    try:
        while True:
            line = reader.line_num + 1
            try:
                fields = next(reader)
            except StopIteration:
                break
            if not any(field.strip() for field in fields):
                continue
            if len(rows) + len(errors) >= max_rows:
                raise Invalid(f"The file has more than {max_rows:,} rows; split it up.")
            if len(fields) != len(columns):
                errors.append(
                    CsvRowError(line, None, f"Expected {len(columns)} fields, found {len(fields)}.")
                )
                continue
            rows.append(
                CsvRow(line, {c: f.strip() for c, f in zip(columns, fields, strict=True) if c})
            )
    except csv.Error as exc:
        raise Invalid(f"The CSV file is malformed near line {reader.line_num}: {exc}.") from exc
    if not rows and not errors:
        raise Invalid("The CSV file has a header but no rows.")
    return CsvTable(columns, rows, errors)
