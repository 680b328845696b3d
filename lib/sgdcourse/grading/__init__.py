"""The instructor's grader: `python -m sgdcourse.grading {grade,manifest,merge,report}`.

    cli         the command line: it parses, and hands each verb to its main
    grade       the verb grade: arguments checked, the sandbox made, the pool run, the gradebook written
    integrity   the verb manifest: the digests of what decides a grade, verified before grading
    pool        the supervised worker pool: one submission per worker, a watch on every step
    submission  one submission: path -> Graded (rows and summary), never raises
    exercise    the trusted exercises from the solution notebooks; which one a submission is
    kernel      a fresh ipykernel under time limits, interrupts and a memory cap
    execution   a notebook's code cells run in order in a kernel, with restarts; the incidents
    remote      answers read from the kernel; RemoteFunction runs the learner's function there
    wire        the JSON codec between kernel and grader (encode, decode), evaluating nothing
    sympytext   sympy from untrusted text: srepr rebuilt without eval, answer text screened
    scoring     one answer's Result (the course's own checker, in the grader) and its score
    gradebook   a grade's Row, and the two CSVs, every string cleaned, written atomically; shards merged
    report      the verb report: a gradebook into an HTML page of item analysis (slips, variants)
    sandbox     the bubblewrap sandbox and the sealed library copy a kernel runs in
    __main__    `python -m sgdcourse.grading`: grading.cli.main

Imports run one way, from cli down through grade, pool and submission to the steps, and every
import of a course module sits at the top of its module; wire and gradebook import no other
grading module (tests/test_grading_package.py checks both). The kernel imports
sgdcourse.grading.remote (and with it sympytext and wire) to answer probes, so this package
imports nothing on its own.
"""
