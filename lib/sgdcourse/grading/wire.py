"""How a value travels between the learner's kernel and the grader: JSON data, nothing to run.

    kernel:  value --encode()--> {"t": "fraction", "v": ["77", "250"]} --display_data (MIME)-->
    grader:  --decode()--> Fraction(77, 250), checked by the grader's own checker

encode() turns a value into JSON-able data: Ellipsis, None, bool, int (as text), float (repr),
Fraction ([num, den]), complex, str, list, tuple, numpy arrays and scalars (dtype, shape and
items), sympy objects (sympy.srepr text), functions (a reference number, name, signature and
whether the body is a placeholder) and anything else as {"t": "other", "type": name}. decode()
rebuilds the value and evaluates nothing: sympy text goes to the `sympy` hook (the grader's
sympytext.from_srepr, which rebuilds it without eval), a function to the `remote` hook (the
grader's RemoteFunction); without its hook either is refused. Data that is malformed, too large
or too deep is a WireError.

This module is a leaf of the grader: the kernel imports it (through grading.remote), and
sympytext imports its WireError, so it imports no other grading module.
"""

from __future__ import annotations

import inspect
import numbers
import re
import sys
from fractions import Fraction

from ..checking.outputs import is_placeholder

MIME = "application/x-sgdcourse-grade+json"
MAX_ITEMS, MAX_TEXT, MAX_DEPTH, MAX_MESSAGE = 1_000_000, 200_000, 40, 20_000_000
IDENT = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,59}")


class WireError(ValueError):
    """A value that cannot be sent, or data that cannot be read back."""


def encode(value, functions=None, depth=0):
    """JSON-able data for value (see the module docstring); callables are registered in the
    dict `functions` under a reference number (kernel side) or refused when it is None."""
    if depth > MAX_DEPTH:
        raise WireError("the value is nested too deeply to be read")
    if value is Ellipsis or value is None:
        return {"t": "ellipsis" if value is Ellipsis else "none"}
    sympy, np = sys.modules.get("sympy"), sys.modules.get("numpy")
    if sympy is not None and isinstance(value, sympy.Basic):
        text = sympy.srepr(value)
        if len(text) > MAX_TEXT:
            raise WireError("the sympy expression is too large to be read")
        return {"t": "sympy", "v": text}
    if np is not None and isinstance(value, np.ndarray):
        if value.size > MAX_ITEMS or value.dtype.kind not in "biufcO":
            return {"t": "other", "type": f"array of {value.size} {value.dtype.name}"[:60]}
        return {
            "t": "ndarray",
            "dtype": value.dtype.str,
            "shape": list(value.shape),
            "v": [encode(x, functions, depth + 1) for x in value.ravel().tolist()],
        }
    if np is not None and isinstance(value, np.generic):
        return encode(value.item(), functions, depth)
    if isinstance(value, bool):
        return {"t": "bool", "v": value}
    if isinstance(value, Fraction):
        return {"t": "fraction", "v": [str(value.numerator), str(value.denominator)]}
    if isinstance(value, numbers.Integral):
        return {"t": "int", "v": str(int(value))}
    if isinstance(value, numbers.Real):
        return {"t": "float", "v": repr(float(value))}
    if isinstance(value, numbers.Complex):
        z = complex(value)
        return {"t": "complex", "v": [repr(z.real), repr(z.imag)]}
    if isinstance(value, str):
        if len(value) > MAX_TEXT:
            raise WireError(f"the text is too long to be read ({len(value)} characters)")
        return {"t": "str", "v": str(value)}
    if isinstance(value, (list, tuple)):
        if len(value) > MAX_ITEMS:
            raise WireError(f"the {type(value).__name__} is too long to be read ({len(value)} items)")
        return {
            "t": "list" if isinstance(value, list) else "tuple",
            "v": [encode(x, functions, depth + 1) for x in value],
        }
    if callable(value) and not isinstance(value, type):
        if functions is None:
            raise WireError("a function cannot be sent as an argument")
        ref = len(functions)
        functions[ref] = value
        return {
            "t": "function",
            "ref": ref,
            "name": str(getattr(value, "__name__", type(value).__name__))[:60],
            "params": _params(value),
            "placeholder": _placeholder(value),
        }
    return {"t": "other", "type": type(value).__name__}


def _params(fn):
    """fn's parameters as [name, kind number, has a default] triples (remote._signature reads them)."""
    try:
        return [[p.name, int(p.kind), p.default is not p.empty] for p in inspect.signature(fn).parameters.values()]
    except (TypeError, ValueError):
        return None


def _placeholder(fn):
    """Whether fn's body is a placeholder (`...`), as the checker decides it; False if that fails."""
    try:
        return bool(is_placeholder(fn))
    except Exception:
        return False


def checked_text(x, limit=MAX_TEXT):
    """x if it is a str of at most `limit` characters, else WireError."""
    if not isinstance(x, str) or len(x) > limit:
        raise WireError("malformed data from the kernel")
    return x


def _integer(x):
    if not re.fullmatch(r"-?\d{1,4000}", checked_text(x, 4001)):
        raise WireError("malformed integer from the kernel")
    return int(x)


def decode(data, remote=None, sympy=None, depth=0):
    """The value that encode() described. A function becomes remote(ref, name, params, placeholder)
    and sympy.srepr text becomes sympy(text); either is refused (WireError) when its hook is None."""
    if not isinstance(data, dict) or depth > MAX_DEPTH:
        raise WireError("malformed data from the kernel")
    t, v = data.get("t"), data.get("v")
    if t in ("ellipsis", "none"):
        return Ellipsis if t == "ellipsis" else None
    if t == "bool" and isinstance(v, bool):
        return v
    if t == "int":
        return _integer(v)
    if t == "float":
        return float(checked_text(v, 40))
    if t == "fraction" and isinstance(v, list) and len(v) == 2 and _integer(v[1]):
        return Fraction(_integer(v[0]), _integer(v[1]))
    if t == "complex" and isinstance(v, list) and len(v) == 2:
        return complex(float(checked_text(v[0], 40)), float(checked_text(v[1], 40)))
    if t == "str":
        return checked_text(v)
    if t in ("list", "tuple") and isinstance(v, list):
        items = [decode(x, remote, sympy, depth + 1) for x in v]
        return items if t == "list" else tuple(items)
    if t == "ndarray":
        return _array(data, remote, sympy, depth)
    if t == "sympy":
        if sympy is None:
            raise WireError("a sympy expression, which decode() reads only with its sympy= hook")
        return sympy(v)
    if t == "function" and remote is not None and isinstance(data.get("ref"), int):
        return remote(data["ref"], data.get("name"), data.get("params"), data.get("placeholder"))
    if t == "other":
        return opaque(data.get("type"))
    raise WireError("malformed data from the kernel")


def _array(data, remote, sympy, depth):
    import numpy as np

    dtype, shape, v = data.get("dtype"), data.get("shape"), data.get("v")
    if not (
        isinstance(dtype, str)
        and re.fullmatch(r"[<>|=]?([biufc]\d{1,2}|O)", dtype)
        and isinstance(v, list)
        and isinstance(shape, list)
        and all(isinstance(n, int) and 0 <= n <= MAX_ITEMS for n in shape)
        and int(np.prod(shape)) == len(v) <= MAX_ITEMS
    ):
        raise WireError("malformed array from the kernel")
    items = [decode(x, remote, sympy, depth + 1) for x in v]
    out = np.empty(len(items), dtype=np.dtype(dtype))
    out[:] = items if out.dtype.kind != "O" else _objects(items)
    return out.reshape(shape)


def _objects(items):
    import numpy as np

    out = np.empty(len(items), dtype=object)
    for k, x in enumerate(items):
        out[k] = x
    return out


def opaque(type_name):
    """A stand-in for a value the kernel could not send: it shows as 'a <type name>'."""
    name = type_name if isinstance(type_name, str) and IDENT.fullmatch(type_name) else "object"
    return type(name, (), {"__repr__": lambda self: f"<{name}>"})()
