# Sphinx configuration of the course website (copied into the build folder by build.py).
# Pages are the notebooks' stored outputs: myst-nb never executes them here.
import os
import re

project = "Stochastic Gradient Descent, a Jupyter course"
author = "the course's authors"
extensions = ["myst_nb", "sphinx.ext.mathjax"]
exclude_patterns = ["_build", "**.ipynb_checkpoints"]
myst_enable_extensions = ["dollarmath", "amsmath"]
nb_execution_mode = "off"
nb_output_stderr = "show"

# Where the course lives: its GitHub repository as OWNER/NAME@BRANCH. The one setting behind
# every page's Binder launch link and the landing page's clone command. A publisher (or a fork)
# sets it here, or for one build: COURSE_REPOSITORY=owner/name@branch make site. Unset, it is
# read from the checkout's `origin` remote when that is on GitHub; a checkout without one (this
# course's development copy has none) builds with the placeholder below, and make site says so.
PLACEHOLDER_REPOSITORY = "OWNER/REPO@main"


def _github_origin():
    """OWNER/NAME@BRANCH of the checkout's origin remote and current branch, if it is on GitHub."""
    import subprocess

    def git(*args):
        run = subprocess.run(["git", "-C", os.path.dirname(os.path.abspath(__file__)), *args], capture_output=True)
        return run.stdout.decode().strip() if run.returncode == 0 else ""

    url = re.fullmatch(
        r"(?:https://github\.com/|git@github\.com:)([\w.-]+)/([\w.-]+?)(?:\.git)?/?", git("remote", "get-url", "origin")
    )
    branch = git("symbolic-ref", "--short", "HEAD")
    return f"{url[1]}/{url[2]}@{branch}" if url and branch not in ("", "HEAD") else None


COURSE_REPOSITORY = os.environ.get("COURSE_REPOSITORY") or _github_origin() or PLACEHOLDER_REPOSITORY
_repo = re.fullmatch(r"([A-Za-z0-9][\w.-]*)/([\w.-]+)@([\w./-]+)", COURSE_REPOSITORY)
if not _repo:
    raise ValueError(f"COURSE_REPOSITORY must be OWNER/NAME@BRANCH (e.g. alice/sgd@main), not {COURSE_REPOSITORY!r}")
REPOSITORY_OWNER, REPOSITORY_NAME, REPOSITORY_BRANCH = _repo.groups()
BINDER = "https://mybinder.org"

html_theme = "sphinx_book_theme"
html_title = "SGD, a Jupyter course"
html_static_path = ["_static"]
templates_path = ["_templates"]
html_css_files = ["frames.css", "layout.css"]
html_js_files = ["first-visit-mode.js", "frames.js"]
html_favicon = "_static/favicon.svg"
# The theme versions the fixes below are written for (pinned in pyproject's extra `site`;
# tests/test_site_nav.py fails when the installed ones differ, so the fixes get re-checked).
THEME_VERSIONS = {"pydata-sphinx-theme": "0.20.0", "sphinx-book-theme": "1.4.0"}
html_theme_options = {
    "show_toc_level": 2,
    "navigation_with_keys": True,
    # Fix for the sidebar toggles: both themes' scripts bind their click handlers to the FIRST
    # .primary-toggle / .secondary-toggle of the page (document.querySelector). pydata's header
    # (rendered because it defaults navbar_persistent to the search field) holds a hidden pair
    # before the book theme's visible ones, so the visible ☰ and contents buttons did nothing.
    # No navbar items: pydata renders no header, and the visible buttons are the first ones.
    "navbar_persistent": [],
    # "Download" (.ipynb: the notebook as stored, build.py puts it in _sources/) and the launch link
    "use_download_button": True,
    "repository_url": f"https://github.com/{REPOSITORY_OWNER}/{REPOSITORY_NAME}",
    "repository_branch": REPOSITORY_BRANCH,
    "path_to_docs": "",
    "launch_buttons": {"binderhub_url": BINDER, "notebook_interface": "jupyterlab"},
}
html_show_sourcelink = False
# The book theme's sidebar with our search button (_templates/sgd-search-button-field.html):
# the theme's own is named "Search" but shows "Search Ctrl+K" (axe: label-content-name-mismatch).
html_sidebars = {"**": ["navbar-logo.html", "icon-links.html", "sgd-search-button-field.html", "sbt-sidebar-nav.html"]}
html_copy_source = True  # _sources/<page>.ipynb, replaced by build.py with the notebook as stored
# No CDN: MathJax 3 (CommonHTML output, with its woff fonts) is served from _static.
mathjax_path = "mathjax/tex-chtml.js"
