"""Sympy from untrusted text, without running it as Python, and without letting it compute for hours.

Two ways text reaches sympy in the grader, and each is screened first:

    kernel's sympy.srepr text  --from_srepr()-->  size screen of the text and its syntax tree,
                                                  then walk the tree and call only sympy's own
                                                  classes on numbers, names and tuples, each call
                                                  screened again before it is made
    an answer given as text    --unsafe_text()--> None (plain math: the checker may hand it to
                                                  sympy's parser) or the reason it may not

What from_srepr refuses before anything is built (the budget of one expression):
    - text over MAX_TEXT characters, an integer literal of more than MAX_DIGITS digits, nesting
      deeper than MAX_NESTING calls, tuples and lists;
    - exact numbers of more than MAX_BITS bits in all: the literals, and every power counted at
      the size of what it would compute (|numerator of the exponent| x the bits of the numbers in
      its base), so a tower Pow(Pow(2, 10000), 10000) is refused before its outer power runs;
    - a power whose exponent exceeds MAX_EXPONENT (numerator or denominator), whatever its base
      but 0, 1 and -1; a root (a fractional power) of a number of more than MAX_ROOT_BITS bits;
    - a Float of more than MAX_PRECISION bits of precision (Float('1.5', 10**8) would take hours),
      or from anything but a number; its digits and decimal exponent count against MAX_BITS
      (Integer(Float('1e100000')) would be an exact number of 330,000 bits);
    - a matrix built any other way than from its rows (a list of lists).
Sympy functions (sin, factorial, legendre, ...) are built unevaluated, as sympy's evaluate=False
does: the kernel's srepr is already evaluated, so nothing honest changes, and factorial(10**8)
stays unevaluated for the checker, which evaluates in a child process under a hard time limit.
Anything refused or failing is a WireError (from_srepr) or a reason in words (unsafe_text).
wire.decode gives the rebuilding of all of one answer's expressions MAX_SECONDS (wire.py).

from_srepr is the `sympy` hook that grading.remote gives wire.decode; this module imports wire,
never the other way round.
"""

from __future__ import annotations

import ast
import keyword
import math
import re
import tokenize
from functools import lru_cache
from io import StringIO

from .wire import WireError, checked_text

_NAMED = {"Symbol", "Dummy", "Wild", "Function", "IndexedBase", "Idx"}  # may take a name as text
_SAFE_FUNCTIONS = {"sqrt", "cbrt", "root", "Matrix", "ImmutableMatrix", "MutableDenseMatrix", "ImmutableDenseMatrix"}
_MATRICES = {"Matrix", "ImmutableMatrix", "MutableDenseMatrix", "ImmutableDenseMatrix"}
MAX_EXPONENT = 10_000
MAX_BITS = 2**16  # exact numbers of one expression, in bits (about 20,000 digits)
MAX_DIGITS = 4_300  # one integer literal (Python's own limit for converting text to int)
MAX_NESTING = 100
MAX_PRECISION = 10_000  # bits of a Float (about 3,000 digits)
MAX_ROOT_BITS = 1_000  # the number under a root (about 300 digits)
FLOAT_TEXT = re.compile(r"[-+]?(?P<int>[0-9]*)\.?(?P<frac>[0-9]*)(?:[eE](?P<exp>[-+]?[0-9]{1,12}))?")


@lru_cache(maxsize=1)
def _sympy_namespace():
    import sympy

    names = {}
    for name in dir(sympy):
        obj = getattr(sympy, name)
        if (
            name in _SAFE_FUNCTIONS
            or isinstance(obj, sympy.Basic)
            or (isinstance(obj, type) and issubclass(obj, sympy.Basic))
        ):
            names[name] = obj
    return names


class _Budget:
    """The bits of exact numbers one expression may still create (MAX_BITS to start with)."""

    def __init__(self):
        self.left = MAX_BITS

    def spend(self, bits, what):
        self.left -= bits
        if self.left < 0:
            raise WireError(f"the sympy expression holds {what} too large to evaluate")


def from_srepr(text):
    """The sympy object described by sympy.srepr text, built without eval: only calls of
    sympy classes with numbers, names, tuples and other such calls as arguments, within the
    budget of the module docstring; WireError for anything else."""
    import sympy

    text = checked_text(text)
    if "__" in text or "import" in text or "lambda" in text:
        raise WireError("the sympy expression contains code, not an expression")
    if re.search(r"[0-9]{%d}" % (MAX_DIGITS + 1), text):
        raise WireError(f"the sympy expression writes a number of more than {MAX_DIGITS} digits")
    budget = _Budget()
    try:
        tree = ast.parse(text, mode="eval")
        _screen(tree.body, budget)
        return _build(tree.body, _sympy_namespace(), sympy, budget)
    except WireError:
        raise
    except Exception as exc:  # sympy's own errors on odd arguments, too deep, too large ...
        raise WireError(f"the sympy expression could not be rebuilt ({type(exc).__name__})") from None


def _screen(root, budget):
    """Before anything is built: nesting at most MAX_NESTING, and the bits of the integer literals
    spent from the budget (the syntax tree is walked without recursion)."""
    pending = [(root, 0)]
    while pending:
        node, depth = pending.pop()
        if depth > MAX_NESTING:
            raise WireError(f"the sympy expression is nested more than {MAX_NESTING} levels deep")
        if isinstance(node, ast.Constant) and type(node.value) is int:
            budget.spend(abs(node.value).bit_length(), "numbers")
        inner = depth + isinstance(node, (ast.Call, ast.Tuple, ast.List))
        pending.extend((child, inner) for child in ast.iter_child_nodes(node))


def _build(node, names, sympy, budget):
    if isinstance(node, ast.Constant) and isinstance(node.value, (int, float, bool, type(None))):
        return node.value
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub) and isinstance(node.operand, ast.Constant):
        return -_build(node.operand, names, sympy, budget)
    if isinstance(node, (ast.Tuple, ast.List)):
        items = [_build(x, names, sympy, budget) for x in node.elts]
        return tuple(items) if isinstance(node, ast.Tuple) else items
    if isinstance(node, ast.Name) and node.id in names:
        return names[node.id]
    if isinstance(node, ast.Call):
        name = node.func.id if isinstance(node.func, ast.Name) and node.func.id in names else None
        if name is not None:
            fn, text_ok = names[name], name in _NAMED or name == "Float"
        else:  # Function('f')(x): calling an undefined function
            fn, text_ok = _build(node.func, names, sympy, budget), False
            if not (isinstance(fn, type) and issubclass(fn, sympy.Basic)):
                raise WireError("the sympy expression calls something that is not a sympy class")
        args = [_argument(a, k == 0 and text_ok, names, sympy, budget) for k, a in enumerate(node.args)]
        kwargs = {}
        for kw in node.keywords:
            if kw.arg is None or not isinstance(kw.value, ast.Constant) or isinstance(kw.value.value, str):
                raise WireError("the sympy expression has an unexpected keyword argument")
            kwargs[kw.arg] = kw.value.value
        return _call(fn, name, args, kwargs, sympy, budget)
    raise WireError("the sympy expression contains something other than sympy objects")


def _argument(node, text_ok, names, sympy, budget):
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        if not (text_ok and re.fullmatch(r"[^\W\d]\w{0,59}|[-+0-9.eE]{1,400}", node.value)):
            raise WireError("the sympy expression has text where sympy would parse it as code")
        return node.value
    return _build(node, names, sympy, budget)


def _call(fn, name, args, kwargs, sympy, budget):
    """fn(*args, **kwargs) once the call is found within the budget; a sympy function unevaluated."""
    if fn is sympy.Float:
        _check_float(args, kwargs, budget)
    elif name in _MATRICES and not (len(args) == 1 and not kwargs and isinstance(args[0], list)):
        raise WireError("the sympy expression builds a matrix other than from its rows")
    elif fn is sympy.Pow and len(args) == 2:
        _check_power(*args, sympy=sympy)
        _size_power(args[0], args[1], sympy, budget)
    elif name in ("sqrt", "cbrt", "root") and args:
        n = {"sqrt": 2, "cbrt": 3}.get(name, args[1] if len(args) > 1 else None)
        if n is not None:
            _size_power(args[0], sympy.Pow(sympy.sympify(n), -1), sympy, budget)
    if isinstance(fn, sympy.FunctionClass):
        with sympy.evaluate(False):
            return fn(*args, **kwargs)
    return fn(*args, **kwargs)


def _check_float(args, kwargs, budget):
    """Refuse a Float too precise to build (Float('1.5', 10**8) would take hours) or too large."""
    precisions = [("precision", kwargs.get("precision"), 1), ("dps", kwargs.get("dps"), math.log2(10))]
    if len(args) > 1:
        precisions.append(("dps", args[1], math.log2(10)))
    for what, value, bits in precisions:
        if value is not None and not (type(value) is int and 0 < value * bits <= MAX_PRECISION):
            raise WireError(f"the sympy expression asks for a Float with {what}={value!r:.20}: too precise to build")
    if args and isinstance(args[0], str):
        m = FLOAT_TEXT.fullmatch(args[0])
        if not m or not (m["int"] or m["frac"]):
            raise WireError("the sympy expression holds a Float that is not a number")
        digits = len(m["int"]) + len(m["frac"])
        budget.spend(math.ceil((digits + abs(int(m["exp"] or 0))) * math.log2(10)), "a Float")
    elif args and not isinstance(args[0], (int, float)):
        raise WireError("the sympy expression builds a Float from something other than a number")


def _bits(expr, sympy):
    """The bits of the exact numbers (integers and fractions other than 0 and +-1) in expr."""
    atoms = expr.atoms(sympy.Rational) if isinstance(expr, sympy.Basic) else [sympy.sympify(expr)]
    total = 0
    for r in atoms:
        if isinstance(r, sympy.Rational):
            total += (abs(r.p).bit_length() if abs(r.p) > 1 else 0) + (r.q.bit_length() if r.q > 1 else 0)
    return total


def _size_power(base, exponent, sympy, budget):
    """Spend from the budget what base ** exponent may compute exactly, before it does; refuse a
    huge exponent on anything but 0, 1 and -1, and a root of a huge number."""
    exponent = sympy.sympify(exponent)
    if not exponent.is_Number or not exponent.is_finite:
        return  # a symbolic or infinite exponent: nothing is computed now
    if isinstance(base, (int, float)) or isinstance(base, sympy.Basic) and base.is_Number:
        if sympy.sympify(base) in (0, 1, -1):
            return
    if isinstance(exponent, sympy.Rational):
        p, q = abs(exponent.p), exponent.q
    else:  # a Float exponent: sympy computes in floating point, but not with any exponent
        p, q = abs(float(exponent)), 1
    if p > MAX_EXPONENT or q > MAX_EXPONENT:
        raise WireError("the expression holds a power too large to evaluate")
    bits = _bits(base, sympy)
    if q > 1 and bits > MAX_ROOT_BITS:
        raise WireError("the expression holds a root of a number too large to evaluate")
    budget.spend(math.ceil(p * bits), "a power")


def _check_power(base, exponent, sympy):
    """Refuse number ** number with a huge exponent: computing it exactly could take hours."""
    try:
        if sympy.sympify(base).free_symbols or sympy.sympify(exponent).free_symbols:
            return
        e, b = abs(complex(sympy.N(exponent, 15))), abs(complex(sympy.N(base, 15)))
    except (TypeError, ValueError, ArithmeticError, AttributeError):
        return
    if e > MAX_EXPONENT and b not in (0.0, 1.0):
        raise WireError("the expression holds a power too large to evaluate")


def unsafe_text(text, namespace):
    """Why an expression given as text may not go to sympy's parser (which evaluates it as Python),
    or None when it is plain math: numbers, operators, brackets and names that are the problem's
    or sympy's mathematical ones (other names become symbols). No dots, quotes or keywords."""
    import builtins

    import sympy
    from sympy.parsing.sympy_parser import parse_expr

    if len(text) > 2000:
        return "the text is too long to be an expression for this problem."
    if "__" in text:
        return f"the text {text[:40]!r} contains '__', which is not mathematics."
    sympy_names = _sympy_namespace()
    try:
        tokens = list(tokenize.generate_tokens(StringIO(text).readline))
    except (tokenize.TokenError, SyntaxError, IndentationError) as exc:
        return f"sympy could not parse the text ({type(exc).__name__})."
    for tok in tokens:
        if tok.type == tokenize.STRING or (tok.type == tokenize.OP and tok.string in (".", ";", ":", "=", ":=", "@")):
            return f"the text uses {tok.string[:20]!r}; write the expression with names, numbers and operators only."
        if tok.type == tokenize.NAME:
            name = tok.string
            if keyword.iskeyword(name) and name not in ("True", "False", "None"):
                return f"the text uses the Python keyword {name!r}; write a mathematical expression."
            if name in namespace or name in sympy_names:
                continue
            if hasattr(sympy, name) or hasattr(builtins, name):
                return f"the text calls {name!r}, which the grader does not evaluate; use the problem's names."
    try:  # look for powers too large to compute, without evaluating anything
        with sympy.evaluate(False):
            expr = parse_expr(text, local_dict=dict(namespace))
        for node in sympy.preorder_traversal(expr):
            if isinstance(node, sympy.Pow):
                _check_power(*node.args, sympy=sympy)
    except WireError as exc:
        return str(exc) + "."
    except Exception:
        pass  # the checker itself will say why it cannot parse the text
    return None
