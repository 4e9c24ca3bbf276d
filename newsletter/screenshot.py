"""``newsletter screenshot``: PNGs of an issue's email at given widths, for reviews and visual snapshots.

It drives the system's Chromium (Debian's ``chromium`` package) through Playwright, never a browser that a
tool downloads. The email is loaded with network access blocked, so a screenshot is the same offline.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from . import arguments, pipeline, write
from .errors import ArgumentError, NewsletterError

CHROMIUM_FLAGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--hide-scrollbars",
]


class BrowserMissing(NewsletterError):
    """Screenshots need Playwright for Python and a Chromium executable, and one of them is missing."""


MIN_WIDTH, MAX_WIDTH = 200, 2000


def parse_widths(text: str) -> list[int]:
    """``"600,375"`` as ``[600, 375]``."""
    arguments.text("widths", text)
    try:
        widths = [int(part) for part in text.split(",") if part.strip()]
    except ValueError:
        wrong = f"takes whole numbers separated by commas, e.g. 600,375, not {text!r}"
        raise ArgumentError(f"widths {wrong}", cli=f"--width {wrong}") from None
    if not widths:
        raise ArgumentError("widths takes at least one width, e.g. 600,375", cli="--width takes at least one width, "
                            "e.g. 600,375")
    return check_widths(widths, "--width")


def check_widths(widths: list[int], name: str = "widths") -> list[int]:
    if not isinstance(widths, (list, tuple)) or not widths:
        raise ArgumentError(f"widths={widths!r} must be a non-empty list of widths in pixels, e.g. [600, 375]")
    for width in widths:
        if not isinstance(width, int) or isinstance(width, bool) or not MIN_WIDTH <= width <= MAX_WIDTH:
            wrong = f"{width!r} is not a width from {MIN_WIDTH} to {MAX_WIDTH} pixels"
            raise ArgumentError(f"widths: {wrong}", cli=f"{name}: {wrong}")
    return list(widths)


def chromium_executable() -> str:
    executable = shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")
    if executable is None:
        raise BrowserMissing("no Chromium found on PATH: install it (Debian: apt-get install chromium)")
    return executable



def _serve(route, email: pipeline.Email) -> None:  # type: ignore[no-untyped-def]
    """No network: a picture given as a file is served from the build, anything else fails as offline."""
    asset = email.assets.get(route.request.url)
    if asset is None:
        route.abort()
    else:
        route.fulfill(status=200, body=asset.data, content_type=asset.media_type)


def screenshots(issue: Path, widths: list[int], out: Path, config_path: Path | None = None) -> list[Path]:
    """Render ``issue`` and write ``out/X-WIDTH.png`` for each width; returns the paths written."""
    out = arguments.path("out", out)
    widths = check_widths(widths)
    email = pipeline.render_issue(issue, config_path=config_path, editions=False)
    executable = chromium_executable()
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        raise BrowserMissing("screenshots need Playwright: pip install 'newsletter[browser]'") from None
    images: dict[Path, bytes] = {}
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, headless=True, args=CHROMIUM_FLAGS)
        try:
            for width in widths:
                page = browser.new_page(viewport={"width": width, "height": 800})
                page.route("**/*", lambda route: _serve(route, email))
                page.set_content(email.html, wait_until="load")
                images[out / f"{email.name}-{width}.png"] = page.screenshot(full_page=True)
                page.close()
        finally:
            browser.close()
    return write.write_files(images)
