"""``--engine dask``: the local engine's per-block scoring as Dask tasks, for data beyond one machine.

Each file becomes Dask partitions (``dask.dataframe.read_csv`` by byte blocks, or one per compressed file;
``read_parquet`` one per row group; Arrow files one per record batch), each partition is scored by
``scoring.dataset.score_block`` in a task (problems recorded, not raised), and the partials are merged by a
tree reduction on the cluster (``merge_all`` over groups of ``SPLIT_EVERY``), per file and then over the
files. Detection, sniffing and every check of the options run first, on the client, on each file's first
kilobytes, exactly as the local engine runs them. The result equals the local engine's to rounding
(the sums are added in another order).

A partition does not know its first row number until the partitions before it are counted, so its tasks
number rows from 1; afterwards the rows of a missing value are shifted, and the one or two partitions a
message comes from are scored again on the client with their true first row, so messages name the file's
rows as the local engine's do.

``--scheduler tcp://HOST:PORT`` connects to a running cluster, whose workers need this repository on their
path (checked: the same source of ``losses`` and ``scoring``); without it a ``distributed.LocalCluster``
(one single-threaded worker process per core) is started and stopped.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import os
from collections.abc import Iterator, Sequence
from pathlib import Path

from scoring import chunked, dataset, formats
from scoring.dataset import BlockSpec, Dataset, Partial, Source
from scoring.errors import ScoringError

#: Partials merged per task of the tree reduction.
SPLIT_EVERY = 8
#: CSV byte blocks: about four per worker thread, within these bounds.
MIN_BLOCK, MAX_BLOCK = 8 * 2**20, 64 * 2**20
#: Seconds to wait for a scheduler given by --scheduler.
CONNECT_TIMEOUT = 10
_ROOT = Path(__file__).resolve().parents[1]


def require() -> None:
    """The scale extra is installed, or a ``dependency`` error that says how to install it."""
    try:
        import dask.dataframe  # noqa: F401
        import distributed  # noqa: F401
    except ImportError as exc:
        raise ScoringError(
            "dependency",
            f"--engine dask needs dask[dataframe] and distributed ({exc.name} is missing): "
            f"{formats.INSTALL}.",
        ) from None


def fingerprint() -> str:
    """A digest of the source of ``losses`` and ``scoring`` (run on each worker too: the same code)."""
    h = hashlib.sha256()
    for pkg in ("losses", "scoring"):
        for path in sorted((_ROOT / pkg).glob("*.py")):
            h.update(path.name.encode())
            h.update(path.read_bytes())
    return h.hexdigest()


@contextlib.contextmanager
def client_for(scheduler: str | None) -> Iterator:
    """A ``distributed.Client``: on ``scheduler``, or on a ``LocalCluster`` started here and stopped after."""
    require()
    from distributed import Client, LocalCluster

    if scheduler is None:
        with (
            LocalCluster(n_workers=os.cpu_count() or 1, threads_per_worker=1, processes=True,
                         dashboard_address=":0", silence_logs=logging.ERROR) as cluster,  # fmt: skip
            Client(cluster) as client,
        ):
            client.run(_strict_parsing)
            yield client
        return
    try:
        client = Client(scheduler, timeout=CONNECT_TIMEOUT)
    except (OSError, TimeoutError, ValueError) as exc:
        raise ScoringError(
            "engine",
            f"Could not connect to the Dask scheduler at {scheduler} ({exc}). Check the address, or leave "
            "out --scheduler to start a local cluster.",
        ) from None
    with client:
        _check_workers(client, scheduler)
        client.run(_strict_parsing)
        yield client


def _check_workers(client, scheduler: str) -> None:
    if not client.nthreads():
        raise ScoringError("engine", f"The Dask scheduler at {scheduler} has no workers; start some "
                           f"(dask worker {scheduler}).")  # fmt: skip
    try:
        prints = client.run(fingerprint)
    except Exception as exc:  # noqa: BLE001 - whatever a worker failed with, the way forward is the same
        raise ScoringError(
            "engine",
            f"The Dask workers at {scheduler} could not run Loss Explorer's scoring ({type(exc).__name__}: "
            f"{exc}). Start them from a checkout of this repository (its folder on PYTHONPATH).",
        ) from None
    mine = fingerprint()
    odd = sorted(w for w, fp in prints.items() if fp != mine)
    if odd:
        raise ScoringError(
            "engine",
            f"{len(odd)} Dask worker(s) ({odd[0]}) run other source code of losses/scoring than this one; "
            "their numbers could differ. Start them from the same checkout.",
        )


# -- the partitions ----------------------------------------------------------------------------------
_COMPRESSION = {"gzip": "gzip", "bz2": "bz2", "xz": "xz", "zstd": "zstd"}


def _csv_dtypes(src: Source, spec: BlockSpec, columns) -> dict[str, str]:
    """One dtype per column for every partition (Dask needs them to agree): numbers in the detector's
    sample as float64, the rest as text (pandas' own guess could differ from one block to the next)."""
    import pandas as pd

    from scoring.reader import read_sample

    sample = read_sample(src.path, src.fmt)
    out = {}
    for c in columns:
        dt = sample[c].dtype
        numeric = pd.api.types.is_numeric_dtype(dt) and not pd.api.types.is_bool_dtype(dt)
        out[c] = "float64" if numeric else "object"  # booleans too: a missing cell would make them text
    return out


def _read_kwargs(fmt, usecols: list[str], text: list[str]) -> dict:
    from scoring import reader

    kw = dict(reader._read_kwargs(fmt, usecols, text))
    kw.pop("engine", None)
    return kw


def partitions(src: Source, spec: BlockSpec, blocksize: int) -> list:
    """The file's partitions as Dask delayed objects (pandas frames of ``spec.usecols``), in row order."""
    import dask
    import dask.dataframe as dd

    fmt, cols = src.fmt, spec.usecols
    if isinstance(fmt, formats.TableFormat):
        if fmt.container == "parquet":
            # dates as dates (their text then as the local reader's: pyarrow's cast, "2024-01-31")
            ddf = dd.read_parquet(src.path, columns=cols, split_row_groups=True, parquet_file_extension=None,
                                  arrow_to_pandas={"date_as_object": True})  # fmt: skip
        else:
            n = fmt.batches if fmt.container == "arrow" else 1
            return [dask.delayed(formats.table_block)(src.path, fmt, i, cols) for i in range(n)]
    else:
        kind = formats.kind_of(src.path)
        compression = _COMPRESSION.get(kind)
        kw = _read_kwargs(fmt, cols, chunked.text_columns(spec.det))
        # Every column is parsed, not only the needed ones: pandas then refuses a row with more fields than
        # the file's columns (with usecols it would drop them silently; the local reader counts the fields
        # as it reads the bytes, which read_csv does not let in), and the first row of a block, which pandas
        # only warns about, is refused by the workers' warning filter (_strict_parsing)
        kw.pop("usecols", None)
        kw["dtype"] = _csv_dtypes(src, spec, fmt.columns)
        ddf = dd.read_csv(src.path, blocksize=None if compression else blocksize, compression=compression,
                          sample=256_000, **kw)  # fmt: skip
    return list(ddf.to_delayed())


def score_partition(frame, spec: BlockSpec, fmt, pos, first: int = 1) -> Partial:
    """One partition scored (problems recorded in the partial: the earliest is raised after the merge)."""
    return dataset.score_block(frame, first, spec, pos, catch=True)


def _strict_parsing() -> None:
    """On each worker: pandas' warning that a block's first row has more fields than the columns (its data
    would be dropped) is an error there, as any other row's extra fields are."""
    import warnings

    import pandas as pd

    warnings.filterwarnings("error", message="Length of header or names does not match",
                            category=pd.errors.ParserWarning)  # fmt: skip


def _tree(client, futures: Sequence):
    """One future: ``futures`` merged by ``merge_all`` in a tree of tasks, ``SPLIT_EVERY`` at a time."""
    level = list(futures)
    while len(level) > 1:
        level = [client.submit(dataset.merge_all, level[i : i + SPLIT_EVERY], pure=False)
                 for i in range(0, len(level), SPLIT_EVERY)]  # fmt: skip
    return level[0]


def _blocksize(ds: Dataset, threads: int, given: int | None) -> int:
    if given:
        return given
    return int(min(MAX_BLOCK, max(MIN_BLOCK, ds.size / max(1, 4 * threads))))


def score_files(
    ds: Dataset,
    spec: BlockSpec,
    *,
    scheduler: str | None = None,
    progress=None,
    blocksize: int | None = None,
    by_file: bool = False,
) -> tuple[list[Partial] | None, Partial]:
    """Each file's merged partial (with ``by_file``, in the dataset's order) and the dataset's, scored as Dask
    tasks and merged by trees of tasks on the cluster."""
    require()
    import dask
    from distributed import as_completed

    with client_for(scheduler) as client:
        threads = sum(client.nthreads().values())
        size = _blocksize(ds, threads, blocksize)
        parts = {i: partitions(s, spec, size) for i, s in enumerate(ds.sources) if s.fmt is not None}
        leaves, where = [], []
        for i, delayed_parts in parts.items():
            fmt = ds.sources[i].fmt
            for b, part in enumerate(delayed_parts):
                leaves.append(dask.delayed(score_partition, pure=True)(part, spec, fmt, (i, b)))
                where.append((i, b))
        futures = client.compute(leaves)
        if progress is not None:
            progress.total_parts = len(futures)
            progress.update(parts=0, force=True)
        done = 0
        for _fut in as_completed(futures):
            done += 1
            if progress is not None:
                progress.update(parts=done, done_bytes=ds.size * done / max(1, len(futures)))
        _raise_failed(futures, where, ds)
        if by_file:
            by: dict[int, list] = {}
            for fut, (i, _b) in zip(futures, where, strict=True):
                by.setdefault(i, []).append(fut)
            file_futs = {i: _tree(client, futs) for i, futs in by.items()}
            total_fut = _tree(client, list(file_futs.values()))
            got = client.gather([total_fut, *file_futs.values()])
            total, merged = got[0], dict(zip(file_futs, got[1:], strict=True))
            files = [merged.get(i, Partial()) for i in range(len(ds.sources))]
        else:
            total, files = client.gather(_tree(client, futures)), None
        for part in [total, *(files or [])]:
            _renumber(client, part, parts, spec, ds)
        return files, total


def _raise_failed(futures, where, ds: Dataset) -> None:
    """A partition Dask could not read or score (not a problem of a cell, which the partial records)."""
    for fut, (i, b) in zip(futures, where, strict=True):
        if fut.status == "error":
            exc = fut.exception()
            if isinstance(exc, ScoringError):
                raise dataset.in_file(exc, ds.sources[i].name, ds.several)
            msg = str(exc).strip().splitlines()[-1] if str(exc).strip() else type(exc).__name__
            kind = "non_numeric" if "convert" in msg or "could not" in msg.lower() else "parse"
            raise ScoringError(
                kind,
                f"{ds.sources[i].name}: Dask could not read partition {b + 1} ({type(exc).__name__}: {msg}). "
                "The local engine (--engine local) names the row.",
            )


def _offsets(part: Partial) -> dict[tuple[int, int], int]:
    """For each partition: the rows of its file before it."""
    out, acc = {}, {}
    for (i, b), n in sorted(part.blocks.items()):
        out[(i, b)] = acc.get(i, 0)
        acc[i] = acc.get(i, 0) + n
    return out


def _renumber(client, part: Partial, delayed_parts: dict, spec: BlockSpec, ds: Dataset) -> None:
    """Give the file's row numbers to what the tasks numbered from 1 (see the module docstring)."""
    offsets = _offsets(part)
    if part.first_missing is not None:
        pos, row, col = part.first_missing
        part.first_missing = (pos, row + offsets.get(pos, 0), col)
    where = {rec[0] for rec in part.errors.values()} | {rec[0] for rec in part.skipped.values()}
    for pos in sorted(p for p in where if offsets.get(p, 0)):  # a file's first partition: rows already right
        i, b = pos
        frame = client.compute(delayed_parts[i][b]).result()
        again = score_partition(frame, spec, ds.sources[i].fmt, pos, first=offsets.get(pos, 0) + 1)
        for stage, rec in again.errors.items():
            if part.errors.get(stage, (None,))[0] == pos:
                part.errors[stage] = rec
        for name, rec in again.skipped.items():
            if part.skipped.get(name, (None,))[0] == pos:
                part.skipped[name] = rec
