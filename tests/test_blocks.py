"""Issues as sequences of blocks: every block type in the HTML and the text, block Markdown in bodies,
bad block input with file:line, a block type defined outside newsletter, and the template contract."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import lxml.html
import pytest
import yaml

import newsletter
from conftest import MINIMAL_ISSUE, REPO
from newsletter import blocks, checks, markup, render

TYPES = ", ".join(blocks.BUILTIN)  # the built-in block types, as messages list them

EVERY_BLOCK = REPO / "issues" / "mei-every-block.yaml"
GOLDEN = REPO / "tests" / "golden"


@pytest.fixture(scope="module")
def every_block():
    return newsletter.render_issue(EVERY_BLOCK)


def _visible(html: str) -> str:
    tree = lxml.html.document_fromstring(html)
    for hidden in tree.xpath("//head | //style | //div[contains(@style, 'display:none')]"):
        hidden.drop_tree()
    return " ".join(tree.text_content().split())


def test_the_example_uses_every_built_in_block_type(every_block) -> None:
    used = {block.type for block in every_block.issue.content}
    assert used == set(blocks.BUILTIN)  # every type newsletter has


def test_every_block_reaches_the_html_and_the_text(every_block) -> None:
    visible, text = _visible(every_block.html), " ".join(every_block.text.split())
    hrefs = set(lxml.html.document_fromstring(every_block.html).xpath("//a/@href"))
    assert len(every_block.expected) >= 20
    for kind, value in every_block.expected:
        if kind == "link":
            assert value in hrefs and value in text, value
        else:
            assert " ".join(value.split()) in visible and " ".join(value.split()) in text, value
    # Each block type brought its own texts: a few of them, by hand.
    for words in ("From the editor", "Joint Security Cooperation Dialogue", "What the two sides must settle",
                  "The number of ISIS attacks is down 64%", "What we’re reading", "(Middle East Institute)",
                  "Upcoming events", "September 12, 2023, 12:00 pm ET", "Washington, D.C., and online",
                  "Support independent analysis", "Donate", "Read the full brief", "Why it matters"):
        assert words in visible and words in text, words


def test_the_example_builds_clean(project, cli) -> None:
    import shutil

    shutil.copy(EVERY_BLOCK, project.issues / EVERY_BLOCK.name)
    code, _, err = cli("build", f"issues/{EVERY_BLOCK.name}")
    assert code == 0, err
    _, report, _ = cli("check", "--format", "json", "dist")
    findings = json.loads(report)["findings"]
    assert [f for f in findings if f["severity"] == "error"] == []
    assert {f["rule"] for f in findings} <= {"unsubscribe"}  # the platform adds it


@pytest.mark.parametrize("suffix", ["txt", "html"])
def test_the_example_matches_its_golden(every_block, suffix: str, update_goldens: bool) -> None:
    """The plain text of lists, nested lists, numbered lists, sub-headings and quotes, shown whole."""
    produced = every_block.text if suffix == "txt" else every_block.html
    golden = GOLDEN / f"mei-every-block.{suffix}"
    if update_goldens:
        golden.write_text(produced, encoding="utf-8")
        pytest.skip(f"{golden.name} rewritten, not compared: review the diff")
    assert produced == golden.read_text(encoding="utf-8"), "intended? run pytest --update-goldens"


def test_lists_headings_and_quotes_in_the_text(every_block) -> None:
    text = every_block.text
    assert textwrap.dedent("""\
        reading. Three things to watch:

          • the second session of the U.S.-Iraqi Joint Security Cooperation Dialogue;
          • Tehran’s response to ISIS cells in Sistan-Baluchestan, including:
            ◦ border closures, and
            ◦ new intelligence sharing with Islamabad;
          • the Taliban’s next diplomatic push.
        """) in text
    assert textwrap.dedent("""\
        What the two sides must settle

          1. Iraq’s defense priorities, and how it will fund them.
          2. A shared U.S. vision for military support to Iraq, across the Defense and
             State departments.

        > The number of ISIS attacks is down 64% from last year, and their
        > effectiveness has also noticeably decreased.
        """) in text
    assert all(len(line) <= 78 for line in text.splitlines())


def test_lists_headings_and_quotes_in_the_html(every_block) -> None:
    tree = lxml.html.document_fromstring(every_block.html)
    note_items = [" ".join(li.text_content().split()) for li in tree.xpath("//ul[li[contains(., 'second session')]]/li")]
    assert len(note_items) == 3 and note_items[0].startswith("the second session")
    assert [li.text_content() for li in tree.xpath("//ul/li/ul/li")] == ["border closures, and",
                                                                         "new intelligence sharing with Islamabad;"]
    assert [" ".join(li.text_content().split())[:20] for li in tree.xpath("//ol/li")][-2:] == [
        "Iraq’s defense prior", "A shared U.S. vision"]
    # A body's highest heading is an h3, under its block's h2 title, whether typed ### or ####.
    assert [h.text_content() for h in tree.xpath("//h3")] == ["What the two sides must settle", "Why it matters"]
    assert tree.xpath("//h4") == []
    assert "ISIS attacks is down 64%" in tree.xpath("//blockquote")[0].text_content()
    for element in tree.xpath("//div[contains(@class, 'mj-column')]//*[self::ul or self::ol or self::li or self::h3 "
                              "or self::h4 or self::blockquote]"):
        assert element.get("style"), lxml.html.tostring(element)[:80]  # styled inline from the theme


def test_a_bulleted_body_was_one_paragraph_before(project) -> None:
    path = project.issue("x", MINIMAL_ISSUE.replace("A paragraph.", "Intro.\n\n      - one\n      - two"))
    email = newsletter.render_issue(path)
    assert "  • one\n  • two" in email.text and "- one - two" not in email.text
    assert "<li" in email.html


def test_headings_never_skip_a_level() -> None:
    html = markup.blocks_to_html("# Top\n\nx\n\n#### Deep\n\ny\n\n## Second\n\nz")
    assert [line[:4] for line in html.splitlines() if line.startswith("<h")] == ["<h3>", "<h4>", "<h4>"]
    assert markup.blocks_to_html("#### Only\n\nx").startswith("<h3>Only</h3>")


def test_the_button_is_a_real_mjml_button(every_block) -> None:
    assert '<mj-button href="https://www.mei.edu/support"' in every_block.mjml
    tree = lxml.html.document_fromstring(every_block.html)
    button = tree.xpath("//a[normalize-space(.)='Donate']")[0]
    assert button.get("href") == "https://www.mei.edu/support"
    assert button.getparent().tag == "td" and "bgcolor" in button.getparent().attrib  # drawn as a table cell
    # MRML gives the cell around it a vertical-align attribute, which HTML does not have: it is taken out.
    assert tree.xpath("//td[@vertical-align]") == [] and 'vertical-align="' not in every_block.html


def test_read_more_in_briefs_too(project) -> None:
    issue = yaml.safe_load(MINIMAL_ISSUE)
    issue["briefs"][0]["link"] = "https://www.mei.edu/publications/x"
    project.configure(labels={"read_more": "Read on"}, utm={"source": "mei"})
    email = newsletter.render_issue(project.issue("x", yaml.safe_dump(issue)))
    url = "https://www.mei.edu/publications/x?utm_source=mei&utm_medium=email&utm_campaign=x"
    assert f'<a href="{url.replace("&", "&amp;")}"' in email.html and ">Read on</a>" in email.html
    assert f"Read on: <{url}>" in " ".join(email.text.split())


# --- Bad block input -------------------------------------------------------------------------------------

@pytest.mark.parametrize("yaml_text, expected", [
    ("subject: S\nblocks:\n  - title: T\n    type: noet\n    body: x\n",
     "issues/x.yaml:4:11: blocks[0].type: unknown block type 'noet'; did you mean 'note'? "
     f"(allowed: {TYPES})"),
    ("subject: S\nblocks:\n  - title: T\n    body: x\n",
     f"issues/x.yaml:3:5: blocks[0]: each block needs type: one of {TYPES}"),
    ("subject: S\nblocks:\n  - just text\n",
     f"issues/x.yaml:3:5: blocks[0]: expected a block: a mapping with type: ({TYPES}) and its fields"),
    ("subject: S\nbriefs: [{title: T, authors: [randa-slim], body: x}]\nblocks:\n  - {type: note, body: x}\n",
     "issues/x.yaml:4:3: blocks: an issue has briefs: or blocks:, not both"),
    ("subject: S\n", "issues/x.yaml:1:1: an issue needs briefs: (a list of briefs) or blocks:"),
    ("subject: S\nblocks:\n  - type: events\n    title: E\n    items:\n      - {title: A, date: May 3}\n",
     "issues/x.yaml:6:26: blocks[0].items[0].date: a date is written YYYY-MM-DD, e.g. 2024-05-03"),
    ("subject: S\nblocks:\n  - type: image\n    image: https://e.com/a.jpg\n",
     "issues/x.yaml:3:5: blocks[0].alt: required field is missing"),
    ("subject: S\nblocks:\n  - type: announcement\n    title: T\n    body: x\n    button: {label: Go, url: 'javascript:x'}\n",
     "issues/x.yaml:6:30: blocks[0].button.url: must be an absolute http:// or https:// URL"),
    ("subject: S\nblocks:\n  - type: links\n    title: L\n    items: []\n",
     "issues/x.yaml:5:12: blocks[0].items: needs at least 1 item"),
    ("subject: S\nblocks:\n  - type: note\n    body: |\n      >\n",
     "issues/x.yaml:4:11: blocks[0].body: must not be empty (it holds nothing visible)"),
    ("subject: S\nblocks:\n  - type: brief\n    title: T\n    authors: [randa-slim]\n    body: x\n    titel: red\n",
     "issues/x.yaml:7:5: blocks[0].titel: unknown field; did you mean 'title'? (allowed: type, title, authors, key_points, body, link, lang)"),
])
def test_bad_blocks_are_refused_at_their_line(project, cli, yaml_text: str, expected: str) -> None:
    project.issue("x", yaml_text)
    code, _, err = cli("build", "issues/x.yaml")
    assert code == 1
    assert expected in err, err
    assert not project.out.exists()


# --- A block type from outside newsletter ------------------------------------------------------------------

@pytest.fixture
def quote_type():
    import blocktype  # tests/blocktype: registers itself on first import

    blocks.register(blocktype.QUOTE)
    render.clear_environments()
    yield blocktype.QUOTE
    blocks.unregister("quote")
    render.clear_environments()


def test_a_block_type_defined_in_a_test_module_builds(project, cli, quote_type) -> None:
    project.issue("q", """
        subject: "A quoted issue"
        blocks:
          - {type: note, title: "Note", body: "Before the quote."}
          - {type: quote, text: "Aid must not become a weapon.", source: "A relief worker in Idlib"}
        """)
    code, _, err = cli("build", "issues/q.yaml")
    assert code == 0, err
    html = (project.out / "q.html").read_text(encoding="utf-8")
    text = (project.out / "q.txt").read_text(encoding="utf-8")
    assert "Aid must not become a weapon.<br />A relief worker in Idlib</blockquote>" in html
    assert "    “Aid must not become a weapon.” (A relief worker in Idlib)" in text
    from newsletter import reference

    doc = reference.render_reference()
    assert "### Quote" in doc and "#### `quote` (`blocks/quote.mjml.j2`)" in doc and "`quote`, " not in doc[:0]
    email = newsletter.render_issue("issues/q.yaml")
    assert ("text", "A relief worker in Idlib") in email.expected


def test_the_test_block_type_is_gone_after_its_test(project, cli) -> None:
    project.issue("q", "subject: S\nblocks:\n  - {type: quote, text: T, source: S}\n")
    code, _, err = cli("validate", "issues/q.yaml")
    assert code == 1 and "unknown block type 'quote'" in err


# --- The template contract ---------------------------------------------------------------------------------

def test_the_context_is_what_the_contract_documents(monkeypatch, every_block) -> None:
    import jinja2

    seen: list[dict] = []
    real_render = jinja2.Template.render

    def spy(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        if self.name == render.TEMPLATE:
            seen.append(dict(*args, **kwargs))
        return real_render(self, *args, **kwargs)

    monkeypatch.setattr(jinja2.Template, "render", spy)
    newsletter.render_issue(EVERY_BLOCK)
    assert seen and set(seen[0]) == set(render.CONTEXT)
    assert seen[0]["issue"] is not None and seen[0]["config"] is not None  # the two every template keeps


def test_the_reference_documents_every_template_name() -> None:
    from newsletter import archive, reference

    doc = reference.render_reference()
    for name in render.CONTEXT:
        assert f"| `{name}` |" in doc
    for name in archive.CONTEXT:
        assert f"| `{name}` |" in doc
    import dataclasses

    for block_type in blocks.REGISTRY.values():
        assert f"#### `{block_type.name}` (`{block_type.template}`)" in doc
        for field in dataclasses.fields(block_type.view_class):
            assert field.metadata.get("doc"), f"{block_type.name}.{field.name} is not documented"


def test_block_markdown_fast_path_is_the_parser_for_plain_bodies() -> None:
    body = "One *paragraph* with [a link](https://e.com).\n\nAnother, with `code`."
    assert not markup.has_blocks(body)
    assert markup.blocks_to_html(body) == markup.blocks_to_html(body + "\n\n- x").rsplit("\n<ul>", 1)[0]
