"""``newsletter screenshot``: PNGs of an issue's email at given widths, for reviews and visual snapshots.

It drives the system's Chromium (Debian's ``chromium`` package) through Playwright, never a browser that a
tool downloads. The email is loaded with network access blocked, so a screenshot is the same offline.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from . import arguments, pipeline, write
from .errors import ArgumentError, BrowserMissing

CHROMIUM_FLAGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--hide-scrollbars",
]



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


SCHEMES = ("light", "dark")


def parse_schemes(text: str) -> list[str]:
    """``"light,dark"`` as ``["light", "dark"]``."""
    arguments.text("schemes", text)
    schemes = [part.strip() for part in text.split(",") if part.strip()]
    wrong = [scheme for scheme in schemes if scheme not in SCHEMES]
    if not schemes or wrong:
        message = f"takes light, dark or both separated by a comma, not {text!r}"
        raise ArgumentError(f"schemes {message}", cli=f"--scheme {message}")
    return list(dict.fromkeys(schemes))


def check_schemes(schemes: list[str] | tuple[str, ...]) -> list[str]:
    if not isinstance(schemes, (list, tuple)) or not schemes or any(s not in SCHEMES for s in schemes):
        raise ArgumentError(f"schemes={schemes!r} must be a non-empty list of 'light' and 'dark'")
    return list(schemes)


def capture(email: pipeline.Email, widths: list[int], schemes: list[str]) -> dict[tuple[int, str], bytes]:
    """Full-page PNGs of ``email`` in Chromium at each width and colour scheme (``prefers-color-scheme``
    emulated), with no network: pictures given as files are served from the build."""
    executable = chromium_executable()
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        raise BrowserMissing("screenshots need Playwright: pip install 'newsletter[browser]'") from None
    shots: dict[tuple[int, str], bytes] = {}
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, headless=True, args=CHROMIUM_FLAGS)
        try:
            for scheme in schemes:
                for width in widths:
                    page = browser.new_page(viewport={"width": width, "height": 800},
                                            color_scheme="dark" if scheme == "dark" else "light")
                    page.route("**/*", lambda route: _serve(route, email))
                    page.set_content(email.html, wait_until="load")
                    shots[(width, scheme)] = page.screenshot(full_page=True)
                    page.close()
        finally:
            browser.close()
    return shots


def screenshots(issue: Path, widths: list[int], out: Path, config_path: Path | None = None,
                schemes: list[str] | tuple[str, ...] = ("light",)) -> list[Path]:
    """Render ``issue`` and write ``out/X-WIDTH.png`` for each width (``X-WIDTH-dark.png`` in the dark scheme);
    returns the paths written."""
    out = arguments.path("out", out)
    widths = check_widths(widths)
    schemes = check_schemes(schemes)
    email = pipeline.render_issue(issue, config_path=config_path, editions=False)
    shots = capture(email, widths, schemes)
    images = {out / f"{email.name}-{width}{'' if scheme == 'light' else '-' + scheme}.png": png
              for (width, scheme), png in shots.items()}
    return write.write_files(images)
