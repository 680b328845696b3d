"""Sympy from untrusted text, without running it as Python.

Two ways text reaches sympy in the grader, and each is screened first:

    kernel's sympy.srepr text  --from_srepr()-->  walk the syntax tree, call only sympy's own
                                                  classes on numbers, names and tuples
    an answer given as text    --unsafe_text()--> None (plain math: the checker may hand it to
                                                  sympy's parser) or the reason it may not

Both refuse a number ** number with a huge exponent (computing it exactly could take hours).
Anything refused is a WireError (from_srepr) or a reason in words (unsafe_text). from_srepr is
the `sympy` hook that grading.remote gives wire.decode; this module imports wire, never the
other way round.
"""

from __future__ import annotations

import ast
import keyword
import re
import tokenize
from functools import lru_cache
from io import StringIO

from .wire import WireError, checked_text

_NAMED = {"Symbol", "Dummy", "Wild", "Function", "IndexedBase", "Idx"}  # may take a name as text
_SAFE_FUNCTIONS = {"sqrt", "cbrt", "root", "Matrix", "ImmutableMatrix", "MutableDenseMatrix", "ImmutableDenseMatrix"}
MAX_EXPONENT = 10_000


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


def from_srepr(text):
    """The sympy object described by sympy.srepr text, built without eval: only calls of
    sympy classes with numbers, names, tuples and other such calls as arguments."""
    import sympy

    text = checked_text(text)
    if "__" in text or "import" in text or "lambda" in text:
        raise WireError("the sympy expression contains code, not an expression")
    try:
        tree = ast.parse(text, mode="eval")
        return _build(tree.body, _sympy_namespace(), sympy)
    except (SyntaxError, RecursionError, MemoryError, TypeError, ValueError, AttributeError) as exc:
        raise WireError(f"the sympy expression could not be rebuilt ({type(exc).__name__})") from None


def _build(node, names, sympy):
    if isinstance(node, ast.Constant) and isinstance(node.value, (int, float, bool, type(None))):
        return node.value
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub) and isinstance(node.operand, ast.Constant):
        return -_build(node.operand, names, sympy)
    if isinstance(node, (ast.Tuple, ast.List)):
        items = [_build(x, names, sympy) for x in node.elts]
        return tuple(items) if isinstance(node, ast.Tuple) else items
    if isinstance(node, ast.Name) and node.id in names:
        return names[node.id]
    if isinstance(node, ast.Call):
        if isinstance(node.func, ast.Name) and node.func.id in names:
            fn = names[node.func.id]
            text_ok = node.func.id in _NAMED or node.func.id == "Float"
        else:  # Function('f')(x): calling an undefined function
            fn, text_ok = _build(node.func, names, sympy), False
            if not (isinstance(fn, type) and issubclass(fn, sympy.Basic)):
                raise WireError("the sympy expression calls something that is not a sympy class")
        args = [_argument(a, k == 0 and text_ok, names, sympy) for k, a in enumerate(node.args)]
        kwargs = {}
        for kw in node.keywords:
            if kw.arg is None or not isinstance(kw.value, ast.Constant) or isinstance(kw.value.value, str):
                raise WireError("the sympy expression has an unexpected keyword argument")
            kwargs[kw.arg] = kw.value.value
        if fn is sympy.Pow and len(args) == 2:
            _check_power(*args, sympy=sympy)
        return fn(*args, **kwargs)
    raise WireError("the sympy expression contains something other than sympy objects")


def _argument(node, text_ok, names, sympy):
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        if not (text_ok and re.fullmatch(r"[^\W\d]\w{0,59}|[-+0-9.eE]{1,400}", node.value)):
            raise WireError("the sympy expression has text where sympy would parse it as code")
        return node.value
    return _build(node, names, sympy)


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
