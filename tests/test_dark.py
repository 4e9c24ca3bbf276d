"""Dark mode: the email's own dark palette in Chromium with `prefers-color-scheme: dark`, the light email
unchanged, the contrast rule in both palettes, the CSS's cost, the logo's dark variant, and the preview's
and the screenshot command's schemes."""

from __future__ import annotations

import shutil
import subprocess
import sys

import lxml.html
import pytest
import yaml

import newsletter
from conftest import REPO
from newsletter import checks

EXAMPLES = [REPO / "issues" / "mei-four-briefs.yaml", REPO / "issues" / "mei-every-block.yaml"]

# Every element that shows text of its own: its colour against the first opaque background behind it.
TEXT_CONTRAST_JS = """
() => {
  function rgba(text) { const m = text.match(/[\\d.]+/g).map(Number); return m.length > 3 ? m : [...m, 1]; }
  function lum([r, g, b]) {
    const c = [r, g, b].map(v => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; });
    return 0.2126 * c[0] + 0.7152 * c[1] + 0.0722 * c[2];
  }
  function behind(el) {
    for (let node = el; node; node = node.parentElement) {
      const bg = rgba(getComputedStyle(node).backgroundColor);
      if (bg[3] > 0) return bg;
    }
    return [255, 255, 255, 1];
  }
  const out = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  const seen = new Set();
  while (walker.nextNode()) {
    const el = walker.currentNode.parentElement;
    if (!walker.currentNode.textContent.trim() || seen.has(el)) continue;
    seen.add(el);
    const style = getComputedStyle(el), box = el.getBoundingClientRect();
    if (style.display === 'none' || style.visibility === 'hidden' || style.opacity === '0' || box.width <= 1) continue;
    const fg = rgba(style.color), bg = behind(el);
    const [a, b] = [lum(fg), lum(bg)].sort((x, y) => y - x);
    const size = parseFloat(style.fontSize), bold = parseInt(style.fontWeight) >= 700;
    out.push({text: walker.currentNode.textContent.trim().slice(0, 40), ratio: (a + 0.05) / (b + 0.05),
              large: size >= 24 || (bold && size >= 18.66), fg: lum(fg), bg: lum(bg)});
  }
  return out;
}
"""


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    out = tmp_path_factory.mktemp("dark")
    report = newsletter.build(EXAMPLES, out=out)
    assert all(result.error is None for result in report.results)
    return out


@pytest.mark.parametrize("name", ["mei-four-briefs", "mei-every-block"])
def test_dark_mode_in_chromium_is_the_dark_palette_and_readable(browser, built, name: str) -> None:
    page = browser.new_page(viewport={"width": 600, "height": 900}, color_scheme="dark")
    page.route("**/*", lambda route: route.abort() if not route.request.url.startswith("file:") else route.continue_())
    page.goto((built / f"{name}.html").as_uri())
    content = page.evaluate("getComputedStyle(document.querySelector('.nl-section')).backgroundColor")
    assert content == "rgb(30, 30, 30)"  # theme.dark.content_background_color, #1e1e1e
    texts = page.evaluate(TEXT_CONTRAST_JS)
    assert len(texts) > 40
    for item in texts:
        assert item["ratio"] >= (3.0 if item["large"] else 4.5), item
        assert not (item["fg"] > 0.5 and item["bg"] > 0.5), item  # no light text on a light background
    page.close()


@pytest.mark.parametrize("width", [600, 375])
def test_light_mode_is_unchanged_by_the_dark_styles(browser, project, width: int) -> None:
    project.example()
    shots = {}
    for mode in ("off", "auto"):
        project.configure(dark_mode=mode)
        email = newsletter.render_issue("issues/mei-four-briefs.yaml")
        page = browser.new_page(viewport={"width": width, "height": 900}, color_scheme="light")
        page.route("**/*", lambda route: route.abort())
        page.set_content(email.html, wait_until="load")
        shots[mode] = page.screenshot(full_page=True)
        page.close()
    assert shots["auto"] == shots["off"]  # pixel for pixel


def test_off_declares_light_only_and_auto_costs_under_4_kb(project) -> None:
    project.example()
    sizes = {}
    for mode in ("off", "auto"):
        project.configure(dark_mode=mode)
        html = newsletter.render_issue("issues/mei-four-briefs.yaml").html
        sizes[mode] = len(html.encode("utf-8"))
        metas = lxml.html.document_fromstring(html).xpath("//meta[@name='color-scheme']/@content")
        assert metas == (["light"] if mode == "off" else ["light dark"])
        assert ("prefers-color-scheme" in html) == (mode == "auto")
        assert ("[data-ogsc]" in html and "[data-ogsb]" in html) == (mode == "auto")
    assert 0 < sizes["auto"] - sizes["off"] < 4096, sizes
    project.configure(dark_mode=False)  # what YAML makes of an unquoted off
    html = newsletter.render_issue("issues/mei-four-briefs.yaml").html
    assert "prefers-color-scheme" not in html


def test_the_contrast_rule_judges_both_palettes_and_says_which(project) -> None:
    project.example()
    project.configure(theme={"dark": {"muted_color": "#333333"}})
    email = newsletter.render_issue("issues/mei-four-briefs.yaml")
    messages = [f.message for f in checks.check_email(email.html, email.text, "x", list(email.expected))
                if f.rule == "contrast"]
    assert messages and all(m.startswith("in dark mode: text #333333 on ") for m in messages), messages
    project.configure(theme={"dark": {"muted_color": "#333333"}, "muted_color": "#bbbbbb"})
    email = newsletter.render_issue("issues/mei-four-briefs.yaml")
    messages = [f.message for f in checks.check_email(email.html, email.text, "x", list(email.expected))
                if f.rule == "contrast"]
    assert any(m.startswith("text #bbbbbb on #ffffff") for m in messages)  # the light palette's, unprefixed
    assert any(m.startswith("in dark mode:") for m in messages)


def test_the_dark_palette_is_validated(project, cli) -> None:
    project.configure(theme={"dark": {"text_colour": "#fff", "link_color": "bright"}})
    project.example()
    code, _, err = cli("validate", "issues/mei-four-briefs.yaml")
    assert code == 1
    assert "theme.dark.text_colour: unknown field; did you mean 'text_color'?" in err
    assert "theme.dark.link_color: must be a CSS colour" in err


def test_the_logo_has_a_dark_variant(browser, project) -> None:
    project.configure(logo={"src": "https://e.com/logo.png", "dark_image": "https://e.com/logo-dark.png",
                            "alt": "MEI", "width": 160})
    project.example()
    email = newsletter.render_issue("issues/mei-four-briefs.yaml")
    for scheme, shown in (("light", "https://e.com/logo.png"), ("dark", "https://e.com/logo-dark.png")):
        page = browser.new_page(viewport={"width": 600, "height": 900}, color_scheme=scheme)
        page.route("**/*", lambda route: route.abort())
        page.set_content(email.html, wait_until="load")
        visible = page.evaluate("[...document.querySelectorAll('img[alt=\"MEI\"]')]"
                                ".filter(i => getComputedStyle(i).display !== 'none').map(i => i.getAttribute('src'))")
        assert visible == [shown], scheme
        page.close()
    assert "<!--[if !mso]><!-->" in email.html  # Outlook for Windows, which has no dark styles, never sees it


def test_screenshot_takes_both_schemes(project) -> None:
    project.example()
    result = subprocess.run([sys.executable, "-m", "newsletter", "screenshot", "issues/mei-four-briefs.yaml",
                             "--width", "375", "--scheme", "light,dark", "--out", "shots"], cwd=project.root,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == ["wrote shots/mei-four-briefs-375.png", "wrote shots/mei-four-briefs-375-dark.png"]
    from PIL import Image

    with Image.open(project.root / "shots" / "mei-four-briefs-375.png") as light, \
            Image.open(project.root / "shots" / "mei-four-briefs-375-dark.png") as dark:
        point = (5, 5)  # the header
        assert light.convert("RGB").getpixel(point) == (0x0f, 0x2a, 0x44)  # theme.header_background_color
        assert dark.convert("RGB").getpixel(point) == (0x0b, 0x1a, 0x2b)  # theme.dark.header_background_color


def test_the_preview_switches_between_light_dark_and_inverted(project, browser) -> None:
    from conftest import preview_server

    project.example()
    page = browser.new_page(viewport={"width": 1000, "height": 900})
    with preview_server(project.issues) as server:
        page.goto(server.url + "issues/mei-four-briefs/")
        page.wait_for_selector("body[data-version]")
        frame = "document.getElementById('email').contentDocument"
        background = f"getComputedStyle({frame}.querySelector('.nl-section')).backgroundColor"
        assert page.evaluate(background) == "rgb(255, 255, 255)"
        page.get_by_role("button", name="Dark").click()
        page.wait_for_function(f"{background} === 'rgb(30, 30, 30)'", timeout=5000)
        page.get_by_role("button", name="Inverted").click()
        page.wait_for_function(f"getComputedStyle({frame}.documentElement).filter.includes('invert')", timeout=5000)
        assert page.evaluate(background) == "rgb(255, 255, 255)"  # its own colours, turned round by the filter
        assert "invert" in page.evaluate(f"getComputedStyle({frame}.querySelector('img')).filter")  # photos back
        page.get_by_role("button", name="Light").click()
        page.wait_for_function(f"getComputedStyle({frame}.documentElement).filter === 'none'", timeout=5000)
        assert page.evaluate(background) == "rgb(255, 255, 255)"
    page.close()
