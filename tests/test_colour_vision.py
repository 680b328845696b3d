"""Paired curves stay apart for readers with red-green colour blindness.

Every stored figure of the lessons (notebooks/*.ipynb, explorer outputs included) is decoded
and its line colours found: exact RGB values that cover at least MIN_PIXELS pixels (a line's
antialiased edges blend into many rarer values, its core keeps the exact colour) and whose
CIELAB chroma is at least MIN_CHROMA (grey, black, white and the pale alpha bands around
mean curves are left out); of a few near-equal colours (a line and its partly covered pixels)
the most saturated stands for all. Colours of a colour map are left out too: a continuous map (an
image, a filled contour) shows as a chain of MAP_LENGTH or more colours each within
LINK_DE of the next, and contour lines drawn from a map as MAP_MEMBERS or more colours on one
of matplotlib's sequential maps. A colour map's own fitness for colour-blind readers is the
map's choice (viridis and cividis are made for it), not a pairing of curves.

Then each pair of line colours that differs clearly in normal vision (CIE ΔE2000 of at least
NORMAL_DE) must still differ after a deuteranopia and after a protanopia simulation (Machado,
Oliveira & Fernandes 2009, severity 1): ΔE2000 of at least SIMULATED_DE. The thresholds:
ΔE2000 ≈ 2 is a just-noticeable difference between large patches; thin lines on white need
several times that. The Okabe-Ito palette (plots.PALETTE), chosen for these readers, keeps
its closest pair (orange and yellow, under deuteranopia) at 11.6, while matplotlib's default
cycle falls to 1.3 (C1 orange and C2 green, protanopia), 1.9 (C0 blue and C4 purple,
protanopia) and 4.6 (C2 green and C3 red, deuteranopia). SIMULATED_DE = 10 sits between;
NORMAL_DE = 20 keeps a palette's shades of one hue (a colour and its lighter tint) out of the
pairs.

The detector is checked on figures drawn here: the default cycle's red and green fail, the
Okabe-Ito colours and a viridis contour plot with lines on it pass. Marker notebooks.
"""

from __future__ import annotations

import base64
import io
import itertools
import json

import matplotlib
import numpy as np
import pytest
from matplotlib.figure import Figure
from PIL import Image

from helpers import ROOT
from sgdcourse import layout, plots

pytestmark = pytest.mark.notebooks
LESSONS = layout.notebooks(ROOT / layout.LESSONS)
MIN_PIXELS = 60  # pixels of one exact colour that make it a line colour (calibrated on the lessons' figures)
MIN_CHROMA = 25.0  # CIELAB C*: below it a colour is grey, black, white or a pale band
NORMAL_DE, SIMULATED_DE = 20.0, 10.0
LINK_DE, MAP_LENGTH = 8.0, 12  # a chain of 12 colours, each within 8 of the next, is a continuous map
MAP_DE, MAP_MEMBERS = 3.0, 3  # 3 colours within 3 of one sequential map are contour lines drawn from it
MAPS = ("viridis", "cividis", "plasma", "inferno", "magma")

# Machado, G. M., Oliveira, M. M. & Fernandes, L. A. F. (2009), "A Physiologically-based Model
# for Simulation of Color Vision Deficiency", IEEE TVCG 15(6), 1291-1298: the matrices for
# severity 1.0 of the table the authors publish with the paper
# (https://www.inf.ufrgs.br/~oliveira/pubs_files/CVD_Simulation/CVD_Simulation.html), which act
# on linear RGB.
MACHADO = {
    "deuteranopia": np.array(
        [[0.367322, 0.860646, -0.227968], [0.280085, 0.672501, 0.047413], [-0.011820, 0.042940, 0.968881]]
    ),
    "protanopia": np.array(
        [[0.152286, 1.052583, -0.204868], [0.114503, 0.786281, 0.099216], [-0.003882, -0.048116, 1.051998]]
    ),
}


# linear sRGB to CIE XYZ, and the D65 white point (IEC 61966-2-1)
SRGB_TO_XYZ = np.array(
    [[0.4124564, 0.3575761, 0.1804375], [0.2126729, 0.7151522, 0.0721750], [0.0193339, 0.1191920, 0.9503041]]
)
D65 = np.array([0.95047, 1.0, 1.08883])


def _linear(rgb):
    """sRGB in 0..255 (shape (..., 3)) to linear RGB in 0..1 (IEC 61966-2-1)."""
    c = np.asarray(rgb, dtype=float) / 255.0
    return np.where(c <= 0.04045, c / 12.92, ((c + 0.055) / 1.055) ** 2.4)


def _srgb(linear):
    """Linear RGB (clipped to 0..1) back to sRGB in 0..255."""
    c = np.clip(linear, 0.0, 1.0)
    return 255.0 * np.where(c <= 0.0031308, 12.92 * c, 1.055 * c ** (1 / 2.4) - 0.055)


def simulate(rgb, kind="deuteranopia"):
    """What a reader with `kind` (deuteranopia or protanopia, severity 1) sees for sRGB colours
    `rgb` (0..255, shape (..., 3)): M @ linear(rgb), back to sRGB, with Machado et al.'s (2009)
    matrix M (see MACHADO for the source). Returns the same shape."""
    return _srgb(_linear(rgb) @ MACHADO[kind].T)


def lab(rgb):
    """CIELAB (D65 white) of sRGB colours (0..255, shape (..., 3)); shape (..., 3): L*, a*, b*."""
    t = _linear(rgb) @ SRGB_TO_XYZ.T / D65
    f = np.where(t > (6 / 29) ** 3, np.cbrt(t), t / (3 * (6 / 29) ** 2) + 4 / 29)
    return np.stack([116 * f[..., 1] - 16, 500 * (f[..., 0] - f[..., 1]), 200 * (f[..., 1] - f[..., 2])], axis=-1)


def delta_e76(lab1, lab2):
    """CIE 1976 colour difference: the Euclidean distance in CIELAB."""
    return np.linalg.norm(np.asarray(lab1) - np.asarray(lab2), axis=-1)


def delta_e2000(lab1, lab2):
    """CIEDE2000 colour difference of CIELAB colours (shapes broadcast, last axis L*, a*, b*), with
    kL = kC = kH = 1 (Sharma, Wu & Dalal 2005, Color Res. Appl. 30(1), eqs. 1-25)."""
    L1, a1, b1 = np.moveaxis(np.asarray(lab1, dtype=float), -1, 0)
    L2, a2, b2 = np.moveaxis(np.asarray(lab2, dtype=float), -1, 0)
    c_bar = (np.hypot(a1, b1) + np.hypot(a2, b2)) / 2
    g = 0.5 * (1 - np.sqrt(c_bar**7 / (c_bar**7 + 25.0**7)))
    a1, a2 = (1 + g) * a1, (1 + g) * a2
    c1, c2 = np.hypot(a1, b1), np.hypot(a2, b2)
    h1, h2 = np.degrees(np.arctan2(b1, a1)) % 360, np.degrees(np.arctan2(b2, a2)) % 360
    chromatic = c1 * c2 != 0
    dh = h2 - h1
    dh = np.where(dh > 180, dh - 360, np.where(dh < -180, dh + 360, dh))
    dh = np.where(chromatic, dh, 0.0)
    d_l, d_c = L2 - L1, c2 - c1
    d_hh = 2 * np.sqrt(c1 * c2) * np.sin(np.radians(dh / 2))
    l_bar, c_bar = (L1 + L2) / 2, (c1 + c2) / 2
    h_sum = h1 + h2
    h_bar = np.where(np.abs(h1 - h2) > 180, np.where(h_sum < 360, (h_sum + 360) / 2, (h_sum - 360) / 2), h_sum / 2)
    h_bar = np.where(chromatic, h_bar, h_sum)
    t = (
        1
        - 0.17 * np.cos(np.radians(h_bar - 30))
        + 0.24 * np.cos(np.radians(2 * h_bar))
        + 0.32 * np.cos(np.radians(3 * h_bar + 6))
        - 0.20 * np.cos(np.radians(4 * h_bar - 63))
    )
    s_l = 1 + 0.015 * (l_bar - 50) ** 2 / np.sqrt(20 + (l_bar - 50) ** 2)
    s_c, s_h = 1 + 0.045 * c_bar, 1 + 0.015 * c_bar * t
    r_t = -np.sin(np.radians(60 * np.exp(-(((h_bar - 275) / 25) ** 2)))) * 2 * np.sqrt(c_bar**7 / (c_bar**7 + 25.0**7))
    return np.sqrt((d_l / s_l) ** 2 + (d_c / s_c) ** 2 + (d_hh / s_h) ** 2 + r_t * (d_c / s_c) * (d_hh / s_h))


def _map_colours():
    return {name: matplotlib.colormaps[name](np.linspace(0, 1, 256))[:, :3] * 255 for name in MAPS}


def line_colours(png):
    """The distinct line colours of a PNG (bytes): an array of sRGB colours, shape (k, 3)."""
    pixels = np.asarray(Image.open(io.BytesIO(png)).convert("RGB")).reshape(-1, 3).astype(np.int64)
    values, counts = np.unique((pixels[:, 0] << 16) | (pixels[:, 1] << 8) | pixels[:, 2], return_counts=True)
    rgb = np.stack([values >> 16, (values >> 8) & 255, values & 255], axis=-1)[counts >= MIN_PIXELS].astype(float)
    chroma = np.hypot(*lab(rgb)[:, 1:].T)
    rgb, chroma = rgb[chroma >= MIN_CHROMA], chroma[chroma >= MIN_CHROMA]
    if len(rgb) == 0:
        return rgb
    labs = lab(rgb)
    near = delta_e2000(labs[:, None], labs[None, :]) < LINK_DE
    group = -np.ones(len(rgb), dtype=int)  # connected components of `near`
    for start in range(len(rgb)):
        if group[start] < 0:
            group[start], todo = start, [start]
            while todo:
                for j in np.flatnonzero(near[todo.pop()] & (group < 0)):
                    group[j] = start
                    todo.append(j)
    keep = []
    for g in np.unique(group):
        members = np.flatnonzero(group == g)
        if len(members) < MAP_LENGTH:  # a line's colour and its few blends: the most saturated stands for them
            keep.append(members[np.argmax(chroma[members])])
    rgb = rgb[keep]
    for cmap in _map_colours().values():
        on_map = delta_e2000(lab(rgb)[:, None], lab(cmap)[None, :]).min(axis=1) < MAP_DE
        if on_map.sum() >= MAP_MEMBERS:
            rgb = rgb[~on_map]
    return rgb


def clashes(colours):
    """Pairs of colours (shape (k, 3)) apart in normal vision but close for a colour-blind reader:
    a list of (ΔE2000 normal, ΔE2000 simulated, kind, hex, hex)."""
    found = []
    for a, b in itertools.combinations(np.asarray(colours, dtype=float), 2):
        normal = float(delta_e2000(lab(a), lab(b)))
        if normal < NORMAL_DE:
            continue
        for kind in MACHADO:
            seen = float(delta_e2000(lab(simulate(a, kind)), lab(simulate(b, kind))))
            if seen < SIMULATED_DE:
                found.append((round(normal, 1), round(seen, 1), kind, _hex(a), _hex(b)))
    return found


def _hex(rgb):
    return "#" + "".join(f"{int(round(v)):02x}" for v in rgb)


def _rgb(hex_colour):
    return np.array([int(hex_colour[i : i + 2], 16) for i in (1, 3, 5)], dtype=float)


def stored_figures(nb):
    """(cell index, PNG bytes) of every image/png output of a notebook (a dict)."""
    for k, cell in enumerate(nb["cells"]):
        for out in cell.get("outputs", []):
            png = out.get("data", {}).get("image/png")
            if png:
                yield k, base64.b64decode("".join(png) if isinstance(png, list) else png)


def figure_clashes(nb):
    """{cell index: clashes} for the figures of a notebook that have any."""
    return {k: found for k, png in stored_figures(nb) if (found := clashes(line_colours(png)))}


# the lessons -------------------------------------------------------------------------------
@pytest.mark.parametrize("path", LESSONS, ids=lambda p: p.name)
def test_paired_curves_stay_apart_for_colour_blind_readers(path):
    bad = figure_clashes(json.loads(path.read_text()))
    assert not bad, (
        f"{path.name}: colours that a deuteranope or protanope cannot tell apart "
        f"(ΔE2000 normal, simulated, simulation, colours), by cell: {bad}; "
        "use plots.colour_cycle() / plots.PALETTE, and line styles where curves are compared"
    )


# the pieces --------------------------------------------------------------------------------
def test_simulation_keeps_greys_and_reproduces_the_reviews_figure():
    """White, black and greys are unchanged (each matrix's rows sum to 1), and matplotlib's C2 and
    C3 are ΔE76 119.8 apart in normal vision and 7.3 for a deuteranope, as the review measured."""
    greys = np.array([[0, 0, 0], [128, 128, 128], [255, 255, 255]], dtype=float)
    for kind in MACHADO:
        assert np.allclose(simulate(greys, kind), greys, atol=0.01)
    green, red = _rgb("#2ca02c"), _rgb("#d62728")
    assert round(float(delta_e76(lab(green), lab(red))), 1) == 119.8
    assert round(float(delta_e76(lab(simulate(green)), lab(simulate(red)))), 1) == 7.3
    assert round(float(delta_e76(lab(simulate(green, "protanopia")), lab(simulate(red, "protanopia")))), 1) == 37.6


@pytest.mark.parametrize(
    "lab1, lab2, expected",  # Sharma, Wu & Dalal (2005), Table 1: pairs 1, 7, 13, 17, 21, 25, 34
    [
        ((50.0, 2.6772, -79.7751), (50.0, 0.0, -82.7485), 2.0425),
        ((50.0, 0.0, 0.0), (50.0, -1.0, 2.0), 2.3669),
        ((50.0, 2.4900, -0.0010), (50.0, -2.4900, 0.0011), 7.2195),
        ((50.0, 2.5, 0.0), (73.0, 25.0, -18.0), 27.1492),
        ((50.0, 2.5, 0.0), (50.0, 3.1736, 0.5854), 1.0000),
        ((60.2574, -34.0099, 36.2677), (60.4626, -34.1751, 39.4387), 1.2644),
        ((6.7747, -0.2908, -2.4247), (5.8714, -0.0985, -2.2286), 0.6377),
    ],
)
def test_delta_e2000_matches_sharmas_test_data(lab1, lab2, expected):
    assert float(delta_e2000(lab1, lab2)) == pytest.approx(expected, abs=1e-4)
    assert float(delta_e2000(lab2, lab1)) == pytest.approx(expected, abs=1e-4)


def _figure_png(colours, contours=False):
    """Two curves in the given colours (1.5 pt, as the lessons draw them), over viridis contours if asked."""
    fig = Figure(figsize=(4, 3), dpi=90)
    ax = fig.add_subplot()
    x = np.linspace(0, 1, 200)
    if contours:
        X, Y = np.meshgrid(x, np.linspace(-1, 2, 120))
        ax.contour(X, Y, (X - 0.5) ** 2 + (Y - 0.5) ** 2, levels=20, cmap="viridis", linewidths=0.8)
        ax.imshow(X * Y, extent=(0, 0.4, 1.2, 2.0), aspect="auto", cmap="viridis")
    for k, colour in enumerate(colours):
        ax.plot(x, np.exp(-(k + 1) * x) + 0.1 * k, color=colour, lw=1.5)
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png")
    return buffer.getvalue()


def test_the_detector_fails_matplotlibs_red_and_green_and_passes_okabe_ito():
    red_green = clashes(line_colours(_figure_png(["C2", "C3"])))
    assert [c[2] for c in red_green] == ["deuteranopia"], red_green  # ΔE2000 4.6
    assert clashes(line_colours(_figure_png(["C1", "C2"])))  # orange and green: 1.3
    okabe_ito = line_colours(_figure_png([plots.PALETTE["bluish green"], plots.PALETTE["vermillion"]]))
    assert len(okabe_ito) == 2 and not clashes(okabe_ito)
    assert not clashes(np.array([_rgb(c) for c in plots.PALETTE.values()]))  # every pair of the palette


def test_colour_maps_are_not_taken_for_curves():
    shown = line_colours(_figure_png([plots.PALETTE["orange"], plots.PALETTE["blue"]], contours=True))
    assert sorted(_hex(c) for c in shown) == sorted([plots.PALETTE["orange"].lower(), plots.PALETTE["blue"].lower()])
