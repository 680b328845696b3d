"""How a value travels between the learner's kernel and the grader: JSON data, nothing to run.

    kernel:  value --encode()--> {"t": "fraction", "v": ["77", "250"]} --display_data (MIME)-->
    grader:  --decode()--> measure(): the budget, checked before anything is built
             --> Fraction(77, 250), checked by the grader's own checker

encode() turns a value into JSON-able data: Ellipsis, None, bool, int (as text), float (repr),
Fraction ([num, den]), complex, str, list, tuple, numpy arrays and scalars (dtype, shape and
items), sympy objects (sympy.srepr text), functions (a reference number, name, signature and
whether the body is a placeholder) and anything else as {"t": "other", "type": name}. Every text
it writes can be sent as UTF-8: a string holding a lone surrogate travels escaped
({"t": "str", "v": "\\\\ud800", "escaped": true}) and comes back as it was.

decode() first measures the data without building anything (measure(): at most MAX_VALUES values
nested at most MAX_DEPTH deep, MAX_CHARACTERS characters of text, MAX_SYMPY sympy expressions
with MAX_TEXT characters of sympy text in all, MAX_FUNCTIONS functions and MAX_KINDS names of
values that could not be sent), then rebuilds the value and evaluates nothing: sympy text goes to
the `sympy` hook (the grader's sympytext.from_srepr, which rebuilds it without eval, under
MAX_SECONDS for the whole answer), a function to the `remote` hook (the grader's RemoteFunction);
without its hook either is refused. A value the kernel could not send becomes an instance of one
stand-in class per name. Data that is malformed, over the budget or too slow to rebuild is a
WireError, never another exception.

This module is a leaf of the grader: the kernel imports it (through grading.remote), and
sympytext imports its WireError, so it imports no other grading module.
"""

from __future__ import annotations

import inspect
import math
import numbers
import re
import sys
import time
from dataclasses import dataclass
from fractions import Fraction
from functools import lru_cache

from ..checking import timelimit
from ..checking.outputs import is_placeholder

MIME = "application/x-sgdcourse-grade+json"
MAX_ITEMS, MAX_TEXT, MAX_DEPTH, MAX_MESSAGE = 1_000_000, 200_000, 40, 20_000_000
# The budget of one decoded answer (measure() checks it before anything is built):
MAX_VALUES = MAX_ITEMS  # values in all: every list, tuple, array, item, number, text ...
MAX_CHARACTERS = MAX_MESSAGE  # characters of text in all: strings, digits, sympy text, names
MAX_SYMPY, MAX_FUNCTIONS, MAX_KINDS = 1_000, 100, 64  # sympy expressions, functions, "other" names
MAX_SECONDS = 10.0  # to rebuild the answer's sympy expressions, all of them together
IDENT = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,59}")
CONTAINERS = ("list", "tuple", "ndarray")


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
        return {"t": "sympy", "v": _sendable(text)}
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
        text = str(value)
        if _sendable(text) is text:
            return {"t": "str", "v": text}
        return {"t": "str", "v": text.encode("unicode_escape").decode("ascii"), "escaped": True}
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
            "name": _sendable(str(getattr(value, "__name__", type(value).__name__))[:60]),
            "params": _params(value),
            "placeholder": _placeholder(value),
        }
    return {"t": "other", "type": _sendable(type(value).__name__)}


def _sendable(text):
    """text itself when it can be sent as UTF-8, else with its lone surrogates as \\udXXX escapes."""
    try:
        text.encode("utf-8")
        return text
    except UnicodeEncodeError:
        return text.encode("utf-8", "backslashreplace").decode("utf-8")


def _params(fn):
    """fn's parameters as [name, kind number, has a default] triples (remote._signature reads them)."""
    try:
        return [
            [_sendable(p.name), int(p.kind), p.default is not p.empty]
            for p in inspect.signature(fn).parameters.values()
        ]
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


@dataclass(frozen=True)
class Size:
    """What measure() counted in one answer's data."""

    values: int
    characters: int
    sympy: int
    sympy_text: int
    functions: int
    kinds: int


def measure(data):
    """The Size of the value that data describes, counted without building anything (iteratively,
    so no nesting can exhaust the stack); WireError when it is malformed or over the budget."""
    values = characters = sympy = sympy_text = functions = 0
    kinds, pending = set(), [([data], 0)]
    while pending:
        items, depth = pending.pop()
        if depth > MAX_DEPTH and items:
            raise WireError(f"the answer is nested more than {MAX_DEPTH} levels deep, too deeply to be read")
        values += len(items)
        if values > MAX_VALUES:
            raise WireError(f"the answer holds more than {MAX_VALUES:,} values, too many to be read")
        for node in items:
            t = node.get("t") if isinstance(node, dict) else None
            if not isinstance(t, str):
                raise WireError("malformed data from the kernel")
            v = node.get("v")
            if t in CONTAINERS:
                if not isinstance(v, list):
                    raise WireError("malformed data from the kernel")
                pending.append((v, depth + 1))
            elif t == "sympy":
                sympy, sympy_text = sympy + 1, sympy_text + _length(v)
            elif t == "function":
                params = node.get("params")
                functions, values = functions + 1, values + (len(params) if isinstance(params, list) else 0)
            elif t == "other":
                kinds.add(_kind(node.get("type")))
            characters += _length(v) + _length(node.get("type")) + _length(node.get("name"))
        if characters > MAX_CHARACTERS:
            raise WireError(f"the answer holds more than {MAX_CHARACTERS:,} characters of text, too many to be read")
    for count, most, what in (
        (values, MAX_VALUES, "values"),
        (sympy, MAX_SYMPY, "sympy expressions"),
        (sympy_text, MAX_TEXT, "characters of sympy text"),
        (functions, MAX_FUNCTIONS, "functions"),
        (len(kinds), MAX_KINDS, "kinds of values that could not be sent"),
    ):
        if count > most:
            raise WireError(f"the answer holds more than {most:,} {what}, too many to be read")
    return Size(values, characters, sympy, sympy_text, functions, len(kinds))


def _length(v):
    """The characters of text in v: a str, or the str items of a short list (a fraction, a complex)."""
    if isinstance(v, str):
        return len(v)
    if isinstance(v, list) and len(v) <= 2:
        return sum(len(x) for x in v if isinstance(x, str))
    return 0


def _kind(type_name):
    """The name a stand-in for a value that could not be sent shows: the type's, or "object"."""
    return type_name if isinstance(type_name, str) and IDENT.fullmatch(type_name) else "object"


def _integer(x):
    if not re.fullmatch(r"-?[0-9]{1,4000}", checked_text(x, 4001)):
        raise WireError("malformed integer from the kernel")
    return int(x)


def decode(data, remote=None, sympy=None):
    """The value that encode() described, once measure() has found it within the budget. A function
    becomes remote(ref, name, params, placeholder) and sympy.srepr text becomes sympy(text); either
    is refused (WireError) when its hook is None."""
    measure(data)
    try:
        return _build(data, remote, sympy, 0, time.monotonic() + MAX_SECONDS)
    except WireError:
        raise
    except (ValueError, TypeError, ArithmeticError, LookupError, AttributeError, RecursionError, MemoryError) as exc:
        raise WireError(f"malformed data from the kernel ({type(exc).__name__})") from None


def _build(data, remote, sympy, depth, deadline):
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
        return _unescape(checked_text(v, 10 * MAX_TEXT)) if data.get("escaped") is True else checked_text(v)
    if t in ("list", "tuple"):
        items = [_build(x, remote, sympy, depth + 1, deadline) for x in v]
        return items if t == "list" else tuple(items)
    if t == "ndarray":
        return _array(data, remote, sympy, depth, deadline)
    if t == "sympy":
        if sympy is None:
            raise WireError("a sympy expression, which decode() reads only with its sympy= hook")
        return _rebuild(sympy, checked_text(v), deadline)
    if t == "function" and remote is not None and type(data.get("ref")) is int and data["ref"] >= 0:
        return remote(data["ref"], data.get("name"), data.get("params"), data.get("placeholder"))
    if t == "other":
        return opaque(data.get("type"))
    raise WireError("malformed data from the kernel")


def _unescape(text):
    """A string that encode() sent escaped (it held a lone surrogate), as it was."""
    if not text.isascii():
        raise WireError("malformed data from the kernel")
    value = text.encode("ascii").decode("unicode_escape")
    return checked_text(value)


def _rebuild(hook, text, deadline):
    """hook(text) within what is left of the answer's MAX_SECONDS; anything it raises is a WireError."""
    left = deadline - time.monotonic()
    if left <= 0:
        raise WireError(f"the answer's sympy expressions took longer than {MAX_SECONDS:g} s to rebuild")
    kind, value = timelimit.run(lambda: hook(text), left)
    if kind == "value":
        return value
    if kind == "timeout":
        raise WireError(f"the answer's sympy expressions took longer than {MAX_SECONDS:g} s to rebuild")
    if isinstance(value, WireError):
        raise value
    raise WireError(f"the sympy expression could not be rebuilt ({type(value).__name__})")


def _array(data, remote, sympy, depth, deadline):
    import numpy as np

    dtype, shape, v = data.get("dtype"), data.get("shape"), data.get("v")
    if not (
        isinstance(dtype, str)
        and re.fullmatch(r"[<>|=]?([biufc][0-9]{1,2}|O)", dtype)
        and isinstance(shape, list)
        and len(shape) <= 64
        and all(type(n) is int and 0 <= n <= MAX_ITEMS for n in shape)
        and math.prod(shape) == len(v) <= MAX_ITEMS
    ):
        raise WireError("malformed array from the kernel")
    items = [_build(x, remote, sympy, depth + 1, deadline) for x in v]
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
    """A stand-in for a value the kernel could not send: it shows as 'a <type name>'. One class per
    name (the last 256 names are kept), so a million such values are a million small instances."""
    return _stand_in(_kind(type_name))()


@lru_cache(maxsize=256)
def _stand_in(name):
    return type(name, (), {"__slots__": (), "__repr__": lambda self: f"<{name}>"})
