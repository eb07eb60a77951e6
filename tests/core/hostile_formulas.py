"""Formulas a custom loss must refuse, quickly and without running anything: each with a word its refusal
must contain (what was refused), for tests/core/test_custom.py."""

from __future__ import annotations

MARKER = "/tmp/lossx_hostile_was_here"  # a payload that ran would create this file

#: (formula, a fragment the message must contain, case-insensitive)
HOSTILE: list[tuple[str, str]] = [
    # running code, importing, reaching Python's objects
    ("__import__('os').system('x')", "__import__"),
    (f"__import__('os').system('touch {MARKER}')", "__import__"),
    ("__import__", "unknown name"),
    ("__builtins__", "unknown name"),
    ("__class__", "unknown name"),
    ("().__class__", "attribute"),
    ("r.__class__", "attribute"),
    ("r.real", "attribute"),
    ("sigmoid.__globals__", "attribute"),
    ("y.__class__.__bases__[0].__subclasses__()", "only the listed functions"),
    ("r.__init__.__globals__['__builtins__']", "indexing"),
    ("getattr(r, '__class__')", "getattr"),
    ("eval('1')", "eval"),
    ("exec('1')", "exec"),
    ("open('/etc/passwd')", "open"),
    ("globals()", "globals"),
    ("breakpoint()", "breakpoint"),
    ("print(r)", "print"),
    ("import os", "not a valid expression"),
    ("r; import os", "not a valid expression"),
    ("lambda: 0", "lambda"),
    ("(lambda: __import__('os').system('x'))()", "only the listed functions"),
    ("exp(r)(1)", "only the listed functions"),
    ("r if r > 0 else __import__('os')", "conditional expression"),
    ("(a := r)", "assignment"),
    # strings and other literals
    ("f'{r}'", "f-string"),
    ("'abc'", "string"),
    ("b'x'", "string"),
    ("'%s' % r", "operator"),
    ("1j * r", "constant"),
    ("True + r", "constant"),
    ("None", "constant"),
    ("...", "constant"),
    ("[r]", "list"),
    ("(r, r)", "tuple"),
    ("{r}", "set"),
    ("{1: r}", "dict"),
    ("[x for x in (1, 2)]", "comprehension"),
    ("(x for x in (r,))", "comprehension"),
    ("sum(x for x in (r,))", "sum"),
    ("r[0]", "indexing"),
    ("max(*r)", "unpacking"),
    ("max(r, 0, key=abs)", "keyword"),
    ("await r", "await"),
    # resource exhaustion
    ("9**9**9", "power tower"),
    ("2**2**2**2**2", "power tower"),
    ("exp(r)**2**2", "power tower"),
    ("r**1e10", "exponent"),
    ("r**-1000", "exponent"),
    ("10**1000", "exponent"),
    ("(10**15)**100 * (10**15)**100", "float64"),
    ("1e300 * 1e300", "float64"),
    ("1e999", "float64"),
    ("10000000000000000000000", "too large"),
    ("(" * 10_000 + "r" + ")" * 10_000, "characters long"),
    ("(" * 240 + "r" + ")" * 240, "not a valid expression"),
    ("-" * 300 + "r", "nested"),
    ("sin(" * 60 + "r" + ")" * 60, "nested"),
    ("+".join(["r"] * 250), "nested"),
    ("max(" + ",".join(["r*r*r*r*r*r*r*r"] * 30) + ")", "parts"),
    ("r + " * 200 + "r", "characters long"),
    # look-alikes, invisible and control characters
    ("\uff52**2", "ascii"),  # fullwidth r: Python's parser would read it as r (NFKC)
    ("\u0435xp(r)", "ascii"),  # Cyrillic e
    ("r\u200b**2", "ascii"),  # zero-width space
    ("r\u202e**2", "ascii"),  # right-to-left override
    ("\u03b4*r", "ascii"),  # δ: type delta
    ("r\x00", "ascii"),
    ("r\n+ 1", "ascii"),
    # arithmetic that is undefined, complex, or not arithmetic
    ("1/0", "divides by zero"),
    ("r/(r - r)", "divides by zero"),
    ("0**-1", "divides by zero"),
    ("(-8)**0.5", "complex"),
    ("sqrt(-1)", "complex"),
    ("log(-1)", "complex"),
    ("r^2", "**"),
    ("r % 2", "operator"),
    ("r // 2", "operator"),
    ("r @ r", "operator"),
    ("r << 1", "operator"),
    ("r & 1", "operator"),
    ("~r", "operator"),
    ("r > 0", "comparison"),
    ("where(r, 1, 2)", "condition"),
    ("max(r)", "at least 2"),
    ("x**2", "unknown name"),
    ("exp", "is a function"),
    ("", "empty"),
]
