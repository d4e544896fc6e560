"""Checking and re-encoding uploaded images (avatars, images in private messages).

Nothing a member uploads is stored as sent: it is decoded by Pillow, checked, and
re-encoded from its pixels alone, so metadata (EXIF, GPS, ICC, comments) and any
polyglot payload hidden in the original file are dropped.
"""

from __future__ import annotations

import io
import warnings
from typing import IO, TYPE_CHECKING

from django.utils.translation import gettext as _

if TYPE_CHECKING:
    from PIL import Image

# Pillow is imported by the functions below, on the first upload: an app worker that
# only serves pages does without its 2 MB (chapterhouse/tests/test_memory.py).

ACCEPTED_FORMATS = {"JPEG", "PNG", "GIF", "WEBP"}
# Larger images are refused before their pixels are decoded (decompression bombs).
MAX_SIDE = 4000
AVATAR_SIZE = 256


class ImageRejected(ValueError):
    """The upload is not an image we accept; `str(error)` is a message for the member."""


def _looks_like_svg(head: bytes) -> bool:
    text = head.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    return text.startswith((b"<?xml", b"<svg", b"<!doctype svg")) or b"<svg" in text[:1024]


def make_avatar(upload: IO[bytes], *, max_bytes: int, size: int = AVATAR_SIZE) -> bytes:
    """Return a `size`×`size` PNG, centre-cropped from the uploaded image.

    Raises ImageRejected (with a message fit for the member) when the upload is
    too large, not an image, SVG, not JPEG/PNG/GIF/WebP, or has too many pixels.
    Reads at most `max_bytes + 1` bytes.
    """
    from PIL import Image, ImageOps

    image = _checked_image(upload, max_bytes=max_bytes)
    mode = "RGBA" if image.mode in {"RGBA", "LA", "PA", "P"} else "RGB"
    image = image.convert(mode)
    fitted = ImageOps.fit(image, (size, size), method=Image.Resampling.LANCZOS)
    return _clean_png(fitted, mode)


def reencode_image(upload: IO[bytes], *, max_bytes: int) -> tuple[bytes, int, int]:
    """The uploaded image as a fresh PNG of the same size (its width and height too).

    The same checks as make_avatar (ImageRejected with a message for the member);
    only the pixels of the first frame are kept, turned upright per its EXIF.
    """
    image = _checked_image(upload, max_bytes=max_bytes)
    mode = "RGBA" if image.mode in {"RGBA", "LA", "PA", "P"} else "RGB"
    image = image.convert(mode)
    return _clean_png(image, mode), image.width, image.height


def _clean_png(image: Image.Image, mode: str) -> bytes:
    # A fresh image from the pixels alone carries no metadata of the original.
    from PIL import Image

    clean = Image.frombytes(mode, image.size, image.tobytes())
    out = io.BytesIO()
    clean.save(out, format="PNG", optimize=True)
    return out.getvalue()


def _checked_image(upload: IO[bytes], *, max_bytes: int) -> Image.Image:
    """The upload decoded (first frame, upright), or ImageRejected."""
    from PIL import Image, ImageOps, UnidentifiedImageError

    data = upload.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise ImageRejected(
            _("This file is too big. Please choose an image of at most %(size)s MB.")
            % {"size": f"{max_bytes / (1024 * 1024):.1f}".removesuffix(".0")}
        )
    if not data:
        raise ImageRejected(_("This file is empty."))
    if _looks_like_svg(data[:2048]):
        raise ImageRejected(
            _("SVG images are not accepted. Please choose a JPEG, PNG, GIF or WebP image.")
        )
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image: Image.Image = Image.open(io.BytesIO(data))
            if image.format not in ACCEPTED_FORMATS:
                raise ImageRejected(
                    _("Only JPEG, PNG, GIF and WebP images are accepted.")
                )
            width, height = image.size
            if width > MAX_SIDE or height > MAX_SIDE:
                raise ImageRejected(
                    _("This image is too large (%(width)s×%(height)s pixels). "
                      "Please choose one of at most %(max)s×%(max)s pixels.")
                    % {"width": width, "height": height, "max": MAX_SIDE}
                )
            if width < 1 or height < 1:
                raise ImageRejected(_("This image is empty."))
            image.seek(0)  # the first frame of an animation
            image.load()
            image = ImageOps.exif_transpose(image)
    except ImageRejected:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise ImageRejected(
            _("This image is too large. Please choose one of at most %(max)s×%(max)s pixels.")
            % {"max": MAX_SIDE}
        ) from None
    except UnidentifiedImageError:
        raise ImageRejected(
            _("This file is not an image we can read. "
              "Please choose a JPEG, PNG, GIF or WebP image.")
        ) from None
    except (OSError, ValueError, SyntaxError, EOFError):
        # Truncated or corrupt data; Pillow reports it with several exception types.
        raise ImageRejected(
            _("This image seems damaged. Please choose another one.")
        ) from None

    return image
