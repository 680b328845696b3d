"""Frames for the site: an explorer's figure and readout precomputed over a grid of control values.

Build time only (website/build.py runs render_displayed in each lesson's kernel), so it is not
part of the library a learner installs.

A static page cannot run the explorer, so the site shows, for every point of a grid of
control values, the PNG and the readout the explorer itself produces there (through its
public API: `set(**values)`, `shown_png`, `text`). Each control's grid is the live widget's
own values (every step of a slider, every option, both states of a checkbox) as long as the
product over all controls stays within `max_frames`. Beyond that each control gets a fair share
of the budget, smallest control first: with c controls left and a budget B, a control keeps all
its values if it has at most B^(1/c) of them, else it is thinned to that many (at least
MIN_VALUES), evenly spaced, always keeping both ends and the current value; the budget left is
B divided by what it kept. Two sliders of 85 and 100 steps get 16 values each, not 85 and 3.

Frame k of the grid has indices (i_1, ..., i_c) with k = sum_j i_j * prod_{l > j} n_l
(row-major, the first control varies slowest). `render` writes frame k as `{k:04d}.png`.
"""

from __future__ import annotations

import io
import json
from itertools import product
from pathlib import Path

import numpy as np
from PIL import Image

from sgdcourse.explorers.base import Explorer

MAX_FRAMES = 160  # frames per explorer at most (nine explorers: the site stays within 40 MB)
MIN_VALUES = 3  # a thinned control keeps at least this many values
COLORS = 64  # palette size of an encoded frame (mean error about 1/255)


def control_values(widget):
    """(values, labels) of every setting of one ipywidgets control, in slider order."""
    if isinstance(widget.value, bool):
        return [False, True], ["off", "on"]
    if hasattr(widget, "options"):
        values = list(getattr(widget, "_options_values", widget.options))
        labels = list(getattr(widget, "_options_labels", map(str, values)))
        return values, labels
    lo, hi, step = widget.min, widget.max, widget.step
    count = int(round((hi - lo) / step)) + 1
    if hasattr(widget, "base"):  # FloatLogSlider: steps in the exponent
        values = [float(widget.base ** round(lo + k * step, 12)) for k in range(count)]
    elif isinstance(widget.value, int):
        values = [int(lo + k * step) for k in range(count)]
    else:
        values = [round(min(lo + k * step, hi), 12) for k in range(count)]
    fmt = getattr(widget, "readout_format", "d" if isinstance(widget.value, int) else ".3g")
    return values, [format(v, fmt) for v in values]


def _nearest(values, value):
    return (
        int(np.argmin([abs(float(v) - float(value)) for v in values]))
        if not isinstance(value, (str, bool))
        else values.index(value)
    )


def _thin(n, keep, count):
    """`count` indices out of range(n), evenly spaced, with 0, n - 1 and `keep` among them."""
    picked = {int(i) for i in np.round(np.linspace(0, n - 1, count))}
    if keep not in picked:  # swap the nearest inner value for it
        picked.remove(min(picked - {0, n - 1}, key=lambda i: abs(i - keep)))
        picked.add(keep)
    return sorted(picked)


def grid(explorer, max_frames=MAX_FRAMES):
    """name -> (values, labels, index of the current value): the grid `render` goes over."""
    if not isinstance(explorer, Explorer):
        raise TypeError(f"explorer must be an Explorer, got {type(explorer).__name__}")
    if int(max_frames) < 1:
        raise ValueError(f"max_frames must be >= 1, got {max_frames!r}")
    axes = {}
    for name, widget in explorer.controls.items():
        values, labels = control_values(widget)
        axes[name] = [values, labels, _nearest(values, widget.value)]
    if int(np.prod([len(a[0]) for a in axes.values()])) > max_frames:
        budget, left = int(max_frames), sorted(axes, key=lambda n: len(axes[n][0]))  # smallest first
        while left:
            name = left.pop(0)
            values, labels, current = axes[name]
            share = max(MIN_VALUES, int(budget ** (1 / (len(left) + 1)) + 1e-9))
            if share < len(values):
                idx = _thin(len(values), current, share)
                axes[name] = [[values[i] for i in idx], [labels[i] for i in idx], idx.index(current)]
            budget = max(1, budget // len(axes[name][0]))
    return {name: tuple(a) for name, a in axes.items()}


def encode(png):
    """The frame as stored on the site: the same picture as a palette PNG of COLORS colours."""
    image = Image.open(io.BytesIO(png)).convert("RGB")
    buf = io.BytesIO()
    image.quantize(COLORS, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE).save(buf, format="png")
    return buf.getvalue()


def render(explorer, outdir, max_frames=MAX_FRAMES):
    """Write every frame of grid(explorer) into outdir and return the manifest (a dict):
    controls (name, description, labels, current index, kind), the readout of each frame and
    what the view shows (`shows`, the start of each frame's alt text).
    The explorer is left at the control values it had."""
    axes = grid(explorer, max_frames)
    outdir = Path(outdir)
    outdir.mkdir(parents=True, exist_ok=True)
    before = explorer.values()
    texts = []
    try:
        for k, point in enumerate(product(*(a[0] for a in axes.values()))):
            explorer.set(**dict(zip(axes, point)))
            (outdir / f"{k:04d}.png").write_bytes(encode(explorer.shown_png))
            texts.append(explorer.text)
    finally:
        explorer.set(**before)
    controls = [
        {
            "name": name,
            "description": explorer.controls[name].description or name,
            "labels": [str(x) for x in a[1]],
            "values": [v if isinstance(v, (bool, int, float, str)) else str(v) for v in a[0]],
            "index": a[2],
            "kind": "checkbox" if isinstance(a[0][0], bool) else "range",
        }
        for name, a in axes.items()
    ]
    return {
        "type": type(explorer).__name__,
        "shows": explorer.shows,  # the image's alt is shows + " Now: " + the readout (Explorer.alt)
        "controls": controls,
        "texts": texts,
        "width": explorer.canvas.get_width_height()[0],
        "height": explorer.canvas.get_width_height()[1],
    }


def render_displayed(model_id, outdir, max_frames=MAX_FRAMES):
    """render() for the explorer shown as `model_id` (Explorer.shown_as: every explorer registers
    its widget's id); prints the manifest as JSON (kernel side)."""
    print(json.dumps(render(Explorer.shown_as(model_id), outdir, max_frames)))
