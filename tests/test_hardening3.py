"""Hardening, round 3: pictures that carry scripts, silent losses, memory, and what a new user trips on.

Each test here failed on the code before the fix it names (issue 22's numbered items).
"""

from __future__ import annotations

import gzip
import http.client

import pytest
from PIL import Image

from conftest import MINIMAL_ISSUE, preview_server

# --- 1. SVG files with scripts are published ------------------------------------------------------------

SVGS = {
    "namespaced script": b'<svg xmlns="http://www.w3.org/2000/svg" xmlns:s="http://www.w3.org/2000/svg" '
                         b'width="10" height="10"><s:script>alert(1)</s:script></svg>',
    "script in foreignObject": b'<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><foreignObject>'
                               b'<h:script xmlns:h="http://www.w3.org/1999/xhtml">alert(1)</h:script>'
                               b'</foreignObject></svg>',
    "entity-encoded javascript link": b'<svg xmlns="http://www.w3.org/2000/svg" xmlns:x="http://www.w3.org/1999/'
                                      b'xlink" width="9" height="9"><a x:href="&#106;avascript:alert(1)"><rect '
                                      b'width="9" height="9"/></a></svg>',
    "harmless": b'<svg xmlns="http://www.w3.org/2000/svg" width="40" height="20"/>',
    "prefixed svg element": b'<?xml version="1.0"?>\n<!-- made by hand -->\n<q:svg xmlns:q="http://www.w3.org/'
                            b'2000/svg" width="4" height="4"/>',
}


@pytest.mark.parametrize("name", SVGS)
@pytest.mark.parametrize("field", ["logo.src", "logo.dark_image", "hero.image"])
def test_an_svg_is_refused_at_its_line_with_the_fix(project, cli, name: str, field: str) -> None:
    (project.root / "mark.svg").write_bytes(SVGS[name])
    Image.new("RGB", (40, 20)).save(project.root / "logo.png")
    if field == "hero.image":
        project.configure(asset_url="https://example.org/n/")
        project.issue("x", 'subject: S\nhero: {image: "../mark.svg", alt: "A"}\n'
                      + MINIMAL_ISSUE.split('"A small issue"\n', 1)[1])
        where = "issues/x.yaml:2:15: hero.image: ../mark.svg"
    else:
        logo = {"src": "mark.svg", "alt": "M"} if field == "logo.src" else \
            {"src": "logo.png", "alt": "M", "dark_image": "mark.svg"}
        project.configure(asset_url="https://example.org/n/", logo=logo)
        project.issue("x", MINIMAL_ISSUE)
        where = f"newsletter.yaml:"
    code, _, err = cli("build", "issues/x.yaml")
    assert code == 1, err
    line = next(line for line in err.splitlines() if "SVG" in line)
    assert line.startswith(where) and f" {field}: " in line, line
    assert "is an SVG picture, which Outlook and Gmail do not show and which can carry scripts: export it as a PNG" \
        in line
    assert not project.out.exists()  # nothing published


@pytest.mark.parametrize("disguise", ["svg named .png", "gzipped svgz"])
def test_an_svg_under_another_name_is_refused_too(project, cli, disguise: str) -> None:
    data = SVGS["namespaced script"]
    if disguise == "gzipped svgz":
        data = gzip.compress(data, mtime=0)
    (project.root / "mark.png").write_bytes(data)
    project.configure(asset_url="https://example.org/n/", logo={"src": "mark.png", "alt": "M"})
    project.issue("x", MINIMAL_ISSUE)
    code, _, err = cli("build", "issues/x.yaml")
    assert code == 1 and "logo.src: mark.png is an SVG picture" in err, err
    assert not project.out.exists()


# --- 2. Through the preview, a user's file becomes the preview's own page ------------------------------

def _headers(server, path: str) -> dict[str, str]:
    host, port = server.server_address[:2]
    connection = http.client.HTTPConnection(host, port, timeout=10)
    connection.request("GET", path)
    response = connection.getresponse()
    response.read()
    connection.close()
    assert response.status == 200, path
    return {name.lower(): value for name, value in response.getheaders()}


def test_the_preview_sandboxes_whatever_came_from_the_users_files(project) -> None:
    Image.new("RGB", (60, 30), (200, 30, 40)).save(project.root / "hero.png")
    project.configure(asset_url="https://example.org/n/")
    project.issue("x", 'subject: S\nhero: {image: "../hero.png", alt: "A"}\n'
                  + MINIMAL_ISSUE.split('"A small issue"\n', 1)[1])
    with preview_server(project.issues) as server:
        asset = server.previewer.get("x").email.assets
        name = next(iter(asset.values())).name
        for part in ("email.html", "email.view.html", "email.txt", "email.mjml", f"assets/{name}"):
            headers = _headers(server, f"/issues/x/{part}")
            assert headers["content-security-policy"] == "sandbox", part
            assert headers["x-content-type-options"] == "nosniff", part
        page = _headers(server, "/issues/x/")  # our own page: its script must run
        assert "content-security-policy" not in page


def test_a_script_in_a_users_template_cannot_act_as_the_preview(project, browser) -> None:
    """The attack of issue 22, item 2, with a template instead of an SVG: opened at the preview's address, the
    email's own script tries to read the page's send token. Sandboxed, it does not even run."""
    project.template("head.mjml.j2", '{% include "builtin/head.mjml.j2" %}\n    <mj-raw><script>'
                     'document.title = "ran"; fetch("/issues/x/").then(r => r.text()).then(t => '
                     '{ document.title = "read " + t.length; });</script></mj-raw>\n')
    project.issue("x", MINIMAL_ISSUE)
    with preview_server(project.issues) as server:
        assert "<script>" in server.previewer.get("x").email.html  # the template's script is in the email
        page = browser.new_page()
        try:
            page.goto(f"{server.url}issues/x/email.html")
            page.wait_for_timeout(300)
            assert page.title() == "A small issue"  # the script did not run
        finally:
            page.close()
