"""Files that are not plain CSV text: compressed CSV, and Parquet / Arrow / Feather tables.

What a file is comes from its first bytes (its magic number), not its name: a Parquet file named
``preds.csv`` is read as Parquet, a gzip file named ``.csv`` is decompressed; a name that disagrees with the
content gets a note. ``scoring.reader`` calls in here:

- compressed CSV (gzip, zstd, bz2, xz): ``open_binary`` decompresses as pandas reads (one chunk at a time;
  ``tell()`` is the position in the compressed file, so progress is a fraction of the bytes on disk), and
  ``text_head`` gives the sniffer its first kilobytes;
- tables (Parquet, Arrow IPC / Feather v2, an Arrow stream, Feather v1): ``table_format`` reads the schema
  (a ``TableFormat``: no delimiter or header to guess), ``read_table_sample`` the detector's first rows,
  ``iter_table_chunks`` the chunks, Parquet row group by row group with only the needed columns.

Every failure is a ``ScoringError`` (a damaged or cut-short file is ``damaged``; an optional package that is
not installed is ``dependency``). pyarrow and zstandard are imported on first use only, so
``python -m scoring`` on a CSV starts no slower.
"""

from __future__ import annotations

import io
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from scoring.errors import ScoringError
from scoring.reader import CsvFormat, Source
from scoring.reader import _head as _raw_head  # the file's first bytes, as the reader reads them

COMPRESSIONS = ("gzip", "zstd", "bz2", "xz")
TABLES = ("parquet", "arrow", "arrow_stream", "feather")
#: How each kind is named in notes and messages.
NAMES = {
    "csv": "CSV text",
    "gzip": "gzip-compressed",
    "zstd": "zstd-compressed",
    "bz2": "bzip2-compressed",
    "xz": "xz-compressed",
    "parquet": "Parquet",
    "arrow": "Arrow IPC (Feather v2)",
    "arrow_stream": "Arrow IPC stream",
    "feather": "Feather v1",
}
#: What a file's name says it is (the content decides; a disagreement gets a note).
EXTENSIONS = {
    ".csv": "csv", ".tsv": "csv", ".txt": "csv", ".gz": "gzip", ".gzip": "gzip", ".zst": "zstd",
    ".zstd": "zstd", ".bz2": "bz2", ".xz": "xz", ".parquet": "parquet", ".pq": "parquet", ".arrow": "arrow",
    ".feather": "arrow", ".ipc": "arrow", ".arrows": "arrow_stream",
}  # fmt: skip
#: The Score page's uploader: every extension above, without the dot.
UPLOAD_TYPES = sorted({e.lstrip(".") for e in EXTENSIONS})
#: The install line for the optional packages (pyarrow, zstandard, dask).
INSTALL = "pip install -r requirements-scale.txt"
MAGIC_BYTES = 8


# -- what a file is ----------------------------------------------------------------------------------
def kind_of_head(head: bytes) -> str:
    """The kind of a file from its first bytes: a key of ``NAMES``."""
    if head.startswith(b"PAR1"):
        return "parquet"
    if head.startswith(b"ARROW1"):
        return "arrow"
    if head.startswith(b"FEA1"):
        return "feather"
    if head.startswith(b"\xff\xff\xff\xff") and len(head) >= 8:  # an IPC stream's continuation marker
        return "arrow_stream"
    if head.startswith(b"\x1f\x8b"):
        return "gzip"
    if head.startswith(b"\x28\xb5\x2f\xfd"):
        return "zstd"
    if head.startswith(b"\xfd7zXZ\x00"):
        return "xz"
    if len(head) >= 4 and head.startswith(b"BZh") and head[3:4].isdigit() and head[3:4] != b"0":
        return "bz2"
    return "csv"


def kind_of(source: Source) -> str:
    """The kind of ``source`` (a path or the file's bytes), from its first bytes."""
    return kind_of_head(_raw_head(source, MAGIC_BYTES))


def name_kind(source: Source) -> str | None:
    """What the file's name says it is (None for bytes, or a name that says nothing)."""
    if isinstance(source, (bytes, bytearray, memoryview)):
        return None
    return EXTENSIONS.get(Path(os.fspath(source)).suffix.lower())


def kind_note(source: Source, kind: str) -> str | None:
    """A note for the format's notes: what the content is when it is not plain CSV, and a name that says
    otherwise."""
    named = name_kind(source)
    if kind == "csv":
        if named not in (None, "csv"):
            return f"Content: CSV text, although the name says {NAMES[named]} (read by content)."
        return None
    note = f"Content: {NAMES[kind]} (from its first bytes)"
    if named not in (None, kind) and not (named == "arrow" and kind == "feather"):
        note += f", although the name says {NAMES[named]}"
    return note + "."


# -- compressed CSV ----------------------------------------------------------------------------------
def _decompression_errors() -> tuple[type[BaseException], ...]:
    import gzip
    import lzma
    import zlib

    errors: list[type[BaseException]] = [gzip.BadGzipFile, EOFError, zlib.error, lzma.LZMAError, OSError]
    try:
        import zstandard

        errors.append(zstandard.ZstdError)
    except ImportError:
        pass
    return tuple(errors)


def _damaged(kind: str, exc: BaseException) -> ScoringError:
    detail = str(exc).strip() or type(exc).__name__
    return ScoringError(
        "damaged",
        f"The {NAMES[kind]} data could not be decompressed ({detail}). The file is cut short or damaged: "
        "copy or download it again, or check it with the tool that made it.",
    )


def _zstandard():
    try:
        import zstandard
    except ImportError:
        raise ScoringError(
            "dependency", f"Reading zstd-compressed files needs the zstandard package: {INSTALL}."
        ) from None
    return zstandard


class _Zstd:
    """zstd frames decompressed as they are read; the input ending inside a frame is an error (zstandard's
    stream reader would return nothing and say nothing)."""

    def __init__(self, raw):
        self.zstd = _zstandard()
        self.raw = raw
        self.obj = self.zstd.ZstdDecompressor().decompressobj()
        self.buffer = bytearray()
        self.started = False  # some of a frame has been fed since the last frame ended
        self.done = False

    def _fill(self) -> bool:
        """Decompress one more block of input into the buffer; False at the end of the input."""
        block = self.raw.read(1 << 18)
        if not block:
            if self.started and not self.obj.eof:
                raise self.zstd.ZstdError("the data ends inside a zstd frame")
            return False
        while block:
            self.started = True
            self.buffer += self.obj.decompress(block)
            if not self.obj.eof:
                break
            block = self.obj.unused_data  # the next frame
            self.obj = self.zstd.ZstdDecompressor().decompressobj()
            self.started = False
        return True

    def read(self, n: int = -1) -> bytes:
        while (n < 0 or len(self.buffer) < n) and self._fill():
            pass
        n = len(self.buffer) if n < 0 else min(n, len(self.buffer))
        out = bytes(self.buffer[:n])
        del self.buffer[:n]
        return out

    def readline(self) -> bytes:
        while b"\n" not in self.buffer and self._fill():
            pass
        i = self.buffer.find(b"\n")
        return self.read(len(self.buffer) if i < 0 else i + 1)

    def close(self) -> None:
        self.buffer = bytearray()


class Decompressed:
    """A binary file that decompresses ``raw`` as it is read, for pandas' parser (which only calls ``read``).

    ``tell()`` is the position in the compressed file, so ``tell() / size on disk`` is how far reading has
    got. Decompression errors come out as a ``damaged`` ``ScoringError``.
    """

    def __init__(self, raw, kind: str):
        self.raw, self.kind = raw, kind
        self._errors = _decompression_errors()
        if kind == "gzip":
            import gzip

            self.stream = gzip.GzipFile(fileobj=raw, mode="rb")
        elif kind == "bz2":
            import bz2

            self.stream = bz2.BZ2File(raw)
        elif kind == "xz":
            import lzma

            self.stream = lzma.LZMAFile(raw)
        elif kind == "zstd":
            self.stream = _Zstd(raw)
        else:  # a programming error
            raise AssertionError(f"not a compression: {kind!r}")

    def read(self, n: int = -1) -> bytes:
        try:
            return self.stream.read(n)
        except ScoringError:
            raise
        except self._errors as exc:
            raise _damaged(self.kind, exc) from None

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return False

    def tell(self) -> int:
        return self.raw.tell()

    @property
    def closed(self) -> bool:
        return self.raw.closed

    def close(self) -> None:
        try:
            self.stream.close()
        finally:
            self.raw.close()

    def __enter__(self) -> Decompressed:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def __iter__(self):  # pandas checks for it on file-like objects
        return self

    def __next__(self) -> bytes:
        line = self.stream.readline()
        if not line:
            raise StopIteration
        return line


def _open_raw(source: Source):
    if isinstance(source, (bytes, bytearray, memoryview)):
        return io.BytesIO(bytes(source))
    try:
        return open(source, "rb")  # noqa: SIM115 - closed by the caller (through Decompressed.close)
    except OSError as exc:
        raise ScoringError("parse", f"Could not open {os.fspath(source)!s}: {exc.strerror or exc}.") from None


def open_binary(source: Source, kind: str | None = None):
    """``source`` opened for reading as CSV bytes: decompressed when its content is compressed."""
    kind = kind or kind_of(source)
    raw = _open_raw(source)
    if kind not in COMPRESSIONS:
        return raw
    try:
        return Decompressed(raw, kind)
    except BaseException:
        raw.close()
        raise


def text_head(source: Source, n: int, kind: str | None = None) -> bytes:
    """The first ``n`` bytes of the decompressed content (fewer if it is shorter)."""
    with open_binary(source, kind) as fh:
        parts, got = [], 0
        while got < n:
            block = fh.read(n - got)
            if not block:
                break
            parts.append(block)
            got += len(block)
    return b"".join(parts)


def sniff_other(source: Source, kind: str, sniff, *, max_bytes: int | None = None, **overrides) -> CsvFormat:
    """``reader.sniff`` for a file that is not plain CSV text: a table's schema, or compressed CSV sniffed on
    its decompressed first kilobytes (``sniff`` is the reader's, called on those bytes)."""
    if kind in TABLES:
        return table_format(source, kind, max_bytes=max_bytes)
    from dataclasses import replace

    from scoring.reader import MAX_LINE_BYTES, SNIFF_BYTES

    head = text_head(source, SNIFF_BYTES + 1, kind)
    if len(head) > SNIFF_BYTES:  # longer than the sniffer looks at: whole lines only, as a plain file's
        head = head[:SNIFF_BYTES]
        cut = max(head.rfind(b"\n"), head.rfind(b"\r"))
        head = head[: cut + 1] if cut >= 0 else text_head(source, MAX_LINE_BYTES + 1, kind)
    if max_bytes is not None:
        size = decompressed_size(source, kind, max_bytes)
        if size > max_bytes:
            raise ScoringError(
                "too_large",
                f"Decompressed, the file is over {max_bytes / 2**20:.1f} MB, the limit here. Score it with "
                "the command line instead (python -m scoring FILE), which streams files of any size.",
            )
    fmt = sniff(head, **overrides)
    on_disk = len(source) if isinstance(source, (bytes, bytearray, memoryview)) else os.path.getsize(source)
    return replace(fmt, size=on_disk, notes=(kind_note(source, kind), *fmt.notes))


def decompressed_size(source: Source, kind: str, limit: int) -> int:
    """The size of the decompressed content, counted up to ``limit + 1`` bytes (then it stops reading)."""
    total = 0
    with open_binary(source, kind) as fh:
        while total <= limit:
            block = fh.read(1 << 20)
            if not block:
                break
            total += len(block)
    return total


# -- tables ------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class TableFormat(CsvFormat):
    """A typed table (Parquet, Arrow, Feather): its columns, rows and batches; nothing was guessed."""

    container: str = "parquet"
    rows: int = 0  # 0 when unknown (an Arrow stream)
    batches: int = 0  # row groups (Parquet) or record batches (Arrow)

    def describe(self) -> str:
        rows = f"{self.rows:,} rows" if self.rows else "rows not counted in advance"
        unit = "row group" if self.container == "parquet" else "record batch"
        batches = f" in {self.batches:,} {unit}{'s' if self.batches != 1 else ''}" if self.batches else ""
        return f"{NAMES[self.container]}, {len(self.columns)} columns, {rows}{batches}"

    def line_of(self, row: int) -> int:
        return row

    def to_dict(self) -> dict:
        return {
            "container": self.container,
            "columns": list(self.columns),
            "rows": self.rows,
            "batches": self.batches,
            "size_bytes": self.size,
            "notes": list(self.notes),
        }


def _pyarrow():
    try:
        import pyarrow as pa
    except ImportError:
        raise ScoringError(
            "dependency", f"Reading Parquet and Arrow files needs the pyarrow package: {INSTALL}."
        ) from None
    return pa


def _table_damaged(kind: str, exc: BaseException) -> ScoringError:
    detail = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return ScoringError(
        "damaged",
        f"The {NAMES[kind]} file could not be read ({detail}). It is cut short or damaged: copy or write it "
        "again (a file still being written has no footer yet).",
    )


def _arrow_source(source: Source, kind: str):
    pa = _pyarrow()
    if isinstance(source, (bytes, bytearray, memoryview)):
        return pa.BufferReader(pa.py_buffer(bytes(source)))
    try:
        if kind == "arrow":  # an IPC file is made to be mapped: a batch's columns are read where they lie
            return pa.memory_map(os.fspath(source), "r")
        # Parquet read, not mapped: a map's touched pages count in the process's memory and grow with the
        # file, where reading keeps one row group of the needed columns at a time
        return pa.OSFile(os.fspath(source), "rb")
    except OSError as exc:
        raise ScoringError("parse", f"Could not open {os.fspath(source)!s}: {exc.strerror or exc}.") from None


class _Table:
    """One open table file: its schema, and its rows as Arrow record batches (only the asked columns)."""

    def __init__(self, source: Source, kind: str):
        pa = _pyarrow()
        self.kind = kind
        self._src = _arrow_source(source, kind)
        try:
            if kind == "parquet":
                import pyarrow.parquet as pq

                self._pf = pq.ParquetFile(self._src)
                self.schema = self._pf.schema_arrow
                self.rows = self._pf.metadata.num_rows
                self.batches = self._pf.num_row_groups
            elif kind == "arrow":
                self._reader = pa.ipc.open_file(self._src)
                self.schema = self._reader.schema
                self.batches = self._reader.num_record_batches
                self.rows = sum(self._reader.get_batch(i).num_rows for i in range(self.batches))
            elif kind == "arrow_stream":
                self._reader = pa.ipc.open_stream(self._src)
                self.schema = self._reader.schema
                self.rows = self.batches = 0
            else:  # Feather v1: read whole (a legacy format, written whole too)
                import warnings

                import pyarrow.feather as feather

                with warnings.catch_warnings():  # pyarrow 25 deprecates Feather v1 (still reads it)
                    warnings.simplefilter("ignore", DeprecationWarning)
                    self._whole = feather.read_table(self._src)
                self.schema = self._whole.schema
                self.rows, self.batches = self._whole.num_rows, 1
        except (pa.ArrowException, OSError, ValueError, IndexError) as exc:
            self.close()
            raise _table_damaged(kind, exc) from None

    def close(self) -> None:
        self._src.close()

    def iter_batches(self, columns: list[str], chunksize: int):
        """Record batches of at most about ``chunksize`` rows with only ``columns``."""
        pa = _pyarrow()
        try:
            if self.kind == "parquet":  # row group by row group: memory holds one (of the needed columns)
                for group in range(self.batches):
                    yield from self._pf.iter_batches(batch_size=chunksize, row_groups=[group],
                                                     columns=columns, use_threads=True)  # fmt: skip
                return
            if self.kind == "arrow":
                batches = (self._reader.get_batch(i) for i in range(self.batches))
            elif self.kind == "arrow_stream":
                batches = iter(self._reader)
            else:
                batches = iter(self._whole.to_batches(max_chunksize=chunksize))
            for batch in batches:
                batch = batch.select(columns)
                for start in range(0, max(1, batch.num_rows), chunksize):
                    yield batch.slice(start, chunksize)
        except (pa.ArrowException, OSError, ValueError, IndexError) as exc:
            raise _table_damaged(self.kind, exc) from None


def _usable(field) -> str | None:
    """How a column is read into pandas: 'as is', 'float' (decimals), 'text' (dates and times), or None (a
    list, struct, map or binary column, which no loss takes)."""
    import pyarrow.types as t

    ty = field.type
    if t.is_dictionary(ty):
        ty = ty.value_type
    if t.is_integer(ty) or t.is_floating(ty) or t.is_boolean(ty) or t.is_null(ty):
        return "as is"
    if t.is_string(ty) or t.is_large_string(ty) or (hasattr(t, "is_string_view") and t.is_string_view(ty)):
        return "as is"
    if t.is_decimal(ty):
        return "float"
    if t.is_temporal(ty):
        return "text"
    return None


def _to_frame(batch, casts: dict[str, str]):
    """A record batch as a pandas frame: decimals as floats, dates and times as their text."""
    pa = _pyarrow()
    import pyarrow.compute as pc

    arrays, names = [], []
    for name, col in zip(batch.schema.names, batch.columns, strict=True):
        how = casts.get(name, "as is")
        if pa.types.is_dictionary(col.type):
            col = col.dictionary_decode()
        if how == "float":
            col = pc.cast(col, pa.float64())
        elif how == "text":
            col = pc.cast(col, pa.string())
        arrays.append(col)
        names.append(name)
    # split_blocks: a column per block, zero-copy where the type allows (no 2-D copy of the whole batch)
    return pa.RecordBatch.from_arrays(arrays, names=names).to_pandas(split_blocks=True)


def table_format(source: Source, kind: str, *, max_bytes: int | None = None) -> TableFormat:
    """Open a table file and describe it: its usable columns (numbers, booleans, text; dates as text)."""
    size = len(source) if isinstance(source, (bytes, bytearray, memoryview)) else os.path.getsize(source)
    table = _Table(source, kind)
    try:
        names = list(table.schema.names)
        dup = sorted({n for n in names if names.count(n) > 1})
        if dup:
            raise ScoringError(
                "column", f"The {NAMES[kind]} file has more than one column named {dup[0]!r}. Rename them."
            )
        usable = [f.name for f in table.schema if _usable(f)]
        left = [f.name for f in table.schema if not _usable(f)]
        notes = [f"Content: {NAMES[kind]} (from its first bytes); typed columns, so nothing to sniff."]
        kn = kind_note(source, kind)
        if kn and "although" in kn:
            notes[0] = kn
        if left:
            shown = ", ".join(repr(n) for n in left[:6]) + (", ..." if len(left) > 6 else "")
            notes.append(f"Left out {len(left)} column(s) of lists, structs or bytes, which no loss takes: "
                         f"{shown}.")  # fmt: skip
        if len(usable) < 2:
            raise ScoringError(
                "one_column",
                f"The {NAMES[kind]} file has {len(usable)} column(s) of numbers or text "
                f"({', '.join(repr(n) for n in usable) or 'none'}); scoring needs at least two: the true "
                "values and the predictions.",
            )
        if table.batches and not table.rows:
            shown = ", ".join(repr(n) for n in usable[:6])
            raise ScoringError("header_only", f"The {NAMES[kind]} file has columns ({shown}) but no rows.")
        if max_bytes is not None and kind == "parquet":
            data = sum(table._pf.metadata.row_group(i).total_byte_size for i in range(table.batches))
            if data > max_bytes:
                raise ScoringError(
                    "too_large",
                    f"The Parquet file holds {data / 2**20:.1f} MB of data; the limit here is "
                    f"{max_bytes / 2**20:.1f} MB. Score it with the command line instead "
                    "(python -m scoring FILE.parquet), which streams files of any size.",
                )
        return TableFormat(columns=tuple(usable), size=size, notes=tuple(notes), container=kind,
                           rows=table.rows, batches=table.batches)  # fmt: skip
    finally:
        table.close()


def iter_table_chunks(
    source: Source, fmt: TableFormat, *, usecols: list[str] | None = None, chunksize: int
) -> Iterator[tuple[int, object, float]]:
    """``(first_row, frame, fraction)`` per chunk, as ``reader.iter_chunks`` yields them, with only
    ``usecols`` read from the file."""
    cols = list(usecols) if usecols is not None else list(fmt.columns)
    table = _Table(source, fmt.container)
    try:
        missing = [c for c in cols if c not in table.schema.names]
        if missing:
            raise ScoringError("column", f"The file has no column {missing[0]!r}; its columns: "
                               + ", ".join(repr(n) for n in fmt.columns) + ".")  # fmt: skip
        casts = {f.name: _usable(f) for f in table.schema if f.name in cols}
        start = 1
        for batch in table.iter_batches(cols, chunksize):
            if batch.num_rows == 0:
                continue
            frame = _to_frame(batch, casts)
            start_next = start + len(frame)
            frac = min(1.0, (start_next - 1) / fmt.rows) if fmt.rows else 0.0
            yield start, frame, frac
            start = start_next
    finally:
        table.close()


def read_table_sample(source: Source, fmt: TableFormat, nrows: int):
    """The first ``nrows`` rows, every usable column (the detector's view)."""
    import pandas as pd

    frames, got = [], 0
    for _first, frame, _frac in iter_table_chunks(source, fmt, chunksize=nrows):
        frames.append(frame.iloc[: nrows - got])
        got += len(frames[-1])
        if got >= nrows:
            break
    if not frames:
        raise ScoringError("header_only", "Nothing in the table: add the rows to score.")
    return pd.concat(frames, ignore_index=True) if len(frames) > 1 else frames[0]


def table_block(source: Source, fmt: TableFormat, index: int, usecols: list[str]):
    """Record batch ``index`` of an Arrow file (the whole file for a stream or Feather v1) as a frame of
    ``usecols``: one Dask partition."""
    import pandas as pd

    table = _Table(source, fmt.container)
    try:
        casts = {f.name: _usable(f) for f in table.schema if f.name in usecols}
        if fmt.container == "arrow":
            try:
                batch = table._reader.get_batch(index).select(list(usecols))
            except (_pyarrow().ArrowException, OSError, ValueError, IndexError) as exc:
                raise _table_damaged(fmt.container, exc) from None
            return _to_frame(batch, casts)
        frames = [_to_frame(b, casts) for b in table.iter_batches(list(usecols), 1 << 30)]
        return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=list(usecols))
    finally:
        table.close()
