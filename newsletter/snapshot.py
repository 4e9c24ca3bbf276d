"""Visual snapshots: what a reader sees of each issue, compared with the pictures stored beside the tests.

``newsletter snapshot`` takes full-page screenshots in Chromium (``screenshot.capture``: network blocked,
pictures given as files served from the build) at each width and colour scheme, and compares each with the
PNG stored as ``DIR/X-WIDTH-SCHEME.png``. Two pixels differ when a colour channel differs by more than the
threshold; a picture fails when more than the allowed share of its pixels differ (or its size changed).
A failing one gets ``X-WIDTH-SCHEME.new.png`` (what it looks like now) and ``X-WIDTH-SCHEME.diff.png`` (the
changed pixels in red over a faded copy) beside it. Pillow compares, in C.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from pathlib import Path

from . import arguments, pipeline, screenshot, write
from .errors import ArgumentError, SnapshotError

DEFAULT_DIR = Path("tests/snapshots")
THRESHOLD = 16  # of 255, per colour channel: anti-aliasing noise stays under it, a changed colour does not
# The share of pixels that may differ: none by default. One machine renders an issue to the same bytes every
# time (a test shows it), and one changed word is 0.08 % of a phone-width page; raise it for snapshots taken
# on another machine, whose font rendering differs a little everywhere.
MAX_DIFF = 0.0



@dataclass
class Comparison:
    """One picture: its stored path, and what was found."""

    stored: Path
    status: str  # "same", "changed", "new" (written by --update), "missing"
    differing: float = 0.0  # the share of pixels that differ
    written: list[Path] = field(default_factory=list)  # the .new.png and .diff.png of a changed one
    update_command: str = ""  # for a missing one: the command that writes it, with the options compared

    def __str__(self) -> str:
        name = self.stored.as_posix()
        if self.status == "same":
            return f"{name}: same" + (f" ({self.differing:.3%} of pixels within tolerance)" if self.differing else "")
        if self.status == "new":
            return f"{name}: written"
        if self.status == "missing":
            return f"{name}: no snapshot yet: run {self.update_command or 'newsletter snapshot --update'} to write it"
        return f"{name}: changed, {self.differing:.3%} of pixels differ: see " + ", ".join(p.as_posix() for p in self.written)


def snapshot(paths: list[Path | str], folder: Path | str = DEFAULT_DIR, update: bool = False,
             widths: list[int] | tuple[int, ...] = (600, 375), schemes: list[str] | tuple[str, ...] = ("light",),
             threshold: int = THRESHOLD, max_diff: float = MAX_DIFF,
             config_path: Path | str | None = None) -> list[Comparison]:
    """Compare (or, with ``update``, write) the snapshots of each issue in ``paths``."""
    folder = arguments.path("folder", folder)
    arguments.flag("update", update)
    widths = screenshot.check_widths(list(widths))
    schemes = screenshot.check_schemes(schemes)
    arguments.whole("threshold", threshold, 0, 255)
    if not isinstance(max_diff, (int, float)) or isinstance(max_diff, bool) or not 0 <= max_diff < 1:
        raise ArgumentError(f"max_diff={max_diff!r} must be a share of pixels from 0 to under 1, e.g. 0.001")
    sources = pipeline.issue_paths(pipeline._paths(paths))  # noqa: SLF001 - the same paths as build's
    if not sources:
        raise ArgumentError(f"paths={paths!r} holds no issue file (*.yaml)")
    results: list[Comparison] = []
    # A missing picture says how to write it with the options it was compared with: --update alone writes
    # 600 and 375 px in light, and a compare with --schemes light,dark then missed every dark one.
    options = f" --widths {','.join(map(str, widths))}" + (f" --schemes {','.join(schemes)}" if tuple(schemes) != (
        "light",) else "") + (f" --dir {folder}" if Path(folder) != Path(DEFAULT_DIR) else "")
    for source in sources:
        email = pipeline.render_issue(source, config_path=config_path, editions=False)
        shots = screenshot.capture(email, widths, schemes)
        for (width, scheme), png in shots.items():
            found = _compare(folder / f"{email.name}-{width}-{scheme}.png", png, update, threshold, max_diff)
            if found.status == "missing":
                found.update_command = f"newsletter snapshot {source} --update{options}"
            results.append(found)
    return results


def _compare(stored: Path, png: bytes, update: bool, threshold: int, max_diff: float) -> Comparison:
    new, diff = stored.with_suffix(".new.png"), stored.with_suffix(".diff.png")
    if update:
        write.write_files({stored: png})
        _remove(new, diff)
        return Comparison(stored, "new")
    if not stored.is_file():
        return Comparison(stored, "missing")
    from PIL import Image, UnidentifiedImageError

    try:
        before = Image.open(stored).convert("RGB")
    except (OSError, UnidentifiedImageError):
        raise SnapshotError(f"{stored}: not a PNG this can read; run newsletter snapshot --update to write it "
                            "again") from None
    after = Image.open(io.BytesIO(png)).convert("RGB")
    share, picture = difference(before, after, threshold)
    if share <= max_diff and before.size == after.size:  # a page that grew or shrank has changed, however little
        _remove(new, diff)
        return Comparison(stored, "same", share)
    out = io.BytesIO()
    picture.save(out, format="PNG")
    written = write.write_files({new: png, diff: out.getvalue()})
    return Comparison(stored, "changed", share, written)


def difference(before, after, threshold: int = THRESHOLD):  # type: ignore[no-untyped-def]
    """``(share of pixels that differ, a picture of the difference)`` between two RGB images; pictures of
    different sizes are compared on a canvas of the larger, where the part only one has counts as changed."""
    from PIL import Image, ImageChops

    size = (max(before.width, after.width), max(before.height, after.height))
    canvas_before, canvas_after = (Image.new("RGB", size, (255, 0, 255)) for _ in range(2))
    canvas_before.paste(before)
    canvas_after.paste(after)
    red, green, blue = ImageChops.difference(canvas_before, canvas_after).split()
    largest = ImageChops.lighter(ImageChops.lighter(red, green), blue)
    changed = largest.point(lambda value: 255 if value > threshold else 0)
    count = changed.histogram()[255]
    faded = Image.blend(canvas_after.convert("L").convert("RGB"), Image.new("RGB", size, (255, 255, 255)), 0.6)
    picture = Image.composite(Image.new("RGB", size, (230, 0, 0)), faded, changed)
    return count / (size[0] * size[1]), picture


def _remove(*paths: Path) -> None:
    for path in paths:
        try:
            path.unlink()
        except FileNotFoundError:
            pass
