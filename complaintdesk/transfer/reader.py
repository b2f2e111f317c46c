"""Reading spreadsheets: ``.xlsx`` / ``.xls`` with python-calamine, ``.csv`` in UTF-8 (with or
without BOM), UTF-16 or GBK/GB18030 (detected), and finding the header among title rows, merged
header cells and blank rows.

A ``Sheet`` yields data rows as ``(row_number, cells)`` where ``row_number`` is the 1-based row
of the spreadsheet (what a person sees in Excel), so reports point at the right row.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import IO, Any

from complaintdesk.core.errors import InvalidInput

FORMATS = ("xlsx", "xls", "csv")
HEADER_SCAN_ROWS = 30
MAX_COLUMNS = 200
_XLSX_MAGIC = b"PK\x03\x04"
_XLS_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


def bad_file(message: str, detail: str) -> InvalidInput:
    return InvalidInput(message, code="bad_file", details={"file": detail})


def detect_format(name: str, head: bytes) -> str:
    """The file's format from its first bytes (the extension only separates CSV from text)."""
    if head.startswith(_XLSX_MAGIC):
        return "xlsx"
    if head.startswith(_XLS_MAGIC):
        return "xls"
    if not head:
        raise bad_file("文件为空 / The file is empty", "empty")
    if b"\x00" in head[:4096] and not head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raise bad_file("不支持的文件类型，请上传 xlsx、xls 或 csv / Unsupported file type: upload xlsx, xls or csv",
                       "unsupported")
    return "csv"


def detect_encoding(head: bytes) -> str:
    """UTF-8 (BOM or valid), UTF-16 (BOM), otherwise GB18030 (a superset of GBK and GB2312)."""
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    decoder = codecs.getincrementaldecoder("utf-8")()
    try:
        decoder.decode(head, final=False)  # a character cut at the end of the sample is fine
    except UnicodeDecodeError:
        return "gb18030"
    return "utf-8"


def _cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _is_blank(cells: list[Any]) -> bool:
    return all(_cell_text(c) == "" for c in cells)


@dataclass
class Layout:
    """Where the table is: the header row(s) and the column names."""

    headers: list[str]
    header_rows: list[int]
    first_data_row: int
    sheet_name: str = ""
    sheet_names: list[str] = field(default_factory=list)
    encoding: str = ""


class Sheet:
    """One sheet (or the CSV file) opened for reading; ``rows()`` streams the data rows."""

    def __init__(self, raw_rows: Callable[[], Iterator[list[Any]]], merged: list[tuple[int, int, int, int]],
                 *, sheet_name: str = "", sheet_names: list[str] | None = None, encoding: str = "") -> None:
        self._raw_rows = raw_rows
        self._merged = merged  # (first_row, first_col, last_row, last_col), 0-based
        self.sheet_name = sheet_name
        self.sheet_names = sheet_names or []
        self.encoding = encoding

    def head(self, count: int = HEADER_SCAN_ROWS) -> list[list[Any]]:
        out: list[list[Any]] = []
        for cells in self._raw_rows():
            out.append(cells[:MAX_COLUMNS])
            if len(out) >= count:
                break
        return out

    def layout(self, score: Callable[[str], int], header_row: int | None = None) -> Layout:
        """Find the header: the row (among the first 30) whose cells best match known column
        names, with merged header cells filled (a group title over several columns, or a name
        spanning two header rows). ``header_row`` (1-based) forces it."""
        head = self.head()
        if not head:
            raise bad_file("文件中没有数据 / The file has no rows", "no_rows")
        width = max(len(r) for r in head)
        grid = [[_cell_text(c) for c in r] + [""] * (width - len(r)) for r in head]
        filled = [row[:] for row in grid]
        for r0, c0, r1, c1 in self._merged:
            if r0 >= len(filled):
                continue
            value = grid[r0][c0] if c0 < width else ""
            for r in range(r0, min(r1, len(filled) - 1) + 1):
                for c in range(c0, min(c1, width - 1) + 1):
                    if not filled[r][c]:
                        filled[r][c] = value
        if header_row is not None:
            if not 1 <= header_row <= len(filled):
                raise InvalidInput("表头行超出范围 / header_row is outside the first rows",
                                   details={"header_row": header_row})
            best = header_row - 1
        else:
            best, best_score = -1, -1
            for index, row in enumerate(filled):
                distinct = {v for v in row if v}
                if len(distinct) < 2:
                    continue  # a title row merged across the table, or blank
                row_score = sum(10 * score(v) for v in row if v) + len(distinct)
                if row_score > best_score:  # ties: the first (upper) row wins
                    best, best_score = index, row_score
            if best < 0:
                best = next((i for i, row in enumerate(filled) if any(row)), 0)
        header_rows = [best]
        names = filled[best][:]
        # Names merged down from the row above (a two-row header): that row is header too.
        if best > 0 and any(r0 <= best - 1 and r1 >= best and r0 < len(filled) for r0, _, r1, _ in self._merged):
            header_rows.insert(0, best - 1)
        # A header cell left empty under a group title (no merge information, e.g. CSV): take the
        # cell above it.
        if best > 0:
            for c, name in enumerate(names):
                if not name and filled[best - 1][c]:
                    names[c] = filled[best - 1][c]
                    if best - 1 not in header_rows:
                        header_rows.insert(0, best - 1)
        # A group title row with sub-headers beneath it: the next row names the grouped columns.
        nxt = best + 1
        if nxt < len(filled) and self._is_subheader(filled[best], filled[nxt], best, score):
            for c, sub in enumerate(filled[nxt]):
                if sub and sub != names[c]:
                    names[c] = sub
            header_rows.append(nxt)
        headers: list[str] = []
        seen: dict[str, int] = {}
        for c, name in enumerate(names):
            name = re.sub(r"\s+", " ", name).strip() or f"列{c + 1}"
            if name in seen:
                seen[name] += 1
                name = f"{name}({seen[name]})"
            else:
                seen[name] = 1
            headers.append(name)
        # Columns without a header and without values (formatting that reaches further right).
        while len(headers) > 1 and not names[len(headers) - 1] and all(
                len(r) < len(headers) or not r[len(headers) - 1] for r in filled[best:]):
            headers.pop()
        return Layout(headers=headers, header_rows=[h + 1 for h in header_rows],
                      first_data_row=max(header_rows) + 2, sheet_name=self.sheet_name,
                      sheet_names=self.sheet_names, encoding=self.encoding)

    def _is_subheader(self, row: list[str], below: list[str], row_index: int, score: Callable[[str], int]) -> bool:
        """``below`` names sub-columns when it only fills columns under horizontally merged cells
        of ``row`` and matches known names there."""
        spans = [(c0, c1) for r0, c0, r1, c1 in self._merged if r0 <= row_index <= r1 and c1 > c0]
        if not spans:
            return False
        hits = 0
        for c, value in enumerate(below):
            if not value or value == row[c]:
                continue
            if not any(c0 <= c <= c1 for c0, c1 in spans):
                return False
            hits += score(value)
        return hits > 0

    def rows(self, layout: Layout, *, after_row: int = 0) -> Iterator[tuple[int, list[Any]]]:
        """Data rows below the header as ``(row_number, cells)``; blank rows skipped, and rows up
        to ``after_row`` (a resumed import) too."""
        width = len(layout.headers)
        start = max(layout.first_data_row, after_row + 1)
        for index, cells in enumerate(self._raw_rows(), start=1):
            if index < start:
                continue
            cells = list(cells[:width])
            if len(cells) < width:
                cells += [None] * (width - len(cells))
            if _is_blank(cells):
                continue
            yield index, cells


def open_sheet(path_or_file: str | IO[bytes], file_format: str, *, sheet: str | int | None = None) -> Sheet:
    """Open the file for reading; bad or unreadable files raise ``bad_file`` (422)."""
    if file_format == "csv":
        return _open_csv(path_or_file)
    if file_format not in ("xlsx", "xls"):
        raise bad_file("不支持的文件类型 / Unsupported file type", file_format)
    from python_calamine import CalamineWorkbook

    try:
        if isinstance(path_or_file, str):
            book = CalamineWorkbook.from_path(path_or_file)
        else:
            book = CalamineWorkbook.from_filelike(path_or_file)
        names = list(book.sheet_names)
        if not names:
            raise bad_file("工作簿没有工作表 / The workbook has no sheets", "no_sheets")
        if sheet is None or sheet == "":
            chosen = book.get_sheet_by_index(0)
        elif isinstance(sheet, int) or (isinstance(sheet, str) and sheet.isdigit() and sheet not in names):
            index = int(sheet)
            if not 0 <= index < len(names):
                raise InvalidInput("工作表不存在 / No such sheet", details={"sheet": sheet, "sheets": names})
            chosen = book.get_sheet_by_index(index)
        else:
            if sheet not in names:
                raise InvalidInput("工作表不存在 / No such sheet", details={"sheet": sheet, "sheets": names})
            chosen = book.get_sheet_by_name(sheet)
    except InvalidInput:
        raise
    except Exception as exc:  # calamine raises its own error types for corrupt files
        raise bad_file("无法读取该电子表格（文件已损坏或加密） / The spreadsheet cannot be read (corrupt or encrypted)",
                       type(exc).__name__) from exc
    merged: list[tuple[int, int, int, int]] = []
    try:
        for (r0, c0), (r1, c1) in chosen.merged_cell_ranges or []:
            merged.append((int(r0), int(c0), int(r1), int(c1)))
    except Exception:  # .xls and older files may not report merges; the fallback rules apply
        merged = []
    # Merges are in sheet coordinates; ``iter_rows`` starts at the used range, so the rows and
    # columns above/left of it are padded back in and row numbers stay the ones Excel shows.
    start = getattr(chosen, "start", None) or (0, 0)
    offset_rows, offset_cols = int(start[0]), int(start[1])

    def raw_rows() -> Iterator[list[Any]]:
        for _ in range(offset_rows):
            yield []
        for cells in chosen.iter_rows():
            yield [None] * offset_cols + list(cells) if offset_cols else list(cells)

    return Sheet(raw_rows, merged, sheet_name=chosen.name, sheet_names=names)


def _open_csv(path_or_file: str | IO[bytes]) -> Sheet:
    def open_binary() -> IO[bytes]:
        if isinstance(path_or_file, str):
            return open(path_or_file, "rb")
        path_or_file.seek(0)
        return path_or_file

    stream = open_binary()
    head = stream.read(64 * 1024)
    if isinstance(path_or_file, str):
        stream.close()
    encoding = detect_encoding(head)
    try:
        sample = head.decode(encoding, errors="ignore")
    except LookupError:  # pragma: no cover - all three codecs exist
        sample = head.decode("utf-8", errors="ignore")
    first_lines = "\n".join(sample.splitlines()[:20])
    delimiter = ","
    counts = {d: first_lines.count(d) for d in (",", "\t", ";", "|")}
    if counts[","] == 0 and max(counts.values()) > 0:
        delimiter = max(counts, key=lambda d: counts[d])

    def raw_rows() -> Iterator[list[Any]]:
        binary = open_binary()
        text = io.TextIOWrapper(binary, encoding=encoding, errors="replace", newline="")
        try:
            yield from csv.reader(text, delimiter=delimiter)
        except csv.Error as exc:
            raise bad_file(f"CSV 格式错误 / Malformed CSV: {exc}", "malformed_csv") from exc
        finally:
            text.detach()
            if isinstance(path_or_file, str):
                binary.close()

    return Sheet(raw_rows, [], sheet_name="csv", sheet_names=["csv"], encoding=encoding)
