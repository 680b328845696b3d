"""The claims folder covers the course: a file per lesson, at least 30 claims, each over enough
seeds and each with a test that runs it under its Breaks: change."""

import importlib
from pathlib import Path

import claimkit

ROOT = Path(__file__).resolve().parents[2]
LESSONS = sorted(p.name[:2] for p in (ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))


def claim_modules():
    return {lesson: importlib.import_module(f"test_lesson{lesson}") for lesson in LESSONS}


def test_every_lesson_has_claims_and_their_breaks_tests():
    for lesson, module in claim_modules().items():
        found = claimkit.claims_in(vars(module))
        assert found, f"tests/claims/test_lesson{lesson}.py holds no claim"
        assert all(c.lesson == lesson for c in found), f"test_lesson{lesson}.py tests another lesson's sentence"
        breaks = getattr(module, "test_breaks", None)
        assert breaks is not None, f"test_lesson{lesson}.py does not end with test_breaks = breaks_tests(globals())"
        (marker,) = [m for m in breaks.pytestmark if m.name == "parametrize"]
        assert {c.name for c in marker.args[1]} == {c.name for c in found}


def test_at_least_thirty_claims_each_over_ten_seeds():
    found = [c for module in claim_modules().values() for c in claimkit.claims_in(vars(module))]
    assert len(found) >= 30, f"{len(found)} claims"
    for c in found:
        assert len(set(c.seeds)) >= claimkit.MIN_SEEDS
        assert claimkit.LESSON_SEEDS[c.lesson] not in c.seeds
        assert "Breaks:" in c.experiment.__doc__
