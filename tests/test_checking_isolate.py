"""The hard time limit: work in a forked child that is killed at the deadline, whatever it does."""

import os
import time

import pytest

from sgdcourse.checking import isolate
from sgdcourse.checking.functions import check_function, runs_elsewhere
from sgdcourse.practice import check

pytestmark = pytest.mark.skipif(not isolate.available(), reason="no fork on this platform")


def test_values_errors_and_deaths_are_reported():
    assert isolate.run(lambda send: 6 * 7, 2) == ("value", 42, [])
    kind, text, _ = isolate.run(lambda send: (_ for _ in ()).throw(GeneratorExit("bye")), 2)
    assert (kind, text) == ("error", "GeneratorExit: bye")
    assert isolate.run(lambda send: os._exit(3), 2)[0] == "died"
    with pytest.raises(ValueError, match="seconds"):
        isolate.run(lambda send: 1, 0)


def test_a_loop_that_swallows_everything_is_killed_and_its_progress_kept():
    def job(send):
        send("halfway")
        while True:
            try:
                time.sleep(0.01)
            except:  # noqa: E722 - the point of the test
                pass

    start = time.monotonic()
    kind, value, partial = isolate.run(job, 0.3)
    assert (kind, value, partial) == ("timeout", None, ["halfway"]) and time.monotonic() - start < 2


def test_the_child_leaves_the_parent_untouched():
    box = []
    assert isolate.run(lambda send: box.append(1) or len(box), 2)[1] == 1
    assert box == []  # the child's changes stay in the child


def test_stand_ins_for_remote_functions_run_here(monkeypatch):
    """A function that runs in another process (grading.remote.RemoteFunction) is called directly,
    and where there is no fork the soft time limit still stops an ordinary loop."""

    class Remote:
        placeholder = False
        calls = []

        def __call__(self, x):
            self.calls.append(x)
            return 1.0

    remote = Remote()
    assert runs_elsewhere(remote)
    assert check_function(remote, lambda x: 1.0, [dict(x=1.0), dict(x=2.0)]).ok and remote.calls == [1.0, 2.0]
    monkeypatch.setattr(isolate, "available", lambda: False)

    def forever(w, x, y, eta):
        while True:
            pass

    r = check("02-sgd-step", forever, timeout=0.3)
    assert r.status == "incorrect" and "Stopped after 0.3 s" in r.feedback
    assert check("04-var-batch", "sigma**2/m").ok
