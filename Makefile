# Two commands for a machine with Python 3.10+ and make:
#   make lab    set up .venv (JupyterLab, no test tool) if needed, then open JupyterLab on a copy of lesson 01
#   make test   add the test tools to .venv if needed, then run every test but the slow tiers, and every notebook
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed
LAB_STAMP := $(VENV)/.lab-installed
FIRST  := notebooks/01_gradient_descent.ipynb
# make lab serves the learner's working copy of the lessons and exercises (git-ignored), never
# the tracked notebooks: running a lesson, autosave included, leaves git status clean.
LAB_ROOT ?= mywork
LAB_COPY := $(wildcard notebooks/* exercises/*)
# The course's JupyterLab settings (no news prompt), as Lab's overrides of its defaults.
LAB_SETTINGS := $(VENV)/share/jupyter/lab/settings/overrides.json
JOBS   ?= 2
NBVAL  := --nbval --nbval-current-env --nbval-sanitize-with tests/nbval_sanitize.cfg
# Test tiers are pytest markers (pyproject.toml describes each), and each target below selects
# its tests with -m alone, over whole folders. The slow tiers, which make test leaves out:
SLOW   := kernel or slowclaim or browser or export or site or install or docs

.PHONY: lab test unit notebooks slowtest browser bench execute clean export-test site sitetest release lint docs-test

# Two stamps: the learner's environment (.[lab]: JupyterLab and the runtime, no test tool) and
# the developer's (.[lab,test]), which every target that runs tests needs.
define NEW_VENV
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 10) else "Python 3.10 or newer is needed; set PYTHON=/path/to/python3.x")'
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
endef

$(LAB_STAMP): pyproject.toml
	$(NEW_VENV)
	$(PY) -m pip install --disable-pip-version-check -q -e '.[lab]'
	touch $@

$(STAMP): pyproject.toml
	$(NEW_VENV)
	$(PY) -m pip install --disable-pip-version-check -q -e '.[lab,test]'
	touch $@ $(LAB_STAMP)

$(LAB_SETTINGS): lab-settings/overrides.json $(LAB_STAMP)
	mkdir -p $(@D)
	cp lab-settings/overrides.json $@

# JupyterLab refuses to start as root (containers, CI) unless told it may.
ROOT_ARG := $(if $(filter 0,$(shell id -u)),--allow-root)

# Copies each lesson and exercise into LAB_ROOT once (a learner's copy is never overwritten; a
# lesson new after a git pull is added), then opens Lab there on lesson 01.
lab: $(LAB_STAMP) $(LAB_SETTINGS)
	@for f in $(LAB_COPY); do test -e "$(LAB_ROOT)/$$f" || { mkdir -p "$(LAB_ROOT)/$${f%/*}" && cp "$$f" "$(LAB_ROOT)/$$f"; } || exit 1; done
	$(VENV)/bin/jupyter lab $(ROOT_ARG) --ServerApp.root_dir=$(LAB_ROOT) --LabApp.default_url=/lab/tree/$(FIRST) $(LAB_ARGS)

# Every test without a slow marker: unit and property tests, the lessons' claims, and nbval over
# notebooks/ and solutions/ (strict: stored outputs are compared) and exercises/ (lax:
# conftest.py makes that folder run-only).
test: $(STAMP)
	$(PY) -m pytest -n $(JOBS) --dist loadfile $(NBVAL) -m "not ($(SLOW))" tests notebooks solutions exercises

# The slow markers kernel and slowclaim, which .ci/run runs after make test: the grader on real
# kernels, shipped and crafted notebooks, and hostile submissions against its sandbox (marker
# kernel, tests/slow/, needs bubblewrap); then the lesson claims too slow for make test, and every
# claim run under the change that must break it (marker slowclaim, tests/claims/). Two runs, so
# that the claims do not load the machine while the grader's kernels run under their time limits.
slowtest: $(STAMP)
	$(PY) -m pytest -n $(JOBS) --dist loadfile -m kernel tests
	$(PY) -m pytest -n $(JOBS) -m slowclaim tests

# The library's own tests: no slow tier, no notebook (nbval, static views), no website.
unit: $(STAMP)
	$(PY) -m pytest -m "not ($(SLOW) or notebooks or website)" tests

# Marker notebooks: every notebook run by nbval, and their static views.
notebooks: $(STAMP)
	$(PY) -m pytest -n $(JOBS) --dist loadfile $(NBVAL) -m notebooks tests notebooks solutions exercises

# Marker browser: JupyterLab in headless Chromium (a slider dragged, then Run All in every lesson
# and every explorer's state checked). A missing browser fails the run.
browser: $(STAMP)
	$(PY) -m pytest -m browser tests

# Marker docs: every command block of README.md and docs/instructors.md, run as written in a
# fresh clone of the working tree (its own .venv and .venv-export, make lab's server: about 2.5 min).
docs-test: $(STAMP)
	$(PY) -m pytest -m docs tests

# ruff's checks and its format check over the Python sources (configured in pyproject.toml).
lint: $(STAMP)
	$(PY) -m ruff check lib tests website tools conftest.py
	$(PY) -m ruff format --check lib tests website tools conftest.py

# Benchmarks print tables of timings; they are never part of make test.
# One of them: make bench BENCH=explorers
BENCH ?= sgd explorers browser course grade class
bench: $(STAMP)
	for b in $(BENCH); do $(PY) tests/benchmarks/bench_$$b.py || exit 1; done

# After editing a solution notebook or a problem: exercises/ from solutions/, then the grader's
# manifest of what decides a grade (two commands of their own; --check on either only compares).
release: $(STAMP)
	$(PY) -m sgdcourse.authoring pools
	$(PY) -m sgdcourse.authoring release
	$(PY) -m sgdcourse.grading manifest

clean:
	rm -rf $(VENV) $(EXPORT_VENV) build

# Execute notebooks in place with the venv's kernel (how lessons get their stored outputs):
#   make execute NB="notebooks/01_gradient_descent.ipynb"
# Widget state is not stored (and stripped if a saved copy had it): with it, static viewers
# show a CDN-loaded widget view instead of the stored PNG (tests/test_static_views.py).
execute: $(STAMP)
	$(VENV)/bin/jupyter nbconvert --to notebook --execute --inplace \
	  --ExecutePreprocessor.record_timing=False --ExecutePreprocessor.kernel_name=python3 \
	  --ExecutePreprocessor.store_widget_state=False $(NB)
	$(PY) tools/strip_widget_state.py $(NB)

# The course website (build/site/index.html), from the notebooks' stored outputs; explorer
# frames are rendered at build time (website/build.py). MathJax comes from the npm registry
# (npm pack checks the tarball's integrity) and is served from the site itself: no CDN.
SITE_STAMP      := $(VENV)/.site-installed
MATHJAX_VERSION := 3.2.2
MATHJAX         := build/vendor/mathjax-$(MATHJAX_VERSION)/tex-chtml.js

$(SITE_STAMP): $(STAMP) pyproject.toml
	$(PY) -m pip install --disable-pip-version-check -q -e '.[lab,test,site,binder]'
	touch $@

$(MATHJAX):
	mkdir -p $(@D)
	cd $(@D) && npm pack --silent mathjax@$(MATHJAX_VERSION) >/dev/null \
	  && tar xzf mathjax-$(MATHJAX_VERSION).tgz --strip-components=2 package/es5/tex-chtml.js \
	     package/es5/output/chtml/fonts/woff-v2 \
	  && rm mathjax-$(MATHJAX_VERSION).tgz

site: $(SITE_STAMP) $(MATHJAX)
	$(PY) website/build.py --mathjax $(MATHJAX) --out build/site

# axe-core, the accessibility checker the site test injects into every page (tests/test_site_a11y.py
# finds it here): from the npm registry like MathJax, a test tool only, never part of the site.
AXE_VERSION := 4.14.1
AXE         := build/vendor/axe-core-$(AXE_VERSION)/axe.min.js

$(AXE):
	mkdir -p $(@D)
	cd $(@D) && npm pack --silent axe-core@$(AXE_VERSION) >/dev/null \
	  && tar xzf axe-core-$(AXE_VERSION).tgz --strip-components=1 package/axe.min.js \
	  && rm axe-core-$(AXE_VERSION).tgz

# Markers site and install, not part of make test: the site (built first) as files and in
# headless chromium; the bare library in a fresh venv, and Binder's detection. On both cores, a
# test file per worker: each module serves the site on a port of its own (port 0).
sitetest: site $(AXE)
	$(PY) -m pytest -n $(JOBS) --dist loadfile -m "site or install" tests

# Marker export: the exports (python -m sgdcourse.authoring export) graded by the real
# otter-grader and nbgrader, every notebook, and every file a learner receives from them
# (dist/student/, release/, learner/) scanned for the bank's answers (a scan that fails on the
# old otter handout): slow (six graded kernels per notebook), so not part of make test. The tools live in their own venv, apart from .venv, installed from the `export`
# extra of pyproject.toml; a missing tool fails the run.
EXPORT_VENV  := .venv-export
EXPORT_STAMP := $(EXPORT_VENV)/.installed

$(EXPORT_STAMP): pyproject.toml
	test -x $(EXPORT_VENV)/bin/python || $(PYTHON) -m venv $(EXPORT_VENV)
	$(EXPORT_VENV)/bin/python -m pip install --disable-pip-version-check -q -e '.[test,export]'
	touch $@

export-test: $(EXPORT_STAMP)
	$(EXPORT_VENV)/bin/python -m pytest -n $(JOBS) -m export tests
