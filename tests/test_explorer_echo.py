"""The browser's late answers to values a cell set must not undo the cell's last value.

ipywidgets' slider view answers every value the kernel sets with that value rounded to the
slider's grid; a cell that loops over values and then resets gets those answers after it has
finished. Here the browser is simulated by widget.set_state({"value": ...}), which is what the
kernel runs for a message from the browser (it marks the value as the browser's)."""

import numpy as np
import pytest

from sgdcourse.explorers import LearningRateExplorer, MomentumExplorer


def browser_rounding(widget, v):
    """What the slider view sends back for a value v the kernel set: the nearest grid point."""
    return min(max(widget.min + round((v - widget.min) / widget.step) * widget.step, widget.min), widget.max)


def lesson_05():
    return (
        LearningRateExplorer([1.0, 5.0], [-4.0, 2.0], center=[1.0, 0.5], steps=60, eta=0.1),
        "eta",
        (0.005, 0.02, 0.1, 0.2, 1 / 3, 0.395, 0.4, 0.42, 0.48),
        0.1,
    )


def lesson_06():
    return MomentumExplorer(steps=80, beta=0.7), "beta", (0.0, 0.3, 0.5, 0.6, 0.65, 0.7, 0.8, 0.9, 0.95), 0.7


@pytest.mark.parametrize("build", [lesson_05, lesson_06])
def test_answers_to_a_loop_of_values_leave_the_reset_value(build):
    explorer, name, loop, reset = build()
    widget = explorer.controls[name]
    start_text, start_png = explorer.text, explorer.png()
    sent = [widget.value]
    for v in loop:  # the lesson's cell
        explorer.set(**{name: v})
        sent.append(v)
    explorer.set(**{name: reset})
    sent.append(reset)
    for v in sent:  # the browser's answers arrive after the cell
        widget.set_state({"value": browser_rounding(widget, v)})
    assert widget.value == pytest.approx(reset, abs=1e-12)
    assert explorer.text == start_text
    assert explorer.shown_png == start_png


def test_without_the_filter_the_last_answer_would_win():
    # the failure this guards against: a stale answer is a real change of the slider
    explorer, name, loop, reset = lesson_05()
    widget = explorer.controls[name]
    explorer.set(eta=0.42)
    explorer.set(eta=reset)
    explorer._sent[name].clear()  # forget what the kernel set: now it looks like a learner
    widget.set_state({"value": browser_rounding(widget, 0.42)})
    assert widget.value == pytest.approx(0.42) and explorer.text.startswith("eta = 0.420")


def test_a_learners_value_is_taken_and_redrawn():
    explorer, name, loop, reset = lesson_05()
    widget = explorer.controls[name]
    explorer.set(eta=1 / 3)
    explorer.set(eta=reset)
    before = explorer.image.value
    learner = widget.min + 30 * widget.step  # a grid value no kernel value rounds to
    widget.set_state({"value": learner})
    assert widget.value == learner and explorer.text.startswith(f"eta = {learner:.3f}")
    assert explorer.image.value != before
    # after the learner, answers to the cell's values are gone: the next value is taken as well
    widget.set_state({"value": browser_rounding(widget, 1 / 3)})
    assert widget.value == pytest.approx(browser_rounding(widget, 1 / 3))


def test_the_answer_to_the_current_value_is_taken():
    explorer, name, _, _ = lesson_05()
    widget = explorer.controls[name]
    explorer.set(eta=1 / 3)  # off the grid: the browser shows its rounding
    widget.set_state({"value": browser_rounding(widget, 1 / 3)})
    assert widget.value == pytest.approx(0.335) and explorer.text.startswith("eta = 0.335")


def test_kernel_values_are_remembered_boundedly():
    explorer, name, _, _ = lesson_05()
    explorer._hold = True  # remember without drawing, to keep the test fast
    for v in np.linspace(0.01, 0.4, 1500):
        explorer.controls[name].value = float(v)
    assert 900 <= len(explorer._sent[name]) <= 1000
