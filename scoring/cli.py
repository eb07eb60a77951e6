"""``python -m scoring FILE.csv``: every applicable loss of a predictions file, from a terminal or a script.

``--custom NAME=FORMULA`` adds a loss of your own (``losses.custom``: parsed safely, never run as Python),
of the detected task's kind, scored beside the built-ins in every output.

Exit codes: 0 scored; 2 bad input (the message is on stderr); 130 interrupted.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import math
import os
import re
import sys
import tempfile
from collections.abc import Iterator, Sequence

import losses
from losses.custom import DECLARATION_FORMAT, VARIABLES, CustomLoss, FormulaError, parse_params
from scoring import FIXES, TASKS, ScoringError, dataset, inspect, progress, score
from scoring.reader import CHUNK_ROWS

EXIT_OK, EXIT_BAD_INPUT = 0, 2
#: The command-line spelling of the way forward each message offers.
_HINTS = {
    "missing": " (--drop-missing)",
    "row_sum": " (--fix-rows normalise, or --fix-rows softmax)",
    "probability_range": " (--pred-kind logits)",
    "detect": " (--task, --y-true, --y-pred)",
    "labels": " (--task, --y-true, --positive)",
    "non_numeric": " (--y-true, --y-pred to choose other columns)",
}


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="python -m scoring",
        description="Score a CSV of predictions with every applicable loss. The task and the columns "
        "are detected (and explained); every choice can be overridden.",
        epilog="Examples: python -m scoring examples/regression_outliers.csv\n"
        "  python -m scoring preds.csv --task binary --y-true label --y-pred prob \\\n"
        "      --loss binary_cross_entropy\n"
        "  python -m scoring preds.csv --param delta=2 --param quantile.tau=0.9 --format json\n"
        "  python -m scoring preds.csv --custom 'cauchy=log(1 + r**2)' --custom 'l15=abs(r)**1.5'\n"
        "  python -m scoring preds.csv --custom 'scaled=c**2*log(1 + (r/c)**2); c = 1 in [0.1, 5]' \\\n"
        "      --param scaled.c=2\n"
        "  python -m scoring 'preds/*.parquet' --by-file --group-by model   # many files as one\n"
        "  python -m scoring preds/ --engine dask --scheduler tcp://HOST:8786\n"
        "Exit codes: 0 scored, 2 bad input (message on stderr).",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("file", nargs="+", help="the file: CSV (also .gz .zst .bz2 .xz), Parquet, Arrow/Feather, "
                   "told by content; any size (read in chunks). Several files, a glob or a folder: a dataset")
    g = p.add_argument_group("what the file holds (detected when not given)")
    g.add_argument("--task", choices=("auto", *TASKS), default="auto")
    g.add_argument(
        "--y-true",
        nargs="+",
        action="extend",
        metavar="COL",
        help="the target column (or one per class for soft targets)",
    )
    g.add_argument(
        "--y-pred", nargs="+", action="extend", metavar="COL", help="the prediction column (or one per class)"
    )
    g.add_argument(
        "--id", dest="id_column", metavar="COL", help="an id column kept in the per-row report ('none')"
    )
    g.add_argument("--positive", metavar="CLASS", help="binary: the positive class")
    g.add_argument(
        "--pred-kind",
        choices=("auto", "probabilities", "logits"),
        default="auto",
        help="binary/multiclass: read predictions as probabilities or logits",
    )
    g = p.add_argument_group("how to read it (sniffed when not given)")
    g.add_argument("--delimiter", help="one character; 'tab' for a tab")
    g.add_argument("--encoding", help="e.g. utf-8, latin-1")
    g.add_argument("--decimal", choices=(".", ","))
    g.add_argument("--header", choices=("auto", "yes", "no"), default="auto")
    g.add_argument("--chunk-rows", type=int, default=CHUNK_ROWS, help=argparse.SUPPRESS)
    g = p.add_argument_group("what to compute")
    g.add_argument(
        "--loss",
        nargs="+",
        action="extend",
        metavar="NAME",
        help="only these losses (default: all that apply)",
    )
    g.add_argument(
        "--param",
        nargs="+",
        action="extend",
        metavar="NAME=VALUE",
        default=[],
        help="a loss parameter: delta=1.5 (every loss with a delta) or huber.delta=1.5",
    )
    g.add_argument(
        "--custom",
        action="append",
        default=[],
        metavar="NAME=FORMULA",
        help="your own loss, scored beside the built-ins (repeatable): 'cauchy=log(1 + r**2)'. Its kind is "
        "the detected task's; variables: regression r (the residual yhat - y), y, yhat; binary y (the "
        "label), s (the score), p (the probability); multiclass p (the true class's probability), k (the "
        "number of classes). Functions: abs exp log log1p expm1 sqrt sin cos tanh sigmoid softplus max "
        "min where sign; powers are **. Parameters delta and tau need no declaring; declare others after "
        f"a ';' as {DECLARATION_FORMAT}, and set them with --param NAME.PARAM=VALUE",
    )
    g.add_argument(
        "--custom-labels",
        choices=("01", "pm1"),
        default="01",
        help="binary: the label y as --custom formulas see it, 0/1 (default) or -1/+1 (for 1 - y*s)",
    )
    g.add_argument("--drop-missing", action="store_true", help="drop rows with an empty or NaN cell")
    g.add_argument(
        "--fix-rows",
        choices=FIXES,
        help="class probabilities whose rows do not sum to 1: normalise, or read as logits",
    )
    g = p.add_argument_group("output")
    g.add_argument("--format", choices=("table", "json", "csv"), default="table")
    g.add_argument("--per-row", metavar="OUT.csv", help="write every row's losses to this CSV (formula-safe)")
    g.add_argument("--quiet", action="store_true", help="table format: print only the losses; no progress")
    dataset.add_options(p)
    return p


def _params(items: Sequence[str]) -> dict[str, float]:
    out: dict[str, float] = {}
    for item in items:
        key, sep, value = item.partition("=")
        if not sep or not key.strip():
            raise ScoringError("loss", f"--param takes NAME=VALUE (e.g. delta=1.5); got {item!r}.")
        try:
            out[key.strip()] = float(value)
        except ValueError:
            raise ScoringError("loss", f"--param {key.strip()} must be a number; got {value!r}.") from None
    return out


#: ``NAME=`` at the start of a --custom (not ``==``, which a formula may hold inside where()).
_CUSTOM_NAME = re.compile(r"\s*([A-Za-z_][A-Za-z0-9_]*)\s*=(?!=)")
#: Names a custom loss may not take: the per-row report's row-number column.
_RESERVED = ("row",)


def custom_losses(items: Sequence[str], task: str, labels: str = "01") -> list[CustomLoss]:
    """The losses ``--custom`` names, of the task's kind: ``NAME=FORMULA[; DECLARATIONS]`` each (no name:
    ``custom``). A formula or declaration that is refused, or a name that is taken, is a ``ScoringError``
    naming the option; nothing here runs the text (``losses.custom`` parses it)."""
    out: dict[str, CustomLoss] = {}
    for item in items:
        m = _CUSTOM_NAME.match(item)
        name, rest = (m.group(1), item[m.end():]) if m else ("custom", item)
        formula, _, declared = rest.partition(";")  # ';' is never part of a formula
        option = f"--custom {name}"
        if name in out:
            raise ScoringError("option", f"{option} is given twice; give each custom loss its own name "
                               "(NAME=FORMULA).")  # fmt: skip
        if name in _RESERVED:
            raise ScoringError("option", f"{option}: {name} is a column of the per-row report; give your "
                               "loss another name.")  # fmt: skip
        try:
            out[name] = losses.custom(formula.strip(), name=name, kind=task, labels=labels,
                                      params=parse_params(declared))  # fmt: skip
        except FormulaError as exc:
            raise ScoringError("option", _formula_message(option, formula.strip(), task, exc)) from None
    return list(out.values())


def _formula_message(option: str, formula: str, task: str, exc: FormulaError) -> str:
    """The core's refusal, under the option, with the task's variables and a caret under the column."""
    if exc.argument == "params":
        how = f" Declare parameters after a ';' as {DECLARATION_FORMAT}."
        how = "" if DECLARATION_FORMAT in str(exc) else how
        return f"{option}: {exc}{how}"
    if exc.argument != "formula":
        return f"{option}: {exc}"
    names = ", ".join(VARIABLES[task])
    text = f"{option} ({task} file; its formulas use {names}): {exc}"
    if exc.column is not None and formula:
        text += f"\n  {formula}\n  {' ' * (exc.column - 1)}^"
    return text


def loss_options(args: argparse.Namespace, task: str) -> tuple[list[str] | None, list[CustomLoss]]:
    """The built-ins to compute and the custom losses, once the task is known: --loss without the custom
    losses' names (they are always computed; None: every built-in; []: --loss named only custom ones),
    and the losses --custom names (see ``custom_losses``)."""
    custom = custom_losses(args.custom, task, args.custom_labels)
    own = {c.name for c in custom}
    return (None if args.loss is None else [n for n in args.loss if n not in own]), custom


@contextlib.contextmanager
def _report(path: str, source: str) -> Iterator:
    """The per-row report as a text file to write. It goes to a temporary file beside ``path`` that replaces
    ``path`` only once scoring has succeeded; on any error it is removed, so no partial report is left and
    an earlier report at ``path`` survives. The input itself (by any name: a hard link, a symlink) is
    refused. A path that is not a regular file (/dev/stdout, a pipe) is written directly."""
    try:
        same = os.path.exists(path) and os.path.samefile(path, source)
    except OSError:
        same = False
    if same:
        raise ScoringError("write", f"{path} is the input file; writing the report there would destroy it. "
                           "Choose another file name.")  # fmt: skip
    if os.path.isdir(path):
        example = os.path.join(path, "rows.csv")
        raise ScoringError("write", f"{path} is a folder; give a file name, e.g. {example}.")
    target = os.path.realpath(path)  # through a symlink: the file it points to is replaced, not the link
    direct = os.path.exists(target) and not os.path.isfile(target)
    tmp = None
    try:
        if direct:
            fh = open(target, "w", encoding="utf-8", newline="")  # noqa: SIM115 - closed below
        else:
            fd, tmp = tempfile.mkstemp(prefix=f".{os.path.basename(target)}.", suffix=".partial",
                                       dir=os.path.dirname(target))  # fmt: skip
            fh = os.fdopen(fd, "w", encoding="utf-8", newline="")
    except OSError as exc:
        raise ScoringError("write", f"Could not write {path}: {exc.strerror or exc}.") from None
    done = False
    try:
        with fh:
            yield fh
        if tmp is not None:
            os.chmod(tmp, _mode_for(target))
            os.replace(tmp, target)
        done = True
    except OSError as exc:
        raise ScoringError("write", f"Could not write {path}: {exc.strerror or exc}.") from None
    finally:
        if tmp is not None and not done:
            with contextlib.suppress(OSError):
                os.unlink(tmp)


def _mode_for(target: str) -> int:
    """The permissions of the file being replaced, or what a new file gets under the umask."""
    try:
        return os.stat(target).st_mode & 0o777
    except OSError:
        mask = os.umask(0)
        os.umask(mask)
        return 0o666 & ~mask


def _fmt_cost(v: float) -> str:
    if v == 0 or (1e-4 <= abs(v) < 1e6):
        return f"{v:.6f}"
    return f"{v:.6e}" if math.isfinite(v) else str(v)


def _table(result, fmt, det, quiet: bool) -> str:
    lines: list[str] = []
    if not quiet:
        lines.append(f"File: {fmt.describe()}")
        lines += [f"  {n}" for n in fmt.notes]
        lines.append(
            f"Detected: {det.task}; y_true = {', '.join(det.y_true)}; y_pred = {', '.join(det.y_pred)}"
        )
        lines += [f"  {r}" for r in det.reasons]
        lines.append(f"Rows: {result.rows_scored} scored of {result.rows_read} read")
        lines.append("")
    costs = result.costs
    width = max((len(n) for n in costs), default=4)
    lines.append(f"{'loss'.ljust(width)}  {'cost':>16}  params")
    for name, cost in costs.items():
        params = ", ".join(f"{k}={v:g}" for k, v in result.params.get(name, {}).items())
        lines.append(f"{name.ljust(width)}  {_fmt_cost(cost):>16}  {params}")
    if result.skipped:
        lines.append("")
        lines += [f"skipped {n}: {why}" for n, why in result.skipped.items()]
    if result.notes and not quiet:
        lines.append("")
        lines += [f"note: {n}" for n in result.notes]
    if result.custom and not quiet:
        lines.append("")
        lines += [f"custom: {n} = {c.source}" for n, c in result.custom.items()]
    return "\n".join(lines)


def run(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if dataset.wanted(args):  # several files, a glob, a folder, a breakdown or --engine dask
        return dataset.run(args)
    args.file = args.file[0]
    delimiter = {"tab": "\t", "\\t": "\t"}.get(args.delimiter or "", args.delimiter)
    header = {"auto": None, "yes": True, "no": False}[args.header]
    if args.chunk_rows < 1:
        raise ScoringError("loss", "--chunk-rows must be at least 1.")
    fmt, det = inspect(
        args.file,
        delimiter=delimiter,
        header=header,
        encoding=args.encoding,
        decimal=args.decimal,
        task=args.task,
        y_true=args.y_true,
        y_pred=args.y_pred,
        id_column=args.id_column,
        positive=args.positive,
        pred_kind=args.pred_kind,
    )
    loss_names, custom = loss_options(args, det.task)  # before a report file is opened
    with _report(args.per_row, args.file) if args.per_row else contextlib.nullcontext() as out, \
            progress.terminal(fmt.size, quiet=args.quiet) as bar:
        result = score(
            args.file,
            fmt,
            det,
            loss_names=loss_names,
            params=_params(args.param),
            custom=custom,
            drop_missing=args.drop_missing,
            fix_rows=args.fix_rows,
            chunksize=args.chunk_rows,
            per_row_out=out,
            progress=bar.fraction_callback(fmt.size),
        )
    if args.format == "json":
        print(result.to_json())  # strict JSON: an infinite cost is null, with a note
    elif args.format == "csv":
        print("loss,cost,sum,count")
        for name, cost in result.costs.items():
            s, c = result.totals[name]
            print(f"{name},{cost!r},{s!r},{c}")
    else:
        print(_table(result, fmt, det, args.quiet))
    if args.format != "table":  # the table lists them; here they would only be in the JSON
        for name in (n for n in result.skipped if n in {c.name for c in custom}):
            print(f"note: {name} was not scored: {result.skipped[name]}", file=sys.stderr)
    sys.stdout.flush()  # a write error shows here, while it can still be reported
    return EXIT_OK


def main(argv: Sequence[str] | None = None) -> int:
    try:
        return run(argv)
    except ScoringError as exc:
        hint = _HINTS.get(exc.kind, "")
        print(f"error: {exc.title}: {exc}{hint}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except losses.LossInputError as exc:  # a core message: still the user's input
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:  # e.g. piped into head
        _drop_stdout()
        return EXIT_OK
    except OSError as exc:  # the output: a full disk (> /dev/full), a closed terminal
        _drop_stdout()
        print(f"error: The output could not be written: {exc.strerror or exc}", file=sys.stderr)
        return EXIT_BAD_INPUT


def _drop_stdout() -> None:
    """Point stdout at /dev/null, so the interpreter's last flush of what could not be written is silent."""
    with contextlib.suppress(OSError, ValueError, AttributeError, io.UnsupportedOperation):
        null = os.open(os.devnull, os.O_WRONLY)
        os.dup2(null, sys.stdout.fileno())
