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

.PHONY: lab test unit notebooks slowtest browser bench execute clean export-test site sitetest release

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 10) else "Python 3.10 or newer is needed; set PYTHON=/path/to/python3.x")'
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --disable-pip-version-check -q -e '.[lab,test]'
	touch $@

# JupyterLab refuses to start as root (containers, CI) unless told it may.
ROOT_ARG := $(if $(filter 0,$(shell id -u)),--allow-root)

lab: $(STAMP)
	$(VENV)/bin/jupyter lab $(ROOT_ARG) --ServerApp.root_dir=$(LAB_ROOT) --LabApp.default_url=/lab/tree/$(FIRST) $(LAB_ARGS)

# Unit and property tests plus nbval over notebooks/ and solutions/ (strict: stored outputs
# are compared) and exercises/ (lax: conftest.py makes that folder run-only).
test: $(STAMP)
	$(PY) -m pytest -n $(JOBS) --dist loadfile $(NBVAL) tests notebooks solutions exercises

# The slower proofs, which .ci/run runs after make test: the grader on real kernels, shipped and
# crafted notebooks, and hostile submissions against its sandbox (tests/slow/, needs bubblewrap);
# then the lesson claims too slow for make test, and every claim run under the change that must
# break it (tests/claims/, marker slowclaim).
slowtest: $(STAMP)
	$(PY) -m pytest -n $(JOBS) --dist loadfile tests/slow
	$(PY) -m pytest -n $(JOBS) -m slowclaim tests/claims

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

# After editing a solution notebook or a problem: exercises/ from solutions/, then the grader's
# manifest of what decides a grade (two commands of their own; --check on either only compares).
release: $(STAMP)
	$(PY) -m sgdcourse.authoring release
	$(PY) -m sgdcourse.grading manifest

clean:
	rm -rf $(VENV) $(EXPORT_VENV)

# Execute notebooks in place with the venv's kernel (how lessons get their stored outputs):
#   make execute NB="notebooks/01_gradient_descent.ipynb"
# Widget state is not stored (and stripped if a saved copy had it): with it, static viewers
# show a CDN-loaded widget view instead of the stored PNG (tests/test_static_views.py).
execute: $(STAMP)
	$(VENV)/bin/jupyter nbconvert --to notebook --execute --inplace \
	  --ExecutePreprocessor.record_timing=False --ExecutePreprocessor.kernel_name=python3 \
	  --ExecutePreprocessor.store_widget_state=False $(NB)
	$(PY) website/strip_widget_state.py $(NB)

# The course website (build/site/index.html), from the notebooks' stored outputs; explorer
# frames are rendered at build time (website/build.py). MathJax comes from the npm registry
# (npm pack checks the tarball's integrity) and is served from the site itself: no CDN.
SITE_STAMP      := $(VENV)/.site-installed
MATHJAX_VERSION := 3.2.2
MATHJAX         := build/vendor/mathjax-$(MATHJAX_VERSION)/tex-svg-full.js

$(SITE_STAMP): $(STAMP) pyproject.toml
	$(PY) -m pip install --disable-pip-version-check -q -e '.[lab,test,site,binder]'
	touch $@

$(MATHJAX):
	mkdir -p $(@D)
	cd $(@D) && npm pack --silent mathjax@$(MATHJAX_VERSION) >/dev/null \
	  && tar xzf mathjax-$(MATHJAX_VERSION).tgz --strip-components=2 package/es5/tex-svg-full.js \
	  && rm mathjax-$(MATHJAX_VERSION).tgz

site: $(SITE_STAMP) $(MATHJAX)
	$(PY) website/build.py --mathjax $(MATHJAX) --out build/site

# Slow proofs, not part of make test: the site (built first) in headless chromium, Binder's
# detection, and the bare library in a fresh venv.
sitetest: site
	$(PY) -m pytest -m slow tests/test_site_build.py tests/test_site_browser.py tests/test_binder.py tests/test_bare_install.py

# The exports (python -m sgdcourse.authoring export) graded by the real otter-grader and nbgrader, all seven
# notebooks: slow (six graded kernels per notebook), so not part of make test. The tools live in
# their own venv, apart from .venv, installed from the `export` extra of pyproject.toml.
EXPORT_VENV  := .venv-export
EXPORT_STAMP := $(EXPORT_VENV)/.installed

$(EXPORT_STAMP): pyproject.toml
	test -x $(EXPORT_VENV)/bin/python || $(PYTHON) -m venv $(EXPORT_VENV)
	$(EXPORT_VENV)/bin/python -m pip install --disable-pip-version-check -q -e '.[test,export]'
	touch $@

export-test: $(EXPORT_STAMP)
	SGDCOURSE_EXPORT_TEST=1 $(EXPORT_VENV)/bin/python -m pytest -n $(JOBS) tests/test_export_tools.py
