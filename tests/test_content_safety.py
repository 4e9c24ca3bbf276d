"""Content is untrusted: no HTML, MJML or Jinja typed into an issue takes effect, and links are safe."""

from __future__ import annotations

from urllib.parse import urlsplit

from pathlib import Path

import lxml.html
import pytest
import yaml

import newsletter

PAYLOADS = [
    "{{ 7*7 }}",
    "{% for x in range(3) %}loop{% endfor %}",
    "<script>alert(1)</script>",
    '"><img src=x onerror=alert(1)>',
    "' onmouseover='alert(1)",
    "</mj-text><mj-raw><script>alert(1)</script></mj-raw><mj-text>",
    "</mjml>",
    "<!--[if mso]><script>alert(1)</script><![endif]-->",
    "*|UNSUB|* {{ UnsubscribeURL }} %unsubscribe_url% [unsubscribe]",
    "&lt;script&gt; &amp; &#60;b&#62;",
    "<style>body{display:none}</style>",
]
# As in the example's golden HTML, made by the same templates: MRML's blocks, our media queries, the dark
# palette. A payload that added one would show as one more.
STYLE_BLOCKS = len(lxml.html.document_fromstring(
    (Path(__file__).parent / "golden" / "mei-four-briefs.html").read_text(encoding="utf-8")).xpath("//style"))
TEXT_FIELDS = ["subject", "preheader", "title", "name", "role", "key_point", "body", "credit", "alt"]


def _issue_yaml(field: str, payload: str) -> str:
    values = {name: "plain" for name in TEXT_FIELDS}
    values[field] = payload
    issue = {
        "subject": values["subject"],
        "preheader": values["preheader"],
        "hero": {"image": "https://www.mei.edu/photo.jpg", "alt": values["alt"], "credit": values["credit"]},
        "briefs": [{
            "title": values["title"],
            "authors": [{"name": values["name"], "role": values["role"], "twitter": "@someone"}],
            "key_points": [values["key_point"]],
            "body": values["body"],
        }],
    }
    return yaml.safe_dump(issue, allow_unicode=True, sort_keys=False)


def _assert_inert(html: str) -> None:
    tree = lxml.html.document_fromstring(html)
    assert tree.xpath("//script") == []
    assert len(tree.xpath("//style")) == STYLE_BLOCKS  # MRML's own blocks and our media queries, nothing added
    assert tree.xpath("//img/@src") == ["https://www.mei.edu/photo.jpg"]
    for element in tree.iter():
        if not isinstance(element.tag, str):
            continue
        for name, value in element.attrib.items():
            assert not name.lower().startswith("on"), (element.tag, name)
            if name in ("href", "src"):
                assert value.startswith("#") or urlsplit(value).scheme in ("http", "https", "mailto"), value


# In a body, *...* is Markdown emphasis by design: the merge-tag payload is shown by the other fields.
CASES = [(f, p) for f in TEXT_FIELDS for p in PAYLOADS if not (f == "body" and p.startswith("*|"))]


@pytest.mark.parametrize(("field", "payload"), CASES)
def test_payload_is_printed_as_typed(project, field: str, payload: str) -> None:
    path = project.issue("hostile", _issue_yaml(field, payload))
    email = newsletter.render_issue(path)
    _assert_inert(email.html)
    visible = lxml.html.document_fromstring(email.html).text_content()
    if field == "alt":
        assert payload in lxml.html.document_fromstring(email.html).xpath("//img/@alt")
    elif field == "body" and payload.startswith("&"):
        # Markdown decodes entities in prose, as any Markdown does; they print decoded, still as text.
        assert "<script> & <b>" in visible
    else:
        assert payload in visible
    if field not in ("alt", "preheader", "subject"):  # the text part does not repeat these
        body_text = payload if not (field == "body" and payload.startswith("&")) else "<script> & <b>"
        assert body_text in " ".join(email.text.split())


@pytest.mark.parametrize(
    "url",
    [
        "javascript:alert(1)",
        "JaVaScRiPt:alert(1)",
        " javascript:alert(1)",
        "java&#x09;script:alert(1)",
        "java\tscript:alert(1)",
        "vbscript:msgbox(1)",
        "data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==",
        "file:///etc/passwd",
        "//evil.example/x",
        "/relative",
    ],
)
def test_unsafe_link_in_body_is_an_error(project, cli, url: str) -> None:
    body = f"A [link](<{url}>) here." if " " in url or "\t" in url else f"A [link]({url}) here."
    project.issue("x", _issue_yaml("body", body))
    code, out, err = cli("build", "issues/x.yaml")
    assert code == 1
    assert err.startswith("issues/x.yaml:") and "briefs[0].body: link" in err
    assert not project.out.exists()


def test_quote_in_a_link_cannot_break_out_of_the_attribute(project) -> None:
    path = project.issue("x", _issue_yaml("body", 'A [link](https://e.com/"onmouseover="x) here.'))
    html = newsletter.render_issue(path).html
    _assert_inert(html)
    assert 'href="https://e.com/%22onmouseover=%22x"' in html


def test_safe_links_keep_their_query_and_fragment(project) -> None:
    body = "[a](https://e.com/p?a=1&b=2#frag) [m](mailto:editor@mei.edu) [h](http://e.com)"
    path = project.issue("x", _issue_yaml("body", body))
    html = newsletter.render_issue(path).html
    tree = lxml.html.document_fromstring(html)
    hrefs = tree.xpath("//p/a/@href")
    assert "https://e.com/p?a=1&b=2#frag" in hrefs
    assert "mailto:editor@mei.edu" in hrefs and "http://e.com" in hrefs


def test_yaml_python_tags_never_run(project, cli, tmp_path) -> None:
    marker = tmp_path / "owned"
    project.issue("x", f'subject: !!python/object/apply:os.system ["touch {marker}"]\nbriefs: []\n')
    code, _, err = cli("build", "issues/x.yaml")
    assert code == 1 and "is not allowed" in err
    assert not marker.exists()
