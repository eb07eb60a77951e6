"""Many files as one dataset, with breakdowns per file (``--by-file``) and per value of a column
(``--group-by``).

``python -m scoring 'preds/*.parquet'`` (a glob, a directory, or several files) scores every file with the
first file's detection, and reports one set of costs. Every block of rows (a chunk of a file, or a Dask
partition) is scored into a ``Partial``: per-loss sums and counts (the core's mergeable ``spec.total``),
rows read, scored and missing, the first problem and where it was, and the same sums per group. Partials
merge by adding (``Partial.merge``), in any order and any tree; ``spec.finish_cost`` turns merged sums
into costs, for the whole dataset, each file and each group alike. So a group's cost is its rows' cost
scored alone, and the dataset's is the concatenated file's.

The per-block work is ``score_block``: the same steps, in the same order, as ``scoring.score`` on a chunk
(``scoring.chunked``'s own helpers), so a file scores the same alone or in a dataset, locally or as Dask
tasks (``scoring.engine_dask``).
"""

from __future__ import annotations

import argparse
import glob
import json
import os
import sys
from collections.abc import Iterable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

import losses
from scoring.detect import Detection, _show, detect, detect_file
from scoring.errors import ScoringError
from scoring.lazy import later
from scoring.reader import CHUNK_ROWS, CsvFormat, iter_chunks, read_sample, sniff

if TYPE_CHECKING:
    import pandas as pd

    from scoring import chunked
    from scoring.chunked import Plan, Result
else:  # imported when a dataset is scored: the command line's options and --help need neither
    pd = later("pandas", globals(), "pd")
    chunked = later("scoring.chunked", globals(), "chunked")

#: The most distinct values ``--group-by`` takes (beyond that it is an id, not a group).
MAX_GROUPS = 10_000
#: Shown for rows whose group cell is empty.
MISSING_GROUP = "(missing)"
#: Where a block is: (file index, block index), ordered as the rows are.
Pos = tuple[int, int]


# -- which files -------------------------------------------------------------------------------------
def _hidden(path: Path, root: Path) -> bool:
    """Names starting with . or _ (``_SUCCESS``, ``.crc``, ``_metadata``) are not data, as Spark, Dask and
    pyarrow have it."""
    return any(part.startswith((".", "_")) for part in path.relative_to(root).parts)


def expand(items: Sequence[str | os.PathLike]) -> list[str]:
    """The files that ``items`` name: files as they are, a directory's files (recursively, in name order,
    without hidden ones), a glob's matches (``**`` recurses). Nothing to score is a ``no_files`` error."""
    out: list[str] = []
    for item in items:
        text = os.fspath(item)
        if os.path.isdir(text):
            root = Path(text)
            found = sorted(str(p) for p in root.rglob("*") if p.is_file() and not _hidden(p, root))
            if not found:
                raise ScoringError("no_files", f"The folder {text} holds no files to score (names starting "
                                   "with . or _ are left out, as Spark and Dask write them).")  # fmt: skip
            out += found
        elif glob.has_magic(text):
            found = sorted(p for p in glob.glob(text, recursive=True) if os.path.isfile(p))
            if not found:
                raise ScoringError(
                    "no_files",
                    f"No file matches {text!r} (looked from {os.getcwd()}). Check the pattern; quote it so "
                    "that the shell passes it as it is (python -m scoring 'preds/*.parquet').",
                )
            out += found
        else:
            out.append(text)
    seen: set[str] = set()
    return [p for p in out if not (os.path.realpath(p) in seen or seen.add(os.path.realpath(p)))]


def is_dataset(items: Sequence[str]) -> bool:
    """Whether the command line names more than one file: several, a glob or a directory."""
    return len(items) > 1 or any(glob.has_magic(str(i)) or os.path.isdir(str(i)) for i in items)


@dataclass(frozen=True)
class Source:
    """One file of a dataset: its path, its size on disk, its format (sniffed on its own)."""

    path: str
    size: int
    fmt: CsvFormat | None  # None: a file with no rows (an empty shard), left out

    @property
    def name(self) -> str:
        return self.path


@dataclass(frozen=True)
class Dataset:
    """The files, the first non-empty file's format and the detection every file is scored with."""

    sources: tuple[Source, ...]
    fmt: CsvFormat
    det: Detection
    label: str  # what the command line named ("preds/*.parquet")

    @property
    def several(self) -> bool:
        return len(self.sources) > 1

    @property
    def size(self) -> int:
        return sum(s.size for s in self.sources)


def _same_columns(first: Source, other: Source) -> None:
    a, b = set(first.fmt.columns), set(other.fmt.columns)
    if a == b:
        return
    lacks, extra = sorted(a - b), sorted(b - a)
    what = "; ".join(x for x in (
        f"it lacks {', '.join(repr(c) for c in lacks)}" if lacks else "",
        f"it has {', '.join(repr(c) for c in extra)} too" if extra else "",
    ) if x)  # fmt: skip
    raise ScoringError(
        "schema",
        f"{other.name} does not have the columns of {first.name} ({what}). Every file of a dataset needs the "
        "same columns: move that file out, or score it on its own.",
    )


def open_dataset(items: Sequence[str], *, sniff_kw: Mapping[str, Any] | None = None,
                 detect_kw: Mapping[str, Any] | None = None, label: str = "",
                 whole_labels: bool = True) -> Dataset:  # fmt: skip
    """Expand ``items``, sniff every file, detect on the first one with rows, check they share columns.

    Detection is the single file's (``detect_file``: the labels of the whole first file) unless not
    ``whole_labels`` (the Dask engine, whose first file may be far bigger than one machine reads at ease):
    then the first file's sample alone."""
    sniff_kw = dict(sniff_kw or {})
    paths = expand(items)
    sources: list[Source] = []
    for path in paths:
        try:
            fmt = sniff(path, **sniff_kw)
        except ScoringError as exc:
            if exc.kind in ("header_only", "empty") and len(paths) > 1:
                fmt = None  # an empty shard: nothing to add
            else:
                raise in_file(exc, path, len(paths) > 1) from None
        sources.append(Source(path, os.path.getsize(path), fmt))
    full = [s for s in sources if s.fmt is not None]
    if not full:
        raise ScoringError("empty", f"None of the {len(sources)} files has rows to score.")
    first = full[0]
    try:
        if whole_labels:
            det = detect_file(first.path, first.fmt, **dict(detect_kw or {}))
        else:
            det = detect(read_sample(first.path, first.fmt), first.fmt, **dict(detect_kw or {}))
    except ScoringError as exc:
        raise in_file(exc, first.path, len(sources) > 1) from None
    for other in full[1:]:
        _same_columns(first, other)
    return Dataset(tuple(sources), first.fmt, det, label or ", ".join(map(str, items)))


def in_file(exc: ScoringError, path: str, several: bool) -> ScoringError:
    """``exc`` with the file's name in front of its message, when there are several files."""
    if not several or str(exc).startswith(f"{path}: "):
        return exc
    return ScoringError(exc.kind, f"{path}: {exc}", row=exc.row, column=exc.column, value=exc.value,
                        count=exc.count)  # fmt: skip


# -- partial sums ------------------------------------------------------------------------------------
@dataclass(frozen=True)
class BlockSpec:
    """What every block is scored with (sent to each Dask task): the detection, the losses and their
    parameters, the predictions' kind after the row fix, and the options."""

    det: Detection
    todo: tuple[Plan, ...]
    kw: Mapping[str, Mapping[str, float]]
    kind: str
    fix_rows: str | None
    drop_missing: bool
    group_by: str | None = None

    @property
    def usecols(self) -> list[str]:
        cols = list(self.det.columns)
        if self.group_by and self.group_by not in cols:
            cols.append(self.group_by)
        return cols


def block_spec(det: Detection, *, loss_names=None, params=None, drop_missing=False, fix_rows=None,
               group_by: str | None = None, columns: Sequence[str] = (),
               custom: Sequence[losses.LossSpec] = ()) -> BlockSpec:  # fmt: skip
    """Check the options (as ``scoring.score`` does) before reading a row; ``custom``: losses that are not
    registered (``losses.custom``), carried by their plans (to Dask workers too)."""
    fix, todo, kw = chunked._setup(det, fix_rows, loss_names, params, custom)
    if group_by is not None and group_by not in columns:
        raise ScoringError("column", f"--group-by {group_by}: the file has no such column; its columns: "
                           + ", ".join(repr(c) for c in columns) + ".", column=group_by)  # fmt: skip
    return BlockSpec(det, tuple(todo), kw, chunked.effective_pred_kind(det, fix), fix, drop_missing, group_by)


@dataclass
class Group:
    """One group's sums and counts per loss, and its rows scored."""

    sums: dict[str, float] = field(default_factory=dict)
    counts: dict[str, int] = field(default_factory=dict)
    rows: int = 0

    def add(self, other: Group) -> None:
        for n, s in other.sums.items():
            self.sums[n] = self.sums.get(n, 0.0) + s
            self.counts[n] = self.counts.get(n, 0) + other.counts[n]
        self.rows += other.rows


@dataclass
class Partial:
    """Mergeable results of scoring some blocks (see the module docstring).

    ``first_missing`` is ``(pos, row, column)``; ``skipped`` maps a loss to ``(pos, reason)``; ``errors``
    maps a stage ('read': converting cells; 'check': predictions' ranges and rows) to
    ``(pos, error fields)``, the earliest of each; ``blocks`` holds each block's rows read (a Dask partition
    learns its first row number from them afterwards).
    """

    sums: dict[str, float] = field(default_factory=dict)
    counts: dict[str, int] = field(default_factory=dict)
    rows_read: int = 0
    rows_scored: int = 0
    missing: int = 0
    first_missing: tuple[Pos, int, str] | None = None
    skipped: dict[str, tuple[Pos, str]] = field(default_factory=dict)
    fixes: dict[str, int] = field(default_factory=dict)
    errors: dict[str, tuple[Pos, dict]] = field(default_factory=dict)
    groups: dict[Any, Group] = field(default_factory=dict)
    blocks: dict[Pos, int] = field(default_factory=dict)

    def merge(self, other: Partial) -> Partial:
        """Add ``other`` into this one (returned): sums and counts add, the earliest problems are kept."""
        for n, s in other.sums.items():
            self.sums[n] = self.sums.get(n, 0.0) + s
            self.counts[n] = self.counts.get(n, 0) + other.counts[n]
        self.rows_read += other.rows_read
        self.rows_scored += other.rows_scored
        self.missing += other.missing
        if other.first_missing is not None:
            fm = self.first_missing
            self.first_missing = other.first_missing if fm is None or other.first_missing < fm else fm
        for n, rec in other.skipped.items():
            self.skipped[n] = min(self.skipped.get(n, rec), rec, key=lambda r: r[0])
        for k, v in other.fixes.items():
            self.fixes[k] = self.fixes.get(k, 0) + v
        for stage, rec in other.errors.items():
            mine = self.errors.get(stage)
            self.errors[stage] = rec if mine is None or rec[0] < mine[0] else mine
        for key, g in other.groups.items():
            self.groups.setdefault(key, Group()).add(g)
        self.blocks.update(other.blocks)
        return self


def merge_all(parts: Iterable[Partial]) -> Partial:
    """All of ``parts`` merged into a new partial (the inputs are left as they are)."""
    out = Partial()
    for p in parts:
        out.merge(p)
    return out


class _Serial:
    """``Executor.map`` in the calling thread: a Dask task scores its losses one after another (Dask runs the
    tasks in parallel)."""

    @staticmethod
    def map(fn, items):
        return map(fn, items)


def group_key(value: Any) -> Any:
    """A group's key: numbers as floats (1 and 1.0 are one group), text as it is, empty cells as None."""
    if value is None or (isinstance(value, float) and value != value) or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if isinstance(value, (int, float, np.integer, np.floating)):
        return float(value)
    if isinstance(value, pd.Timestamp):  # as pyarrow writes it as text, which the local engine reads
        return _timestamp_text(value)
    return str(value)  # a date as pyarrow writes it: "2024-01-31"


def _timestamp_text(t: pd.Timestamp) -> str:
    """A time as pyarrow casts it to text: its unit's digits of a second, the offset from UTC as +0100."""
    digits = {"s": 0, "ms": 3, "us": 6, "ns": 9}.get(getattr(t, "unit", "ns"), 9)
    text = t.strftime("%Y-%m-%d %H:%M:%S")
    if digits:
        text += "." + f"{t.microsecond * 1000 + t.nanosecond:09d}"[:digits]
    return text + (t.strftime("%z") if t.tzinfo is not None else "")


def show_key(key: Any) -> str:
    """A group's key as the reports show it."""
    if key is None:
        return MISSING_GROUP
    return _show(key) if isinstance(key, float) else str(key)


def _sort_key(key: Any):
    return (key is None, isinstance(key, str), key if key is not None else 0)


def _group_sums(col: pd.Series, values: Mapping[str, np.ndarray], names: Iterable[str]) -> dict[Any, Group]:
    codes, uniques = pd.factorize(col, use_na_sentinel=False)
    if len(uniques) > MAX_GROUPS:
        raise ScoringError(
            "option",
            f"--group-by {col.name}: more than {MAX_GROUPS:,} distinct values in one block of rows; that is "
            "an id, not a group. Group by a coarser column (a model, a day, a class).",
            column=str(col.name),
        )
    g = len(uniques)
    rows = np.bincount(codes, minlength=g)
    sums = {n: np.bincount(codes, weights=values[n], minlength=g) for n in names if n in values}
    out: dict[Any, Group] = {}
    for i, u in enumerate(uniques):
        one = Group({n: float(s[i]) for n, s in sums.items()}, {n: int(rows[i]) for n in sums}, int(rows[i]))
        out.setdefault(group_key(u), Group()).add(one)
    return out


def _error_fields(exc: ScoringError) -> dict:
    value = exc.value if isinstance(exc.value, (str, int, float, type(None))) else str(exc.value)
    return {"kind": exc.kind, "message": str(exc), "row": exc.row, "column": exc.column, "value": value,
            "count": exc.count}  # fmt: skip


def error_from(fields: Mapping[str, Any]) -> ScoringError:
    return ScoringError(fields["kind"], fields["message"], row=fields["row"], column=fields["column"],
                        value=fields["value"], count=fields["count"])  # fmt: skip


def score_block(
    frame: pd.DataFrame,
    first: int,
    spec: BlockSpec,
    pos: Pos,
    *,
    pool=None,
    catch: bool = False,
    score_rows: bool = True,
    skip: frozenset[str] = frozenset(),
) -> Partial:
    """One block of rows (``first``: the file's row number of its first row) scored into a ``Partial``.

    The steps of ``scoring.score`` on one chunk: cells to arrays, missing rows counted (and dropped if asked),
    infinities and predictions checked, every loss not in ``skip`` summed (per group too). With ``catch`` a
    problem is recorded in the partial instead of raised (Dask tasks: the earliest wins when merged);
    ``score_rows=False`` only reads and counts (after missing rows that are not dropped, as ``score`` does).
    """
    det = spec.det
    tally = chunked._Tally.start([p for p in spec.todo if p.name not in skip])
    out = Partial(blocks={pos: len(frame)})
    stage = "read"
    try:
        t, p, file_rows, holes = chunked._read(frame, first, det, tally)
        if score_rows and not (tally.missing and not spec.drop_missing):
            stage = "check"
            checked = chunked._checked(frame, t, p, file_rows, holes, det, spec.kind, spec.fix_rows, tally)
            if checked is not None:
                t, p, file_rows, frame = checked
                chunk = chunked._Chunk(det, t, p)
                by_group = spec.group_by is not None
                values = chunked._score_chunk(pool or _Serial, tally, chunk, spec.kw, file_rows, by_group)
                if by_group:
                    out.groups = _group_sums(frame[spec.group_by], values, [q.name for q in tally.live()])
    except ScoringError as exc:
        if not catch:
            raise
        out.errors[stage] = (pos, _error_fields(exc))
    live = {q.name for q in tally.live()}
    out.sums = {n: s for n, s in tally.sums.items() if n in live}
    out.counts = {n: c for n, c in tally.counts.items() if n in live}
    out.rows_read, out.rows_scored, out.missing = tally.rows_read, tally.rows_scored, tally.missing
    out.fixes = dict(tally.fixes)
    if tally.first_missing is not None:
        out.first_missing = (pos, *tally.first_missing)
    out.skipped = {n: (pos, why) for n, why in tally.skipped.items()}
    return out


# -- finishing ---------------------------------------------------------------------------------------
def raise_first_error(part: Partial, drop_missing: bool, name_of=lambda pos: None) -> None:
    """The problem ``scoring.score`` would have stopped at: the earliest cell that is not a number or a
    label (anywhere), or the earliest prediction out of range before the first missing row; then missing
    rows (unless dropped)."""
    cands = []
    if "read" in part.errors:
        cands.append(part.errors["read"])
    check = part.errors.get("check")
    if check is not None and (drop_missing or part.first_missing is None or check[0] < part.first_missing[0]):
        cands.append(check)
    if cands:
        pos, fields = min(cands, key=lambda r: r[0])
        exc = error_from(fields)
        name = name_of(pos)
        raise in_file(exc, name, True) if name else exc


def to_result(part: Partial, spec: BlockSpec, fmt: CsvFormat, *, name_of=lambda pos: None) -> Result:
    """The report of a merged partial, as ``scoring.score`` makes it; problems raised as ``score`` would."""
    raise_first_error(part, spec.drop_missing, name_of)
    first_missing = None
    if part.first_missing is not None:
        pos, row, col = part.first_missing
        where = name_of(pos)
        first_missing = (f"{row} of {where}" if where else row, col)
    skipped = {n: (f"{name_of(pos)}: {why}" if name_of(pos) else why)
               for n, (pos, why) in sorted(part.skipped.items(), key=lambda kv: kv[1][0])}  # fmt: skip
    tally = chunked._Tally(plans=list(spec.todo), sums=dict(part.sums), counts=dict(part.counts),
                           skipped=skipped, fixes=dict(part.fixes), rows_read=part.rows_read,
                           rows_scored=part.rows_scored, missing=part.missing,
                           first_missing=first_missing)  # fmt: skip
    try:
        chunked._check_scored(tally, fmt, spec.drop_missing)
    except ScoringError as exc:
        if first_missing is not None and exc.kind == "missing":
            exc.row = part.first_missing[1]
        raise
    totals = {n: (part.sums[n], part.counts[n]) for n in (p.name for p in spec.todo)
              if n not in skipped and n in part.sums}  # fmt: skip
    row_notes = chunked._row_notes(tally, spec.fix_rows)
    live = tally.live()
    return chunked.Result(
        detection=spec.det, fmt=fmt, params={n: dict(spec.kw[n]) for n in totals}, totals=totals,
        skipped=skipped, rows_read=part.rows_read, rows_scored=part.rows_scored, rows_dropped=part.missing,
        notes=[*row_notes, *chunked.conversion_notes(live)], plans=live, row_notes=row_notes,
    )  # fmt: skip


@dataclass
class Line:
    """One line of a breakdown (a file or a group): its rows and per-loss sums, counts and costs."""

    key: Any
    label: str
    rows_read: int
    rows_scored: int
    totals: dict[str, tuple[float, int]]
    #: the custom losses among them (``Result.custom``), which the registry does not know
    custom: Mapping[str, losses.LossSpec] = field(default_factory=dict, repr=False)

    @property
    def costs(self) -> dict[str, float]:
        specs = {n: self.custom.get(n) or losses.get(n) for n in self.totals}
        return {n: specs[n].finish_cost(s, c) for n, (s, c) in self.totals.items() if c}

    def to_dict(self) -> dict:
        return {"key": self.key, "label": self.label, "rows_read": self.rows_read,
                "rows_scored": self.rows_scored,
                "losses": {n: {"cost": self.costs.get(n), "sum": s, "count": c}
                           for n, (s, c) in self.totals.items()}}  # fmt: skip


@dataclass
class Report:
    """A dataset's result (``result``: every file's rows as one), per file and per group."""

    result: Result
    dataset: Dataset
    files: list[Line]
    groups: list[Line]
    group_by: str | None
    engine: str

    def summary(self, *, by_file: bool = False) -> dict:
        out = self.result.summary()
        out["dataset"] = {"files": len(self.dataset.sources), "bytes": self.dataset.size,
                          "named": self.dataset.label, "engine": self.engine}  # fmt: skip
        if by_file:
            out["files"] = [f.to_dict() for f in self.files]
        if self.group_by is not None:
            out["groups"] = {"column": self.group_by, "groups": [g.to_dict() for g in self.groups]}
        return out

    def to_json(self, *, by_file: bool = False, indent: int | None = 2) -> str:
        """``summary`` as strict JSON, as ``Result.to_json`` writes it: a value beyond float64 is null, with a
        note."""
        notes: list[str] = []
        data = chunked._finite(self.summary(by_file=by_file), "", notes)
        data["notes"] = [*data["notes"], *notes]
        return json.dumps(data, indent=indent, allow_nan=False, default=str)


def _lines_of_groups(part: Partial, names: list[str], custom: Mapping[str, losses.LossSpec]) -> list[Line]:
    out = []
    for key in sorted(part.groups, key=_sort_key):
        g = part.groups[key]
        totals = {n: (g.sums.get(n, 0.0), g.counts.get(n, 0)) for n in names}
        out.append(Line(key, show_key(key), g.rows, g.rows, totals, custom))
    return out


def score_dataset(
    ds: Dataset,
    *,
    loss_names: Iterable[str] | None = None,
    params: Mapping[str, Any] | None = None,
    custom: Sequence[losses.LossSpec] = (),
    drop_missing: bool = False,
    fix_rows: str | None = None,
    group_by: str | None = None,
    chunksize: int = CHUNK_ROWS,
    by_file: bool = False,
    engine: str = "local",
    scheduler: str | None = None,
    progress=None,
    blocksize: int | None = None,
) -> Report:
    """Score every file of ``ds`` as one (``engine``: 'local', or 'dask' on ``scheduler`` or a new one);
    ``custom``: losses that are not registered (``losses.custom``), beside the built-ins."""
    spec = block_spec(ds.det, loss_names=loss_names, params=params, drop_missing=drop_missing,
                      fix_rows=fix_rows, group_by=group_by, columns=ds.fmt.columns,
                      custom=custom)  # fmt: skip
    if engine == "dask":
        from scoring import engine_dask

        parts, total = engine_dask.score_files(ds, spec, scheduler=scheduler, progress=progress,
                                               blocksize=blocksize, by_file=by_file)  # fmt: skip
    elif engine == "local":
        parts = _score_local(ds, spec, chunksize, progress)
        total = merge_all(parts)
    else:
        raise ScoringError("option", f"Unknown engine {engine!r}; choose local or dask.")
    def name_of(pos: Pos) -> str | None:  # problems are placed by file when there are several
        return ds.sources[pos[0]].name if ds.several else None

    fmt = ds.fmt
    if ds.several:
        note = (f"Dataset: {len(ds.sources)} files named by {ds.label} ({ds.size / 2**20:,.1f} MB on disk), "
                f"scored with the detection of the first one with rows, "
                f"{next(s.name for s in ds.sources if s.fmt is not None)}")  # fmt: skip
        empty = sum(1 for s in ds.sources if s.fmt is None)
        if empty:
            note += f"; {empty} file(s) with no rows left out"
        note += "."
        fmt = replace(ds.fmt, notes=(note, *ds.fmt.notes))
    result = to_result(total, spec, fmt, name_of=name_of)
    live = [p.name for p in result.plans]
    files = [Line(s.name, s.name, p.rows_read, p.rows_scored,
                  {n: (p.sums.get(n, 0.0), p.counts.get(n, 0)) for n in live}, result.custom)
             for s, p in zip(ds.sources, parts, strict=True)] if parts is not None else []  # fmt: skip
    groups = _lines_of_groups(total, live, result.custom) if group_by is not None else []
    return Report(result, ds, files, groups, group_by, engine)


def _score_local(ds: Dataset, spec: BlockSpec, chunksize: int, progress) -> list[Partial]:
    """Every file in turn, chunk by chunk (prefetched), each chunk a block; stops at the first problem."""
    parts: list[Partial] = []
    missing_seen = False
    skipped: set[str] = set()  # losses skipped so far: not computed again (as ``score`` does)
    done_bytes, rows = 0, 0
    # spans of rows scored two at a time on 3+ cores (scoring.fused); on 2 the parser's thread needs the other
    with ThreadPoolExecutor(max_workers=2, thread_name_prefix="lossx-score") as pool:
        for i, src in enumerate(ds.sources):
            part = Partial()
            parts.append(part)
            if src.fmt is None:
                done_bytes += src.size
                continue
            try:
                chunks = iter_chunks(src.path, src.fmt, usecols=spec.usecols, chunksize=chunksize,
                                     text=chunked.text_columns(spec.det))  # fmt: skip
                for b, (first, frame, frac) in enumerate(chunks):
                    score_rows = spec.drop_missing or not missing_seen
                    block = score_block(frame, first, spec, (i, b), pool=pool, score_rows=score_rows,
                                        skip=frozenset(skipped))  # fmt: skip
                    missing_seen = missing_seen or block.missing > 0
                    skipped.update(block.skipped)
                    part.merge(block)
                    rows += len(frame)
                    if progress is not None:
                        progress.update(done_bytes=done_bytes + frac * src.size, rows=rows)
            except ScoringError as exc:
                raise in_file(exc, src.name, ds.several) from None
            done_bytes += src.size
    return parts


# -- the command line --------------------------------------------------------------------------------
def add_options(parser: argparse.ArgumentParser) -> None:
    """The command line's options for datasets, breakdowns and engines (``scoring.cli`` adds them)."""
    g = parser.add_argument_group("many files, breakdowns, engines")
    g.add_argument("--by-file", action="store_true", help="also give each file's costs (several files)")
    g.add_argument("--group-by", metavar="COLUMN",
                   help="also give the costs per value of COLUMN (a model, a day, a class)")  # fmt: skip
    g.add_argument("--engine", choices=("local", "dask"), default="local",
                   help="dask: score the blocks as Dask tasks (pip install -r requirements-scale.txt)")
    g.add_argument("--scheduler", metavar="tcp://HOST:PORT",
                   help="--engine dask: an existing Dask scheduler (default: a local cluster, started "
                   "and stopped)")  # fmt: skip
    g.add_argument("--blocksize", type=int, help=argparse.SUPPRESS)


def wanted(args: argparse.Namespace) -> bool:
    """Whether the command line asks for this module: several files, a breakdown or another engine."""
    return (is_dataset(args.file) or args.by_file or args.group_by is not None or args.engine != "local"
            or args.scheduler is not None)  # fmt: skip


def _breakdown_table(title: str, lines: list[Line], names: list[str]) -> str:
    from scoring.cli import _fmt_cost

    head = [title, "rows", *names]
    rows = [[ln.label, f"{ln.rows_scored:,}", *(_fmt_cost(ln.costs[n]) if n in ln.costs else "-"
                                                for n in names)] for ln in lines]  # fmt: skip
    widths = [max(len(str(r[j])) for r in [head, *rows]) for j in range(len(head))]
    out = ["  ".join(str(c).ljust(w) if j == 0 else str(c).rjust(w)
                     for j, (c, w) in enumerate(zip(r, widths, strict=True)))
           for r in [head, *rows]]  # fmt: skip
    return "\n".join(out)


def run(args: argparse.Namespace) -> int:
    """``python -m scoring`` on several files, with a breakdown or with the Dask engine."""
    from scoring import cli
    from scoring.progress import terminal

    if args.per_row:
        raise ScoringError(
            "option", "--per-row writes the rows of one file; it does not combine with several files, "
            "--by-file, --group-by or --engine dask. Score one file at a time for a per-row report.",
        )  # fmt: skip
    if args.scheduler is not None and args.engine != "dask":
        raise ScoringError("option", "--scheduler is for --engine dask; add --engine dask.")
    if args.chunk_rows < 1:
        raise ScoringError("loss", "--chunk-rows must be at least 1.")
    delimiter = {"tab": "\t", "\\t": "\t"}.get(args.delimiter or "", args.delimiter)
    header = {"auto": None, "yes": True, "no": False}[args.header]
    sniff_kw = dict(delimiter=delimiter, header=header, encoding=args.encoding, decimal=args.decimal)
    detect_kw = dict(task=args.task, y_true=args.y_true, y_pred=args.y_pred, id_column=args.id_column,
                     positive=args.positive, pred_kind=args.pred_kind)  # fmt: skip
    ds = open_dataset(args.file, sniff_kw=sniff_kw, detect_kw=detect_kw, label=" ".join(map(str, args.file)),
                      whole_labels=args.engine == "local")  # fmt: skip
    loss_names, custom = cli.loss_options(args, ds.det.task)
    with terminal(ds.size, quiet=args.quiet) as bar:
        report = score_dataset(
            ds, loss_names=loss_names, params=cli._params(args.param), custom=custom,
            drop_missing=args.drop_missing,
            fix_rows=args.fix_rows, group_by=args.group_by, chunksize=args.chunk_rows, by_file=args.by_file,
            engine=args.engine,
            scheduler=args.scheduler, progress=bar, blocksize=args.blocksize,
        )  # fmt: skip
    result, names = report.result, list(report.result.costs)
    if args.format == "json":
        print(report.to_json(by_file=args.by_file))  # strict JSON, as a single file's
    elif args.format == "csv":
        breakdown = args.by_file or args.group_by is not None
        print("by,key,loss,cost,sum,count" if breakdown else "loss,cost,sum,count")
        for name, cost in result.costs.items():
            s, c = result.totals[name]
            print(f"all,,{name},{cost!r},{s!r},{c}" if breakdown else f"{name},{cost!r},{s!r},{c}")
        for by, lines in (("file", report.files if args.by_file else []), (args.group_by, report.groups)):
            for ln in lines:
                for name, (s, c) in ln.totals.items():
                    cost = ln.costs.get(name)
                    cost_text = "" if cost is None else repr(cost)
                    print(f"{_csv_cell(by)},{_csv_cell(ln.label)},{name},{cost_text},{s!r},{c}")
    else:
        print(cli._table(result, report.result.fmt, ds.det, args.quiet))
        if args.by_file:
            print("\nBy file:")
            print(_breakdown_table("file", report.files, names))
        if args.group_by is not None:
            print(f"\nBy {args.group_by} ({len(report.groups)} groups):")
            print(_breakdown_table(args.group_by, report.groups, names))
    sys.stdout.flush()  # a write error shows here, while it can still be reported (as the CLI does)
    return cli.EXIT_OK


def _csv_cell(text: Any) -> str:
    from scoring.chunked import safe_cell

    text = str(safe_cell(str(text)))
    return '"' + text.replace('"', '""') + '"' if any(c in text for c in ',"\n\r') else text
