"""Explorer: a matplotlib figure driven by ipywidgets controls.

The figure is built once (`draw`); a new control value calls `update(**values)`, which
changes the data of the existing artists, and the figure is re-rendered to PNG into an
`ipywidgets.Image` (as a data URL: the browser shows one several ms sooner than the blob an
image widget of format "png" makes, as it needs no fetch through the browser's blob store).
Nothing is printed from the callback and no new figure is created.
Artists listed in `self.dynamic` are redrawn over a cached picture of everything else
(contours, axes), which is re-rendered only when some axes' limits change: an update then
costs a few artist draws plus a PNG encoding. The figure uses matplotlib's object API (no
pyplot), so it never appears twice and changes no global state.

Displayed in a notebook, an explorer's output holds the live widget view, a PNG of its
current state (what a static viewer shows) and a short text summary (what nbval compares).

Public API (lessons, tests and anything that renders frames): `explorer.set(name=value, ...)`
sets controls and renders once; `explorer.values()` the control values; `explorer.text` the
readout of the current state; `explorer.png()` renders the PNG bytes of the current state;
`explorer.shown_png` holds the PNG on display (`explorer.image.value` is its data URL).

The browser answers a value the kernel sets on a float slider with that value rounded to the
slider's grid (ipywidgets' slider view does so whenever it moves its handle). When a cell sets
several values in a row, those answers arrive after the cell has finished and would overwrite
the last value. So the kernel remembers the float values it set, and a value from the browser
that is exactly the grid rounding of an earlier, superseded one is such an answer: it is
dropped and the current value is sent again. Any other value from the browser (the learner)
is taken. A drag never queues: the browser sends one value at a time and, while the kernel is
busy, keeps only the newest for the next message.
"""

from __future__ import annotations

import base64
import math
import weakref

import ipywidgets as W
import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.text import Text

from .png import encode_rgb

# The PNG is shown at figsize * dpi pixels, so a font of MIN_FONT_PT points is
# MIN_FONT_PT * dpi / 72 pixels on screen: 11.5 pt at 90 dpi is 14.4 px, at least the body
# text of a JupyterLab notebook (14 px). Sliders get a width one can aim with.
MIN_FONT_PT = 11.5
SLIDER_WIDTH = "460px"
SLIDERS = (W.FloatSlider, W.FloatLogSlider, W.IntSlider, W.SelectionSlider)
DATA_URL = b"data:image/png;base64,"
SENT_MAX = 1000  # the kernel's values remembered per control (the browser answers within a cell's length)


class Explorer:
    """Subclasses pass `controls` (name -> widget whose value goes to update) and optional
    `extra` widgets shown in the same row (buttons, a Play), then implement draw() and
    update(**values). update only changes existing artists and returns a short plain-text
    readout; draw may list the artists that update changes in self.dynamic.
    """

    figsize = (7.0, 3.2)
    dpi = 90
    # What the image shows, in words, for its alt text (with the readout of the current state:
    # see alt). Each explorer says it in its own class.
    shows = "A slider view of the lesson's experiment."
    margins = dict(left=0.1, right=0.97, bottom=0.16, top=0.92, wspace=0.3)
    live = weakref.WeakValueDictionary()  # widget model id -> explorer, for tools that render frames

    @classmethod
    def shown_as(cls, model_id):
        """The live explorer whose widget has this model id (the id in its notebook output)."""
        try:
            return cls.live[model_id]
        except KeyError:
            raise LookupError(f"no explorer with model_id {model_id!r} in this kernel") from None

    def __init__(self, controls, extra=()):
        self.controls = dict(controls)
        self.fig = Figure(figsize=self.figsize, dpi=self.dpi)
        self.fig.subplots_adjust(**self.margins)
        self.canvas = FigureCanvasAgg(self.fig)
        self.dynamic, self._background, self._limits = [], None, None
        self.draw()
        self._readable_fonts()
        for artist in self.dynamic:
            artist.set_animated(True)
        self.image = W.Image(format="url", layout=W.Layout(width=f"{int(self.figsize[0] * self.dpi)}px"))
        self.readout = W.HTML()
        self._hold, self._reverting = False, False
        # float values the kernel has set, oldest first (the first is the initial value)
        self._sent = {name: [w.value] if _grid(w) else [] for name, w in self.controls.items()}
        for name, w in self.controls.items():
            if isinstance(w, SLIDERS):
                w.layout.width, w.style.description_width = SLIDER_WIDTH, "initial"
            w.observe(lambda change, name=name: self._on_change(name, change), names="value")
        self.refresh()
        row = W.HBox(list(extra) + list(self.controls.values()), layout=W.Layout(flex_flow="row wrap"))
        self.widget = W.VBox([row, self.image, self.readout])
        Explorer.live[self.widget.model_id] = self

    # subclasses -----------------------------------------------------------------
    def draw(self):
        raise NotImplementedError

    def add_stamp(self, x=0.985, y=0.975, ha="right"):
        """The text artist, at figure coordinates (x, y), in which update() states the control values:
        a still image (a static view, a frame of the site) then says what it shows."""
        return self.fig.text(x, y, "", ha=ha, va="top", fontsize=12.5, weight="bold")

    @staticmethod
    def add_warning(ax):
        """An empty bold red text box in the middle of ax, for update() to fill when a state has no
        picture to show (a run that diverged, no noise ball)."""
        return ax.text(
            0.5,
            0.5,
            "",
            transform=ax.transAxes,
            ha="center",
            va="center",
            color="C3",
            weight="bold",
            bbox=dict(facecolor="white", alpha=0.85, edgecolor="none"),
        )

    def update(self, **values):
        raise NotImplementedError

    # machinery ------------------------------------------------------------------
    def _readable_fonts(self):
        """Raise every text of the figure (ticks, labels, titles, legends) to MIN_FONT_PT."""
        for ax in self.fig.axes:
            ax.tick_params(labelsize=MIN_FONT_PT)
        for text in self.fig.findobj(Text):
            if text.get_fontsize() < MIN_FONT_PT:
                text.set_fontsize(MIN_FONT_PT)

    def values(self):
        return {name: w.value for name, w in self.controls.items()}

    def _on_change(self, name, change):
        if self._reverting:
            return
        widget = self.controls[name]
        if "value" in (getattr(widget, "_property_lock", None) or {}):  # the browser sent it
            if self._is_stale_echo(name, change["new"]):
                self._reverting = True
                try:
                    widget.value = change["old"]  # the value the kernel holds; sent to the browser again
                finally:
                    self._reverting = False
                return
        elif _grid(widget) is not None:
            self._sent[name].append(change["new"])
            del self._sent[name][:-SENT_MAX]
        if not self._hold:
            self.refresh()

    def _is_stale_echo(self, name, value):
        """True when `value` is the browser's grid rounding of a value the kernel set before
        the current one; forgets the kernel's values up to the one it answers."""
        sent, grid = self._sent[name], _grid(self.controls[name])
        for k, v in enumerate(sent):
            if grid(v, value):
                current = k == len(sent) - 1
                del sent[: k + 1]
                return not current
        sent.clear()  # the learner moved the slider
        return False

    def refresh(self):
        """Recompute from the current control values and render the new image.

        The image and the readout are sent one right after the other, once both are ready, so
        the browser takes them in one go (one layout, one frame) and does no work for the
        readout while the kernel is still drawing."""
        self.text = self.update(**self.values())
        self.shown_png = self.png()
        self.image.value = DATA_URL + base64.b64encode(self.shown_png)
        self.readout.value = f'<code style="font-size: var(--jp-content-font-size1, 14px)">{self.text}</code>'

    def set(self, **values):
        """Set several controls at once (one update), e.g. explorer.set(eta=0.1, m=8)."""
        unknown = set(values) - set(self.controls)
        if unknown:
            raise ValueError(f"unknown control(s) {sorted(unknown)}; this explorer has {sorted(self.controls)}")
        self._hold = True
        try:
            for name, value in values.items():
                self.controls[name].value = value
        finally:
            self._hold = False
        self.refresh()
        return self

    def render(self):
        """Draw the figure into the canvas: static part from cache, dynamic artists on top."""
        limits = [(ax.get_xlim(), ax.get_ylim()) for ax in self.fig.axes]
        if self._background is None or limits != self._limits:
            self.canvas.draw()  # animated artists are skipped here
            self._background, self._limits = self.canvas.copy_from_bbox(self.fig.bbox), limits
        else:
            self.canvas.restore_region(self._background)
        for artist in self.dynamic:
            artist.axes.draw_artist(artist) if artist.axes else self.fig.draw_artist(artist)

    def png(self):
        """The PNG bytes of the current state (RGB: the figure is opaque)."""
        self.render()
        return encode_rgb(np.asarray(self.canvas.buffer_rgba()))

    def __repr__(self):
        args = ", ".join(f"{k}={v!r}" for k, v in self.values().items())
        return f"{type(self).__name__}({args}): {self.text}"

    @property
    def alt(self):
        """Alt text of the image: what the view shows, then the readout of the current state."""
        return f"{self.shows} Now: {' '.join(self.text.split())}"

    def _repr_mimebundle_(self, include=None, exclude=None):
        bundle = dict(self.widget._repr_mimebundle_() or {})
        bundle["image/png"] = base64.b64encode(self.shown_png).decode("ascii")
        bundle["text/plain"] = repr(self)
        return bundle, {"image/png": {"alt": self.alt}}


def _grid(widget):
    """For a float slider, match(v, s): is s the slider's grid point nearest to v (up to float
    rounding)? None for other controls, whose values the browser never rounds."""
    step = getattr(widget, "step", None)
    if isinstance(widget, W.FloatLogSlider) and step:
        lo, hi, base = widget.min, widget.max, widget.base

        def snap_log(v):
            e = lo + round((math.log(v, base) - lo) / step) * step
            return base ** min(max(e, lo), hi)

        return lambda v, s: v > 0 and abs(s - snap_log(v)) <= 1e-9 * abs(s)
    if isinstance(widget, W.FloatSlider) and step:
        lo, hi = widget.min, widget.max

        def snap_linear(v):
            return min(max(lo + round((v - lo) / step) * step, lo), hi)

        return lambda v, s: abs(s - snap_linear(v)) <= 1e-9 * step
    return None
