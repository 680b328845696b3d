"""Answers and functions read from the learner's kernel; the kernel never runs grader code on trust.

    grader                                            kernel (the learner's namespace)
    read_answer(kernel, "w3") -- probe("w3") ------->  eval("w3"), encode() under the time limit
                              <- display_data (MIME)   {"value": data} / {"raised": [name, message]}
                                                       / {"timeout": true} / {"unsendable": why}
        -> ("value", decode(data)) | ("raised", (name, message)) | ("timeout", None) | ("unreadable", why)
    RemoteFunction(w, x, y)   -- call(ref, args) ---->  _FUNCTIONS[ref](*decoded args), same limit
        -> the decoded result; the kernel's exception raised here under its name, a timeout (or the
           notebook's time budget running out: kernel.OutOfTime) as TimedOut

The grader sends code that imports this module in the kernel and calls probe() or call() there;
functions the kernel encodes are kept in _FUNCTIONS under their reference numbers, and the
grader's checker sees them as RemoteFunctions (wire.decode's `remote` hook); sympy text is
rebuilt by sympytext.from_srepr (its `sympy` hook), on both sides. kernel.Kernel.ask carries
each request and stops it when it overruns.
"""

from __future__ import annotations

import inspect
import json
from functools import partial

from ..checking import timelimit
from .sympytext import from_srepr
from .wire import IDENT, MAX_MESSAGE, MIME, WireError, decode, encode


def _decode(data, kernel=None):
    """wire.decode with this module's hooks: sympy text rebuilt without eval (from_srepr), a function
    as a RemoteFunction of `kernel` (None in the kernel itself: no function travels that way)."""
    return decode(data, remote=None if kernel is None else partial(RemoteFunction, kernel), sympy=from_srepr)


# ---- in the kernel ------------------------------------------------------------------------------

_FUNCTIONS = {}


def pack(message):
    """(In the kernel: its Session.packer, set by kernel.Kernel.start.) A message part as ASCII JSON,
    so that text the learner's code made, a lone surrogate included, reaches the grader escaped
    (Jupyter's own packer fails on it, and the kernel's error message is lost)."""
    from jupyter_client.jsonutil import json_default

    return json.dumps(message, default=json_default, ensure_ascii=True).encode("ascii")


def _publish(payload):
    from IPython.display import publish_display_data

    if len(json.dumps(payload)) > MAX_MESSAGE:
        payload = {"unsendable": "the value is too large to be read"}
    publish_display_data({MIME: payload})


def _attempt(compute, limit):
    """Run compute() under the time limit and describe the outcome as JSON-able data."""
    box = {}

    def job():
        value = compute()
        try:
            box["value"] = encode(value, _FUNCTIONS)
        except (WireError, ValueError, TypeError, RecursionError) as exc:
            box["unsendable"] = str(exc)[:300]

    kind, exc = timelimit.run(job, limit)
    if kind == "timeout":
        return {"timeout": True}
    if kind == "error":
        return {"raised": [type(exc).__name__, str(exc)[:300]]}
    return box


def probe(expr, limit):
    """(In the kernel.) Evaluate expr in the learner's namespace and publish its encoding."""
    from IPython import get_ipython

    namespace = get_ipython().user_ns
    _publish(_attempt(lambda: eval(expr, namespace), limit))


def call(ref, args_json, limit):
    """(In the kernel.) Call the registered function `ref` on the decoded arguments, publish the result."""
    args = [_decode(a) for a in json.loads(args_json)]
    _publish(_attempt(lambda: _FUNCTIONS[ref](*args), limit))


# ---- in the grader ------------------------------------------------------------------------------


def _raised(reply):
    """The [name, message] of a reply that reports an exception, else None."""
    raised = reply.get("raised")
    return raised if isinstance(raised, list) and len(raised) == 2 else None


def read_answer(kernel, expr):
    """("value", v) | ("raised", (ename, evalue)) | ("timeout", None) | ("unreadable", reason)
    for the expression expr evaluated in the learner's namespace."""
    reply = kernel.ask(f"__import__({__name__!r}, fromlist=['probe']).probe({expr!r}, {kernel.limit!r})")
    if "value" in reply:
        try:
            return "value", _decode(reply["value"], kernel)
        except (WireError, ValueError, TypeError, OverflowError, RecursionError) as exc:
            return "unreadable", str(exc)
    if _raised(reply):
        return "raised", tuple(str(x) for x in reply["raised"])
    if reply.get("timeout") is True:
        return "timeout", None
    return "unreadable", str(reply.get("unsendable", "the kernel sent an unreadable answer"))[:300]


class RemoteFunction:
    """The learner's function as the grader's checker sees it: each call sends the arguments to the
    kernel, runs the function there under the time limit and returns the decoded result; an
    exception in the kernel is raised here under the same name, a timeout as TimedOut."""

    def __init__(self, kernel, ref, name, params, placeholder):
        self.kernel, self.ref = kernel, ref
        self.__name__ = name if isinstance(name, str) and IDENT.fullmatch(name) else "function"
        self.placeholder = placeholder is True
        self.__signature__ = _signature(params)

    def __call__(self, *args):
        text = json.dumps([encode(a) for a in args])
        try:
            reply = self.kernel.ask(
                f"__import__({__name__!r}, fromlist=['call']).call({self.ref!r}, {text!r}, {self.kernel.limit!r})"
            )
        except Exception:
            if getattr(self.kernel, "out_of_time", False):  # kernel.OutOfTime: the notebook's time budget
                raise timelimit.TimedOut() from None  # ran out; to the checker, a call that timed out
            raise
        if "value" in reply:
            return _decode(reply["value"], self.kernel)
        if reply.get("timeout") is True:
            raise timelimit.TimedOut()
        if _raised(reply):
            name, message = reply["raised"]
            raise _exception(name)(str(message))
        why = str(reply.get("unsendable", "the kernel sent an unreadable result"))[:300]
        raise _exception("UnreadableResult")(why)

    def __repr__(self):
        return f"<function {self.__name__} in the kernel>"


_KINDS = (
    inspect.Parameter.POSITIONAL_ONLY,
    inspect.Parameter.POSITIONAL_OR_KEYWORD,
    inspect.Parameter.VAR_POSITIONAL,
    inspect.Parameter.KEYWORD_ONLY,
    inspect.Parameter.VAR_KEYWORD,
)


def _signature(params):
    """The learner's function's signature, from wire._params' [name, kind number, has a default] triples."""
    try:
        return inspect.Signature(
            [
                inspect.Parameter(name, _KINDS[kind], **({"default": None} if has_default else {}))
                for name, kind, has_default in params
            ]
        )
    except (TypeError, ValueError, IndexError):
        return None


_EXCEPTIONS = {}


def _exception(name):
    """An Exception subclass named like the one raised in the kernel, so feedback reads the same."""
    name = name if isinstance(name, str) and IDENT.fullmatch(name) else "Exception"
    if name not in _EXCEPTIONS:
        _EXCEPTIONS[name] = type(name, (Exception,), {"__module__": "kernel"})
    return _EXCEPTIONS[name]
