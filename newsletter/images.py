"""Images given as files (a path instead of a URL): read with Pillow, checked, resized when asked, and named by
their content for ``OUT/assets/``, so an unchanged picture keeps its name and a changed one gets a new one.

Pillow is imported only when an issue, registry or config names a file: hosted images need none of this.
"""

from __future__ import annotations

import hashlib
import io
import re
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

MAX_BYTES = 1_000_000  # over this, a warning: a picture is one of many parts of a message someone downloads
# Over this, refused: an email shows a picture at most 600 px wide (1200 for sharp screens), and decoding one
# costs 4 bytes a pixel (a 13000 x 13000 PNG took 700 MB to build, 2 GB to shrink). A 24-megapixel camera's
# photo passes, to be shrunk by images.max_width.
MAX_PIXELS = 40_000_000
# What Outlook's Word engine and the Gmail apps do not show; accepted, with a warning.
FORMATS_SOME_CLIENTS_MISS = {"WEBP": "WebP"}
_EXTENSIONS = {"JPEG": ".jpg", "PNG": ".png", "GIF": ".gif", "WEBP": ".webp"}
_MEDIA_TYPES = {"JPEG": "image/jpeg", "PNG": "image/png", "GIF": "image/gif", "WEBP": "image/webp"}
# SVG is refused, not filtered: no client we target shows it (Outlook and Gmail do not), and an SVG is a
# document that can run scripts when its address is opened; no pattern match can make one safe.
SVG_REFUSED = ("is an SVG picture, which Outlook and Gmail do not show and which can carry scripts: export it "
               "as a PNG (twice its display width keeps it sharp) and name the PNG instead")


class NotAnImage(ValueError):
    """The file is not a picture Pillow can read as JPEG, PNG, GIF or WebP."""


@dataclass(frozen=True)
class Prepared:
    data: bytes  # what the build writes to OUT/assets/
    format: str  # JPEG, PNG, GIF or WEBP
    width: int  # in pixels
    height: int
    name: str  # OUT/assets/NAME: the file's stem and a digest of data
    warnings: tuple[str, ...] = field(default=())
    source: str = ""  # the file it was read from (the preview watches it)

    @property
    def media_type(self) -> str:
        return _MEDIA_TYPES[self.format]


def prepare(path: Path, max_width: int | None = None) -> Prepared:
    """Read the picture at ``path``; shrink it to ``max_width`` when it is wider (keeping its format)."""
    data = path.read_bytes()
    found: list[str] = []
    if _looks_like_svg(path, data):
        raise NotAnImage(SVG_REFUSED)
    from PIL import Image, UnidentifiedImageError

    try:
        with warnings_off(Image.DecompressionBombWarning):  # our own limit below says it in our words
            opened = Image.open(io.BytesIO(data))  # the header only: the size is known before any decoding
        with opened as image:
            fmt, (width, height) = image.format or "", image.size
            if width * height > MAX_PIXELS:
                raise NotAnImage(too_many_pixels(width, height))
            fmt = "JPEG" if fmt == "MPO" else fmt  # a phone's JPEG with a second, depth picture in it
            if fmt not in _EXTENSIONS:
                raise NotAnImage(f"is a {fmt} image: use JPEG, PNG or GIF")
            exif = image.getexif()
            turned = exif.get(0x0112) in (5, 6, 7, 8)  # a quarter turn: what a reader sees is taller than wide
            if fmt == "JPEG" and max_width and (height if turned else width) > max_width:
                # Decoded at the smallest scale (1/2, 1/4, 1/8) that is still at least the size asked for.
                wanted = round((width if turned else height) * max_width / (height if turned else width))
                image.draft("RGB", (wanted, max_width) if turned else (max_width, wanted))
            image.load()  # reads the whole file: a truncated one fails here, not in a mail client
            if turned:
                width, height = height, width
            if exif.get_ifd(0x8825):
                found.append("carries the GPS position where it was taken, which the build publishes "
                                "as it is: remove it (or set images.max_width, which writes the picture anew)")
            if max_width and width > max_width:
                height = round(height * max_width / width)
                width = max_width
                data = _resized(image, fmt, width, height)
    except Image.DecompressionBombError:
        raise NotAnImage(too_many_pixels(None, None)) from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as exc:
        if isinstance(exc, NotAnImage):
            raise
        raise NotAnImage("is not a picture (JPEG, PNG, GIF or WebP) that can be read") from None
    if fmt in FORMATS_SOME_CLIENTS_MISS:
        found.append(f"is {FORMATS_SOME_CLIENTS_MISS[fmt]}, which Outlook for Windows does not show: "
                        "use JPEG or PNG")
    if len(data) > MAX_BYTES:
        found.append(f"is {len(data) / 1e6:.1f} MB: over 1 MB, readers on mobile data wait for it; "
                        "set images: {max_width: 1200} or save it smaller")
    digest = hashlib.sha256(data).hexdigest()[:12]
    stem = re.sub(r"[^A-Za-z0-9._-]+", "-", path.stem).strip("-.") or "image"
    return Prepared(data, fmt, width, height, f"{stem}-{digest}{_EXTENSIONS[fmt]}", tuple(found), str(path))


def too_many_pixels(width: int | None, height: int | None) -> str:
    size = f"is {width} × {height} pixels ({width * height / 1e6:.0f} megapixels)" if width and height else \
        "has more pixels than Pillow will read (over 178 megapixels)"
    return (f"{size}, more than the {MAX_PIXELS // 1_000_000} megapixels a picture of an email may have (it shows "
            "at most 600 px wide, 1200 for sharp screens): save it smaller, e.g. 2400 px wide")


@contextmanager
def warnings_off(category: type[Warning]) -> Iterator[None]:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", category)
        yield


def _resized(image, fmt: str, width: int, height: int) -> bytes:  # type: ignore[no-untyped-def]
    from PIL import Image, ImageOps

    image = ImageOps.exif_transpose(image)  # written upright: the new file has no orientation tag to honour
    frame = image.convert("RGBA" if image.mode in ("RGBA", "LA", "P") and fmt != "JPEG" else "RGB")
    factor = min(frame.width // width, frame.height // height)
    if factor >= 2:  # a whole-number box reduction first (after the conversion: a palette cannot be reduced)
        frame = frame.reduce(factor)
    smaller = frame.resize((width, height), Image.Resampling.LANCZOS)
    if fmt == "GIF":
        smaller = smaller.convert("P", palette=Image.Palette.ADAPTIVE)
    out = io.BytesIO()
    # No timestamps or other metadata that would make two builds differ: the same input, the same bytes.
    settings: dict[str, dict[str, object]] = {"JPEG": {"quality": 85, "optimize": True}, "PNG": {"optimize": True}}
    options = settings.get(fmt, {})
    smaller.save(out, format=fmt, **options)
    return out.getvalue()


def _looks_like_svg(path: Path, data: bytes) -> bool:
    """Whether the file is an SVG (or gzipped SVGZ), by its name or its content: only to say so in the error,
    since Pillow reads no SVG and anything it cannot read is refused anyway."""
    if path.suffix.lower() in (".svg", ".svgz"):
        return True
    if data[:2] == b"\x1f\x8b":  # gzip: an .svgz renamed
        import gzip
        import zlib

        try:
            with gzip.GzipFile(fileobj=io.BytesIO(data)) as stream:
                data = stream.read(4096)
        except (OSError, EOFError, zlib.error):
            return False
    head = data[:4096].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    return head.startswith(b"<") and re.search(rb"<(?:[a-z0-9_-]+:)?svg[\s>/]", head) is not None


def assets_of(*roots: object) -> dict[str, Prepared]:
    """``{public URL: picture}`` of every picture given as a file in ``roots`` (validated models)."""
    from pydantic import BaseModel

    found: dict[str, Prepared] = {}

    def walk(value: object) -> None:
        if isinstance(value, str):
            if type(value) is str:  # most are: only a picture's address (a str of its own type) has an asset
                return
            asset = getattr(value, "asset", None)
            if isinstance(asset, Prepared):
                found[str(value)] = asset
        elif isinstance(value, BaseModel):
            for name in type(value).model_fields:
                walk(getattr(value, name))
        elif isinstance(value, (list, tuple)):
            for item in value:
                walk(item)

    for root in roots:
        walk(root)
    return dict(sorted(found.items()))
