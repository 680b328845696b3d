"""Helpers shared by several test modules, imported as `from helpers import NAME` (tests/ is on
sys.path for every test, tests/conftest.py puts it there). A test module never imports another
test module: what two of them share lives here, and fixtures live in tests/conftest.py.

    ROOT, SOL02, EX02       the repository, and lesson 02's solution and exercise notebooks
    BUILDERS                every explorer, built small as its lesson builds it: {name: build(rng)}
    noise_ball(rng, ...)    a NoiseBallExplorer on least squares with curvatures about 1 and 1/4
    sharp_flat(rng, ...)    a SharpFlatExplorer on lesson 07's landscape (sharp_flat_landscape())
    stamp_pixels(explorer)  the pixels of an explorer's control-value stamp, asserted inside its image
    timed_check(pid, ans)   the learner's check, asserted fast, well-formed and free of tracebacks
    fresh_clone(dest), clean_env()  a fresh clone of the working tree (HEAD + changes), a clean environment
    code_sources(nb), code_cell(nb, marker), run_sources(sources, namespace), stored_prints(nb)
                            a notebook's code cells, the one holding a marker, run in one namespace
                            (their printout captured), and what each printed when it was executed
    pyproject(), specs(), name_and_bound(spec)
                            the dependencies pyproject.toml declares, read without tomllib
                            (which exists from Python 3.11 on only)
"""

from __future__ import annotations

import contextlib
import functools
import io
import json
import re
import shutil
import time
from pathlib import Path

import numpy as np

import sgdcourse as sc
from sgdcourse.checking import STATUSES
from sgdcourse.explorers import (
    BatchVarianceExplorer,
    DataOrderExplorer,
    LearningRateExplorer,
    LogisticTrainingExplorer,
    MomentumExplorer,
    MomentumMapExplorer,
    NoiseBallExplorer,
    SharpFlatExplorer,
    StepPlayer,
    WorkedExampleExplorer,
)
from sgdcourse.practice import check

ROOT = Path(__file__).resolve().parent.parent
SOL02, EX02 = ROOT / "solutions" / "02_sgd_by_hand.ipynb", ROOT / "exercises" / "02_sgd_by_hand.ipynb"


# ---- explorers (tests/test_explorer_contract.py, tests/test_readable_figures.py) -------------------


def _player(rng):
    X, y, _ = sc.make_logistic(60, 2, rng, w=np.array([2.0, -1.0]))
    model = sc.Logistic(X, y)
    tr = sc.sgd(model, np.array([-2.0, 2.0]), 0.5, m=1, steps=20, rng=rng)
    return StepPlayer(model.loss, tr.thetas, (-3, 4), (-3, 3), losses=tr.losses)


def noise_ball(rng, n=120, runs=40, m_max=8, **kw):
    """NoiseBallExplorer on least squares with two features of scales 1 and 1/2 (curvatures about 1 and 1/4)."""
    X, y, _ = sc.make_linear_regression(n, 2, rng, noise=0.5)
    X = X * np.array([1.0, 0.5])
    theta0 = sc.LeastSquares(X, y).solution() + np.array([-1.6, 1.2])
    return NoiseBallExplorer(X, y, theta0, rng, runs=runs, m_max=m_max, **kw)


@functools.lru_cache(maxsize=None)
def sharp_flat_landscape():
    """Lesson 07's landscape: 100 offsets evenly spaced in [-0.25, 0.25], the two minima equally deep."""
    return sc.equal_depths(np.linspace(-0.25, 0.25, 100))


def sharp_flat(rng, runs=40, steps=300, step=100, **kw):
    """SharpFlatExplorer on lesson 07's landscape, eta = 0.2 (its default), few runs and steps."""
    return SharpFlatExplorer(sharp_flat_landscape(), rng, runs=runs, steps=steps, step=step, **kw)


BUILDERS = {
    "worked": lambda rng: WorkedExampleExplorer(rng=rng, steps=20),
    "logistic": lambda rng: LogisticTrainingExplorer(
        *sc.make_logistic(80, 2, rng, intercept=True)[:2], rng=rng, epochs=2
    ),
    "variance": lambda rng: BatchVarianceExplorer(rng.standard_normal(50), rng=rng, draws=300),
    "player": _player,
    "rate": lambda rng: LearningRateExplorer([1.0, 5.0], [-4.0, 2.0], steps=20),
    "momentum": lambda rng: MomentumExplorer(steps=60),
    "momentum_map": lambda rng: MomentumMapExplorer(steps=60),
    "noise_ball": noise_ball,
    "sharp_flat": sharp_flat,
    "network": lambda rng: DataOrderExplorer(*sc.make_moons(60, rng), rng=rng, epochs=2, grid=20),
}


# ---- the checker's batteries (tests/test_checking_battery.py, tests/test_checking_hostile.py) -----

MAX_SECONDS = 5.0
BANNED = ("Traceback", "bug in the course", "set_int_max_str_digits", "0x", "Exception ignored")
BAD_GRAMMAR = (r"\ba [aeiouAEIOU]\w", r"\b1 values\b", r"\b1 numbers\b", r"\ban [bcdfgjklmnpqrstvwxz]\w")


def timed_check(pid, answer, **kw):
    """check(pid, answer): its Result, once asserted under MAX_SECONDS, with a known status and the
    problem's id, and feedback free of tracebacks, addresses and the grammar slips in BAD_GRAMMAR."""
    start = time.monotonic()
    r = check(pid, answer, **kw)
    took = time.monotonic() - start
    assert took < MAX_SECONDS, f"{pid}: {took:.1f} s for {answer!r:.60}"
    assert r.status in STATUSES and r.problem_id == pid
    for word in BANNED:
        assert word not in r.feedback, f"{pid}: {r}"
    for pattern in BAD_GRAMMAR:
        assert not re.search(pattern, r.feedback), f"{pid}: grammar ({pattern}) in {r}"
    return r


# ---- pyproject.toml's dependencies (tests/test_environment.py, tests/test_export.py) --------------


def name_and_bound(spec):
    """("numpy", ">=1.24") for the requirement "numpy>=1.24" (the name lower-cased, spaces dropped)."""
    m = re.match(r"\s*([A-Za-z0-9_.-]+)\s*(.*)", spec)
    return m.group(1).lower(), m.group(2).replace(" ", "")


def specs(block):
    """{name: bound} of the quoted requirements in a TOML list. A requirement with an environment
    marker (";") constrains a transitive dependency on some Pythons only; conda resolves those
    itself, so they are not part of the shared list."""
    return dict(name_and_bound(s) for s in re.findall(r'"([^"]+)"', block) if ";" not in s)


def pyproject():
    """(runtime dependencies, the extra `lab`, the lowest Python as (major, minor)) of pyproject.toml."""
    text = (ROOT / "pyproject.toml").read_text()
    runtime = re.search(r"^dependencies = \[(.*?)^\]", text, re.S | re.M).group(1)
    lab = re.search(r"^lab = \[(.*?)^\]", text, re.S | re.M).group(1)
    python = re.search(r'^requires-python = ">=(\d+)\.(\d+)"', text, re.M)
    return specs(runtime), specs(lab), (int(python.group(1)), int(python.group(2)))


# Headless Chromium as the browser tests start it: the system's browser (Playwright downloads
# none), and no background connections, which this machine's closed network refuses.
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def stamp_pixels(explorer):
    """The RGB pixels (an array) under explorer.stamp, the text that states its control values,
    after a render; asserts that the stamp lies inside the image."""
    explorer.render()
    box = explorer.stamp.get_window_extent(explorer.canvas.get_renderer())
    width, height = explorer.canvas.get_width_height()
    assert 0 <= box.x0 < box.x1 <= width and 0 <= box.y0 < box.y1 <= height  # inside the image
    rgb = np.asarray(explorer.canvas.buffer_rgba())[:, :, :3]
    return rgb[int(height - box.y1) : int(height - box.y0) + 1, int(box.x0) : int(box.x1) + 1].copy()


def fresh_clone(dest):
    """A fresh clone of the working tree in the empty folder dest: HEAD plus every uncommitted change,
    built from the files git lists (tracked and untracked, ignored ones left out: no .venv, no
    build/), committed once so that `git status` there starts clean. The repository's own git
    state is only read. Returns dest."""
    import subprocess

    listed = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=ROOT,
        capture_output=True,
        check=True,
    ).stdout.decode()
    for name in filter(None, listed.split("\0")):
        source = ROOT / name
        if source.is_file() and not source.is_symlink():  # a tracked file deleted in the tree is left out
            (dest / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, dest / name)
    git = ["git", "-c", "user.name=course", "-c", "user.email=course@example.invalid", "-c", "init.defaultBranch=main"]
    for args in (["init", "-q"], ["add", "-A"], ["commit", "-q", "-m", "fresh clone"]):
        subprocess.run(git + args, cwd=dest, check=True, capture_output=True)
    return dest


def clean_env(**extra):
    """os.environ without an activated venv or an outer make's variables, for a make run in a clone."""
    import os

    drop = ("VIRTUAL_ENV", "MAKEFLAGS", "MFLAGS", "MAKELEVEL", "PYTHONPATH")
    env = {k: v for k, v in os.environ.items() if k not in drop}
    if "VIRTUAL_ENV" in os.environ:  # its bin/ off PATH too
        bin_dir = os.path.join(os.environ["VIRTUAL_ENV"], "bin")
        env["PATH"] = os.pathsep.join(p for p in env.get("PATH", "").split(os.pathsep) if p != bin_dir)
    return {**env, **extra}


def code_sources(notebook):
    """The sources of the notebook's code cells (notebook: a path), in order."""
    cells = json.loads(Path(notebook).read_text(encoding="utf-8"))["cells"]
    return [
        "".join(c["source"]) if isinstance(c["source"], list) else c["source"]
        for c in cells
        if c["cell_type"] == "code"
    ]


def code_cell(notebook, marker):
    """The source of the one code cell of the notebook that contains marker."""
    found = [source for source in code_sources(notebook) if marker in source]
    assert len(found) == 1, f"{len(found)} cells hold {marker!r}"
    return found[0]


def run_sources(sources, namespace=None):
    """Run the sources in one namespace, what they print captured: (namespace, printed)."""
    namespace = {} if namespace is None else namespace
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        for source in sources:
            exec(source, namespace)  # noqa: S102 - the course's own notebooks
    return namespace, out.getvalue()


def stored_prints(notebook):
    """(source, text printed) of each code cell of the executed notebook, as stored."""
    cells = json.loads(Path(notebook).read_text(encoding="utf-8"))["cells"]
    return [
        (
            "".join(c["source"]),
            "".join("".join(o.get("text", "")) for o in c.get("outputs", []) if o.get("output_type") == "stream"),
        )
        for c in cells
        if c["cell_type"] == "code"
    ]


def synthetic_class(n=200, seed=25, hard=("02-b", None)):
    """A gradebook's rows for a class of n learners on five problems 02-a..02-e, with planted slips
    and one planted hard variant: (rows, planted slip counts {(problem, slip): k}, (problem, variant)).

    Learner k has ability a_k ~ N(0, 1); problem j is answered correctly with probability
    sigmoid(a_k - b_j), and a wrong answer carries one of the problem's slips or none. Each
    problem's variant is the learner's seed modulo 40, as a pool of 40 candidates gives it; on the
    hard problem, the variant held by the most learners is answered correctly with probability 0.05.
    The feedback text names slips it is not, so a report that parsed feedback would count wrongly."""
    from collections import Counter

    import numpy as np

    from sgdcourse.problems.variants import seed_of

    rng = np.random.default_rng(seed)
    problems = {"02-a": 0.0, "02-b": -0.5, "02-c": 0.5, "02-d": 1.0, "02-e": -1.0}
    slips = {"02-a": ("sign", "sum-not-mean"), "02-b": ("sign",), "02-c": ("late-gradient", "factor-2"), "02-d": ()}
    learners = [f"learner-{k:03d}" for k in range(n)]
    variant = {(who, pid): str(seed_of("synthetic", who, pid) % 40) for who in learners for pid in problems}
    hard_pid = hard[0]
    hard_variant = hard[1] or Counter(variant[who, hard_pid] for who in learners).most_common(1)[0][0]
    ability = rng.normal(size=n)
    rows, planted = [], Counter()
    for who, a in zip(learners, ability):
        for pid, b in problems.items():
            p = 1 / (1 + np.exp(-(a - b)))
            if pid == hard_pid and variant[who, pid] == hard_variant:
                p = 0.05
            status, slip = ("correct", "") if rng.random() < p else ("incorrect", "")
            if status == "incorrect":
                options = slips.get(pid, ())
                pick = rng.integers(0, len(options) + 1) if options else 0
                slip = options[pick - 1] if pick else ""
                if slip:
                    planted[pid, slip] += 1
                if rng.random() < 0.1:
                    status = "unanswered"
                    if slip:
                        planted[pid, slip] -= 1
                    slip = ""
            score = 1.0 if status == "correct" else 0.0
            feedback = "Right." if score else "Not the sum-not-mean slip, nor a sign slip: check your step."
            rows.append(
                {
                    "submission": f"{who}.ipynb",
                    "problem": pid,
                    "status": status,
                    "score": f"{score:g}",
                    "points": "1",
                    "feedback": feedback,
                    "slip": slip,
                    "variant": variant[who, pid],
                }
            )
    return rows, +planted, (hard_pid, hard_variant)


def answers_as(path, learner, number=None):
    """{problem id: (value, Result)} of a notebook at path run in this process with `learner`'s numbers
    pinned, as the grader pins them (learner None: today's numbers): its code cells run in one
    namespace, then each problem's answer, the expression the trusted solution passes to check
    (grading.exercise), is evaluated and checked against the learner's variant. An answer that
    does not evaluate (an exercise's placeholder left as is) is (the exception, None). number: the
    exercise ("04"), when the file's name does not start with it."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from sgdcourse import practice
    from sgdcourse.grading.exercise import load_exercises

    number = number or Path(path).name[:2]
    exercise = next(e for e in load_exercises(ROOT / "solutions", warn=lambda text: None) if e.number == number)
    saved, practice.SESSION = practice.SESSION, practice.Session(pinned=learner)
    try:
        namespace = {"__name__": "__main__"}
        with contextlib.redirect_stdout(io.StringIO()), matplotlib.rc_context():  # a notebook's style stays there
            for source in code_sources(path):
                exec(compile(source, str(path), "exec"), namespace)  # noqa: S102 - the course's own notebooks
        plt.close("all")
        results = {}
        for pid, expr in exercise.problems:
            try:
                value = eval(expr, namespace)  # noqa: S307 - the trusted solution's own expression
            except Exception as exc:  # noqa: BLE001 - an exercise's placeholder may not evaluate
                results[pid] = (exc, None)
                continue
            results[pid] = (value, practice.check(pid, value))
        return results
    finally:
        practice.SESSION = saved


def sampled(ids):
    """Problem ids as test parameters: the first problem of each kind in each lesson as they are
    (make test), every other one with the marker slowclaim (make slowtest), for the bank-wide tests
    whose every problem costs a second or more."""
    import pytest

    from sgdcourse.problems import BANK

    first = {}
    for p in BANK.values():
        first.setdefault((p.lesson, p.kind), p.id)
    keep = set(first.values())
    return [pytest.param(pid, marks=() if pid in keep else pytest.mark.slowclaim) for pid in ids]
