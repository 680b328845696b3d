"""Every learner their own numbers: the variant of a problem that a learner of a course gets.

    Space(name, defaults, draw)     a problem's numbers: today's (defaults, the canonical variant)
                                    and draw(rng) -> {parameter: value}, a candidate for anyone else
    pool(space, problems, size)     up to `size` drawn candidates that every problem using the space
                                    accepts (its factory raises no ValueError) with its named slips
                                    distinct (audit.slip_clash): the authoring step `pools` writes
                                    them into problems/pools.py, and tests check each one
    seed_of(course, learner, name)  SHA-256 of the three: a new course id (offering) gives new numbers
    numbers_of(name, course, learner)    the learner's candidate of the pool (the seed picks it);
                                    today's numbers when learner is None
    VariantBank(bank, course, learner)   the bank as that learner sees it, each problem built by its
                                    factory with the learner's numbers when first asked for
    course_id()                     the course id of the instructor's config, course.json

A space is named by the problem that owns it; problems that share their numbers (a prediction and
the reading of its run) share a space, so they share the learner's numbers too. The pools hold no
answer, only numbers, so a sealed copy of the library (a graded kernel, a handout) keeps
problems/pools.py and data() there gives the numbers the grader checks against.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType
from typing import Callable

import numpy as np

from .audit import slip_clash

CONFIG = Path(__file__).resolve().parents[1] / "course.json"  # the instructor's config
PIN = "SGDCOURSE_LEARNER"  # a kernel's environment variable: the learner a grader pins (practice.Session)
POOL_SIZE, MIN_POOL, TRIES = 40, 12, 400


@dataclass(frozen=True)
class Space:
    """The numbers of a problem (or of problems that share them): defaults are today's, the
    canonical variant; draw(rng) returns a candidate {parameter: value} for a learner's variant."""

    name: str
    defaults: Mapping
    draw: Callable
    size: int = None  # candidates to keep (default POOL_SIZE): fewer for a space whose problems are slow to build

    def __post_init__(self):
        object.__setattr__(self, "defaults", MappingProxyType(dict(self.defaults)))


def course_id(config=CONFIG):
    """The course id in the instructor's config (course.json: {"course": "..."})."""
    try:
        course = json.loads(Path(config).read_text(encoding="utf-8"))["course"]
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise ValueError(f'config: {config} must hold {{"course": "<course id>"}} ({exc})') from None
    if not isinstance(course, str) or not course.strip():
        raise ValueError(f"config: the course id in {config} must be a non-empty string, got {course!r}")
    return course


def check_learner(learner):
    """The learner id, stripped, or ValueError naming `learner`: a non-empty printable string of at
    most 200 characters (None: no learner, today's numbers)."""
    if learner is None:
        return None
    if not isinstance(learner, str) or not learner.strip() or len(learner) > 200 or not learner.isprintable():
        raise ValueError(
            f"learner must be your id as a non-empty printable string (at most 200 characters), got {learner!r:.80}"
        )
    return learner.strip()


def seed_of(course, learner, name):
    """A 64-bit seed from the course id, the learner id and the space's name."""
    text = "\x1f".join((course, learner, name)).encode("utf-8")
    return int.from_bytes(hashlib.sha256(text).digest()[:8], "little")


def _same(a, b):
    return set(a) == set(b) and all(type(a[k]) is type(b[k]) and a[k] == b[k] for k in a)


def pool(space, problems, size=None, tries=TRIES):
    """Up to `size` (default: the space's, else POOL_SIZE) candidates of the space, in the order
    drawn (rng seeded by the space's name), that differ from today's numbers and from each other and
    that every one of `problems` accepts with its named slips distinct; ValueError when fewer than
    MIN_POOL are found in `tries` draws."""
    size = size or space.size or POOL_SIZE
    found = []
    for k in range(tries):
        rng = np.random.default_rng([seed_of("pool", "", space.name), k])
        numbers = dict(space.draw(rng))
        if set(numbers) != set(space.defaults):
            raise ValueError(f"space {space.name}: draw must give {sorted(space.defaults)}, got {sorted(numbers)}")
        if _same(numbers, space.defaults) or any(_same(numbers, f) for f in found):
            continue
        try:
            built = [p.build(**numbers) for p in problems]
        except ValueError:
            continue
        if all(slip_clash(b) is None for b in built):
            found.append(numbers)
            if len(found) == size:
                break
    if len(found) < MIN_POOL:
        raise ValueError(f"space {space.name}: only {len(found)} of {tries} draws are well posed (need {MIN_POOL})")
    return found


def _pools():
    try:
        from .pools import CANONICAL, POOLS
    except ImportError:  # before the first `python -m sgdcourse.authoring pools`
        return {}, {}
    return CANONICAL, POOLS


def variant_index(name, course, learner, pools=None):
    """Which candidate of space `name`'s pool the learner has (an int), or None for today's numbers."""
    if learner is None:
        return None
    return seed_of(course, learner, name) % len((pools if pools is not None else _pools())[1][name])


def numbers_of(name, course, learner, pools=None):
    """{parameter: value} of the learner's variant of space `name`: the candidate of its pool that the
    seed picks; today's numbers (CANONICAL) when learner is None."""
    canonical, drawn = pools if pools is not None else _pools()
    k = variant_index(name, course, learner, (canonical, drawn))
    return dict(canonical[name] if k is None else drawn[name][k])


class VariantBank(Mapping):
    """A bank as one learner of one course sees it: a problem with numbers is built by its factory
    (Problem.build) with the learner's numbers when first asked for; one without, or a sealed one,
    as it is. With learner None it is the bank itself, problem for problem."""

    def __init__(self, bank, course, learner, pools=None):
        self.bank, self.course, self.learner = bank, course, check_learner(learner)
        self.pools = pools
        self._built = {}

    def __getitem__(self, problem_id):
        if problem_id not in self._built:
            problem = self.bank[problem_id]
            if self.learner is not None and problem.numbers and problem.build is not None:
                problem = problem.build(**numbers_of(problem.numbers, self.course, self.learner, self.pools))
            self._built[problem_id] = problem
        return self._built[problem_id]

    def __iter__(self):
        return iter(self.bank)

    def __len__(self):
        return len(self.bank)

    def __repr__(self):
        who = "today's numbers" if self.learner is None else f"learner {self.learner!r}"
        return f"VariantBank({len(self)} problems, course {self.course!r}, {who})"

    def variant(self, problem_id):
        """The learner's variant of a problem, as a gradebook says it: the candidate's number in its
        space's pool, "today" for today's numbers, "" for a problem without numbers."""
        problem = self.bank[problem_id]
        if not problem.numbers:
            return ""
        k = variant_index(problem.numbers, self.course, self.learner, self.pools)
        return "today" if k is None else str(k)

    @property
    def lessons(self):
        return self.bank.lessons

    def select(self, lesson=None):
        return tuple(self[p.id] for p in self.bank.select(lesson))


def spaces_of(bank):
    """{space name: (Space, [problems using it])} of a bank's problems with numbers, in bank order."""
    table = {}
    for p in bank.values():
        if p.numbers:
            space, users = table.setdefault(p.numbers, (p.space, []))
            if space is not p.space:
                raise ValueError(f"two spaces are named {p.numbers!r}")
            users.append(p)
    return table


HEADER = '''"""Every space's numbers: today's (CANONICAL) and the candidates a learner's variant is picked from
(POOLS), written by `python -m sgdcourse.authoring pools` from the bank's spaces (sgdcourse.problems.
variants); numbers only, no answer, so a sealed copy of the library keeps this file."""

from fractions import Fraction

'''


def _literal(v):
    if isinstance(v, tuple):
        return "(" + ", ".join(_literal(x) for x in v) + ("," if len(v) == 1 else "") + ")"
    if isinstance(v, str):
        return json.dumps(v)
    if isinstance(v, (bool, int, float)) or v is None:
        return repr(v)
    if type(v).__name__ == "Fraction":
        return f"Fraction({v.numerator}, {v.denominator})"
    raise TypeError(f"a space's number cannot be {type(v).__name__} {v!r:.60}")


def _numbers(d):
    return "{" + ", ".join(f"{_literal(k)}: {_literal(v)}" for k, v in d.items()) + "}"


def pools_source(bank, lessons=None, old=None):
    """The text of problems/pools.py for the bank. With `lessons`, only the spaces of those lessons are
    drawn again; the others keep their candidates in `old` ((CANONICAL, POOLS) of the file as it is)
    while their today's numbers are unchanged."""
    canonical, drawn = [], []
    for name, (space, users) in spaces_of(bank).items():
        canonical.append(f"    {_literal(name)}: {_numbers(space.defaults)},\n")
        keep = lessons is not None and old is not None and users[0].lesson not in lessons
        if keep and name in old[1] and _same(dict(old[0].get(name, {})), dict(space.defaults)):
            candidates = old[1][name]
        else:
            candidates = pool(space, users)
        rows = "".join(f"        {_numbers(n)},\n" for n in candidates)
        drawn.append(f"    {_literal(name)}: (\n{rows}    ),\n")
    return HEADER + "CANONICAL = {\n" + "".join(canonical) + "}\n\nPOOLS = {\n" + "".join(drawn) + "}\n"
