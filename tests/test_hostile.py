"""Hostile content: each of the injection payloads in data/payloads.json, put in every field in turn, ends up
in the HTML, the text and the .eml only as inert text. Compared with the same issue holding plain words,
the build has no element, attribute, URL scheme, comment or header more; or it is refused with our error."""

from __future__ import annotations

import json
import re
from collections import Counter
from email import policy
from email.parser import BytesParser
from urllib.parse import urlsplit

import lxml.html
import pytest
import yaml

import newsletter
from conftest import DATA
from newsletter.errors import InputError

PAYLOADS = json.loads((DATA / "payloads.json").read_text(encoding="utf-8"))
MARKDOWN_TAGS = ("strong", "em", "code", "a", "br", "p")  # and paragraphs, from blank lines
FIELDS = ["subject", "preheader", "title", "name", "role", "key_point", "body", "credit", "alt"]


def _issue(field: str | None, payload: str) -> str:
    values = {name: "plain" for name in FIELDS}
    if field:
        values[field] = payload
    issue = {
        "subject": values["subject"], "preheader": values["preheader"], "date": "2024-01-04",
        "hero": {"image": "https://www.mei.edu/photo.jpg", "alt": values["alt"], "credit": values["credit"]},
        "briefs": [{"title": values["title"],
                    "authors": [{"name": values["name"], "role": values["role"], "twitter": "@someone"}],
                    "key_points": [values["key_point"]], "body": values["body"]}],
    }
    return yaml.safe_dump(issue, allow_unicode=True, sort_keys=False)


def _shape(html: str) -> tuple[Counter, Counter, set[str], int]:
    """Elements and attributes by name, URL schemes, and the number of comments: what markup could add."""
    tree = lxml.html.document_fromstring(html)
    elements, attributes, schemes, comments = Counter(), Counter(), set(), 0
    for element in tree.iter():
        if not isinstance(element.tag, str):
            comments += 1
            continue
        elements[element.tag] += 1
        for name, value in element.attrib.items():
            attributes[(element.tag, name)] += 1
            if name in ("href", "src", "background", "action", "data"):
                schemes.add("#" if value.startswith("#") else urlsplit(value).scheme.lower())
    return elements, attributes, schemes, comments


@pytest.fixture(scope="module")
def baseline(tmp_path_factory):
    from conftest import Project

    project = Project(tmp_path_factory.mktemp("baseline"))
    email = newsletter.render_issue(project.issue("x", _issue(None, "")))
    headers = sorted(BytesParser(policy=policy.default).parsebytes(email.eml).keys())
    return _shape(email.html), headers


def test_corpus_is_large_enough() -> None:
    assert len(PAYLOADS) >= 100


@pytest.mark.parametrize("field", FIELDS)
def test_payloads_stay_inert(project, baseline, field: str) -> None:
    (elements, attributes, schemes, comments), headers = baseline
    assert schemes <= {"https", "#"}
    refused = 0
    for payload in PAYLOADS:
        path = project.issue("x", _issue(field, payload))
        try:
            email = newsletter.render_issue(path)
        except InputError as exc:  # e.g. a control character, an empty value, a javascript: link
            assert all(re.match(r"issues/x\.yaml:\d+:\d+: ", str(p)) for p in exc.problems), str(exc)
            refused += 1
            continue
        got_elements, got_attributes, got_schemes, got_comments = _shape(email.html)
        if field == "body":  # Markdown by design: it may add emphasis, code, line breaks and safe links
            for tag in MARKDOWN_TAGS:
                got_elements[tag] = elements[tag]
            for tag, name in list(got_attributes):
                if tag in MARKDOWN_TAGS:  # a link's href, and the style the template gave it
                    got_attributes[(tag, name)] = attributes[(tag, name)]
            got_schemes -= {"http", "mailto"}
        assert (got_elements, got_attributes, got_comments) == (elements, attributes, comments), payload
        assert got_schemes == schemes, payload
        assert "\r" not in email.text
        message = BytesParser(policy=policy.default).parsebytes(email.eml)
        assert sorted(message.keys()) == headers, payload
        assert "\n" not in message["Subject"] and "\r" not in message["Subject"]
        assert [part.get_content_type() for part in message.iter_parts()] == ["text/plain", "text/html"]
    assert refused < len(PAYLOADS) // 2  # most payloads must really reach the output to prove anything
