"""Parquet, Arrow/Feather and compressed CSV: told by content (magic bytes), scored as the CSV they hold.

Every fixture is written here from a frame (never downloaded): the same rows as plain CSV, gzip, zstd,
bzip2 and xz CSV, Parquet in several row groups, Arrow IPC (Feather v2), an Arrow stream and Feather v1.
"""

from __future__ import annotations

import bz2
import gzip
import io
import lzma
import math
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import scoring
from scoring import formats
from scoring import present as pr
from scoring.cli import main
from tests.scoring.scale import require_scale

pa = require_scale("pyarrow", "Parquet and Arrow need pyarrow")
pq = require_scale("pyarrow.parquet", "Parquet needs pyarrow")
zstandard = require_scale("zstandard", "zstd needs zstandard")

N = 3_001  # with chunks of 500 rows and row groups of 700: blocks that do not line up


def _frames() -> dict[str, pd.DataFrame]:
    rng = np.random.default_rng(14)
    y = rng.gamma(2.0, 2.0, N)
    p = rng.uniform(0, 1, N).round(6)
    t = (rng.uniform(0, 1, N) < p).astype(int)
    k = 3
    z = rng.normal(0, 2, (N, k)).round(6)
    q = np.exp(z) / np.exp(z).sum(1, keepdims=True)
    multi = pd.DataFrame({"label": np.array(["cat", "dog", "owl"])[rng.integers(0, k, N)]})
    for j, c in enumerate(("cat", "dog", "owl")):
        multi[f"prob_{c}"] = q[:, j]
    return {
        "regression": pd.DataFrame({"y_true": y.round(4), "model": rng.choice(["a", "b", "c"], N),
                                    "y_pred": (y + rng.normal(0, 1, N)).clip(0.01).round(4)}),
        "binary": pd.DataFrame({"id": np.arange(N), "truth": np.array(["no", "yes"])[t], "y_prob": p}),
        "multiclass": multi,
    }


FRAMES = _frames()
KINDS = ("csv", "gzip", "zstd", "bz2", "xz", "parquet", "arrow", "arrow_stream", "feather")


def to_bytes(frame: pd.DataFrame, kind: str) -> bytes:
    """``frame`` as a file of ``kind`` (a key of formats.NAMES)."""
    text = frame.to_csv(index=False).encode()
    if kind == "csv":
        return text
    if kind in formats.COMPRESSIONS:
        return {"gzip": gzip.compress, "bz2": bz2.compress, "xz": lzma.compress,
                "zstd": zstandard.ZstdCompressor().compress}[kind](text)  # fmt: skip
    table = pa.Table.from_pandas(frame, preserve_index=False)
    sink = io.BytesIO()
    if kind == "parquet":
        pq.write_table(table, sink, row_group_size=700)
    elif kind == "arrow":
        with pa.ipc.new_file(sink, table.schema) as w:
            w.write_table(table, max_chunksize=900)
    elif kind == "arrow_stream":
        with pa.ipc.new_stream(sink, table.schema) as w:
            w.write_table(table, max_chunksize=900)
    else:
        import pyarrow.feather as feather

        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)  # Feather v1 is legacy: still read
            feather.write_feather(table, sink, version=1)
    return sink.getvalue()


def _costs(source, **kw):
    fmt, det = scoring.inspect(source)
    return fmt, det, scoring.score(source, fmt, det, **kw)


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("task", sorted(FRAMES))
def test_every_format_scores_as_its_csv(tmp_path, task, kind):
    frame = FRAMES[task]
    _f, ref_det, ref = _costs(to_bytes(frame, "csv"))
    data = to_bytes(frame, kind)
    path = tmp_path / f"preds.{kind}"
    path.write_bytes(data)
    for source in (path, data):  # a path (the command line) and bytes (an upload)
        fmt, det, got = _costs(source, chunksize=500)
        assert formats.kind_of(source) == kind
        assert (det.task, det.y_true, det.y_pred, det.classes) == (ref_det.task, ref_det.y_true,
                                                                   ref_det.y_pred, ref_det.classes)
        assert got.rows_scored == N and set(got.costs) == set(ref.costs) and len(got.costs) >= 2
        for loss, cost in ref.costs.items():
            assert math.isclose(got.costs[loss], cost, rel_tol=1e-12), (loss, kind)
        if kind != "csv":
            assert any(formats.NAMES[kind] in n for n in fmt.notes), fmt.notes


@pytest.mark.parametrize(
    ("head", "kind"),
    [(b"PAR1\x15\x04", "parquet"), (b"ARROW1\x00\x00", "arrow"), (b"FEA1....", "feather"),
     (b"\xff\xff\xff\xff\x10\x00\x00\x00", "arrow_stream"), (b"\x1f\x8b\x08\x00", "gzip"),
     (b"\x28\xb5\x2f\xfd\x20", "zstd"), (b"BZh91AY&SY", "bz2"), (b"\xfd7zXZ\x00\x00", "xz"),
     (b"y_true,y_pred\n", "csv"), (b"BZh,BZi\n1,2\n", "csv"), (b"PAR,x\n", "csv"), (b"", "csv")],
)  # fmt: skip
def test_magic_bytes(head, kind):
    assert formats.kind_of_head(head) == kind


def test_a_parquet_file_named_csv_and_a_gzip_named_csv_are_read_by_content(tmp_path, capsys):
    frame = FRAMES["regression"]
    ref = _costs(to_bytes(frame, "csv"))[2].costs
    for kind in ("parquet", "gzip"):
        path = tmp_path / f"{kind}_in_disguise.csv"
        path.write_bytes(to_bytes(frame, kind))
        fmt, _det, got = _costs(path)
        assert math.isclose(got.costs["mse"], ref["mse"], rel_tol=1e-12)
        assert any("although the name says CSV text" in n for n in fmt.notes), fmt.notes
        assert main([str(path), "--loss", "mse"]) == 0
        out = capsys.readouterr().out
        assert "although the name says CSV text" in out and f"{ref['mse']:.6f}" in out


def test_parquet_is_read_by_row_group_with_only_the_needed_columns(tmp_path, monkeypatch):
    frame = FRAMES["regression"].assign(unused=np.arange(N) * 1.5, other="x")
    path = tmp_path / "wide.parquet"
    pq.write_table(pa.Table.from_pandas(frame, preserve_index=False), path, row_group_size=1000)
    calls = []
    real = pq.ParquetFile.iter_batches

    def spy(self, *args, **kw):
        calls.append(kw)
        yield from real(self, *args, **kw)

    monkeypatch.setattr(pq.ParquetFile, "iter_batches", spy)
    fmt, det = scoring.inspect(path)
    assert fmt.rows == N and fmt.batches == 4 and "4 row groups" in fmt.describe()
    chunks = list(scoring.reader.iter_chunks(path, fmt, usecols=det.columns, chunksize=10**6))
    assert calls[-1]["columns"] == det.columns == ["y_true", "y_pred"]
    assert [len(f) for _s, f, _p in chunks] == [1000, 1000, 1000, 1]  # row group by row group
    assert [s for s, _f, _p in chunks] == [1, 1001, 2001, 3001] and chunks[-1][2] == 1.0
    assert all(list(f.columns) == ["y_true", "y_pred"] for _s, f, _p in chunks)


def test_table_columns_of_other_types(tmp_path):
    from decimal import Decimal

    frame = FRAMES["regression"].head(50)
    table = pa.table({
        "y_true": pa.array([Decimal(str(v)) for v in frame["y_true"]], pa.decimal128(12, 4)),
        "y_pred": pa.array(frame["y_pred"]),
        "day": pa.array(pd.date_range("2024-01-01", periods=50).date, pa.date32()),
        "tags": pa.array([[1, 2]] * 50, pa.list_(pa.int64())),
        "model": pa.array(frame["model"]).dictionary_encode(),
    })  # fmt: skip
    path = tmp_path / "typed.parquet"
    pq.write_table(table, path)
    fmt, det, got = _costs(path)
    assert "tags" not in fmt.columns and any("'tags'" in n for n in fmt.notes)
    ref = _costs(frame[["y_true", "y_pred"]].to_csv(index=False).encode())[2]
    assert math.isclose(got.costs["mse"], ref.costs["mse"], rel_tol=1e-12)
    sample = scoring.read_sample(path, fmt)
    assert sample["day"].iloc[0] == "2024-01-01" and sample["model"].iloc[1] == frame["model"].iloc[1]


@pytest.mark.parametrize("kind", formats.COMPRESSIONS)
def test_compressed_progress_is_a_fraction_of_the_bytes_on_disk(tmp_path, kind):
    rng = np.random.default_rng(5)
    n = 200_000
    big = pd.DataFrame({"y_true": rng.normal(size=n).round(5), "y_pred": rng.normal(size=n).round(5)})
    path = tmp_path / "big.csv.x"
    path.write_bytes(to_bytes(big, kind))
    fmt, det = scoring.inspect(path)
    assert fmt.size == path.stat().st_size
    seen = []
    result = scoring.score(path, fmt, det, chunksize=20_000, progress=seen.append)
    assert result.rows_scored == 200_000 and len(seen) == 10
    assert seen == sorted(seen) and 0 < seen[0] < 0.5 and seen[-1] == 1.0


def test_the_score_page_reads_them_all():
    """The page's path (scoring.present, which views/score.py calls with the uploaded bytes)."""
    assert {"parquet", "feather", "arrow", "gz", "zst", "bz2", "xz", "csv"} <= set(formats.UPLOAD_TYPES)
    for kind in KINDS:
        data = to_bytes(FRAMES["binary"], kind)
        info = pr.inspect(data, {**pr.format_choices(pr.AUTO, pr.AUTO, pr.AUTO, pr.AUTO), **pr.UNFORCED},
                          50 * 2**20)  # fmt: skip
        assert info["error"] is None, (kind, info["error"])
        done = pr.score_file(data, info["fmt"], info["det"],
                             {"params": {}, "drop_missing": False, "fix_rows": None})  # fmt: skip
        assert done["error"] is None and done["result"].rows_scored == N, kind


def test_the_page_limit_counts_decompressed_bytes():
    data = gzip.compress(b"y_true,y_pred\n" + b"1.5,2.5\n" * 200_000)  # 1.6 MB of text, 10 KB of gzip
    fmt = scoring.sniff(data, max_bytes=2 * 2**20)
    assert fmt.size == len(data)
    with pytest.raises(scoring.ScoringError) as info:
        scoring.sniff(data, max_bytes=2**20)
    assert info.value.kind == "too_large" and "Decompressed" in str(info.value)


# -- bad input on each new path: exit 2, a clear message, no report left behind ----------------------
def _bad_files(tmp_path: Path) -> dict[str, tuple[Path, str]]:
    good = to_bytes(FRAMES["regression"], "parquet")
    text = to_bytes(FRAMES["regression"], "csv")
    junk = bytes(np.random.default_rng(1).integers(0, 256, 5000, dtype=np.uint8))
    cut = "The file is damaged or cut short"
    gz = gzip.compress(text)
    files = {
        "truncated parquet": (good[: len(good) // 2], cut),
        "parquet with no footer": (good[:-8], cut),
        "gzip with binary junk inside": (gzip.compress(b"\x00\x01" + junk), "This is not a CSV text file"),
        "gzip cut short": (gzip.compress(text)[:4000], cut),
        "gzip with a damaged body": (gz[:20] + b"\x00" * 3000 + gz[3020:], cut),
        "zstd cut short": (zstandard.ZstdCompressor().compress(text)[:3000], cut),
        "xz of nothing": (lzma.compress(b""), "The file is empty"),
        "gzip of a CSV with a bad cell far in": (gzip.compress(text + b"1.5,a,oops\n"),
                                                 "A cell that should be a number is not"),
        "gzip of text junk": (gzip.compress(b"lorem ipsum dolor\n" * 500), "The file has only one column"),
        "arrow cut short": (to_bytes(FRAMES["regression"], "arrow")[:500], cut),
    }  # fmt: skip
    out = {}
    for name, (data, title) in files.items():
        path = tmp_path / (name.replace(" ", "_") + ".csv")
        path.write_bytes(data)
        out[name] = (path, title)
    return out


def test_bad_files_exit_2_with_a_message_and_leave_no_report(tmp_path, capsys):
    for name, (path, title) in _bad_files(tmp_path).items():
        report = tmp_path / f"{path.stem}_report.csv"
        code = main([str(path), "--per-row", str(report)])
        err = capsys.readouterr().err
        assert code == 2, (name, err)
        assert err.startswith(f"error: {title}"), (name, err)
        assert "Traceback" not in err and len(err.splitlines()) == 1, (name, err)
        assert not report.exists(), name
        assert not list(tmp_path.glob(f".{report.name}*")), name  # nor a temporary file


def test_a_missing_optional_package_is_named(monkeypatch):
    import builtins

    real = builtins.__import__

    def no_zstd(name, *args, **kw):
        if name == "zstandard":
            raise ImportError(name)
        return real(name, *args, **kw)

    monkeypatch.setattr(builtins, "__import__", no_zstd)
    with pytest.raises(scoring.ScoringError) as info:
        scoring.inspect(to_bytes(FRAMES["regression"], "zstd"))
    assert info.value.kind == "dependency" and "requirements-scale.txt" in str(info.value)


@pytest.mark.parametrize("kind", ["parquet", "gzip", "arrow"])
def test_the_score_page_takes_an_upload_of_each(kind):
    """The page itself (AppTest drives its st.file_uploader): the metrics of the file's CSV, no error."""
    from streamlit.testing.v1 import AppTest

    root = Path(__file__).resolve().parents[2]
    at = AppTest.from_file(str(root / "app.py"), default_timeout=60)
    at.run()
    at.switch_page("views/score.py").run()
    at.segmented_control(key="score_source").set_value("upload").run()
    frame = FRAMES["binary"]
    at.file_uploader(key="score_upload").set_value((f"preds.{kind}", to_bytes(frame, kind), "")).run()
    assert not at.exception and not at.error, [e.value for e in at.exception] + [e.value for e in at.error]
    ref = _costs(to_bytes(frame, "csv"))[2]
    assert len(at.metric) == len(ref.costs) >= 2
