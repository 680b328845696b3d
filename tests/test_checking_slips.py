"""Every slip has one shape and one catalogue (sgdcourse.checking.slips): numbers, expressions and
functions alike are Slip(name, text, how), listed in slips.py and nowhere else, and the docstring
there names every slip the catalogue can produce. (How many typical slips get named over the whole
bank: tests/test_checking_battery.py.)"""

import ast
from fractions import Fraction
from pathlib import Path

import numpy as np
import pytest
import sympy as sp

from sgdcourse.checking import slips
from sgdcourse.checking.numeric import check_number
from sgdcourse.problems import BANK

CHECKING = Path(slips.__file__).parent
HOW = {"times", "map", "is"}


def catalogue():
    """Every candidate slip of the catalogue over the whole bank, and the rule-made ones."""
    out = [*slips.FUNCTION_SLIPS, slips.ORDER, slips.CLOSE_ENTRIES, slips.close_slip(Fraction(1), Fraction(1), 0.1)]
    for p in BANK.values():
        if p.kind == "number":
            for r in p.answer if isinstance(p.answer, tuple) else (p.answer,):
                out += slips.number_slips(r, p.tol, p.counts)
        elif p.kind == "expression":
            out += slips.expression_slips(p.answer, p.namespace)
    return out


def test_every_slip_has_the_one_shape():
    found = catalogue()
    assert len(found) > 300
    for s in found:
        assert isinstance(s, slips.Slip) and s.name and s.text.endswith((".", "?")), s
        assert s.how is None or (len(s.how) == 2 and s.how[0] in HOW), s


def test_the_docstring_names_every_slip():
    names = {s.name for s in catalogue()}
    assert {"sign", "factor-2", "divisor-minus-one", "missing-factor", "order", "close"} <= names
    missing = [n for n in sorted(names) if n not in slips.__doc__]
    assert not missing, f"slips.py's docstring does not name {missing}"


def test_slips_are_listed_in_the_catalogue_only():
    """No other module of the checker builds a Slip or keeps a table of slips."""
    for path in sorted(CHECKING.glob("*.py")):
        if path.name == "slips.py":
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        built = [n.lineno for n in ast.walk(tree) if isinstance(n, ast.Call) and getattr(n.func, "id", None) == "Slip"]
        tables = [
            t.id
            for n in tree.body
            if isinstance(n, ast.Assign)
            for t in n.targets
            if isinstance(t, ast.Name) and "SLIP" in t.id.upper()
        ]
        assert not built and not tables, f"{path.name}: Slip built at lines {built}, tables {tables}"


def test_changed_applies_each_form():
    r = Fraction(5, 2)
    assert slips.changed(("times", -1), r) == Fraction(-5, 2)
    assert slips.changed(("times", Fraction(3, 2)), r) == Fraction(15, 4)
    assert slips.changed(("map", lambda v: v - 1), r) == Fraction(3, 2)
    assert slips.changed(("is", Fraction(2)), r) == 2
    assert np.array_equal(slips.changed(("times", 2.0), np.array([1.0, -3.0])), [2.0, -6.0])
    with pytest.raises(ValueError, match="how"):
        slips.changed(("plus", 1), r)


def test_a_number_slip_is_named_by_its_catalogue_entry():
    """-5 for -5/2 (the sum, not the mean, over a batch of 2): factor-2, and with the count 2 declared
    the divisor slip that gives the same value is named too, never one of them picked at random."""
    r = check_number(-5, Fraction(-5, 2), 1e-6)
    assert r.mistake == "factor-2" and "twice the expected value" in r.feedback
    r = check_number(-5, Fraction(-5, 2), 1e-6, counts=(2,))
    assert r.mistake == "factor-2 or divisor-minus-one" and "times 2/1" in r.feedback


def test_expression_slips_scale_by_symbols():
    m = sp.Symbol("m", integer=True, positive=True)
    sigma = sp.Symbol("sigma", positive=True)
    found = {}
    for s in slips.expression_slips(sigma**2 / m, {"m": m, "sigma": sigma}):
        found.setdefault(s.name, s)  # the first of each name: m's, the namespace's first symbol
    assert found["extra-factor"].how == ("times", m) and found["divisor-minus-one"].how == ("times", m / (m - 1))
    assert found["step-too-many"].how == ("is", sigma**2 / (m + 1))
