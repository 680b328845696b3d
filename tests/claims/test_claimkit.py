"""The harness itself: a claim test fails when its sentence left the lesson or its experiment
does not hold, and a claim without enough seeds or without a Breaks: change is refused."""

import pytest

import claimkit
from claimkit import at_least, claim, every, mean_between

SENTENCE = "Stochastic gradient descent (SGD)"  # lesson 02's opening paragraph names it so


def make(sentence=SENTENCE, holds=every, result=True, seeds=claimkit.SEEDS, doc="x. Breaks: y."):
    def experiment(seed, broken):
        return result and not broken

    experiment.__doc__ = doc
    return claim("02", "intro", sentence, holds, seeds=seeds)(experiment)


def test_a_claim_that_holds_passes_and_its_breaks_change_fails_it():
    test = make()
    test()
    assert not test.claim.holds(test.claim.results(broken=True))


def test_a_claim_that_does_not_hold_fails():
    with pytest.raises(AssertionError, match="does not hold"):
        make(result=False)()


def test_a_sentence_missing_from_the_lesson_fails():
    with pytest.raises(AssertionError, match="no longer in the lesson"):
        make(sentence="SGD always finds the global minimum")()


@pytest.mark.parametrize("seeds", [range(100, 105), [100] * 10, range(0, 10)])
def test_too_few_seeds_or_the_lessons_own_seed_is_refused(seeds):
    with pytest.raises(ValueError, match="seeds"):
        make(seeds=seeds)


def test_a_claim_without_a_breaks_change_is_refused():
    with pytest.raises(ValueError, match="Breaks"):
        make(doc="no change named")


def test_the_criteria():
    assert every([True] * 3) and not every([True, False])
    assert at_least(2)([True, False, True]) and not at_least(3)([True, False, True])
    assert mean_between(1, 2)([1, 2]) and not mean_between(1, 2)([2, 3])
