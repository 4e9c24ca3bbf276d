"""The example email in a real browser (Debian's Chromium driven by Playwright): no horizontal scroll at
600 px or on a 375 px phone, every image with alt text, the Contents links landing on their briefs."""

from __future__ import annotations

import pytest

import newsletter
from conftest import REPO


@pytest.fixture(scope="module")
def example_url(tmp_path_factory) -> str:
    out = tmp_path_factory.mktemp("browser")
    report = newsletter.build([REPO / "issues" / "mei-four-briefs.yaml"], out=out)
    assert report.ok
    return (out / "mei-four-briefs.html").as_uri()


@pytest.mark.parametrize("width", [600, 375, 320])
def test_no_horizontal_scroll(browser, example_url: str, width: int) -> None:
    page = browser.new_page(viewport={"width": width, "height": 900})
    page.goto(example_url)
    scroll_width = page.evaluate("document.documentElement.scrollWidth")
    assert scroll_width <= width
    widest = page.evaluate(
        "Math.max(...[...document.querySelectorAll('body *')].map(e => e.getBoundingClientRect().right))")
    assert widest <= width + 0.5
    page.close()


@pytest.mark.parametrize(("width", "size"), [(375, "21px"), (600, "24px")])
def test_brief_titles_shrink_on_a_phone(browser, example_url: str, width: int, size: str) -> None:
    page = browser.new_page(viewport={"width": width, "height": 900})
    page.goto(example_url)
    sizes = page.evaluate("[...document.querySelectorAll('h2[id^=\"brief-\"]')].map(h => getComputedStyle(h).fontSize)")
    assert sizes == [size] * 4  # the @media rule, kept with its !important, applies on a phone only
    page.close()


def test_images_have_alt_and_contents_links_resolve(browser, example_url: str) -> None:
    page = browser.new_page(viewport={"width": 600, "height": 900})
    page.goto(example_url)
    # A headshot shows initials while pictures are blocked, hidden from screen readers (the name is beside it).
    assert page.evaluate("[...document.images].map(img => [img.alt, img.getAttribute('aria-hidden')])") == [
        ["Taliban fighters stand guard in Kabul", None], ["NM", "true"], ["RS", "true"], ["AV", "true"],
        ["EB", "true"]]
    targets = page.evaluate("[...document.querySelectorAll('a[href^=\"#\"]')].map(a => a.hash.slice(1))")
    assert targets == ["brief-1", "brief-2", "brief-3", "brief-4"]
    for target in targets:
        assert page.evaluate(f"!!document.getElementById('{target}')")
    page.close()
