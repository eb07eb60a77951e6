"""The hostile corpus: files people (or attackers) hand the scorer, each with the answer it must give.

``python tests/hostile/make_corpus.py OUT_DIR`` writes the files and ``cases.json``; the tests call
``build(directory)``. Nothing here is a hand-edited binary or a download: every byte is made below, with
numpy's seeded generator where there is randomness. Each case expects either the right numbers (computed
here with numpy from the arrays the file was written from, not by the scorer) or a clean refusal: exit 2 / an
``st.error`` whose message names what the case says (a row, a column, an encoding).
"""

from __future__ import annotations

import gzip
import json
import os
import sys
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np

EPS = float(np.finfo(np.float64).eps)


@dataclass
class Case:
    name: str
    data: bytes | None = None  # None: a special file made by ``special``
    expect: str = "ok"  # "ok" | "refuse"
    task: str = ""  # ok: the task detected
    costs: dict[str, float] = field(default_factory=dict)  # ok: loss -> cost (numpy)
    rows: int = 0  # ok: rows scored
    kinds: tuple[str, ...] = ()  # refuse: the ScoringError kinds accepted
    needles: tuple[str, ...] = ()  # refuse: what the message must name; ok: what the report must hold
    args: tuple[str, ...] = ()  # extra command-line arguments (the page has no such choice)
    special: str = ""  # "fifo" | "device" | "per_row_onto_input" | "per_row_hard_link"
    page: str = "same"  # "same" | "skip" (a special file or a CLI-only argument) | "refuse"
    page_kinds: tuple[str, ...] = ()  # with page="refuse": the kinds the page may show

    @property
    def file(self) -> str:
        return f"{self.name}.csv"


# -- numpy references ----------------------------------------------------------------------------------
def mse(t, p):
    return float(np.mean((np.asarray(p) - np.asarray(t)) ** 2))


def mae(t, p):
    return float(np.mean(np.abs(np.asarray(p) - np.asarray(t))))


def bce(y01, p):
    q = np.clip(np.asarray(p, float), EPS, 1 - EPS)
    y = np.asarray(y01, float)
    return float(np.mean(-(y * np.log(q) + (1 - y) * np.log1p(-q))))


def hinge(ypm, s):
    return float(np.mean(np.maximum(0.0, 1 - np.asarray(ypm) * np.asarray(s))))


def zero_one(ypm, s):
    return float(np.mean(np.asarray(ypm) * np.asarray(s) <= 0))


def exponential(ypm, s):
    with np.errstate(over="ignore"):
        return float(np.mean(np.exp(-np.asarray(ypm) * np.asarray(s))))


def ce(labels, q):
    q = np.asarray(q, float)
    qy = q[np.arange(len(labels)), np.asarray(labels, int)]
    return float(np.mean(-np.log(np.clip(qy, EPS, 1 - EPS))))


def softmax_ce(labels, z):
    z = np.asarray(z, float)
    m = z.max(axis=1)
    lse = m + np.log(np.exp(z - m[:, None]).sum(axis=1))
    return float(np.mean(lse - z[np.arange(len(labels)), np.asarray(labels, int)]))


# -- writing ---------------------------------------------------------------------------------------------
def _csv(header: list[str], columns: list, sep: str = ",", fmt: str = "{:.6f}", end: str = "\n") -> bytes:
    cells = [[c if isinstance(c, str) else fmt.format(c) for c in col] for col in columns]
    lines = [sep.join(header)] + [sep.join(r) for r in zip(*cells, strict=True)]
    return (end.join(lines) + end).encode("utf-8")


def _round(a) -> np.ndarray:
    return np.array([float(f"{v:.6f}") for v in a])  # as the file holds them


def _regression(n: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    t = _round(rng.normal(10, 3, n))
    return t, _round(t + rng.normal(0, 1, n))


def _ok_reg(name: str, data: bytes, t, p, **kw) -> Case:
    return Case(name, data, "ok", "regression", {"mse": mse(t, p), "mae": mae(t, p)}, len(t), **kw)


def cases() -> list[Case]:
    out: list[Case] = []
    add = out.append
    t, p = _regression(50, 1)

    # -- formats that must read right ---------------------------------------------------------------------
    add(_ok_reg("plain", _csv(["y_true", "y_pred"], [t, p]), t, p))
    add(_ok_reg("crlf", _csv(["y_true", "y_pred"], [t, p], end="\r\n"), t, p))
    add(_ok_reg("cr_only", _csv(["y_true", "y_pred"], [t, p], end="\r"), t, p))
    add(_ok_reg("bom", b"\xef\xbb\xbf" + _csv(["y_true", "y_pred"], [t, p]), t, p))
    add(
        _ok_reg(
            "semicolon_decimal_comma",
            _csv(["actual", "predicted"], [t, p], sep=";").replace(b".", b","),
            t,
            p,
        )
    )
    add(_ok_reg("tab", _csv(["target", "prediction"], [t, p], sep="\t"), t, p))
    add(_ok_reg("pipe", _csv(["y", "yhat"], [t, p], sep="|"), t, p))
    add(_ok_reg("no_header", _csv(["1.0", "1.0"], [t, p])[len("1.0,1.0\n") :], t, p))
    ids = [f"Besançon {i}" for i in range(50)]
    add(_ok_reg("latin1", _csv(["city", "y_true", "y_pred"], [ids, t, p]).decode().encode("latin-1"), t, p))
    quoted = [f'"Smith, J{i}\nline two ""quoted"""' for i in range(50)]
    add(_ok_reg("quoted_newlines", _csv(["name", "y_true", "y_pred"], [quoted, t, p]), t, p))
    add(
        _ok_reg("blank_lines", b"\n\n" + _csv(["y_true", "y_pred"], [t, p]).replace(b"\n", b"\n\n  \n"), t, p)
    )
    add(_ok_reg("gzip", gzip.compress(_csv(["y_true", "y_pred"], [t, p]), mtime=0), t, p))
    add(_ok_reg("duplicated_names", _csv(["y_true", "y_pred", "y_pred"], [t, p, p + 1]), t, p))
    long_names = [f"feature_{i}_" + "x" * 300 for i in range(900)]  # a header longer than the sniffed block
    add(
        _ok_reg(
            "huge_header",
            _csv(["y_true", "y_pred", *long_names], [t[:5], p[:5], *(["a"] * 5 for _ in long_names)]),
            t[:5],
            p[:5],
        )
    )
    add(
        _ok_reg(
            "long_cell", _csv(["note", "y_true", "y_pred"], [["n" * 500_000] * 3, t[:3], p[:3]]), t[:3], p[:3]
        )
    )
    wide = [f"c{i}" for i in range(998)]
    add(
        _ok_reg(
            "wide_at_the_limit",
            _csv(["y_true", "y_pred", *wide], [t[:4], p[:4], *(["x"] * 4 for _ in wide)]),
            t[:4],
            p[:4],
        )
    )
    named_like_losses = _csv(["mse", "mae"], [t, p])
    add(
        Case(
            "columns_named_like_losses",
            named_like_losses,
            "ok",
            "regression",
            {"mse": mse(t, p)},
            50,
            needles=("input mse", "input mae"),
            args=("--y-true", "mse", "--y-pred", "mae"),
            page="skip",
        )
    )
    t5, p5 = t[:5], p[:5]
    add(
        _ok_reg(
            "y_true_y_pred_beside_class_columns",
            _csv(["y_true", "y_pred", "c1", "c2"], [t5, p5, [3.0] * 5, [4.0] * 5]),
            t5,
            p5,
        )
    )
    add(
        _ok_reg(
            "na_id_namibia",
            _csv(["country_id", "y_true", "y_pred"], [["NA", "US", "NA", "DE", "FR"], t5, p5]),
            t5,
            p5,
            needles=("NA",),
        )
    )

    # -- odd numbers ---------------------------------------------------------------------------------------
    signs = ["-0", "0", "+1", " 3 ", "1e-400", "2.5"]
    tv = np.array([0.0, 0.0, 1.0, 3.0, 0.0, 2.5])
    pv = _round(tv + np.linspace(-1, 1, 6)) + np.array([0.1, 0.2, 0.3, 0.4, 0.5, 0.6])
    extra_t, extra_p = _regression(20, 2)
    add(
        _ok_reg(
            "odd_but_numbers",
            _csv(["y_true", "y_pred"], [signs + [f"{v:.6f}" for v in extra_t], list(pv) + list(extra_p)]),
            np.concatenate([tv, extra_t]),
            np.concatenate([pv, extra_p]),
        )
    )
    big_t = [f"{v:.6f}" for v in t]
    big_t[7] = "1e400"
    add(
        Case(
            "overflowing_number",
            _csv(["y_true", "y_pred"], [big_t, p]),
            "refuse",
            kinds=("value",),
            needles=("Row 8", "'y_true'", "infinite"),
        )
    )
    under_t = [f"{v:.6f}" for v in t]
    under_t[11] = "1_000"
    add(
        Case(
            "underscore_number",
            _csv(["y_true", "y_pred"], [under_t, p]),
            "refuse",
            kinds=("non_numeric",),
            needles=("Row 12", "'y_true'", "'1_000'"),
        )
    )
    nan_p = [f"{v:.6f}" for v in p]
    nan_p[4] = "NaN"
    add(
        Case(
            "nan_cell",
            _csv(["y_true", "y_pred"], [t, nan_p]),
            "refuse",
            kinds=("missing",),
            needles=("row 5", "'y_pred'"),
        )
    )
    keep = np.arange(50) != 4
    add(
        Case(
            "nan_cell_dropped",
            _csv(["y_true", "y_pred"], [t, nan_p]),
            "ok",
            "regression",
            {"mse": mse(t[keep], p[keep])},
            49,
            args=("--drop-missing",),
            page="refuse",
            page_kinds=("missing",),
        )
    )
    for label, cells in (
        ("percent", ("45%", "12%", "80%")),
        ("thousands", ("1,000", "2,500", "3,000")),
        ("hex", ("0x10", "0x20", "0x30")),
    ):
        quoted_cells = [f'"{c}"' for c in cells]
        add(
            Case(
                f"numbers_as_text_{label}",
                _csv(["y_true", "y_pred"], [quoted_cells, [1.0, 2.0, 3.0]]),
                "refuse",
                kinds=("non_numeric",),
                needles=("numbers written as text", cells[0]),
            )
        )

    # -- ragged rows ---------------------------------------------------------------------------------------
    lines = _csv(["y_true", "y_pred"], [t, p]).split(b"\n")
    first = b"\n".join([lines[0], lines[1] + b",9", *lines[2:]])
    add(Case("extra_field_first_row", first, "refuse", kinds=("parse",), needles=("Row 1 ", "3 fields")))
    mid = b"\n".join([*lines[:20], lines[20] + b",9", *lines[21:]])
    add(Case("extra_field_row_20", mid, "refuse", kinds=("parse",), needles=("Row 20 ",)))
    bt, bp = _regression(30_000, 3)
    late = _csv(["y_true", "y_pred", "note"], [bt, bp, ["a"] * len(bt)]) + b"1.5,2.5,b,c\n"
    add(Case("extra_field_beyond_the_sample", late, "refuse", kinds=("parse",), needles=("Row 30001 ",)))
    bad_last = _csv(["y_true", "y_pred"], [bt, bp]) + b"1.5,abc\n"
    add(
        Case(
            "bad_cell_in_the_last_row",
            bad_last,
            "refuse",
            kinds=("non_numeric",),
            needles=("Row 30001", "'y_pred'", "'abc'"),
        )
    )

    # -- size and shape ------------------------------------------------------------------------------------
    add(
        Case(
            "8000_columns",
            _csv([f"c{i}" for i in range(8000)], [["1"] * 2 for _ in range(8000)]),
            "refuse",
            kinds=("too_wide",),
            needles=("8,000", "1,000"),
        )
    )
    add(Case("huge_single_line", b"1," * 4_000_000, "refuse", kinds=("too_long", "too_wide")))
    add(
        Case(
            "huge_quoted_cell",
            b'y_true,y_pred\n1,"' + b"x" * 3_000_000 + b'"\n',
            "refuse",
            kinds=("too_long",),
            needles=("Line 2",),
        )
    )
    add(Case("empty", b"", "refuse", kinds=("empty",)))
    add(Case("whitespace_only", b" \n\t\n  \r\n", "refuse", kinds=("empty",)))
    add(Case("header_only", b"y_true,y_pred\n", "refuse", kinds=("header_only",)))
    add(Case("one_column", b"y\n1\n2\n3\n", "refuse", kinds=("one_column",)))

    # -- encodings and bytes -------------------------------------------------------------------------------
    text = _csv(["y_true", "y_pred"], [t, p]).decode()
    for codec, named in (
        ("utf-16", "UTF-16"),
        ("utf-16-le", "UTF-16"),
        ("utf-16-be", "UTF-16"),
        ("utf-32", "UTF-32"),
    ):
        add(Case(f"encoding_{codec}", text.encode(codec), "refuse", kinds=("encoding",), needles=(named,)))
    add(
        _ok_reg(
            "encoding_utf-16_chosen",
            text.encode("utf-16"),
            t,
            p,
            args=("--encoding", "utf-16"),
            page="refuse",
            page_kinds=("encoding",),
        )
    )
    add(
        Case(
            "encoding_idna_chosen",
            _csv(["y_true", "y_pred"], [t, p]),
            "refuse",
            kinds=("encoding",),
            args=("--encoding", "idna"),
            page="skip",
        )
    )
    late_latin = _csv(["name", "y_true", "y_pred"], [["a" * 20] * len(bt), bt, bp]) + "é,1,2\n".encode(
        "latin-1"
    )
    add(Case("invalid_utf8_far_in", late_latin, "refuse", kinds=("encoding",)))
    add(Case("nul_byte", b"y_true,y_pred\n1,2\x00\n3,4\n", "refuse", kinds=("binary",), needles=("NUL",)))
    nul_late = _csv(["y_true", "y_pred"], [bt[:20_000], bp[:20_000]]) + b"1.5,2\x00\n"
    add(Case("nul_byte_far_in", nul_late, "refuse", kinds=("non_numeric", "binary", "parse")))
    rng = np.random.default_rng(9)
    noise = rng.integers(0, 256, 4096, dtype=np.uint8).tobytes()
    for name, magic in (
        ("png", b"\x89PNG\r\n\x1a\n"),
        ("zip_xlsx", b"PK\x03\x04"),
        ("pdf", b"%PDF-1.7\n"),
        ("sqlite", b"SQLite format 3\x00"),
        ("elf", b"\x7fELF\x02\x01\x01"),
        ("random", b""),
    ):
        add(Case(f"renamed_{name}", magic + noise, "refuse", kinds=("binary", "damaged", "encoding")))
    add(
        Case(
            "renamed_parquet_junk",
            b"PAR1" + noise + b"PAR1",
            "refuse",
            kinds=("damaged", "binary", "dependency"),
        )
    )
    add(Case("renamed_gzip_junk", b"\x1f\x8b\x08\x00" + noise, "refuse", kinds=("damaged", "binary")))

    # -- formulas: neutralised in the per-row report -------------------------------------------------------
    formulas = [
        '=HYPERLINK("http://evil.example","x")',
        "+1+1",
        "-2+3",
        "@SUM(A1)",
        "\t=1",
        "=cmd|' /C calc'!A0",
    ]
    ft, fp = t[: len(formulas)], p[: len(formulas)]
    quoted_f = ['"' + f.replace('"', '""') + '"' for f in formulas]
    add(
        _ok_reg(
            "formula_cells_and_names",
            _csv(["row_id", "=y_true", "@pred"], [quoted_f, ft, fp]),
            ft,
            fp,
            needles=("'=HYPERLINK", "'=y_true", "'@pred"),
        )
    )

    # -- binary label sets ---------------------------------------------------------------------------------
    rng = np.random.default_rng(4)
    y = np.array([0, 1] * 20)
    prob = _round(np.clip(0.5 + (y - 0.5) * 0.6 + rng.normal(0, 0.15, y.size), 0.01, 0.99))
    score = _round((y - 0.5) * 4 + rng.normal(0, 1, y.size))
    ypm = 2.0 * y - 1
    for name, labels in (
        ("01", ("0", "1")),
        ("12", ("1", "2")),
        ("yes_no", ("no", "yes")),
        ("true_false", ("False", "True")),
        ("spam_ham", ("ham", "spam")),
    ):
        col = [labels[v] for v in y]
        add(
            Case(
                f"labels_{name}_with_prob",
                _csv(["label", "prob"], [col, prob]),
                "ok",
                "binary",
                {"binary_cross_entropy": bce(y, prob), "zero_one": zero_one(ypm, np.log(prob / (1 - prob)))},
                len(y),
            )
        )
    add(
        Case(
            "labels_pm1_with_scores",
            _csv(["label", "score"], [[f"{v:g}" for v in ypm], score]),
            "ok",
            "binary",
            {"hinge": hinge(ypm, score), "zero_one": zero_one(ypm, score)},
            len(y),
        )
    )
    add(
        Case(
            "labels_12_with_scores",
            _csv(["y", "score"], [[str(v + 1) for v in y], score]),
            "ok",
            "binary",
            {"hinge": hinge(ypm, score)},
            len(y),
        )
    )
    add(
        Case(
            "three_labels_with_prob",
            _csv(["label", "prob"], [[str(i % 3) for i in range(40)], prob]),
            "refuse",
            kinds=("labels", "detect"),
            needles=("3 different labels",),
        )
    )
    ys = np.array([0] * 25_000 + [1] * 25_000)
    ps = np.where(ys == 1, 0.7, 0.2)
    sorted_csv = _csv(["y_true", "y_prob"], [[("no", "yes")[v] for v in ys], ps], fmt="{:.1f}")
    add(
        Case("sorted_no_then_yes", sorted_csv, "ok", "binary", {"binary_cross_entropy": bce(ys, ps)}, len(ys))
    )
    add(
        Case(
            "logits_800",
            _csv(["y", "logit"], [["1", "0", "1"], [-800.0, 800.0, 3.0]]),
            "ok",
            "binary",
            {"exponential": exponential(np.array([1, -1, 1]), np.array([-800.0, 800.0, 3.0]))},
            3,
        )
    )

    # -- multi-class ---------------------------------------------------------------------------------------
    rng = np.random.default_rng(5)
    k, n = 3, 30
    lab = rng.integers(0, k, n)
    q = rng.dirichlet(np.ones(k), n)
    q = np.round(q, 6)
    q[:, -1] = np.round(1 - q[:, :-1].sum(axis=1), 6)  # rows sum to 1 as written
    names = ["cat", "dog", "bird"]
    cols = [[names[v] for v in lab], *[q[:, j] for j in range(k)]]
    header = ["label", *(f"prob_{c}" for c in names)]
    add(
        Case(
            "multiclass_names",
            _csv(header, cols),
            "ok",
            "multiclass",
            {"categorical_cross_entropy": ce(lab, q)},
            n,
        )
    )
    q6 = q.copy()
    q6[0] = [0.5, 0.3, 0.199999]  # sums to 0.999999, and the next to 0.99999: rounding in the CSV. Rows off
    q6[1] = [0.5, 0.3, 0.19999]  # by more than the core's 1e-6 make the scorer divide the rows by their sums
    q6n = q6 / q6.sum(axis=1, keepdims=True)
    cols6 = [[names[v] for v in lab], *[q6[:, j] for j in range(k)]]
    add(
        Case(
            "row_sum_0.999999",
            _csv(header, cols6),
            "ok",
            "multiclass",
            {"categorical_cross_entropy": ce(lab, q6n)},
            n,
        )
    )
    for tag, row in (("0.99", [0.5, 0.3, 0.19]), ("0", [0.0, 0.0, 0.0])):
        qb = q.copy()
        qb[6] = row
        colsb = [[names[v] for v in lab], *[qb[:, j] for j in range(k)]]
        add(Case(f"row_sum_{tag}", _csv(header, colsb), "refuse", kinds=("row_sum",), needles=("Row 7",)))
    z = _round(rng.normal(0, 2, (n, k)).ravel()).reshape(n, k)
    add(
        Case(
            "multiclass_int_logits",
            _csv(
                ["y_true", "logit_0", "logit_1", "logit_2"],
                [[str(v) for v in lab], *[z[:, j] for j in range(k)]],
            ),
            "ok",
            "multiclass",
            {"softmax_cross_entropy": softmax_ce(lab, z)},
            n,
        )
    )
    na_names = ["NA", "US", "DE"]
    add(
        Case(
            "multiclass_class_named_NA",
            _csv(
                ["label", *(f"prob_{c}" for c in na_names)],
                [[na_names[v] for v in lab], *[q[:, j] for j in range(k)]],
            ),
            "ok",
            "multiclass",
            {"categorical_cross_entropy": ce(lab, q)},
            n,
        )
    )
    onehot_bad = _csv(
        ["true_a", "true_b", "p_a", "p_b"],
        [[1, 0, 1], [1, 1, 0], [0.5, 0.2, 0.6], [0.5, 0.8, 0.4]],
        fmt="{:g}",
    )
    add(Case("no_loss_applies", onehot_bad, "refuse", kinds=("no_loss",), needles=("row 1",)))

    # -- special files and report paths (the command line only) -------------------------------------------
    add(
        Case(
            "fifo",
            None,
            "refuse",
            kinds=("parse",),
            needles=("not a regular file",),
            special="fifo",
            page="skip",
        )
    )
    add(
        Case(
            "device",
            None,
            "refuse",
            kinds=("parse",),
            needles=("not a regular file",),
            special="device",
            page="skip",
        )
    )
    add(
        Case(
            "per_row_onto_input",
            _csv(["y_true", "y_pred"], [t, p]),
            "refuse",
            kinds=("write",),
            needles=("is the input file",),
            special="per_row_onto_input",
            page="skip",
        )
    )
    add(
        Case(
            "per_row_hard_link",
            _csv(["y_true", "y_pred"], [t, p]),
            "refuse",
            kinds=("write",),
            needles=("is the input file",),
            special="per_row_hard_link",
            page="skip",
        )
    )
    return out


def build(directory: str | os.PathLike) -> list[Case]:
    """Write every case's file into ``directory`` (a FIFO for "fifo", a symlink to /dev/zero for "device")
    and ``cases.json``; return the cases."""
    root = Path(directory)
    root.mkdir(parents=True, exist_ok=True)
    made = cases()
    for case in made:
        path = root / case.file
        if case.special == "fifo":
            if not path.exists():
                os.mkfifo(path)
        elif case.special == "device":
            if not path.is_symlink():
                path.symlink_to("/dev/zero")
        else:
            path.write_bytes(case.data or b"")
    manifest = [{k: v for k, v in asdict(c).items() if k != "data"} for c in made]
    (root / "cases.json").write_text(json.dumps(manifest, indent=1), encoding="utf-8")
    return made


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: python tests/hostile/make_corpus.py OUT_DIR")
    print(f"{len(build(sys.argv[1]))} files in {sys.argv[1]}")
