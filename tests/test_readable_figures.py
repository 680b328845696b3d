"""Figures a learner can read: explorer text at least body-text size as displayed, sliders wide
enough to aim, a logarithmic slider where the range spans decades, maps with axes and a colour
bar, and the Greek letter in labels where the text writes it."""

import ipywidgets as W
import numpy as np
from matplotlib.text import Text

from helpers import BUILDERS
from sgdcourse.explorers import base

# `explorer` (tests/conftest.py): every explorer of BUILDERS in turn, built without warnings

BODY_TEXT_PX = 14  # JupyterLab's body text (--jp-content-font-size1)


def test_every_visible_text_is_at_least_body_size_on_screen(explorer):
    # the PNG is displayed at figsize * dpi pixels, so a font of s points is s * dpi / 72 pixels
    explorer.render()
    px = [t.get_fontsize() * explorer.dpi / 72 for t in explorer.fig.findobj(Text) if t.get_visible() and t.get_text()]
    assert px and min(px) >= BODY_TEXT_PX
    shown = explorer.image.layout.width
    assert shown == f"{int(explorer.figsize[0] * explorer.dpi)}px"  # shown 1:1, not scaled down
    assert "font-size" in explorer.readout.value


def test_sliders_are_wide_enough_to_aim(explorer):
    for name, widget in explorer.controls.items():
        if isinstance(widget, base.SLIDERS):
            assert int(widget.layout.width.rstrip("px")) >= 400, name


def test_a_range_over_decades_gets_a_log_slider():
    ex = BUILDERS["worked"](np.random.default_rng(0))
    eta = ex.controls["eta"]
    assert isinstance(eta, W.FloatLogSlider) and eta.max - eta.min >= 2  # 0.01 .. 1
    assert eta.description == "η"


def test_maps_have_axes_and_a_colour_bar():
    ex = BUILDERS["network"](np.random.default_rng(0))
    for ax in ex.axes.values():
        assert ax.get_xlabel() == "$x_1$" and len(ax.get_xticks()) > 0
    colourbars = [child for child in ex.axes["ordered"].child_axes if child.get_ylabel().startswith("$p(x)$")]
    assert len(colourbars) == 1


def test_labels_write_eta_as_the_greek_letter(explorer):
    for widget in explorer.controls.values():
        assert widget.description != "eta"
