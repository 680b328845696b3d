"""The author's tools, apart from what a learner imports: `python -m sgdcourse.authoring VERB`.

    release   exercises/ from solutions/ (authoring.release)
    export    solutions/ as otter-grader or nbgrader assignments (authoring.export)

Nothing here imports the grader: after a release the grader's manifest is recorded by the
grader's own command (`python -m sgdcourse.grading manifest`; `make release` runs both).
"""
