"""Reading the CSV files people really have: sniffing the format, then reading in chunks.

``sniff`` looks at the first few hundred kilobytes and decides the encoding, the delimiter, the decimal mark
and whether there is a header row, and writes down why (``CsvFormat.notes``). ``read_sample`` and
``iter_chunks`` then read with pandas' C parser using exactly that format, so the sample the detector sees and
the chunks the scorer sees are parsed the same way. Every failure is a ``ScoringError`` with a message for a
person; no pandas or codec exception leaves this module.
"""

from __future__ import annotations

import codecs
import csv
import functools
import io
import os
import queue
import re
import stat
import threading
import warnings
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, replace

import numpy as np

from scoring.errors import ScoringError
from scoring.lazy import later

pd = later("pandas", globals(), "pd")  # imported when a file is read: not for --help

Source = str | os.PathLike | bytes

SNIFF_BYTES = 256 * 1024  # how much of the file the sniffer looks at
SNIFF_LINES = 200  # how many lines it parses to choose the delimiter and the header
SAMPLE_ROWS = 20_000  # rows the detector sees
SAMPLE_CELLS = 2_000_000  # and at most this many cells (rows x columns): the detector's work is bounded
#: The widest file read: more columns than any predictions file has, few enough that detection (linear in
#: the columns) takes milliseconds. Wider files are refused at once: 8,000 columns took 32 s to detect.
MAX_COLUMNS = 1000
#: The longest line read (bytes between line breaks): a single 50 MB line took 94 s and 6 GB to parse.
MAX_LINE_BYTES = 1 << 20
CHUNK_ROWS = 1 << 20  # rows per chunk when scoring: memory stays flat (tens of MB a chunk), and pandas'
# per-chunk overhead stays small (measured: 1M-row chunks parse ~25% faster than 256K-row ones)
DELIMITERS = (",", ";", "\t", "|")
DELIMITER_NAMES = {",": "comma", ";": "semicolon", "\t": "tab", "|": "pipe"}

#: Magic numbers of files people upload by mistake, and what to tell them.
_MAGIC = (
    (b"PK\x03\x04", "a ZIP archive (an Excel .xlsx workbook is one)", "In Excel use File > Save As > CSV."),
    (b"\xd0\xcf\x11\xe0", "an old Excel .xls workbook", "In Excel use File > Save As > CSV."),
    (b"PAR1", "a Parquet file", "Export it with pandas: pd.read_parquet(f).to_csv('out.csv', index=False)."),
    (b"\x1f\x8b", "a gzip-compressed file", "Decompress it first (gunzip)."),
    (b"%PDF", "a PDF document", ""),
    (b"\x89PNG", "a PNG image", ""),
    (b"\xff\xd8\xff", "a JPEG image", ""),
    (b"SQLite format 3", "an SQLite database", "Export the table as CSV."),
)

_CONTROL = bytes(b for b in range(32) if b not in (9, 10, 12, 13)) + b"\x7f"
_NUMBER = re.compile(r"^\s*[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?\s*$")
_NUMBER_COMMA = re.compile(r"^\s*[-+]?(\d+,?\d*|,\d+)([eE][-+]?\d+)?\s*$")
_SPECIAL_NUMBERS = {"nan", "inf", "-inf", "+inf", "infinity", "-infinity"}
#: Cell texts pandas reads as missing (its defaults), which count as neither text nor number.
_MISSING = {"", "na", "n/a", "nan", "null", "none", "-nan", "#n/a", "<na>", "-1.#ind", "1.#qnan", "#na"}
#: pandas' own list of them, exactly as it matches them: a number column's missing cells. A text column keeps
#: them as text (NA is Namibia, or a class), and says where they mean a missing value (see ``is_na_text``).
NA_TEXTS = ("", "#N/A", "#N/A N/A", "#NA", "-1.#IND", "-1.#QNAN", "-NaN", "-nan", "1.#IND", "1.#QNAN", "<NA>",
            "N/A", "NA", "NULL", "NaN", "None", "n/a", "nan", "null")  # fmt: skip
_NA_SET = frozenset(NA_TEXTS)


def is_na_text(text: object) -> bool:
    """Whether a cell's text is one pandas reads as a missing value (NA, NaN, null, ...)."""
    return isinstance(text, str) and text.strip() in _NA_SET
#: Header words that make a first row a header even when the columns below are not numeric.
_HEADER_WORDS = {
    "y_true", "y_pred", "target", "label", "labels", "actual", "prediction", "predicted", "pred", "y",
    "truth", "class", "score", "prob", "probability", "id", "index", "yhat", "y_hat", "logit", "output",
}  # fmt: skip


@dataclass(frozen=True)
class CsvFormat:
    """How to parse one file, and why the sniffer chose it."""

    encoding: str = "utf-8"
    delimiter: str = ","
    decimal: str = "."
    header: bool = True
    columns: tuple[str, ...] = ()
    size: int = 0
    notes: tuple[str, ...] = field(default=(), compare=False)
    #: labels the detector took from the sample alone, checked in the chunks as they are read (see
    #: ``scoring.detect.LabelCheck``); None: nothing to check
    labels: object = field(default=None, compare=False, repr=False)

    def describe(self) -> str:
        head = "a header row" if self.header else "no header row"
        return (
            f"{DELIMITER_NAMES.get(self.delimiter, repr(self.delimiter))}-separated, {self.encoding}, "
            f"decimal mark {self.decimal!r}, {head}, {len(self.columns)} columns"
        )

    def line_of(self, row: int) -> int:
        """The line number in the file of data row ``row`` (1-based), ignoring multi-line quoted cells."""
        return row + 1 if self.header else row

    def to_dict(self) -> dict:
        return {
            "encoding": self.encoding,
            "delimiter": self.delimiter,
            "decimal": self.decimal,
            "header": self.header,
            "columns": list(self.columns),
            "size_bytes": self.size,
            "notes": list(self.notes),
        }


# -- the source: a path or bytes ---------------------------------------------------------------------
def _size(source: Source) -> int:
    """The file's size; a path that is not a regular file is refused before anything opens it (a FIFO with
    no writer would block the open forever, /dev/zero the read)."""
    if isinstance(source, (bytes, bytearray, memoryview)):
        return len(source)
    try:
        st = os.stat(source)
    except OSError as exc:
        raise ScoringError("parse", f"Could not open {os.fspath(source)!s}: {exc.strerror or exc}.") from None
    if stat.S_ISDIR(st.st_mode):
        raise ScoringError("parse", f"{os.fspath(source)!s} is a folder, not a file.")
    if not stat.S_ISREG(st.st_mode):
        raise ScoringError(
            "parse", f"{os.fspath(source)!s} is not a regular file (a pipe, a socket or a device), so it "
            "cannot be read twice as detection and scoring do. Save it to a file first (cmd > preds.csv).",
        )  # fmt: skip
    return st.st_size


def _head(source: Source, n: int) -> bytes:
    if isinstance(source, (bytes, bytearray, memoryview)):
        return bytes(source[:n])
    try:
        with open(source, "rb") as fh:
            return fh.read(n)
    except OSError as exc:
        raise ScoringError("parse", f"Could not read {os.fspath(source)!s}: {exc.strerror or exc}.") from None


def _open(source: Source):
    """A binary file over ``source`` (closed by the caller)."""
    from scoring import formats  # compressed CSV (by its first bytes): decompressed as pandas reads it

    if (kind := formats.kind_of(source)) in formats.COMPRESSIONS:
        return formats.open_binary(source, kind)
    if isinstance(source, (bytes, bytearray, memoryview)):
        return io.BytesIO(bytes(source))
    try:
        # unbuffered: pandas reads 256 KB at a time, which a buffer would only copy once more (~8% of a read)
        return open(source, "rb", buffering=0)  # noqa: SIM115 - closed by the caller
    except OSError as exc:
        raise ScoringError("parse", f"Could not open {os.fspath(source)!s}: {exc.strerror or exc}.") from None


class _Guard(io.BufferedIOBase):
    """A binary file that pandas reads through, checking each block as it is read (with numpy):

    - a line longer than ``MAX_LINE_BYTES`` is refused before the parser holds it;
    - with ``fmt``, a row with more fields than the file's columns is refused by its row number. pandas drops
      such fields silently where ``usecols`` leaves them out, and on the first row with a mere warning.
      Delimiters and line breaks inside quotes do not count (a quote's parity: "" inside a quoted field keeps
      it); blank lines are skipped, as pandas skips them. Only for encodings where those are single bytes.

    With ``source`` (the file again, to read from its start) the count is left to pandas after the first
    ``EXACT_ROWS`` rows, where it can be: without ``usecols`` pandas' C parser refuses a row with more fields
    than the names itself ("Expected 2 fields in line 9, saw 3"), except the first row, which it only warns
    about. The guard then only looks for the first and last line break of each block (``bytes.find``: no
    pass over every byte in Python or numpy), which halved the time of reading a file (the counting cost as
    much as pandas' parse). Where its own message is needed -- pandas' error, a line too long -- the file is
    scanned again from its start the exact way (``rescan``), so every message is the one the count gives. A
    block with a quote in it goes back to the exact count (its state rebuilt from the start of the file
    once): where a quote is, the guard's count and pandas' may differ on odd text, and the guard's decides.
    """

    mode = "rb"  # pandas decodes a binary file itself (a text encoding other than UTF-8 included)
    EXACT_ROWS = 3  # rows counted the exact way before the count is left to pandas (header, first rows)

    def __init__(self, raw, fmt: CsvFormat | None = None, limit: int = MAX_LINE_BYTES, *,
                 source: Source | None = None):  # fmt: skip
        super().__init__()
        self.raw, self.limit = raw, limit
        self.source = source  # the file again: the count may be left to pandas (see above)
        self.fast = False  # only line breaks looked for: pandas counts the fields
        self.pos = 0  # bytes read so far
        self.run = 0  # bytes since the last line break
        self.line = 1  # the line number of the first byte of the next block
        self.fmt = fmt if fmt is not None and _ascii_compatible(fmt.encoding) else None
        if self.fmt is not None:
            self.delim = ord(self.fmt.delimiter) if len(self.fmt.delimiter.encode()) == 1 else None
            self.width = len(self.fmt.columns)
        self.inside = 0  # 1 inside quotes at the end of the last block
        self.fields = 0  # delimiters outside quotes so far in the current row
        self.content = 0  # bytes other than blanks so far in the current row
        self.rows = 0  # rows ended so far, blank ones not counted

    def readable(self) -> bool:
        return True

    def read(self, n: int | None = -1) -> bytes:
        data = self.raw.read(-1 if n is None else n)
        if data:
            if self.fast and not self._quick(data):  # a quote: the exact count again, from here on
                self._catch_up()
            if not self.fast:
                self._scan(data)
                self.fast = (self.source is not None and self.fmt is not None and self.delim is not None
                             and self.rows >= self.EXACT_ROWS and not self.inside)  # fmt: skip
            self.pos += len(data)
        elif self.fmt is not None and self.content and not self.fast:  # the last row, with no line break
            self._row_ends(np.array([self.fields]), np.array([self.content]), None, None)
            self.content = 0
        return data

    read1 = read

    def tell(self) -> int:
        return self.raw.tell()

    def _quick(self, data: bytes) -> bool:
        """The fast way (pandas counts the fields): only a line longer than the limit is looked for, by the
        first and last line breaks of the block. False (nothing done) for a block with a quote in it."""
        if len(data) > self.limit or b'"' in data:
            return False
        first = data.find(b"\n")
        cr = data.find(b"\r", 0, None if first < 0 else first)  # a CR before the first LF
        first = cr if cr >= 0 else first
        if first < 0:  # no line break at all: the line goes on
            if self.run + len(data) > self.limit:
                self._refuse(len(data))
            self.run += len(data)
            return True
        if self.run + first > self.limit:  # breaks within the block are closer than its length
            self._refuse(len(data))
        last = data.rfind(b"\n")
        last = max(last, data.rfind(b"\r", last + 1))
        self.run = len(data) - last - 1
        return True

    def _refuse(self, more: int) -> None:
        """A line too long, found the fast way: the exact guard's error on the file up to here."""
        exc = rescan(self.source, self.fmt, self.pos + more, self.limit)
        raise exc if exc is not None else self._too_long(self.line)  # (never None: the same check)

    def _catch_up(self) -> None:
        """Leave the fast way: the exact count's state after the bytes read so far, by reading them again."""
        again = _Guard(None, self.fmt, self.limit)
        again.replay(self.source, self.pos)
        for name in ("run", "line", "inside", "fields", "content", "rows"):
            setattr(self, name, getattr(again, name))
        self.source, self.fast = None, False  # exact from here to the end: no second catch-up

    def replay(self, source: Source, upto: int | None) -> None:
        """Scan the first ``upto`` bytes of ``source`` (all: None) the exact way, from a fresh handle."""
        with _open(source) as raw:
            left = -1 if upto is None else upto
            while left:
                data = raw.read(1 << 18 if left < 0 else min(1 << 18, left))
                if not data:
                    return
                self._scan(data)
                left = left - len(data) if left > 0 else left

    def _scan(self, data: bytes) -> None:
        a = np.frombuffer(data, dtype=np.uint8)
        breaks = np.flatnonzero((a == 10) | (a == 13))
        if breaks.size == 0:
            if self.run + len(data) > self.limit:
                self._too_long(self.line)
        else:
            gaps = np.diff(breaks) - 1
            if self.run + int(breaks[0]) > self.limit:
                self._too_long(self.line)
            if gaps.size and int(gaps.max()) > self.limit:
                at = int(np.argmax(gaps > self.limit))  # the gap after break number ``at``
                self._too_long(self.line + int(np.count_nonzero(a[: breaks[at] + 1] == 10)))
        if self.fmt is not None and self.delim is not None:
            self._count_fields(a, breaks)
        if breaks.size:
            self.run = len(data) - int(breaks[-1]) - 1
        else:
            self.run += len(data)
        self.line += int(np.count_nonzero(a == 10))

    def _count_fields(self, a: np.ndarray, breaks: np.ndarray) -> None:
        quotes = np.flatnonzero(a == 34)
        delims = np.flatnonzero(a == self.delim)
        blanks = np.flatnonzero((a == 32) | (a == 9))  # few: a row's other bytes are counted by its length
        if quotes.size:  # keep what is outside quotes: an even number of quotes before it (with the carry)
            delims = delims[((np.searchsorted(quotes, delims) + self.inside) & 1) == 0]
            breaks = breaks[((np.searchsorted(quotes, breaks) + self.inside) & 1) == 0]
        if breaks.size:
            ends = np.concatenate(([-1], breaks))  # row i spans (ends[i], ends[i + 1]): its bytes between
            fields = np.diff(np.searchsorted(delims, ends))
            content = np.diff(ends) - 1 - np.diff(np.searchsorted(blanks, ends))
            fields[0] += self.fields  # the first row continues the one carried from the blocks before
            content[0] += self.content
            self._row_ends(fields, content, breaks, a)
            last = int(breaks[-1])
            self.fields = int(delims.size - np.searchsorted(delims, last))
            self.content = len(a) - last - 1 - int(blanks.size - np.searchsorted(blanks, last))
        else:
            self.fields += int(delims.size)
            self.content += len(a) - int(blanks.size)
        self.inside = (self.inside + int(quotes.size)) & 1

    def _row_ends(self, fields: np.ndarray, content: np.ndarray, breaks, block) -> None:
        """Rows ending at ``breaks`` of ``block`` (None: at the end of the file), with ``fields`` delimiters
        and ``content`` non-blank bytes each."""
        real = (content > 0) | (fields > 0)
        wide = real & (fields + 1 > self.width)
        if wide.any():
            i = int(np.argmax(wide))
            row = self.rows + int(np.count_nonzero(real[:i])) + (0 if self.fmt.header else 1)
            line = self.line + (int(np.count_nonzero(block[: breaks[i]] == 10)) if block is not None else 0)
            raise _extra_fields(self.fmt, f"Row {row} (line {line}) has {int(fields[i]) + 1} fields", row=row)
        self.rows += int(np.count_nonzero(real))

    def _too_long(self, line: int) -> None:
        raise ScoringError(
            "too_long",
            f"Line {line} is longer than {_human_size(self.limit)}; no predictions file has lines that long. "
            "Check that the file is a CSV with one row per line (an unclosed quote joins the lines after "
            "it).",
            row=None,
        )


def rescan(source: Source, fmt: CsvFormat | None, upto: int | None = None, limit: int = MAX_LINE_BYTES):
    """The error the exact guard gives on the file's first ``upto`` bytes (all of it: None), or None if
    there is none: the message a problem found the fast way gets (see ``_Guard``)."""
    guard = _Guard(None, fmt, limit)
    try:
        guard.replay(source, upto)
        if upto is None and guard.fmt is not None and guard.content:  # the last row, with no line break
            guard._row_ends(np.array([guard.fields]), np.array([guard.content]), None, None)
    except ScoringError as exc:
        return exc
    return None


def _ascii_compatible(encoding: str) -> bool:
    """Whether every ASCII character is one byte, itself, in ``encoding`` (not UTF-16 or UTF-32)."""
    try:
        return ",\"\n".encode(encoding) == b',"\n'
    except (LookupError, UnicodeError):
        return False


def _human_size(n: int) -> str:
    for unit in ("bytes", "KB", "MB", "GB"):
        if n < 1024 or unit == "GB":
            return f"{n:.0f} {unit}" if unit == "bytes" else f"{n:.1f} {unit}"
        n /= 1024
    return f"{n} bytes"  # pragma: no cover


# -- sniffing ----------------------------------------------------------------------------------------
def _wide_unicode(head: bytes) -> str | None:
    """"UTF-32" or "UTF-16" for text in those encodings (by the byte-order mark, or without one by where
    the NUL bytes of ASCII text fall), else None. UTF-32's little-endian mark starts with UTF-16's."""
    if head.startswith((b"\xff\xfe\x00\x00", b"\x00\x00\xfe\xff")):
        return "UTF-32"
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "UTF-16"
    a = np.frombuffer(head[: len(head) // 4 * 4][:4096], dtype=np.uint8)
    if a.size < 8:
        return None
    nul = (a == 0).reshape(-1, 4)
    if nul.mean() < 0.4:
        return None
    by_place = nul.mean(axis=0)  # how often each of the 4 byte positions is NUL
    if (by_place[1:] > 0.9).all() or (by_place[:3] > 0.9).all():
        return "UTF-32"
    if (by_place[[1, 3]] > 0.9).all() or (by_place[[0, 2]] > 0.9).all():
        return "UTF-16"
    return None


def _check_binary(head: bytes, forced: str | None = None) -> None:
    for magic, what, hint in _MAGIC:
        if head.startswith(magic):
            raise ScoringError("binary", f"It is {what}. {hint}".strip())
    if forced and not _ascii_compatible(forced):
        return  # UTF-16 or UTF-32 as chosen: NUL bytes are its ASCII letters' other halves
    wide = _wide_unicode(head)
    if wide:
        raise ScoringError(
            "encoding",
            f"This file is {wide} text. Save it as UTF-8 CSV (in Excel: File > Save As > 'CSV UTF-8'), or "
            f"choose the encoding {wide.lower()} (python -m scoring FILE --encoding {wide.lower()}).",
        )
    if b"\x00" in head:
        raise ScoringError(
            "binary", "It contains NUL bytes, as binary files do. "
            "Export your predictions as CSV (for example with pandas: df.to_csv('predictions.csv')).",
        )  # fmt: skip
    control = len(head) - len(head.translate(None, _CONTROL))
    if head and control > max(2, len(head) // 100):
        raise ScoringError(
            "binary", f"It has {control} control characters in its first {len(head)} bytes, as binary files "
            "do. Export your predictions as CSV.",
        )  # fmt: skip


def _decode(head: bytes, truncated: bool, forced: str | None) -> tuple[str, str, list[str]]:
    notes: list[str] = []
    if forced:
        try:
            text_codec = codecs.lookup(forced)._is_text_encoding
        except LookupError:
            raise ScoringError("encoding", f"Unknown encoding {forced!r}; try utf-8 or latin-1.") from None
        if not text_codec:
            raise ScoringError("encoding", f"{forced!r} is not a text encoding; try utf-8 or latin-1.")
        try:
            return head.decode(forced, errors="replace"), forced, [f"Encoding {forced} (as chosen)."]
        except (UnicodeError, ValueError, TypeError) as exc:
            raise ScoringError(
                "encoding", f"The file cannot be read as {forced} ({exc}); try utf-8 or latin-1."
            ) from None
    enc = "utf-8-sig" if head.startswith(b"\xef\xbb\xbf") else "utf-8"
    body = head[3:] if enc == "utf-8-sig" else head
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as exc:
        if truncated and exc.start >= len(body) - 3:  # a character cut by the end of the sniffed block
            text = body[: exc.start].decode("utf-8")
        else:
            notes.append(
                f"Encoding: not valid UTF-8 (byte {exc.start + 1} is 0x{body[exc.start]:02x}); "
                "read as Latin-1. "
                "If accented letters look wrong, save the file as UTF-8."
            )
            return head.decode("latin-1"), "latin-1", notes
    notes.append(
        "Encoding: UTF-8 with a byte-order mark (BOM)." if enc == "utf-8-sig" else "Encoding: UTF-8."
    )
    return text, enc, notes


def _is_number(cell: str, decimal: str) -> bool:
    if cell.strip().lower() in _SPECIAL_NUMBERS:
        return True
    return bool((_NUMBER_COMMA if decimal == "," else _NUMBER).match(cell))


def _is_missing(cell: str) -> bool:
    return cell.strip().lower() in _MISSING


def _rows(lines: list[str], delimiter: str) -> list[list[str]]:
    try:
        return list(csv.reader(lines, delimiter=delimiter, quotechar='"'))
    except csv.Error:
        return [line.split(delimiter) for line in lines]


def _choose_delimiter(lines: list[str]) -> tuple[str, str, list[list[str]], str]:
    """Pick the delimiter whose split gives a consistent number (≥ 2) of mostly numeric fields."""
    best = None
    for order, d in enumerate(DELIMITERS):
        rows = _rows(lines, d)
        counts = Counter(len(r) for r in rows)
        width, freq = counts.most_common(1)[0]
        if width < 2:
            continue
        consistency = freq / len(rows)
        body = rows[1:] or rows
        decimal = "."
        if d != ",":
            commas = sum(1 for r in body for c in r if _NUMBER_COMMA.match(c) and "," in c)
            dots = sum(1 for r in body for c in r if _NUMBER.match(c) and "." in c)
            decimal = "," if commas > dots else "."
        cells = [c for r in body for c in r if not _is_missing(c)]
        numeric = sum(1 for c in cells if _is_number(c, decimal)) / max(1, len(cells))
        score = (consistency, round(numeric, 2), width, -order)
        if best is None or score > best[0]:
            best = (score, d, decimal, rows)
    if best is None:
        raise ScoringError(
            "one_column",
            "No comma, semicolon, tab or pipe separates its values. Scoring needs at least two columns: the "
            "true values and the predictions. If the columns are separated by spaces, save the file as CSV.",
        )
    (consistency, _n, width, _o), d, decimal, rows = best
    why = f"Delimiter: {DELIMITER_NAMES[d]} "
    why += f"({width} fields in {consistency:.0%} of the first {len(rows)} lines)."
    return d, decimal, rows, why


def _choose_header(rows: list[list[str]], decimal: str) -> tuple[bool, str]:
    first, body = rows[0], rows[1:]
    if not body:
        texts = [c for c in first if not _is_missing(c) and not _is_number(c, decimal)]
        if texts:
            return True, "Header: the only line is text."
        return False, "Header: none (the only line is numbers)."
    for j, cell in enumerate(first):
        if _is_missing(cell) or _is_number(cell, decimal):
            continue
        below = [r[j] for r in body if j < len(r) and not _is_missing(r[j])]
        if below and sum(_is_number(c, decimal) for c in below) >= 0.5 * len(below):
            return (
                True,
                f"Header: yes (the first line has text, {cell.strip()!r}, above a column of numbers).",
            )
    words = {c.strip().lower() for c in first}
    if words & _HEADER_WORDS:
        return True, "Header: yes (the first line has column names such as " + ", ".join(
            repr(w) for w in sorted(words & _HEADER_WORDS)
        ) + ")."
    return False, "Header: none (the first line looks like data)."


def _column_names(first: list[str] | None, width: int) -> tuple[str, ...]:
    names: list[str] = []
    seen: Counter[str] = Counter()
    for j in range(width):
        raw = first[j].strip() if first is not None and j < len(first) else ""
        name = raw or f"column {j + 1}"
        seen[name] += 1
        if seen[name] > 1:
            name = f"{name} ({seen[name]})"
        names.append(name)
    return tuple(names)


def sniff(
    source: Source,
    *,
    max_bytes: int | None = None,
    delimiter: str | None = None,
    header: bool | None = None,
    encoding: str | None = None,
    decimal: str | None = None,
) -> CsvFormat:
    """Decide how to read ``source`` (a path or the file's bytes); any argument given overrides the guess."""
    size = _size(source)
    if max_bytes is not None and size > max_bytes:
        raise ScoringError(
            "too_large",
            f"The file is {_human_size(size)}; the limit here is {_human_size(max_bytes)}. Score it with the "
            "command line instead (python -m scoring FILE.csv), which streams files of any size.",
        )
    from scoring import formats  # Parquet, Arrow, compressed CSV: told by their first bytes, not the name

    if (kind := formats.kind_of(source)) != "csv":
        return formats.sniff_other(source, kind, sniff, max_bytes=max_bytes, delimiter=delimiter,
                                   header=header, encoding=encoding, decimal=decimal)  # fmt: skip
    head = _head(source, SNIFF_BYTES)
    if size > len(head) and not re.search(rb"[\r\n]", head):  # the first line is longer than the head:
        head = _head(source, MAX_LINE_BYTES + SNIFF_BYTES)  # sniff all of it (a header of 1,000 long names)
        _Guard(io.BytesIO(head[: MAX_LINE_BYTES + 1])).read()  # or refuse it, if it is over the limit
    if not head.strip(b" \t\r\n\xef\xbb\xbf"):
        raise ScoringError("empty", "It holds no text, or only blank lines. Upload a CSV with a column of "
                           "true values and a column of predictions.")  # fmt: skip
    _check_binary(head, encoding)
    truncated = size > len(head)
    text, enc, notes = _decode(head, truncated, encoding)
    lines = [ln for ln in re.split(r"\r\n|\r|\n", text) if ln.strip()]
    if not lines:
        raise ScoringError("empty", "It holds no lines of text. Upload a CSV with a column of true values "
                           "and a column of predictions.")  # fmt: skip
    if truncated and len(lines) > 1:
        lines = lines[:-1]  # the last line may be cut by the end of the block
    lines = lines[:SNIFF_LINES]
    if delimiter is not None:
        if delimiter not in DELIMITERS and len(delimiter) != 1:
            raise ScoringError("parse", f"The delimiter must be one character; got {delimiter!r}.")
        rows = _rows(lines, delimiter)
        dec = decimal or "."
        notes.append(f"Delimiter: {DELIMITER_NAMES.get(delimiter, repr(delimiter))} (as chosen).")
        if max(len(r) for r in rows) < 2:
            raise ScoringError(
                "one_column",
                f"Split by {DELIMITER_NAMES.get(delimiter, repr(delimiter))} the file has only one column; "
                "scoring needs at least two (true values and predictions). Try another delimiter.",
            )
    else:
        d, dec, rows, why = _choose_delimiter(lines)
        delimiter = d
        notes.append(why)
    widest = max(range(len(rows)), key=lambda i: len(rows[i]))
    if len(rows[widest]) > MAX_COLUMNS:
        raise ScoringError(
            "too_wide",
            f"Line {widest + 1} has {len(rows[widest]):,} fields; the limit is {MAX_COLUMNS:,} columns. "
            "Keep only the columns to score (true values, predictions, an id), for example with pandas: "
            "df[['y_true', 'y_pred']].to_csv('scores.csv', index=False).",
        )
    if decimal is not None:
        dec = decimal
    if dec == ",":
        notes.append("Decimal mark: comma (numbers such as 1,5 in a semicolon-separated file).")
    if header is None:
        header, why = _choose_header(rows, dec)
        notes.append(why)
    else:
        notes.append(f"Header: {'yes' if header else 'none'} (as chosen).")
    width = Counter(len(r) for r in rows).most_common(1)[0][0]
    width = max(width, len(rows[0])) if header else width
    names = _column_names(rows[0] if header else None, width)
    if header and len(rows) == 1 and not truncated:
        raise ScoringError(
            "header_only",
            "Below its header row ("
            + ", ".join(repr(n) for n in names[:6])
            + ") there is nothing to score: add the data rows.",
        )
    return CsvFormat(enc, delimiter, dec, header, names, size, tuple(notes))


def with_options(fmt: CsvFormat, **changes) -> CsvFormat:
    """``fmt`` with some fields replaced (the UI's and the CLI's overrides)."""
    return replace(fmt, **changes)


# -- reading -----------------------------------------------------------------------------------------
def _quiet():
    """pandas warns when a row is shorter than the header (the cells are then missing, which we report)."""
    ctx = warnings.catch_warnings()
    ctx.__enter__()
    warnings.simplefilter("ignore", pd.errors.ParserWarning)
    warnings.simplefilter("ignore", pd.errors.DtypeWarning)
    return ctx


def _read_kwargs(fmt: CsvFormat, usecols: list[str] | None, text: Iterable[str] = ()) -> dict:
    """pandas' arguments for ``fmt``: only ``usecols``; NA, NaN, null, ... missing in every column but those
    in ``text``, which keep them as text."""
    kw = dict(
        sep=fmt.delimiter,
        decimal=fmt.decimal,
        # header=0 with names replaces the file's header line; header=None + skiprows=1 parses ~20% slower
        header=0 if fmt.header else None,
        names=list(fmt.columns),
        index_col=False,
        skip_blank_lines=True,
        engine="c",
        quotechar='"',
        keep_default_na=False,
    )
    kept = set(text)
    kw["na_values"] = {c: [""] if c in kept else list(NA_TEXTS) for c in fmt.columns}
    # both cost time in pandas' C parser even when they change nothing: pass them only when they do
    if usecols is not None and set(usecols) != set(fmt.columns):
        kw["usecols"] = usecols
    if fmt.encoding not in ("utf-8", "utf8"):
        kw["encoding"] = fmt.encoding
    return kw


def _extra_fields(fmt: CsvFormat, where: str, row: int | None) -> ScoringError:
    what = "the header's" if fmt.header else "the other rows'"
    return ScoringError(
        "parse",
        f"{where}, more than {what} {len(fmt.columns)}. Check for an unquoted "
        f"{DELIMITER_NAMES.get(fmt.delimiter, repr(fmt.delimiter))} inside a value, or a stray extra column.",
        row=row,
    )


_EXPECTED_FIELDS = re.compile(r"Expected (\d+) fields in line (\d+), saw (\d+)")


def _parse_error(exc: Exception, fmt: CsvFormat) -> ScoringError:
    msg = str(exc).strip().splitlines()[-1] if str(exc).strip() else type(exc).__name__
    m = _EXPECTED_FIELDS.search(msg)
    if m:
        _want, line, saw = (int(g) for g in m.groups())
        return _extra_fields(fmt, f"Line {line} of the file has {saw} fields", row=None)
    if isinstance(exc, UnicodeDecodeError):
        return ScoringError(
            "encoding",
            f"The file is not valid {fmt.encoding} (byte 0x{exc.object[exc.start]:02x} "
            "further into the file). "
            "Save it as UTF-8, or choose the encoding latin-1.",
        )
    if isinstance(exc, (UnicodeError, LookupError)):
        return ScoringError("encoding", f"The file cannot be read as {fmt.encoding} ({msg}); try utf-8.")
    return ScoringError("parse", f"The reader reported: {msg}")


@functools.cache
def _read_errors() -> tuple:
    """What pandas raises on a file it cannot parse (looked up when one is raised: see ``pd``)."""
    return (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeError, ValueError, csv.Error,
            OverflowError, IndexError, TypeError, LookupError)  # fmt: skip


def sample_rows(fmt: CsvFormat, nrows: int = SAMPLE_ROWS) -> int:
    """How many rows ``read_sample`` reads: ``nrows``, fewer for a wide file (at most ``SAMPLE_CELLS``)."""
    return max(1, min(nrows, SAMPLE_CELLS // max(1, len(fmt.columns))))


def read_sample(source: Source, fmt: CsvFormat, nrows: int = SAMPLE_ROWS) -> pd.DataFrame:
    """The first ``sample_rows(fmt, nrows)`` data rows, every column, as pandas parses them but with the
    texts pandas reads as missing (NA, null, ...) kept as text: the detector's view."""
    nrows = sample_rows(fmt, nrows)
    from scoring import formats

    if isinstance(fmt, formats.TableFormat):  # Parquet, Arrow: typed columns
        return formats.read_table_sample(source, fmt, nrows)
    frame = _read_rows(source, fmt, nrows, None, ())
    # text columns with a missing cell: read again keeping NA, null, ... as text (numbers' columns need not)
    dtypes = frame.dtypes.tolist()
    texts = [c for c, d in zip(frame.columns, dtypes, strict=True)
             if d == np.dtype(object) or isinstance(d, pd.StringDtype)]  # fmt: skip
    if texts:  # one call for all of them: the work stays a few calls whatever the number of columns
        texts = [c for c, gap in zip(texts, frame[texts].isna().any().to_numpy(), strict=True) if gap]
    if texts:
        kept = _read_rows(source, fmt, nrows, texts, texts)
        frame[texts] = kept[texts]
    if len(frame) == 0:
        if fmt.header:
            raise ScoringError("header_only", "Nothing below the header row: add the rows to score.")
        raise ScoringError("empty", "It holds no data rows to score.")
    return frame


def _read_rows(source: Source, fmt: CsvFormat, nrows: int, usecols, text) -> pd.DataFrame:
    ctx = _quiet()
    try:
        with _open(source) as raw:
            return pd.read_csv(_Guard(raw, fmt), nrows=nrows, **_read_kwargs(fmt, usecols, text))
    except ScoringError:
        raise
    except _read_errors() as exc:
        raise _parse_error(exc, fmt) from None
    finally:
        ctx.__exit__(None, None, None)


def iter_chunks(
    source: Source,
    fmt: CsvFormat,
    *,
    usecols: list[str] | None = None,
    chunksize: int = CHUNK_ROWS,
    prefetch: bool = True,
    text: Iterable[str] = (),
) -> Iterator[tuple[int, pd.DataFrame, float]]:
    """Yield ``(first_row, frame, fraction)`` per chunk: ``first_row`` is the chunk's 1-based data row number,
    ``fraction`` roughly how much of the file has been read (for a progress bar). The columns in ``text``
    keep cells such as NA as text; in the others they are missing (NaN).

    With ``prefetch`` a worker thread parses the next chunk while the caller works on this one (pandas'
    tokenizer and numpy both release the GIL), so scoring costs little more than parsing alone.
    """
    from scoring import formats

    if isinstance(fmt, formats.TableFormat):  # Parquet by row group, Arrow by record batch: only usecols
        chunks = formats.iter_table_chunks(source, fmt, usecols=usecols, chunksize=chunksize)
    else:
        chunks = _chunks(source, fmt, usecols, chunksize, text)
    if fmt.labels is not None:  # in the reading thread, where the chunk is still in the cache
        chunks = _labels_checked(chunks, fmt.labels)
    if prefetch:
        chunks = _prefetched(chunks)
    yield from chunks


def _chunks(source, fmt, usecols, chunksize, text=()):
    kw = _read_kwargs(fmt, usecols, text)
    raw = _open(source)  # closed by the with-block below
    # without usecols pandas refuses a row with more fields itself: the guard need not count them
    handle = _Guard(raw, fmt, source=None if "usecols" in kw else source)
    size = max(1, fmt.size)
    with raw, warnings.catch_warnings():
        warnings.simplefilter("ignore", pd.errors.ParserWarning)
        warnings.simplefilter("ignore", pd.errors.DtypeWarning)
        try:
            reader = pd.read_csv(handle, chunksize=chunksize, **kw)
        except ScoringError:
            raise
        except _read_errors() as exc:
            raise _chunk_error(exc, source, fmt) from None
        start = 1
        with reader:
            while True:
                try:
                    frame = next(reader)
                except StopIteration:
                    return
                except ScoringError:
                    raise
                except _read_errors() as exc:
                    raise _chunk_error(exc, source, fmt) from None
                yield start, frame, min(1.0, handle.tell() / size)
                start += len(frame)


def _chunk_error(exc: Exception, source: Source, fmt: CsvFormat) -> ScoringError:
    """pandas' error while reading chunks; a row with more fields is named as the guard's count names it
    (the file read again the exact way: see ``_Guard``)."""
    if _EXPECTED_FIELDS.search(str(exc)) and (found := rescan(source, fmt)) is not None:
        return found
    return _parse_error(exc, fmt)


def _labels_checked(chunks: Iterator, check) -> Iterator:
    """``chunks``, each shown to ``check`` (``scoring.detect.LabelCheck.see``) before it is passed on."""
    try:
        for item in chunks:
            check.see(item[1], item[0])
            yield item
    finally:
        chunks.close()


def _prefetched(items: Iterator, depth: int = 2) -> Iterator:
    """``items`` produced by a worker thread, at most ``depth`` ahead; its errors re-raised here."""
    q: queue.Queue = queue.Queue(maxsize=depth)
    stop = threading.Event()

    def put(msg) -> bool:
        while not stop.is_set():
            try:
                q.put(msg, timeout=0.05)
                return True
            except queue.Full:
                continue
        return False

    def work() -> None:
        try:
            for item in items:
                if not put(("item", item)):
                    return
            put(("end", None))
        except BaseException as exc:  # handed to the consumer, which re-raises it
            put(("error", exc))
        finally:
            items.close()

    worker = threading.Thread(target=work, name="csv-prefetch", daemon=True)
    worker.start()
    try:
        while True:
            kind, item = q.get()
            if kind == "item":
                yield item
            elif kind == "end":
                return
            else:
                raise item
    finally:
        stop.set()
        worker.join(timeout=5)


def distinct_values(
    source: Source, fmt: CsvFormat, columns: Iterable[str], limit: int = 61
) -> dict[str, list]:
    """The distinct values of ``columns`` over the whole file, in order of appearance, up to ``limit`` each
    (then reading stops for that column): numbers as floats, texts stripped, NA kept as text, empty cells
    left out. The detector's labels, so a sorted file ("no" then "yes") is seen as it is."""
    seen: dict[str, dict] = {c: {} for c in columns}
    open_ = [c for c in seen]
    chunks = iter_chunks(source, fmt, usecols=list(seen), text=list(seen), prefetch=False)
    try:
        for _first, frame, _frac in chunks:
            for c in list(open_):
                s = frame[c].dropna()
                if pd.api.types.is_bool_dtype(s.dtype) or pd.api.types.is_numeric_dtype(s.dtype):
                    values = pd.unique(s.to_numpy(dtype=np.float64))
                else:
                    values = pd.unique(s.astype("string").str.strip().to_numpy(dtype=object))
                found = seen[c]
                for v in values:
                    if v != "":
                        found.setdefault(v, None)
                        if len(found) >= limit:
                            open_.remove(c)
                            break
            if not open_:
                break
    finally:
        chunks.close()
    return {c: list(found) for c, found in seen.items()}


def read_all(source: Source, fmt: CsvFormat, *, usecols: list[str] | None = None) -> pd.DataFrame:
    """The whole file (for small files and tests)."""
    frames = [f for _s, f, _p in iter_chunks(source, fmt, usecols=usecols)]
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=usecols or fmt.columns)


# -- cells -------------------------------------------------------------------------------------------
def numeric(series: pd.Series, column: str, first_row: int) -> np.ndarray:
    """The column as float64 (missing cells are NaN); a cell that is not a number raises ``non_numeric``."""
    if pd.api.types.is_bool_dtype(series.dtype):
        return series.to_numpy(dtype=np.float64)
    if pd.api.types.is_numeric_dtype(series.dtype):
        return series.to_numpy(dtype=np.float64, na_value=np.nan)
    text = series.astype("string").str.strip()
    text = text.mask(text.isin(NA_TEXTS))  # NA, null, ...: missing in a column of numbers
    lowered = text.str.lower()
    mapped = lowered.map({"true": "1", "false": "0"}).fillna(text)
    values = pd.to_numeric(mapped, errors="coerce")
    bad = values.isna() & text.notna() & (text != "")
    if bad.any():
        i = int(np.flatnonzero(bad.to_numpy())[0])
        cell = series.iloc[i]
        hint = ""
        if isinstance(cell, str) and re.match(r"^\s*[-+]?\d+,\d+\s*$", cell):
            hint = " It looks like a decimal comma: choose the decimal mark ',' (or save with '.' decimals)."
        raise ScoringError(
            "non_numeric",
            f"Row {first_row + i}, column {column!r}: {str(cell)[:60]!r} is not a number. "
            "That column must hold "
            f"numbers only.{hint}",
            row=first_row + i,
            column=column,
            value=cell,
        )
    return values.to_numpy(dtype=np.float64, na_value=np.nan)
