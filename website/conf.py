# Sphinx configuration of the course website (copied into the build folder by build.py).
# Pages are the notebooks' stored outputs: myst-nb never executes them here.
project = "Stochastic Gradient Descent, a Jupyter course"
author = "the course's authors"
extensions = ["myst_nb", "sphinx.ext.mathjax"]
exclude_patterns = ["_build", "**.ipynb_checkpoints"]
myst_enable_extensions = ["dollarmath", "amsmath"]
nb_execution_mode = "off"
nb_output_stderr = "show"
html_theme = "sphinx_book_theme"
html_title = "SGD, a Jupyter course"
html_static_path = ["_static"]
html_css_files = ["frames.css"]
html_js_files = ["first-visit-mode.js", "frames.js"]
html_theme_options = {"show_toc_level": 2, "navigation_with_keys": True}
html_show_sourcelink = False
html_copy_source = False
# No CDN: MathJax 3 (SVG output, needs no font files) is served from _static.
mathjax_path = "mathjax/tex-svg-full.js"
