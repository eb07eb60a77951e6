"""Every loss on one span of rows at a time: on one thread, or two on a machine of three cores or more.

A chunk (a million rows) is cut into spans of ``SPAN`` rows; each span is converted once into every form
some loss takes (the log-odds of probabilities, ±1 labels, the sigmoid or softmax of logits:
``scoring.chunked._Chunk``, here per span), and every loss runs on it while those arrays are still in the
CPU's cache. Before, each loss streamed through the whole chunk on its own (8 MB per column, beyond the
cache): measured on 1M binary rows, 73 -> 60 ms of CPU.

The spans are shared out between the two threads of ``pool`` only on a machine of three cores or more: on
two, the reader's thread (the parser, or pyarrow's reads) has one core and the scoring the other. A second
scoring thread there once paid (1e7 binary rows: 2.1 s with one scoring thread, 1.75 s with two, when the
losses were twice as costly), but since the losses share their terms it costs more than it gives, both
threads contending for the interpreter between numpy's calls: 1e7 binary rows in memory, 0.37 s on one thread
and 0.44 s (0.63 s of CPU) on two; end to end, binary Parquet 0.65 -> 0.55 s, binary CSV 0.78 -> 0.73 s, and
with another process keeping a core busy 1.14 -> 1.03 s (best of three, fresh processes).

The numbers are the core's (``spec.total`` / ``spec.per_sample`` on each span, through one
``losses.SharedChecks`` per span: the losses' inputs are a few arrays, each checked once, not once per loss;
1e7 binary rows: 16 checks of a block become 4), summed in span order; a loss whose inputs leave its domain in
some span is skipped with the file's row, as before.

On probabilities, a span's log-odds come from its ``SharedChecks.log_odds``, and the margin losses and the
focal loss write their terms on the probabilities and the log-odds' two logs (``binary.OfProbabilities``)
instead of three exps and a log1p per row: numpy has no SIMD exp or log for doubles without AVX-512. Measured
on such a machine (2 cores, AVX2), 1e7 binary rows, best of three fresh processes, before -> after: in memory
0.82 -> 0.56 s; CSV 0.96 -> 0.71 s; Parquet 0.90 -> 0.62 s; with another process keeping a core busy, CSV
1.16 -> 0.98 s and Parquet 1.09 -> 0.67 s.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from concurrent.futures import Executor

import numpy as np

import losses

#: Rows per span: a multiple of the core's block (losses.validation.BLOCK, 2**15 rows), small enough that a
#: span's columns and their conversions (a few arrays of 512 KB) stay in a 2 MB L2 cache.
SPAN = 1 << 16
#: Cores this process may run on; spans are scored in two threads from ``POOL_CORES`` cores on.
CORES = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
POOL_CORES = 3


def score_chunk(pool: Executor, tally, chunk, kw: Mapping[str, Mapping[str, float]],
                file_rows: np.ndarray | range, keep_rows: bool) -> dict[str, np.ndarray]:  # fmt: skip
    """``scoring.chunked._score_chunk``: every loss not yet skipped on ``chunk``, added to ``tally``; the
    per-row values when ``keep_rows``."""
    from scoring.chunked import _Chunk, _skip_reason

    live = tally.live()
    specs = {plan.name: losses.get(plan.name) for plan in live}
    n = len(chunk.t)
    # spans pay on any columns: their conversions (classifiers) and the terms losses share (the residual, the
    # margin) are computed once per block while the block is in the cache
    spans = [slice(s, min(s + SPAN, n)) for s in range(0, n, SPAN)]
    failed: set[str] = set()  # losses out of their domain in an earlier span: not computed again

    def run(sl: slice) -> dict:
        part = chunk if sl.start == 0 and sl.stop == n else _Chunk(chunk.det, chunk.t[sl], chunk.p[sl])
        out = {}
        shared = losses.SharedChecks()  # each of the span's arrays checked once, not once per loss
        fn = shared.per_sample if keep_rows else shared.total
        for plan in live:
            if plan.name in failed:
                continue
            spec = specs[plan.name]
            try:
                t_in, p_in = part.true(plan.true_form), part.pred(plan.pred_form, shared)  # once per span
                out[plan.name] = fn(spec, t_in, p_in, **kw[plan.name])
            except losses.LossInputError as error:
                out[plan.name] = error
        return out

    values = {plan.name: np.empty(n) for plan in live} if keep_rows else {}
    results = pool.map(run, spans) if CORES >= POOL_CORES and len(spans) > 1 else map(run, spans)
    for sl, out in zip(spans, results, strict=True):  # lazily: a span runs knowing the failures before it
        for plan in live:
            name = plan.name
            if name in failed or name not in out:
                continue
            got = out[name]
            if isinstance(got, losses.LossInputError):  # the first span where it fails names the row
                failed.add(name)
                tally.skipped[name] = _skip_reason(got, specs[name], file_rows[sl], chunk.det)
            elif keep_rows:
                values[name][sl] = got
            else:
                tally.sums[name] += got[0]
                tally.counts[name] += got[1]
    for name in failed:
        values.pop(name, None)
    if keep_rows:
        for name, v in values.items():
            tally.sums[name] += float(np.add.reduce(v))
            tally.counts[name] += n
    return values
