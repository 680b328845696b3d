"""Running a submitted notebook in a kernel and reading its answers back, for sgdcourse.grade.

The grader never trusts the kernel. Data flow:

    grader process                                     kernel (a fresh ipykernel of this Python)
    Kernel.start()          -- setup code ------------> memory cap (RLIMIT_AS)
    Kernel.run_notebook()   -- each code cell -------> runs the learner's code (time limit per cell)
    Kernel.value("w3")      -- probe("w3") ----------> eval in the learner's namespace, encode()
                            <- display_data (JSON) ---  {"value": {"t": "fraction", "v": ["77", "250"]}}
    decode() -> Fraction(77, 250), checked by the grader's own checker
    RemoteFunction(...)(w, x, y)  -- call(ref, args) --> the learner's function, under a time limit
                            <- {"value": ...} / {"raised": [name, message]} / {"timeout": true}

encode() turns a value into JSON-able data: Ellipsis, None, bool, int (as text), float (repr),
Fraction ([num, den]), complex, str, list, tuple, numpy arrays and scalars (dtype, shape and
items), sympy objects (sympy.srepr text), functions (a reference number, name, signature and
whether the body is a placeholder) and anything else as {"t": "other", "type": name}. decode()
rebuilds the value; it evaluates nothing: sympy text is rebuilt by from_srepr, which walks the
syntax tree and calls only sympy's own classes. Strings that the course's checker would hand to
sympy's parser (an expression answer given as text) must first pass unsafe_text().
"""
from __future__ import annotations

import ast
import inspect
import json
import keyword
import numbers
import os
import re
import signal
import subprocess
import sys
import tempfile
import time
import tokenize
from fractions import Fraction
from functools import lru_cache
from io import StringIO
from queue import Empty

from .timelimit import TimedOut

MIME = "application/x-sgdcourse-grade+json"
MAX_ITEMS, MAX_TEXT, MAX_DEPTH, MAX_MESSAGE = 1_000_000, 200_000, 40, 20_000_000
GRACE = 3.0            # seconds a kernel gets to stop after an interrupt before it is killed
START_TIMEOUT = 60.0   # seconds for a kernel to start
KERNEL_ENV = {"MPLBACKEND": "Agg", "OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1",
              "MKL_NUM_THREADS": "1", "PYTHONHASHSEED": "0"}
IDENT = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,59}")


class WireError(ValueError):
    """A value that cannot be sent, or data that cannot be read back."""


class KernelDied(Exception):
    """The kernel process is gone (os._exit, a crash, or the grader had to kill it)."""


# ---- encoding and decoding --------------------------------------------------------------------

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
        return {"t": "ndarray", "dtype": value.dtype.str, "shape": list(value.shape),
                "v": [encode(x, functions, depth + 1) for x in value.ravel().tolist()]}
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
        return {"t": "list" if isinstance(value, list) else "tuple",
                "v": [encode(x, functions, depth + 1) for x in value]}
    if callable(value) and not isinstance(value, type):
        if functions is None:
            raise WireError("a function cannot be sent as an argument")
        ref = len(functions)
        functions[ref] = value
        return {"t": "function", "ref": ref, "name": str(getattr(value, "__name__", type(value).__name__))[:60],
                "params": _params(value), "placeholder": _placeholder(value)}
    return {"t": "other", "type": type(value).__name__}


def _params(fn):
    try:
        return [[p.name, int(p.kind), p.default is not p.empty] for p in inspect.signature(fn).parameters.values()]
    except (TypeError, ValueError):
        return None


def _placeholder(fn):
    from .funccheck import is_placeholder
    try:
        return bool(is_placeholder(fn))
    except Exception:
        return False


def _text(x, limit=MAX_TEXT):
    if not isinstance(x, str) or len(x) > limit:
        raise WireError("malformed data from the kernel")
    return x


def _integer(x):
    if not re.fullmatch(r"-?\d{1,4000}", _text(x, 4001)):
        raise WireError("malformed integer from the kernel")
    return int(x)


def decode(data, kernel=None, depth=0):
    """The value that encode() described; functions become RemoteFunctions of `kernel`."""
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
        return float(_text(v, 40))
    if t == "fraction" and isinstance(v, list) and len(v) == 2 and _integer(v[1]):
        return Fraction(_integer(v[0]), _integer(v[1]))
    if t == "complex" and isinstance(v, list) and len(v) == 2:
        return complex(float(_text(v[0], 40)), float(_text(v[1], 40)))
    if t == "str":
        return _text(v)
    if t in ("list", "tuple") and isinstance(v, list):
        items = [decode(x, kernel, depth + 1) for x in v]
        return items if t == "list" else tuple(items)
    if t == "ndarray":
        return _array(data, kernel, depth)
    if t == "sympy":
        return from_srepr(v)
    if t == "function" and kernel is not None and isinstance(data.get("ref"), int):
        return RemoteFunction(kernel, data["ref"], data.get("name"), data.get("params"), data.get("placeholder"))
    if t == "other":
        return opaque(data.get("type"))
    raise WireError("malformed data from the kernel")


def _array(data, kernel, depth):
    import numpy as np

    dtype, shape, v = data.get("dtype"), data.get("shape"), data.get("v")
    if not (isinstance(dtype, str) and re.fullmatch(r"[<>|=]?([biufc]\d{1,2}|O)", dtype) and isinstance(v, list)
            and isinstance(shape, list) and all(isinstance(n, int) and 0 <= n <= MAX_ITEMS for n in shape)
            and int(np.prod(shape)) == len(v) <= MAX_ITEMS):
        raise WireError("malformed array from the kernel")
    items = [decode(x, kernel, depth + 1) for x in v]
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


# ---- sympy from untrusted text ----------------------------------------------------------------

_NAMED = {"Symbol", "Dummy", "Wild", "Function", "IndexedBase", "Idx"}   # may take a name as text
_SAFE_FUNCTIONS = {"sqrt", "cbrt", "root", "Matrix", "ImmutableMatrix", "MutableDenseMatrix",
                   "ImmutableDenseMatrix"}
MAX_EXPONENT = 10_000


@lru_cache(maxsize=1)
def _sympy_namespace():
    import sympy

    names = {}
    for name in dir(sympy):
        obj = getattr(sympy, name)
        if name in _SAFE_FUNCTIONS or isinstance(obj, sympy.Basic) or (
                isinstance(obj, type) and issubclass(obj, sympy.Basic)):
            names[name] = obj
    return names


def from_srepr(text):
    """The sympy object described by sympy.srepr text, built without eval: only calls of
    sympy classes with numbers, names, tuples and other such calls as arguments."""
    import sympy

    text = _text(text)
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


# ---- in the kernel ------------------------------------------------------------------------------

_FUNCTIONS = {}


def _publish(payload):
    from IPython.display import publish_display_data

    if len(json.dumps(payload)) > MAX_MESSAGE:
        payload = {"unsendable": "the value is too large to be read"}
    publish_display_data({MIME: payload})


def _attempt(compute, limit):
    """Run compute() under the time limit and describe the outcome as JSON-able data."""
    from . import timelimit

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
    args = [decode(a) for a in json.loads(args_json)]
    _publish(_attempt(lambda: _FUNCTIONS[ref](*args), limit))


# ---- in the grader ------------------------------------------------------------------------------

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
        return self.kernel.call(self.ref, args)

    def __repr__(self):
        return f"<function {self.__name__} in the kernel>"


_KINDS = (inspect.Parameter.POSITIONAL_ONLY, inspect.Parameter.POSITIONAL_OR_KEYWORD,
          inspect.Parameter.VAR_POSITIONAL, inspect.Parameter.KEYWORD_ONLY, inspect.Parameter.VAR_KEYWORD)


def _signature(params):
    """The learner's function's signature, from [name, kind number, has a default] triples."""
    try:
        return inspect.Signature([inspect.Parameter(name, _KINDS[kind], **({"default": None} if has_default else {}))
                                  for name, kind, has_default in params])
    except (TypeError, ValueError, IndexError):
        return None


_EXCEPTIONS = {}


def _exception(name):
    """An Exception subclass named like the one raised in the kernel, so feedback reads the same."""
    name = name if isinstance(name, str) and IDENT.fullmatch(name) else "Exception"
    if name not in _EXCEPTIONS:
        _EXCEPTIONS[name] = type(name, (Exception,), {"__module__": "kernel"})
    return _EXCEPTIONS[name]


class _Request:
    def __init__(self, msg_id):
        self.msg_id, self.payloads, self.error, self.idle = msg_id, [], None, False


class Kernel:
    """One ipykernel of this Python, in an empty temporary folder, with the memory cap applied.

    memory_mb: cap on the kernel's address space (0: none); limit: seconds for one probe or one
    call of a learner's function; on_pid(pid or None) is told when a kernel starts and stops.
    """

    def __init__(self, memory_mb=0, limit=2.0, on_pid=None):
        self.memory_mb, self.limit, self.on_pid = memory_mb, limit, on_pid or (lambda pid: None)
        self.km = self.kc = self.pending = self.dead = None
        self.cwd = None

    def start(self):
        from jupyter_client import KernelManager
        from jupyter_client.kernelspec import KernelSpec, KernelSpecManager

        class ThisPython(KernelSpecManager):   # this interpreter, whatever kernels are installed
            def get_kernel_spec(self, kernel_name):
                return KernelSpec(argv=[sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
                                  display_name="sgdcourse grader", language="python")

        self.cwd = self.cwd or tempfile.mkdtemp(prefix="sgdcourse-grade-")
        self.km = KernelManager(kernel_name="grader", kernel_spec_manager=ThisPython())
        self.km.start_kernel(cwd=self.cwd, env={**os.environ, **KERNEL_ENV},
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        self.on_pid(self._pid())
        self.kc = self.km.client()
        self.kc.start_channels()
        try:
            self.kc.wait_for_ready(timeout=START_TIMEOUT)
        except RuntimeError as exc:
            raise KernelDied(f"the kernel did not start ({exc})") from None
        self.dead = self.pending = None
        if self.memory_mb and hasattr(signal, "SIGALRM"):  # POSIX: resource is there too
            cap = int(self.memory_mb) * 2 ** 20
            req = self._send(f"import resource as _r\n_h = _r.getrlimit(_r.RLIMIT_AS)[1]\n"
                             f"_c = {cap} if _h == _r.RLIM_INFINITY else min({cap}, _h)\n"
                             "_r.setrlimit(_r.RLIMIT_AS, (_c, _c))\ndel _r, _h, _c", store_history=False)
            if not self._wait(req, START_TIMEOUT) or req.error:
                raise KernelDied(f"the kernel's memory cap could not be set ({req.error})")

    def _pid(self):
        process = getattr(getattr(self.km, "provisioner", None), "process", None)
        return getattr(process, "pid", None)

    def shutdown(self):
        if self.kc is not None:
            self.kc.stop_channels()
        if self.km is not None:
            try:
                self.km.shutdown_kernel(now=True)
            except Exception:
                pass
            self.on_pid(None)
        self.km = self.kc = None

    def close(self):
        """Shut the kernel down and remove its folder."""
        import shutil

        self.shutdown()
        if self.cwd:
            shutil.rmtree(self.cwd, ignore_errors=True)

    # -- requests --
    def _send(self, code, store_history=False):
        req = _Request(self.kc.execute(code, store_history=store_history, allow_stdin=False, stop_on_error=False))
        self.pending = req
        return req

    def _wait(self, req, seconds):
        """Collect req's outputs until the kernel is idle again; False if `seconds` pass first."""
        deadline = time.monotonic() + seconds
        while not req.idle:
            left = deadline - time.monotonic()
            if left <= 0:
                return False
            try:
                msg = self.kc.iopub_channel.get_msg(timeout=min(left, 0.25))
            except Empty:
                if not self.km.is_alive():
                    self._died()
                continue
            if msg.get("parent_header", {}).get("msg_id") != req.msg_id:
                continue
            kind, content = msg["msg_type"], msg["content"]
            if kind == "display_data" and MIME in content.get("data", {}):
                req.payloads.append(content["data"][MIME])
            elif kind == "error":
                req.error = (str(content.get("ename", "Error"))[:80], str(content.get("evalue", ""))[:300])
            elif kind == "status" and content.get("execution_state") == "idle":
                req.idle = True
        self.pending = None
        while True:  # replies on the shell channel are not needed: drop them
            try:
                self.kc.shell_channel.get_msg(timeout=0)
            except Empty:
                return True

    def _died(self):
        process = getattr(getattr(self.km, "provisioner", None), "process", None)
        code = process.poll() if process is not None else None
        self.dead = "the kernel died" + (f" (exit code {code})" if code is not None else "")
        self.pending = None
        raise KernelDied(self.dead)

    def _stop(self, req):
        """Interrupt the running request; kill the kernel when it does not stop. True if stopped."""
        self.km.interrupt_kernel()
        if self._wait(req, GRACE):
            return True
        self.shutdown()
        self.dead = "the kernel had to be stopped (it ignored an interrupt)"
        self.pending = None
        return False

    def settle(self):
        """After a check that was cut short while a call ran: make the kernel idle again."""
        if self.pending is not None and not self.dead:
            try:
                self._stop(self.pending)
            except KernelDied:
                pass

    def run_cell(self, source, timeout):
        """Run one cell: ("ok" | "error" | "timeout" | "stuck", (ename, evalue) or None)."""
        req = self._send(source, store_history=True)
        if self._wait(req, timeout):
            return ("error", req.error) if req.error else ("ok", None)
        return ("timeout", None) if self._stop(req) else ("stuck", None)

    def _ask(self, code):
        """Send code that publishes one payload; wait up to the limit (and then stop it)."""
        if self.dead:
            raise KernelDied(self.dead)
        req = self._send(code)
        if not self._wait(req, self.limit + GRACE):
            self._stop(req)
            return {"timeout": True}
        if not req.payloads or not isinstance(req.payloads[-1], dict):
            err = f" ({req.error[0]}: {req.error[1]})" if req.error else ""
            return {"raised": ["NoAnswer", f"the kernel sent nothing back{err}"]}
        return req.payloads[-1]

    def value(self, expr):
        """("value", v) | ("raised", (ename, evalue)) | ("timeout", None) | ("unreadable", reason)
        for the expression expr evaluated in the learner's namespace."""
        reply = self._ask(f"__import__('sgdcourse.kernelrun', fromlist=['probe']).probe({expr!r}, {self.limit!r})")
        if "value" in reply:
            try:
                return "value", decode(reply["value"], self)
            except (WireError, ValueError, TypeError, OverflowError, RecursionError) as exc:
                return "unreadable", str(exc)
        if "raised" in reply and isinstance(reply["raised"], list) and len(reply["raised"]) == 2:
            return "raised", tuple(str(x) for x in reply["raised"])
        if reply.get("timeout") is True:
            return "timeout", None
        return "unreadable", str(reply.get("unsendable", "the kernel sent an unreadable answer"))[:300]

    def call(self, ref, args):
        """The learner's function `ref` on args, run in the kernel (see RemoteFunction)."""
        text = json.dumps([encode(a) for a in args])
        reply = self._ask(f"__import__('sgdcourse.kernelrun', fromlist=['call'])"
                          f".call({ref!r}, {text!r}, {self.limit!r})")
        if "value" in reply:
            return decode(reply["value"], self)
        if reply.get("timeout") is True:
            raise TimedOut()
        if "raised" in reply and isinstance(reply["raised"], list) and len(reply["raised"]) == 2:
            name, message = reply["raised"]
            raise _exception(name)(str(message))
        why = str(reply.get("unsendable", "the kernel sent an unreadable result"))[:300]
        raise _exception("UnreadableResult")(why)

    # -- a whole notebook --
    def run_notebook(self, cells, cell_timeout, phase=lambda seconds, what: None, max_restarts=2):
        """Run the code cells [(number, source)] in order; returns the incidents, (cell number, text)
        for each cell that raised or was stopped. A cell that ignores the interrupt costs a new
        kernel: the cells before it run again (without their incidents) and it is skipped.
        KernelDied names the cell."""
        incidents, done, restarts = [], [], 0
        for number, source in cells:
            phase(cell_timeout + GRACE, f"running cell {number}")
            try:
                status, error = self.run_cell(source, cell_timeout)
            except KernelDied as exc:
                raise KernelDied(f"{exc} while running cell {number}") from None
            if status == "error":
                incidents.append((number, f"cell {number} raised {error[0]}: {_first_line(error[1])}"))
            elif status == "timeout":
                incidents.append((number, f"cell {number} was stopped at the {cell_timeout:g} s time limit"))
            elif status == "stuck":
                restarts += 1
                if restarts > max_restarts:
                    incidents.append((number, f"cell {number} ignored the interrupt at the {cell_timeout:g} s time "
                                      "limit; the cells from there on were not run"))
                    break
                incidents.append((number, f"cell {number} ignored the interrupt at the {cell_timeout:g} s time limit: "
                                  "it was skipped and the cells before it run again in a new kernel"))
                phase(START_TIMEOUT, "restarting the kernel")
                self.start()
                for n, src in done:
                    phase(cell_timeout + GRACE, f"running cell {n} again")
                    try:
                        again, _ = self.run_cell(src, cell_timeout)
                    except KernelDied as exc:
                        raise KernelDied(f"{exc} while running cell {n} again") from None
                    if again == "stuck":
                        raise KernelDied(f"the kernel got stuck in cell {n} when it ran again")
                continue
            if status != "timeout":
                done.append((number, source))
        return incidents


def _first_line(text):
    """The first line of an error message, without the kernel's name for the cell's file."""
    lines = [line for line in str(text).splitlines() if line.strip()]
    return re.sub(r"\([^()]*\.py, line (\d+)\)", r"(line \1)", lines[0] if lines else "")[:200]
