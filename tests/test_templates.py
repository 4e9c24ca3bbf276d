"""Every template compiles in every variant of an issue; user templates override ours one at a time."""

from __future__ import annotations

import itertools
import re

import jinja2
import lxml.html
import pytest
import yaml

import newsletter
from newsletter import render

BRIEF = {"title": "A brief", "authors": ["randa-slim"], "body": "One.\n\nTwo with [a link](https://e.com)."}


def _issue(hero: bool, date: bool, key_points: bool, authors: int) -> dict:
    issue: dict = {"subject": "Variants", "briefs": []}
    if hero:
        issue["hero"] = {"image": "https://e.com/a.jpg", "alt": "Alt", "credit": "Photo by X"}
    if date:
        issue["date"] = "2024-02-29"
    brief = dict(BRIEF, authors=["randa-slim", {"name": "Guest Writer"}, "emma-beals"][:authors])
    if key_points:
        brief["key_points"] = ["First point.", "Second point."]
    issue["briefs"] = [brief, dict(BRIEF, title="Another")]
    return issue


@pytest.mark.parametrize(("hero", "date", "key_points", "authors"),
                         list(itertools.product([True, False], [True, False], [True, False], [1, 3])))
def test_every_variant_compiles(project, hero: bool, date: bool, key_points: bool, authors: int) -> None:
    path = project.issue("v", yaml.safe_dump(_issue(hero, date, key_points, authors)))
    email = newsletter.render_issue(path)
    tree = lxml.html.document_fromstring(email.html)
    assert len(tree.xpath("//h2[starts-with(@id, 'brief-')]")) == 2
    assert bool(tree.xpath("//img[not(@width='56')]")) == hero  # 56 px: the authors' headshots
    assert ("February 29, 2024" in email.html) == date
    assert ("February 29, 2024" in email.text) == date
    assert len(tree.xpath("//ul/li")) == (2 if key_points else 0)  # only the first brief has key points
    assert email.text.count("Follow on Twitter: @") == 2 + (1 if authors == 3 else 0)
    assert "Guest Writer" in email.text if authors == 3 else "Guest Writer" not in email.text


def test_logo_and_no_website(project) -> None:
    config = yaml.safe_load((project.root / "newsletter.yaml").read_text(encoding="utf-8"))
    config["logo"] = {"src": "https://e.com/logo.png", "alt": "MEI", "width": 180}
    for key in ("website", "archive_url", "sender"):
        del config[key]
    (project.root / "authors.yaml").write_text(yaml.safe_dump({"randa-slim": {"name": "Randa Slim"}}))
    (project.root / "newsletter.yaml").write_text(yaml.safe_dump(config, allow_unicode=True), encoding="utf-8")
    email = newsletter.render_issue(project.issue("x", yaml.safe_dump(_issue(False, False, False, 1))))
    tree = lxml.html.document_fromstring(email.html)
    assert tree.xpath("//img[not(@width='56')]/@alt") == ["MEI"]
    assert tree.xpath("//img[not(@width='56')]/@width") == ["180"]
    assert "mei.edu" not in email.html and "mei.edu" not in email.text


def test_user_template_overrides_one_builtin(project) -> None:
    project.template("footer.mjml.j2", '<mj-section><mj-column><mj-text><p>Our own footer for {{ config.name }}</p></mj-text></mj-column></mj-section>\n')
    email = newsletter.render_issue(project.issue("x", yaml.safe_dump(_issue(False, False, True, 1))))
    assert "Our own footer for Middle East Institute" in email.html
    assert "Contents" in email.html  # the other templates are still the built-in ones


def test_user_template_can_include_the_builtin_one(project) -> None:
    project.template("footer.mjml.j2", '{% include "builtin/footer.mjml.j2" %}\n'
        "<mj-section><mj-column><mj-text><p>Extra line</p></mj-text></mj-column></mj-section>\n")
    email = newsletter.render_issue(project.issue("x", yaml.safe_dump(_issue(False, False, True, 1))))
    assert "Extra line" in email.html and "non-for-profit" in email.html


def test_mjml_error_in_a_template_names_the_mjml_line(project, cli) -> None:
    project.template("footer.mjml.j2", "<mj-section><mj-column><mj-text>\n<p>oops</i></mj-text>\n")
    project.issue("x", yaml.safe_dump(_issue(False, False, False, 1)))
    code, _, err = cli("build", "issues/x.yaml")
    assert code == 1
    first, quoted, caret = err.splitlines()[:3]
    assert re.fullmatch(r"Error: x\.mjml:\d+:\d+: MJML did not compile: .*"
                        r"\(</mj-body> found where </mj-column> was expected\)", first)
    assert quoted.strip() == "</mj-body>" and caret.strip() == "^"
    assert not project.out.exists()


def test_mjml_error_with_an_offset_from_mrml(project, cli) -> None:
    project.template("footer.mjml.j2", "<mj-section><mj-column></mj-column></mj-section></mj-body>\n")
    project.issue("x", yaml.safe_dump(_issue(False, False, False, 1)))
    code, _, err = cli("build", "issues/x.yaml")
    assert code == 1
    first, quoted, caret = err.splitlines()[:3]
    line, column = map(int, re.match(r"Error: x\.mjml:(\d+):(\d+): MJML did not compile: ", first).groups())
    assert quoted[2:][column - 1:].startswith("</mj-body>")


def test_undefined_variable_in_a_template_is_an_error(project, cli) -> None:
    project.template("footer.mjml.j2", "<mj-section>\n<mj-column>{{ config.nmae }}</mj-column>\n</mj-section>\n")
    project.issue("x", yaml.safe_dump(_issue(False, False, False, 1)))
    code, _, err = cli("build", "issues/x.yaml")
    assert code == 1
    assert "footer.mjml.j2:2: template error:" in err and "nmae" in err


def test_template_syntax_error_names_file_and_line(project, cli) -> None:
    project.template("footer.mjml.j2", "<mj-section>\n{% if %}\n</mj-section>\n")
    project.issue("x", yaml.safe_dump(_issue(False, False, False, 1)))
    code, _, err = cli("build", "issues/x.yaml")
    assert code == 1
    assert "footer.mjml.j2:2: template syntax error" in err


def test_missing_templates_folder_is_reported_at_the_config_line(project, cli) -> None:
    config = project.root / "newsletter.yaml"
    config.write_text(config.read_text(encoding="utf-8") + "templates: nowhere\n", encoding="utf-8")
    project.issue("x", yaml.safe_dump(_issue(False, False, False, 1)))
    code, _, err = cli("build", "issues/x.yaml")
    assert code == 1
    lines = config.read_text(encoding="utf-8").count("\n")
    assert err.startswith(f"newsletter.yaml:{lines}:12: templates: folder nowhere does not exist")


def test_builtin_templates_are_the_repository_ones() -> None:
    from newsletter import blocks

    names = sorted(str(p.relative_to(render.builtin_templates())) for p in render.builtin_templates().rglob("*.j2"))
    block_templates = sorted(block_type.template for block_type in blocks.BUILTIN.values())
    assert names == sorted(["archive.html.j2", "contents.mjml.j2", "dark.css.j2", "email.mjml.j2", "footer.mjml.j2",
                            "head.mjml.j2", "header.mjml.j2", "hero.mjml.j2", "web-head.mjml.j2", "web-nav.mjml.j2",
                            *block_templates])


@pytest.fixture
def private_bytecode_cache(tmp_path, monkeypatch):
    """The compiled-template cache in a folder of this test's own, and fresh Jinja environments around it."""
    folder = tmp_path / "jinja-cache"
    folder.mkdir()
    monkeypatch.setattr(render, "_bytecode_cache", lambda: render._BytecodeCache(str(folder)))
    render.clear_environments()
    yield folder
    render.clear_environments()


def test_compiled_templates_are_cached_and_an_edit_is_seen(project, private_bytecode_cache, monkeypatch) -> None:
    path = project.issue("x", yaml.safe_dump(_issue(False, False, False, 1)))
    project.template("footer.mjml.j2", "<mj-section><mj-column><mj-text><p>First footer</p></mj-text></mj-column></mj-section>\n")
    assert "First footer" in newsletter.render_issue(path).html
    # each template used (no hero here), the web edition's head and links, the user's footer too
    assert len(list(private_bytecode_cache.iterdir())) == 9
    compiled: list[str] = []
    real_compile = jinja2.Environment.compile

    def spy(self, source, name=None, filename=None, raw=False, defer_init=False):  # type: ignore[no-untyped-def]
        compiled.append(name)
        return real_compile(self, source, name, filename, raw, defer_init)

    monkeypatch.setattr(jinja2.Environment, "compile", spy)
    render.clear_environments()  # a new process: the templates come from the cache
    first = newsletter.render_issue(path)
    assert compiled == []  # none compiled: each came from the cache
    project.template("footer.mjml.j2", "<mj-section><mj-column><mj-text><p>Second footer</p></mj-text></mj-column></mj-section>\n")
    render.clear_environments()
    second = newsletter.render_issue(path)
    assert compiled == ["footer.mjml.j2"]  # only the edited one
    assert "First footer" in first.html and "Second footer" in second.html and "First footer" not in second.html


def test_a_broken_or_unusable_template_cache_is_passed_over(project, private_bytecode_cache, monkeypatch) -> None:
    path = project.issue("x", yaml.safe_dump(_issue(True, True, True, 3)))
    expected = newsletter.render_issue(path).html
    assert len(list(private_bytecode_cache.iterdir())) == 10  # every template with a hero; else nothing is damaged
    for cached in private_bytecode_cache.iterdir():
        cached.write_bytes(cached.read_bytes()[:40] + b"\x00garbage")
    render.clear_environments()
    assert newsletter.render_issue(path).html == expected
    # A cache folder below a plain file can be neither read nor written, whoever runs the test (root too).
    blocker = private_bytecode_cache / "a-file"
    blocker.write_text("not a folder", encoding="utf-8")
    monkeypatch.setattr(render, "_bytecode_cache", lambda: render._BytecodeCache(str(blocker / "cache")))
    project.template("footer.mjml.j2", "<mj-section><mj-column><mj-text><p>New</p></mj-text></mj-column></mj-section>\n")
    render.clear_environments()
    assert "New" in newsletter.render_issue(path).html


def test_styles_follow_the_theme_into_every_element_and_markdown_link(project) -> None:
    """The built-in templates style their HTML themselves (nothing is left for an inliner): the theme's
    colours reach each element, Markdown links in a brief and in the disclaimer included."""
    project.configure(theme={"link_color": "#8a1c1c", "muted_color": "#4a4a4a", "text_color": "#101010"},
                      disclaimer="Our donors are [listed here](https://e.com/donors).")
    path = project.issue("x", yaml.safe_dump(_issue(True, True, True, 1)))
    tree = lxml.html.document_fromstring(newsletter.render_issue(path).html)
    assert not tree.xpath("//style[contains(., '.nl-')][not(contains(., '@media'))]")  # no class rules left
    brief_links = tree.xpath("//p/a[@href='https://e.com']")
    assert len(brief_links) == 2  # one in each brief
    assert {link.get("style") for link in brief_links} == {"color:#8a1c1c;text-decoration:underline"}
    donors_link, = tree.xpath("//a[@href='https://e.com/donors']")
    assert donors_link.get("style") == "color:#4a4a4a;text-decoration:underline"
    assert "color:#101010" in tree.xpath("//h2[@id='brief-1']")[0].get("style")
    # Inside every mj-text of ours (a td with an nl- class; not the sections' and button's MRML tables):
    unstyled = [element.tag for element in tree.xpath("//td[contains(@class, 'nl-')]//*[not(@style)]")]
    assert set(unstyled) <= {"br", "tr"}, unstyled  # every p, a, h1, h2, ul, ol, li, td, img and strong has one


def test_a_users_styles_override_ours_and_an_edit_is_seen(project) -> None:
    from newsletter import styles

    assert styles.make(render._theme(newsletter.load_project(project.root / "newsletter.yaml").config),
                       "ltr").text_paragraph == "margin:0 0 16px 0"  # ours
    path = project.issue("x", yaml.safe_dump(_issue(False, False, False, 1)))
    for margin in ("20px", "24px"):  # the second is an edit of the user's file, seen by the same process
        project.template("styles.j2", f'{{% set text_paragraph = "margin: 0 0 {margin} 0" %}}\n')
        html = newsletter.render_issue(path).html
        assert f'<p style="margin: 0 0 {margin} 0">One.</p>' in html
        assert "margin:0 0 16px 0" not in html


def test_each_style_read_as_an_attribute_is_the_mapping_s_after_any_change() -> None:
    """The styles are mirrored as attributes (for speed): every way a dict can change keeps the two in step,
    and the names the class holds stay its own."""
    styles = render._Styles({"text_link": "a", "items": "user", "mirror": "m"})
    styles._mirror()
    assert (styles.text_link, styles.mirror, callable(styles.items)) == ("a", "m", True)
    changes = [lambda s: s.__setitem__("text_link", "b"), lambda s: s.update(text_link="c", extra="e"),
               lambda s: s.__ior__({"text_link": "d"}), lambda s: s.setdefault("other", "o"),
               lambda s: s.pop("extra"), lambda s: s.__delitem__("other"), lambda s: s.popitem(), lambda s: s.clear()]
    for change in changes:
        change(styles)
        for name in ("text_link", "mirror", "extra", "other"):
            if name in styles:
                assert getattr(styles, name) == styles[name], (name, styles)
            else:
                with pytest.raises(AttributeError, match="no style named"):
                    getattr(styles, name)


def test_a_users_style_named_blocks_leaves_the_markdown_styles_alone(project) -> None:
    project.template("styles.j2", '{% set blocks = "margin: 0" %}\n{% set text_paragraph = "margin: 0 0 9px 0" %}\n')
    path = project.issue("x", yaml.safe_dump(_issue(False, False, False, 1)))
    assert '<p style="margin: 0 0 9px 0">One.</p>' in newsletter.render_issue(path).html


def test_an_error_in_the_styles_names_its_line(project, cli) -> None:
    project.template("styles.j2", '{% set text_paragraph = "margin: 0" %}\n{% set text_link = config.name %}\n')
    project.issue("x", yaml.safe_dump(_issue(False, False, False, 1)))
    code, _, err = cli("build", "issues/x.yaml")
    assert code == 1
    assert "styles.j2:2: template error: 'config' is undefined" in err


# --- the email and its web edition rendered together (newsletter/includes.py) ----------------------------------

def _both_ways(path):
    """The two editions' MJML rendered together (what a build does) and each alone."""
    from newsletter import links as links_module
    from newsletter import pipeline
    from newsletter.project import find_project

    project = find_project(path)
    issue, _, _ = pipeline._validate(path, project)
    links = links_module.links_for(project.config, path.stem, issue.date.isoformat() if issue.date else "",
                                   platforms=project.registry.platforms)
    web_links = links_module.web_edition(links)
    together = render.render_editions(issue, project.config, project.templates_dir, links, web_links,
                                      project.registry)
    alone = (render.render_mjml(issue, project.config, project.templates_dir, links, registry=project.registry),
             render.render_mjml(issue, project.config, project.templates_dir, web_links, registry=project.registry))
    return together, alone


@pytest.mark.parametrize("source", ["issues/mei-four-briefs.yaml", "issues/mei-every-block.yaml",
                                    "tests/cases/languages/arabic.yaml",
                                    "tests/cases/languages/english-with-arabic-brief.yaml"])
def test_the_editions_rendered_together_are_those_rendered_alone(project, source) -> None:
    import shutil

    from conftest import REPO

    path = project.issues / "x.yaml"
    shutil.copy(REPO / source, path)
    together, alone = _both_ways(path)
    assert together == alone
    assert together[0] != together[1]  # the web edition has its own head and footer


def test_what_both_editions_include_alike_is_rendered_once(project, monkeypatch) -> None:
    path = project.example()
    env = render.environment(None)
    brief = env.get_template("blocks/brief.mjml.j2")
    rendered = []
    root = brief.root_render_func

    def counted(context):
        rendered.append(context["block"].title)
        return root(context)

    monkeypatch.setattr(brief, "root_render_func", counted)
    together, alone = _both_ways(path)
    assert together == alone
    assert len(rendered) == 4 + 2 * 4  # once each together; twice each alone


@pytest.mark.parametrize("reading", ["{{ web }}", "{{ links.web }}", "{% if page %}True{% else %}False{% endif %}",
                                     '{% include "edition.j2" %}'])
def test_a_block_template_that_reads_the_edition_is_rendered_in_each(project, reading) -> None:
    project.template("edition.j2", "{{ web }}")
    project.template("blocks/brief.mjml.j2", '{% include "builtin/blocks/brief.mjml.j2" %}\n'
                     f"<mj-section><mj-column><mj-text><p>web edition: {reading}</p></mj-text></mj-column></mj-section>\n")
    email = newsletter.render_issue(project.issue("x", yaml.safe_dump(_issue(False, False, True, 1))))
    assert email.html.count("web edition: False") == 2 and "web edition: True" not in email.html
    assert email.web_html.count("web edition: True") == 2 and "web edition: False" not in email.web_html


def test_an_include_met_twice_in_one_render_is_rendered_twice(project) -> None:
    project.template("count.j2", "{% set ns.n = ns.n + 1 %}<p>count {{ ns.n }} {{ parity.next() }}</p>")
    project.template("header.mjml.j2", '{% set ns = namespace(n=0) %}{% set parity = cycler("odd", "even") %}'
                     "<mj-section><mj-column><mj-text>"
                     '{% include "count.j2" %}{% include "count.j2" %}</mj-text></mj-column></mj-section>\n'
                     '{% include "builtin/header.mjml.j2" %}')
    path = project.issue("x", yaml.safe_dump(_issue(False, False, True, 1)))
    together, alone = _both_ways(path)
    assert together == alone
    for mjml in together:
        assert "<p>count 1 odd</p><p>count 2 even</p>" in mjml


def test_an_edited_template_that_an_include_names_is_read_again(project) -> None:
    import os

    project.template("blocks/brief.mjml.j2", '{% include "builtin/blocks/brief.mjml.j2" %}\n{% include "extra.j2" %}\n')
    project.template("extra.j2", "<mj-section><mj-column><mj-text><p>extra</p></mj-text></mj-column></mj-section>\n")
    path = project.issue("x", yaml.safe_dump(_issue(False, False, True, 1)))
    first = newsletter.render_issue(path)
    assert "<p>extra</p>" in first.html and "<p>extra</p>" in first.web_html
    extra = project.root / "templates" / "extra.j2"
    extra.write_text("<mj-section><mj-column><mj-text><p>extra {{ web }}</p></mj-text></mj-column></mj-section>\n",
                     encoding="utf-8")
    later = os.stat(extra).st_mtime + 2
    os.utime(extra, (later, later))  # a new time, even on a file system that keeps whole seconds
    again = newsletter.render_issue(path)
    assert again.html.count("<p>extra False</p>") == 2 and again.web_html.count("<p>extra True</p>") == 2


def test_a_template_that_changes_a_list_of_the_context_changes_its_own_editions_alone(project) -> None:
    project.template("contents.mjml.j2", "{% set dropped = contents.pop() %}{% set dropped = blocks.pop() %}"
                     '{% include "builtin/contents.mjml.j2" %}')
    path = project.issue("x", yaml.safe_dump(_issue(False, False, True, 1)))
    together, alone = _both_ways(path)
    assert together == alone
    assert all(">Another<" not in mjml.split('<mj-section padding="0">')[0] for mjml in together)
