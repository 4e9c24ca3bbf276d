"""Faces and names: headshots and profile links in the byline, whose handle is whose, the publication's own
accounts, and images that fail gracefully (a browser with images blocked)."""

from __future__ import annotations

from pathlib import Path

import lxml.html
import pytest
import yaml

import newsletter
from conftest import REPO

ARTEFACTS = REPO / "tests" / "artefacts"  # screenshots kept for a person to look at (git-ignored)

PHOTO = "https://e.com/faces/{}.jpg"


def _issue(authors: list, **brief: object) -> dict:
    return {"subject": "Faces", "preheader": "A preheader long enough for the inbox preview to be filled.",
            "briefs": [{"title": "A brief with faces", "authors": authors, "body": "A paragraph.", **brief}]}


def _render(project, issue: dict):  # type: ignore[no-untyped-def]
    return newsletter.render_issue(project.issue("x", yaml.safe_dump(issue, allow_unicode=True)))


def test_registry_and_inline_authors_take_photo_and_url(project, cli) -> None:
    email = _render(project, _issue([
        "randa-slim", {"name": "Guest Writer", "role": "Fellow", "photo": PHOTO.format("guest"),
                       "url": "https://e.com/guest"}]))
    tree = lxml.html.document_fromstring(email.html)
    images = {img.get("alt"): img for img in tree.xpath("//img")}
    assert set(images) == {"RS", "GW"}  # the initials; the name beside it is what screen readers read
    assert all(img.get("aria-hidden") == "true" for img in images.values())
    for img in images.values():
        assert img.get("width") == "56" and img.get("height") == "56"  # Outlook keeps the size
        assert "border-radius:50%" in img.get("style")  # round where it can be, square where not
    names = {a.text_content(): a.get("href") for a in tree.xpath("//strong/a")}
    assert names == {"Randa Slim": "https://www.mei.edu/profile/randa-slim", "Guest Writer": "https://e.com/guest"}
    # Co-authors each get their own row: one table a byline, the headshot beside the name and role.
    rows = tree.xpath("//table[tr/td[@width='56']]")
    assert len(rows) == 2 and all(len(row.xpath("tr/td")) == 2 and row.xpath("tr/td[1]/img") for row in rows)


def test_bad_photo_and_url_are_refused(project, cli) -> None:
    project.issue("x", yaml.safe_dump(_issue([{"name": "A", "photo": "javascript:x", "url": "/relative"}])))
    code, _, err = cli("build", "issues/x.yaml")
    assert code == 1
    assert "briefs[0].authors[0].photo: must be an absolute http(s) URL or the path of a picture file" in err
    assert "briefs[0].authors[0].url: must be an absolute http:// or https:// URL" in err


def test_an_author_without_a_photo_keeps_the_byline_aligned(project) -> None:
    email = _render(project, _issue(["randa-slim", {"name": "No Photo", "role": "Guest"}]))
    tree = lxml.html.document_fromstring(email.html)
    rows = tree.xpath("//table[tr/td[@width='56']]")
    assert len(rows) == 2
    empty_cell = rows[1].xpath("tr/td")[0]
    assert empty_cell.get("width") == "56" and empty_cell.xpath(".//img") == []  # the text starts where the others do


def test_without_photos_the_byline_is_as_it_was(project) -> None:
    (project.root / "authors.yaml").write_text(yaml.safe_dump({"a": {"name": "Plain Author", "role": "Fellow"}}))
    email = _render(project, _issue(["a"]))
    assert '<strong style="color:#222222">Plain Author</strong>, Fellow</p>' in email.html
    assert "<img" not in email.html.split("<body")[1]


def test_the_plain_text_does_not_repeat_the_name(project) -> None:
    email = _render(project, _issue(["randa-slim"]))
    lines = email.text.splitlines()
    at = lines.index("Randa Slim")
    assert lines[at + 1].startswith("Senior Fellow") and lines[at + 3] == "<https://www.mei.edu/profile/randa-slim>"
    assert lines.count("Randa Slim") == 1


# --- Whose handle ------------------------------------------------------------------------------------------

def test_one_author_keeps_the_seed_line(project) -> None:
    email = _render(project, _issue(["randa-slim"]))
    assert "Follow on Twitter: @rmslim <https://twitter.com/rmslim>" in email.text
    assert ">@rmslim</a></p>" in email.html


def test_several_authors_say_whose_handle_is_whose(project) -> None:
    email = _render(project, _issue(["randa-slim", "emma-beals"]))
    assert "Follow on Twitter: @rmslim (Randa Slim) <https://twitter.com/rmslim>" in email.text
    assert "Follow on Twitter: @ejbeals (Emma Beals) <https://twitter.com/ejbeals>" in email.text
    tree = lxml.html.document_fromstring(email.html)
    follows = [" ".join(p.text_content().split()) for p in tree.xpath("//p[starts-with(., 'Follow on Twitter')]")]
    assert follows == ["Follow on Twitter: @rmslim (Randa Slim)", "Follow on Twitter: @ejbeals (Emma Beals)"]


# --- The publication's own links ---------------------------------------------------------------------------

def test_social_links_in_the_footer_and_the_text(project) -> None:
    project.configure(social=[{"label": "Twitter", "url": "https://twitter.com/MiddleEastInst"},
                              {"label": "LinkedIn", "url": "https://www.linkedin.com/company/middle-east-institute"},
                              {"label": "YouTube", "url": "https://www.youtube.com/@MiddleEastInstitute"}])
    email = _render(project, _issue(["randa-slim"]))
    tree = lxml.html.document_fromstring(email.html)
    row = tree.xpath("//p[a[.='Twitter'] and a[.='LinkedIn'] and a[.='YouTube']]")
    assert len(row) == 1 and " · " in row[0].text_content()
    assert "Twitter: <https://twitter.com/MiddleEastInst>\nLinkedIn: <https://www.linkedin.com/company/middle-east-" \
           "institute>\nYouTube: <https://www.youtube.com/@MiddleEastInstitute>" in email.text
    from newsletter import checks

    assert [f for f in checks.check_email(email.html, email.text, "x", list(email.expected))
            if f.rule == "text-parity"] == []


def test_a_bad_social_link_is_refused(project, cli) -> None:
    project.configure(social=[{"label": "Twitter"}])
    project.issue("x", yaml.safe_dump(_issue(["randa-slim"])))
    code, _, err = cli("build", "issues/x.yaml")
    assert code == 1 and "social[0].url: required field is missing" in err


# --- In a browser, with images blocked ---------------------------------------------------------------------

CONTRAST_JS = """
() => {
  function rgb(text) { const m = text.match(/[\\d.]+/g).map(Number); return m.length > 3 ? m : [...m, 1]; }
  function lum([r, g, b]) {
    const c = [r, g, b].map(v => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; });
    return 0.2126 * c[0] + 0.7152 * c[1] + 0.0722 * c[2];
  }
  function behind(el) {
    for (let node = el; node; node = node.parentElement) {
      const bg = rgb(getComputedStyle(node).backgroundColor);
      if (bg[3] > 0) return bg;
      const attr = node.getAttribute && node.getAttribute('bgcolor');
      if (attr) { const d = document.createElement('div'); d.style.color = attr; document.body.appendChild(d);
                  const c = rgb(getComputedStyle(d).color); d.remove(); return c; }
    }
    return [255, 255, 255, 1];
  }
  return [...document.images].map(img => {
    const fg = rgb(getComputedStyle(img).color), bg = behind(img);
    const [a, b] = [lum(fg), lum(bg)].sort((x, y) => y - x);
    const box = img.getBoundingClientRect();
    return {alt: img.alt, ratio: (a + 0.05) / (b + 0.05), color: getComputedStyle(img).color,
            decoration: getComputedStyle(img.parentElement).textDecorationLine,
            box: [box.left, box.top, box.right, box.bottom]};
  });
}
"""


@pytest.fixture
def faces_email(project) -> Path:
    project.configure(logo={"src": "https://e.com/logo.png", "alt": "Middle East Institute", "width": 220})
    issue = _issue(["randa-slim", "emma-beals", {"name": "Guest Without Photo", "role": "Visiting Fellow"}])
    issue["hero"] = {"image": "https://e.com/hero.jpg", "alt": "Taliban fighters stand guard in Kabul"}
    email = _render(project, issue)
    path = project.root / "faces.html"
    path.write_text(email.html, encoding="utf-8")
    return path


def test_alt_texts_are_readable_with_images_blocked(browser, faces_email: Path) -> None:
    page = browser.new_page(viewport={"width": 600, "height": 900})
    page.route("**/*", lambda route: route.abort() if not route.request.url.startswith("file:") else route.continue_())
    page.goto(faces_email.as_uri())
    images = {item["alt"]: item for item in page.evaluate(CONTRAST_JS)}
    assert set(images) == {"Middle East Institute", "RS", "EB", "Taliban fighters stand guard in Kabul"}
    for alt, item in images.items():
        assert item["ratio"] >= 4.5, (alt, item)
    logo = images["Middle East Institute"]
    assert logo["color"] == "rgb(255, 255, 255)"  # the header's text colour on the dark header, not link blue
    assert logo["decoration"] == "none"
    page.close()


@pytest.mark.parametrize("width", [375, 320])
def test_bylines_fit_a_phone_with_nothing_overlapping(browser, faces_email: Path, width: int) -> None:
    page = browser.new_page(viewport={"width": width, "height": 900})
    page.route("**/*", lambda route: route.abort() if not route.request.url.startswith("file:") else route.continue_())
    page.goto(faces_email.as_uri())
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    rows = page.evaluate("""() => [...document.querySelectorAll('td[width="56"]')].map(td => td.closest('table'))
        .map(t => { const cells = t.querySelectorAll('td');
                    const a = cells[0].getBoundingClientRect(), b = cells[1].getBoundingClientRect();
                    const img = cells[0].querySelector('img');
                    const i = img ? img.getBoundingClientRect() : null;
                    return {photo: [a.left, a.right], text: [b.left, b.right, b.top, b.bottom],
                            img: i ? [i.left, i.right, i.top, i.bottom] : null}; })""")
    assert len(rows) == 3
    for row in rows:
        assert row["photo"][1] <= row["text"][0]  # the name and role beside the photo, never over it
        assert row["text"][1] <= width
        if row["img"]:
            assert row["img"][1] - row["img"][0] == 56 and row["img"][3] - row["img"][2] == 56
    assert len({row["text"][0] for row in rows}) == 1  # the author without a photo is aligned with the others
    ARTEFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTEFACTS / f"bylines-{width}.png"), full_page=True)
    page.close()
