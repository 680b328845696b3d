"""Every learner their own numbers (sgdcourse.problems.variants, sgdcourse.practice.start/data).

engine       the seed depends on the course, the learner and the space, and on nothing else;
             no learner: today's numbers; a bad learner id or course config is named
spaces       every space's defaults are the numbers of the problems that use it (the canonical
             variant is today's), and every draw gives every parameter
well posed   every problem with a space, built for LEARNERS learner ids: its factory accepts
             the numbers (a ValueError marks an ill-posed draw) and its named slips stay
             distinct (test_bank_design.assert_slips_distinct), as they are canonically
different    two learners get different numbers in at least 90% of the problems with numbers
practice     start() switches check, show, hint and data to the learner's numbers; a pinned
             learner (the grader's) wins over the id start() names
"""

from __future__ import annotations

import dataclasses
import json

import pytest

from sgdcourse import practice
from sgdcourse.problems import BANK
from sgdcourse.problems.audit import slip_clash
from sgdcourse.problems.pools import CANONICAL, POOLS
from sgdcourse.problems.variants import (
    MIN_POOL,
    VariantBank,
    check_learner,
    course_id,
    numbers_of,
    seed_of,
    spaces_of,
)

COURSE = "test-course"
LEARNERS = [f"learner-{k}" for k in range(3)]  # make test; the slow tier checks every candidate of every pool
WITH_SPACE = [p.id for p in BANK.values() if p.numbers]
SPACES = spaces_of(BANK)


def test_the_seed_depends_on_course_learner_and_space():
    base = seed_of("c", "alice", "01-gd-step")
    assert base == seed_of("c", "alice", "01-gd-step")
    assert (
        len(
            {
                base,
                seed_of("d", "alice", "01-gd-step"),
                seed_of("c", "bob", "01-gd-step"),
                seed_of("c", "alice", "01-other"),
            }
        )
        == 4
    )


def test_no_learner_gets_the_canonical_numbers():
    for name, (space, _) in SPACES.items():
        assert numbers_of(name, COURSE, None) == dict(space.defaults) == CANONICAL[name]


def test_the_pools_are_those_of_the_bank_spaces():
    assert set(POOLS) == set(CANONICAL) == set(SPACES)
    for name, candidates in POOLS.items():
        assert len(candidates) >= MIN_POOL, name
        assert all(set(c) == set(CANONICAL[name]) for c in candidates), name


@pytest.mark.parametrize("bad", ["", "   ", 3, None.__class__, "x" * 201])
def test_a_bad_learner_id_is_named(bad):
    with pytest.raises(ValueError, match="learner"):
        check_learner(bad)


def test_a_bad_course_config_is_named(tmp_path):
    path = tmp_path / "course.json"
    path.write_text(json.dumps({"course": ""}))
    with pytest.raises(ValueError, match="config"):
        course_id(path)
    path.write_text("{")
    with pytest.raises(ValueError, match="config"):
        course_id(path)
    path.write_text(json.dumps({"course": "fall-2027"}))
    assert course_id(path) == "fall-2027"


@pytest.mark.parametrize("pid", WITH_SPACE)
def test_the_canonical_variant_is_today(pid):
    p = BANK[pid]
    assert dict(p.params) == CANONICAL[p.numbers]


@pytest.mark.parametrize("pid", WITH_SPACE)
def test_a_learners_variant_is_well_posed_with_distinct_slips(pid):
    """make test: the variants of LEARNERS; the slow tier checks every candidate of every pool."""
    p = BANK[pid]
    for learner in LEARNERS:
        built = p.build(**numbers_of(p.numbers, COURSE, learner))  # a ValueError here: an ill-posed draw
        assert built.id == pid and built.numbers == p.numbers
        assert slip_clash(built) is None


def test_the_audit_finds_two_slips_that_give_one_value():
    p = BANK["01-gd-step"]
    twin = dataclasses.replace(p.mistakes[0], name="twin")
    assert slip_clash(p) is None
    assert "give the same value" in slip_clash(dataclasses.replace(p, mistakes=(*p.mistakes, twin), counts=()))
    answer = dataclasses.replace(twin, value=p.answer)
    assert "gives the answer" in slip_clash(dataclasses.replace(p, mistakes=(answer,), counts=()))


# Problems with parameters but the same numbers for everyone: what they ask has no number to vary.
FIXED = {
    "03-unbiased-batches": "its one parameter is with or without replacement",
    "04-var-batch": "the derivation of sigma^2/m for independent draws (C = 0)",
    "07-alternating": "a gradient that flips its sign, r = -1, is the point",
}


def test_every_problem_with_numbers_has_a_space_but_the_fixed_ones():
    assert {p.id for p in BANK.values() if p.params and not p.numbers} == set(FIXED)


def test_two_learners_get_different_numbers_in_most_problems():
    with_numbers = [p for p in BANK.values() if p.params]
    for a, b in zip(LEARNERS, LEARNERS[1:]):
        differ = sum(
            p.numbers != "" and numbers_of(p.numbers, COURSE, a) != numbers_of(p.numbers, COURSE, b)
            for p in with_numbers
        )
        assert differ >= 0.9 * len(with_numbers), (a, b, differ, len(with_numbers))


@pytest.mark.slowclaim
def test_every_candidate_of_every_pool_is_well_posed_and_the_pools_are_current():
    """pools.py is what `python -m sgdcourse.authoring pools` writes from the bank as it is: each of
    its candidates built by every problem of its space, with named slips distinct (variants.pool)."""
    from sgdcourse.authoring.pools import PATH
    from sgdcourse.problems.variants import pools_source

    assert pools_source(BANK) == PATH.read_text(encoding="utf-8")


def test_a_variant_bank_builds_what_it_is_asked_for():
    bank = VariantBank(BANK, COURSE, "alice")
    assert bank["01-steepest-direction"] is BANK["01-steepest-direction"]
    mine = bank["01-gd-step"]
    assert dict(mine.params) == numbers_of("01-gd-step", COURSE, "alice")
    assert bank["01-gd-step"] is mine  # built once
    assert VariantBank(BANK, COURSE, None)["01-gd-step"] is BANK["01-gd-step"]


def _w1(d):
    grads = [(d.w0 * x - y) * x for x, y in zip(d.xs, d.ys)]
    return d.w0 - d.eta * sum(grads) / len(grads)


def test_start_gives_the_learner_their_numbers_in_data_check_and_show(monkeypatch):
    session = practice.Session(course=COURSE)
    monkeypatch.setattr(practice, "SESSION", session)
    today = practice.data("01-gd-step")
    assert dict(today) == CANONICAL["01-gd-step"] and today.learner is None
    assert practice.check("01-gd-step", _w1(today)).status == "correct"
    learner = next(k for k in LEARNERS if numbers_of("01-gd-step", COURSE, k) != dict(today))
    note = practice.start(learner)
    assert note.title == f"Started: {learner}"
    mine = practice.data("01-gd-step")
    assert dict(mine) == numbers_of("01-gd-step", COURSE, learner) and mine.eta == mine["eta"]
    assert practice.check("01-gd-step", _w1(mine)).status == "correct"
    assert practice.check("01-gd-step", _w1(today)).status == "incorrect"
    assert str(practice.show("01-gd-step")) == str(
        practice.show.__globals__["_hints"].show("01-gd-step", bank=session.bank)
    )
    assert practice.start("").title == "Not started"  # named, never raised
    assert practice.SESSION.learner == learner


def test_a_pinned_learner_wins_over_the_id_start_names(monkeypatch):
    session = practice.Session(course=COURSE, pinned="alice")
    monkeypatch.setattr(practice, "SESSION", session)
    note = practice.start("bob")
    assert session.named == "bob" and session.learner == "alice"
    assert "pinned" in note.body
    assert dict(practice.data("01-gd-step")) == numbers_of("01-gd-step", COURSE, "alice")
