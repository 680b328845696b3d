"""What every explorer owes the lessons, checked for all of them at once: a control change
re-renders the same figure into a new image, the cached background gives exactly the picture
of a full redraw, nothing is warned about, and the notebook output carries the widget view,
a static PNG and the repr as text."""

import base64
import warnings

import numpy as np
import pytest

from sgdcourse.explorers.base import Explorer

# `explorer` (tests/conftest.py): every explorer of helpers.BUILDERS, built small as its lesson builds it


def another_value(widget):
    """A value of this control other than its current one."""
    if hasattr(widget, "options"):
        return next(v for v in widget.options if v != widget.value)
    if isinstance(widget.value, bool):
        return not widget.value
    if hasattr(widget, "base"):  # FloatLogSlider: min and max are exponents
        top, bottom = widget.base**widget.max, widget.base**widget.min
        return top if widget.value != top else bottom
    return widget.max if widget.value != widget.max else widget.min


def test_every_control_redraws_the_same_figure_without_warnings(explorer):
    fig, artists = explorer.fig, list(explorer.dynamic)
    for name, widget in explorer.controls.items():
        before = explorer.image.value
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            widget.value = another_value(widget)
        assert explorer.image.value != before, f"changing {name} left the image as it was"
        assert explorer.fig is fig and list(explorer.dynamic) == artists


def test_cached_background_gives_the_picture_of_a_full_redraw(explorer):
    name, widget = next(iter(explorer.controls.items()))
    widget.value = another_value(widget)
    fast = np.asarray(explorer.canvas.buffer_rgba()).copy()
    explorer._background = None
    explorer.render()
    np.testing.assert_array_equal(np.asarray(explorer.canvas.buffer_rgba()), fast)


def test_notebook_output_has_widget_png_and_repr_text(explorer):
    bundle, metadata = explorer._repr_mimebundle_()
    assert {"application/vnd.jupyter.widget-view+json", "image/png", "text/plain"} <= set(bundle)
    assert bundle["text/plain"] == repr(explorer) and explorer.text in bundle["text/plain"]
    assert "0x" not in bundle["text/plain"]  # no object addresses: nbval compares this text
    # the image's alt text (JupyterLab, nbconvert and the site read it): what it shows, then the readout
    alt = metadata["image/png"]["alt"]
    assert alt.startswith(type(explorer).shows) and " ".join(explorer.text.split()) in alt
    assert type(explorer).shows != Explorer.shows, "each explorer says in its own words what it shows"


def test_public_api_set_values_text_png(explorer):
    # what anything that renders frames relies on: set a value, read the readout and the PNG
    name, widget = next(iter(explorer.controls.items()))
    value = another_value(widget)
    assert explorer.set(**{name: value}) is explorer
    assert explorer.values()[name] == value
    assert explorer.text == explorer.update(**explorer.values())
    png = explorer.png()
    assert png.startswith(b"\x89PNG\r\n\x1a\n") and png == explorer.shown_png
    assert explorer.image.format == "url" and explorer.image.value == b"data:image/png;base64," + base64.b64encode(png)
    with pytest.raises(ValueError, match="unknown control"):
        explorer.set(no_such_control=1)
