"""The explorers' PNG encoder against Pillow's decoder (the reference): every pixel back."""

import io
import zlib

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from PIL import Image

from sgdcourse.explorers.png import SIGNATURE, encode_rgb


def decode(png):
    image = Image.open(io.BytesIO(png))
    image.load()  # checks every chunk's CRC and the zlib stream
    return image


@settings(max_examples=60, deadline=None)
@given(
    pixels=arrays(np.uint8, st.tuples(st.integers(1, 40), st.integers(1, 40), st.sampled_from([3, 4]))),
    level=st.integers(0, 9),
)
def test_decodes_to_the_same_rgb_pixels(pixels, level):
    image = decode(encode_rgb(pixels, level))
    assert image.mode == "RGB" and image.size == (pixels.shape[1], pixels.shape[0])
    assert np.array_equal(np.asarray(image), pixels[:, :, :3])


def test_takes_a_canvas_buffer_and_non_contiguous_arrays():
    rgba = np.random.default_rng(0).integers(0, 256, (30, 50, 4), dtype=np.uint8)
    flipped = rgba[::-1, ::2]  # strided view
    assert np.array_equal(np.asarray(decode(encode_rgb(flipped))), flipped[:, :, :3])
    assert encode_rgb(memoryview(rgba)) == encode_rgb(rgba)


def test_the_file_layout_is_signature_ihdr_idat_iend():
    png = encode_rgb(np.full((2, 3, 3), 255, np.uint8))
    assert png.startswith(SIGNATURE) and png[12:16] == b"IHDR" and png.endswith(b"IEND\xaeB`\x82")
    # IHDR: width 3, height 2, 8 bits, colour type 2 (RGB)
    assert png[16:29] == (3).to_bytes(4, "big") + (2).to_bytes(4, "big") + bytes([8, 2, 0, 0, 0])
    idat = png.index(b"IDAT")
    n = int.from_bytes(png[idat - 4 : idat], "big")
    rows = zlib.decompress(png[idat + 4 : idat + 4 + n])
    assert rows == (b"\x00" + b"\xff" * 9) * 2  # filter byte 0, then R G B per pixel


@pytest.mark.parametrize(
    "bad, match",
    [
        (np.zeros((4, 4), np.uint8), "pixels must be"),
        (np.zeros((4, 4, 2), np.uint8), "pixels must be"),
        (np.zeros((4, 4, 3), np.float64), "pixels must be"),
        (np.zeros((0, 4, 3), np.uint8), "pixels must be"),
    ],
)
def test_bad_pixels_are_named(bad, match):
    with pytest.raises(ValueError, match=match):
        encode_rgb(bad)


@pytest.mark.parametrize("level", [-1, 10, 1.0, "1"])
def test_bad_level_is_named(level):
    with pytest.raises(ValueError, match="level"):
        encode_rgb(np.zeros((2, 2, 3), np.uint8), level)
