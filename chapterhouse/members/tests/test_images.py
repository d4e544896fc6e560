"""Checking and re-encoding avatars (chapterhouse.lib.images)."""

import io
import struct
import zlib

import pytest
from PIL import Image

from chapterhouse.lib.images import MAX_SIDE, ImageRejected, make_avatar

MAX = 2 * 1024 * 1024


def image_bytes(fmt: str, width: int = 300, height: int = 200, **save: object) -> bytes:
    image = Image.new("RGB", (width, height), (200, 30, 30))
    # A blue right half, to check the crop is centred.
    image.paste((30, 30, 200), (width // 2, 0, width, height))
    out = io.BytesIO()
    image.save(out, format=fmt, **save)
    return out.getvalue()


def png_bytes(width: int = 300, height: int = 200) -> bytes:
    return image_bytes("PNG", width, height)


def png_header_only(width: int, height: int) -> bytes:
    """A PNG that claims a huge size: its pixels are never decoded."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return (struct.pack(">I", len(data)) + kind + data
                + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header)
            + chunk(b"IDAT", zlib.compress(b"\x00" * 10)) + chunk(b"IEND", b""))


def _open(data: bytes) -> Image.Image:
    return Image.open(io.BytesIO(data))


def _pixel(image: Image.Image, xy: tuple[int, int]) -> tuple[int, ...]:
    value = image.getpixel(xy)
    assert isinstance(value, tuple)
    return value


@pytest.mark.parametrize("fmt", ["JPEG", "PNG", "GIF", "WEBP"])
def test_it_accepts_the_four_formats_and_makes_a_256_pixel_png(fmt):
    result = make_avatar(io.BytesIO(image_bytes(fmt)), max_bytes=MAX)
    image = _open(result)
    assert image.format == "PNG"
    assert image.size == (256, 256)


def test_it_crops_the_centre():
    # 300×200 red|blue: the centred square is 200 wide, half red, half blue.
    image = _open(make_avatar(io.BytesIO(png_bytes(300, 200)), max_bytes=MAX)).convert("RGB")
    assert _pixel(image, (10, 128))[0] > 150
    assert _pixel(image, (245, 128))[2] > 150


def test_it_strips_metadata():
    exif = Image.Exif()
    exif[0x010F] = "SecretCamera"  # Make
    exif[0x8825] = {2: (51.0, 30.0, 0.0)}  # GPS
    original = image_bytes("JPEG", exif=exif.tobytes(), comment=b"hello")
    assert b"SecretCamera" in original
    result = make_avatar(io.BytesIO(original), max_bytes=MAX)
    assert b"SecretCamera" not in result
    image = _open(result)
    assert not image.getexif()
    assert set(image.info) <= {"dpi", "gamma"}


def test_it_applies_the_exif_orientation():
    image = Image.new("RGB", (100, 300), (255, 0, 0))
    image.paste((0, 0, 255), (0, 0, 100, 20))  # a blue band at the top
    exif = Image.Exif()
    exif[0x0112] = 6  # rotate 90° clockwise to display
    out = io.BytesIO()
    image.save(out, format="JPEG", exif=exif.tobytes())
    result = _open(make_avatar(io.BytesIO(out.getvalue()), max_bytes=MAX)).convert("RGB")
    # Displayed, the image is 300 wide and 100 high; the crop keeps its middle, red.
    assert _pixel(result, (128, 128))[0] > 150


def test_it_keeps_transparency():
    image = Image.new("RGBA", (64, 64), (0, 0, 0, 0))
    out = io.BytesIO()
    image.save(out, format="PNG")
    result = _open(make_avatar(io.BytesIO(out.getvalue()), max_bytes=MAX))
    assert result.mode == "RGBA"
    assert _pixel(result, (5, 5))[3] == 0


def test_it_takes_the_first_frame_of_an_animation():
    frames = [Image.new("RGB", (50, 50), colour) for colour in [(255, 0, 0), (0, 255, 0)]]
    out = io.BytesIO()
    frames[0].save(out, format="GIF", save_all=True, append_images=frames[1:])
    result = _open(make_avatar(io.BytesIO(out.getvalue()), max_bytes=MAX)).convert("RGB")
    assert _pixel(result, (128, 128))[0] > 200
    assert getattr(result, "n_frames", 1) == 1


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "empty"),
        (b"just some text, not an image", "not an image we can read"),
        (b"%PDF-1.4 fake", "not an image we can read"),
        (b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
         "SVG images are not accepted"),
        (b'<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg"/>',
         "SVG images are not accepted"),
        (b"\xef\xbb\xbf  <svg/>", "SVG images are not accepted"),
        (png_bytes()[:60], "damaged"),
    ],
)
def test_it_refuses_what_is_not_a_usable_image(data, message):
    with pytest.raises(ImageRejected, match=message):
        make_avatar(io.BytesIO(data), max_bytes=MAX)


@pytest.mark.parametrize("fmt", ["BMP", "TIFF", "ICO"])
def test_it_refuses_other_image_formats(fmt):
    with pytest.raises(ImageRejected, match="Only JPEG, PNG, GIF and WebP"):
        make_avatar(io.BytesIO(image_bytes(fmt, 64, 64)), max_bytes=MAX)


def test_it_refuses_files_over_the_limit():
    with pytest.raises(ImageRejected, match="too big"):
        make_avatar(io.BytesIO(png_bytes()), max_bytes=100)


@pytest.mark.parametrize("size", [(MAX_SIDE + 1, 10), (10, MAX_SIDE + 1), (60000, 60000)])
def test_it_refuses_too_many_pixels_before_decoding_them(size):
    with pytest.raises(ImageRejected, match="too large"):
        make_avatar(io.BytesIO(png_header_only(*size)), max_bytes=MAX)


def test_a_polyglot_keeps_only_its_pixels():
    payload = b"<script>alert(1)</script>"
    data = png_bytes(64, 64) + payload
    result = make_avatar(io.BytesIO(data), max_bytes=MAX)
    assert payload not in result
