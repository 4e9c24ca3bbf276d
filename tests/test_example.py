"""The example issue: golden outputs, and the seed's text standing verbatim in the plain text."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

import newsletter
from conftest import DATA, REPO

GOLDEN = Path(__file__).parent / "golden"
EXAMPLE = REPO / "issues" / "mei-four-briefs.yaml"


@pytest.fixture(scope="module")
def email():
    return newsletter.render_issue(EXAMPLE)


@pytest.mark.parametrize("suffix", ["html", "txt", "mjml", "web.html", "eml"])
def test_example_matches_golden(email, suffix: str, update_goldens: bool) -> None:
    produced = {"html": email.html, "txt": email.text, "mjml": email.mjml, "web.html": email.web_html,
                "eml": email.eml}[suffix]
    data = produced if isinstance(produced, bytes) else produced.encode("utf-8")
    golden = GOLDEN / f"mei-four-briefs.{suffix}"
    if update_goldens:
        golden.write_bytes(data)
        pytest.skip(f"{golden.name} rewritten, not compared: review the diff")
    assert golden.exists(), f"{golden} is missing: run pytest --update-goldens and review the diff"
    assert data == golden.read_bytes(), (
        f"{golden.name} differs from the build; if the change is intended, run pytest --update-goldens"
    )


def _unwrap(text: str) -> str:
    """Undo line wrapping and indentation: every run of white space becomes one space."""
    return " ".join(text.split())


def _seed_items() -> list[str]:
    """Every title, name, role, key point, paragraph and "Follow on Twitter" line of the publisher's text."""
    seed = (DATA / "mei-four-briefs.txt").read_text(encoding="utf-8")
    items = []
    for block in seed.split("\n\n"):
        for line in block.split("\n"):
            line = line.strip().removeprefix("• ").strip()
            if line and line != "Contents:":
                items.append(line)
    return items


def test_seed_stands_verbatim_in_plain_text(email) -> None:
    items = _seed_items()
    assert len(items) > 40  # four briefs' worth: a parse that found nothing would prove nothing
    text = _unwrap(email.text)
    missing = [item for item in items if _unwrap(item) not in text]
    assert missing == []


def test_seed_typos_are_kept(email) -> None:
    text = _unwrap(email.text)
    assert "over the last decade. ." in text
    assert "non-for-profit" in text
    assert "non-for-profit" in email.html


def test_plain_text_reads_like_the_seed(email) -> None:
    lines = email.text.splitlines()
    assert max(len(line) for line in lines) <= 78
    assert "Contents:" in lines
    assert "Follow on Twitter: @rmslim <https://twitter.com/rmslim>" in lines
    assert "Follow on Twitter: @AlexVatanka <https://twitter.com/AlexVatanka>" in lines
    assert not any("@" in line and "Motwani" in line for line in lines)  # no handle: no Follow line
    bullets = [line for line in lines if line.startswith("  • ")]
    assert len(bullets) == 8
    assert email.text.index("Photo by WAKIL KOHSAR/AFP via Getty Images") > email.text.index("@ejbeals")
    assert email.text.endswith("Middle East Institute <https://www.mei.edu>\n1763 N St. NW, Washington, D.C. 20036\n\n"
                               "View in your browser: https://www.mei.edu/newsletter/mei-four-briefs.web.html\n")


def test_html_has_every_part_of_the_issue(email) -> None:
    html = email.html
    assert html.startswith("<!doctype html>")
    assert re.search(r'<html lang="en"', html)
    for number in range(1, 5):
        assert f'href="#brief-{number}"' in html and f'id="brief-{number}"' in html
    assert re.search(r'<strong[^>]*><a href="https://www.mei.edu/profile/randa-slim"[^>]*>Randa Slim</a></strong>, '
                     r"Senior Fellow and Director of Conflict Resolution", html)
    assert 'Follow on Twitter: <a href="https://twitter.com/ejbeals"' in html
    assert html.count("<li") == 8 + 4  # key points and contents entries
    assert 'alt="Taliban fighters stand guard in Kabul"' in html
    assert "Photo by WAKIL KOHSAR/AFP via Getty Images" in html
    assert "Four briefs from MEI scholars" in html  # the preheader
    assert "please click here." in html
    assert "<!--[if mso | IE]>" in html  # MJML's Outlook conditionals survive inlining


def test_example_builds_through_the_cli(project, cli) -> None:
    project.example()
    code, out, err = cli("build", "issues/mei-four-briefs.yaml")
    assert code == 0, err
    assert sorted(p.name for p in project.out.iterdir()) == [
        "archive.json", "feed.xml", "index.html", "mei-four-briefs.checks.json", "mei-four-briefs.eml",
        "mei-four-briefs.html", "mei-four-briefs.mjml", "mei-four-briefs.txt", "mei-four-briefs.web.html",
        "robots.txt", "sitemap.xml"]
    assert "wrote dist/mei-four-briefs.html" in out
