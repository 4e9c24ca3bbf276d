"""``newsletter screenshot``: PNGs of an issue's email at given widths, for reviews and visual snapshots.

It drives the system's Chromium (Debian's ``chromium`` package) through Playwright, never a browser that a
tool downloads. The email is loaded with network access blocked, so a screenshot is the same offline.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from . import pipeline, write
from .errors import NewsletterError

CHROMIUM_FLAGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--hide-scrollbars",
]


class BrowserMissing(NewsletterError):
    """Screenshots need Playwright for Python and a Chromium executable, and one of them is missing."""


def parse_widths(text: str) -> list[int]:
    try:
        widths = [int(part) for part in text.split(",") if part.strip()]
    except ValueError:
        raise NewsletterError(f"--width takes whole numbers separated by commas, not {text!r}") from None
    if not widths or any(not 200 <= width <= 2000 for width in widths):
        raise NewsletterError("--width takes widths from 200 to 2000 pixels, e.g. 600,375")
    return widths


def chromium_executable() -> str:
    executable = shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")
    if executable is None:
        raise BrowserMissing("no Chromium found on PATH: install it (Debian: apt-get install chromium)")
    return executable


def screenshots(issue: Path, widths: list[int], out: Path, config_path: Path | None = None) -> list[Path]:
    """Render ``issue`` and write ``out/X-WIDTH.png`` for each width; returns the paths written."""
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
                page.route("**/*", lambda route: route.abort())  # no network: images show as their boxes
                page.set_content(email.html, wait_until="load")
                images[out / f"{email.name}-{width}.png"] = page.screenshot(full_page=True)
                page.close()
        finally:
            browser.close()
    return write.write_files(images)
