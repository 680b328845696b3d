# Two commands for a machine with Python 3.10+ and make:
#   make lab    set up .venv if needed, then open JupyterLab on the first lesson
#   make test   set up .venv if needed, then run the whole suite (unit tests and every notebook)
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed
FIRST  := notebooks/01_gradient_descent.ipynb
LAB_ROOT ?= .
JOBS   ?= 2
NBVAL  := --nbval --nbval-current-env --nbval-sanitize-with tests/nbval_sanitize.cfg

.PHONY: lab test unit notebooks bench browser execute clean

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 10) else "Python 3.10 or newer is needed; set PYTHON=/path/to/python3.x")'
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --disable-pip-version-check -q -e '.[test]'
	touch $@

# JupyterLab refuses to start as root (containers, CI) unless told it may.
ROOT_ARG := $(if $(filter 0,$(shell id -u)),--allow-root)

lab: $(STAMP)
	$(VENV)/bin/jupyter lab $(ROOT_ARG) --ServerApp.root_dir=$(LAB_ROOT) --LabApp.default_url=/lab/tree/$(FIRST) $(LAB_ARGS)

# Unit and property tests plus nbval over notebooks/ and solutions/ (strict: stored outputs
# are compared) and exercises/ (lax: conftest.py makes that folder run-only).
test: $(STAMP)
	$(PY) -m pytest -n $(JOBS) --dist loadfile $(NBVAL) tests notebooks solutions exercises

unit: $(STAMP)
	$(PY) -m pytest tests

notebooks: $(STAMP)
	$(PY) -m pytest -n $(JOBS) --dist loadfile $(NBVAL) notebooks solutions exercises

# Run All in every lesson in JupyterLab (headless Chromium), then check every explorer's state.
browser: $(STAMP)
	SGDCOURSE_RUNALL=1 $(PY) -m pytest tests/test_browser.py

# Benchmarks print tables of timings; they are never part of make test.
bench: $(STAMP)
	$(PY) tests/benchmarks/bench_sgd.py
	$(PY) tests/benchmarks/bench_explorers.py
	$(PY) tests/benchmarks/bench_browser.py
	$(PY) tests/benchmarks/bench_course.py
	$(PY) tests/benchmarks/bench_grade.py

clean:
	rm -rf $(VENV)

# Execute notebooks in place with the venv's kernel (how lessons get their stored outputs):
#   make execute NB="notebooks/01_gradient_descent.ipynb"
execute: $(STAMP)
	$(VENV)/bin/jupyter nbconvert --to notebook --execute --inplace \
	  --ExecutePreprocessor.record_timing=False --ExecutePreprocessor.kernel_name=python3 $(NB)
