"""A house with doors (issue 24): plugins the CLI loads, registries of the project's own, pure models, no import
cycle, the template contract made explicit, and a public API with types."""

from __future__ import annotations

import ast
import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

import newsletter
from conftest import MINIMAL_ISSUE, REPO, preview_server

PLUGIN = '''
"""Quote of the week: a block type, a check rule and a platform, from outside newsletter."""

from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from pydantic import Field

from newsletter import blocks, plain
from newsletter.models import Line, Model
from newsletter.platforms import Platform


class QuoteOfTheWeek(Model):
    """A quote of the week."""

    type: Literal["quote-of-the-week"] = Field(description="`quote-of-the-week`.")
    text: Line = Field(description="The words quoted.")
    source: Line = Field(description="Who said them.")


@dataclass(frozen=True)
class QuoteView(blocks.View):
    """A quote as its template sees it."""

    text: str = field(default="", metadata={"doc": "The words quoted."})
    source: str = field(default="", metadata={"doc": "Who said them."})


def view(quote, context, number):
    return QuoteView(type="quote-of-the-week", template="blocks/quote-of-the-week.mjml.j2",
                     anchor=f"quote-{number}", title=None, text=quote.text, source=quote.source)


def text(quote, context):
    return [plain.wrap(f"“{quote.text}” ({quote.source})")]


def expected(quote, context):
    return [("text", quote.text), ("text", quote.source)]


def no_shouting(email, add):
    title = email.tree.find(".//title")
    if title is not None and "!" in (title.text or ""):
        add("the subject shouts: leave out the exclamation mark", title, source=email.facts and email.facts.subject)


def setup(registry):
    registry.add_block_type(blocks.BlockType("quote-of-the-week", QuoteOfTheWeek, view, text, expected, QuoteView,
                                             templates_dir=Path(__file__).parent / "plugin-templates"))
    registry.rule("no-shouting", "warning", "an exclamation mark in the subject")(no_shouting)
    registry.add_platform(Platform("buttondown", "Buttondown", "{{ unsubscribe_url }}", None, r"\\{\\{.*?\\}\\}"))
    registry.add_labels("it", {"contents": "Sommario"})
'''

# The plugin's template carries no nl-* class: the block wrapper gives them, so it is dark in dark mode.
TEMPLATE = """\
    <mj-section padding="0 0 24px 0">
      <mj-column>
        <mj-text><p id="quote" style="font-size: 20px; margin: 0">“{{ block.text }}”</p><p>{{ block.source }}</p></mj-text>
      </mj-column>
    </mj-section>
"""

ISSUE = """\
subject: "Quotes!"
preheader: "A quote of the week, and a brief: the issue that tries out the plugin."
blocks:
  - type: quote-of-the-week
    text: "Diplomacy is the art of letting someone have your way."
    source: "Daniele Varè"
  - type: brief
    title: "One brief"
    authors: [randa-slim]
    body: "A paragraph."
"""


def _plugin_files(folder: Path, module: str = "quote_of_the_week.py") -> None:
    (folder / module).parent.mkdir(parents=True, exist_ok=True)
    (folder / module).write_text(PLUGIN, encoding="utf-8")
    templates = (folder / module).parent / "plugin-templates" / "blocks"
    templates.mkdir(parents=True, exist_ok=True)
    (templates / "quote-of-the-week.mjml.j2").write_text(TEMPLATE, encoding="utf-8")


@pytest.fixture
def plugged(project):
    _plugin_files(project.root)
    project.configure(plugins=["quote_of_the_week"])
    project.issue("q", ISSUE)
    return project


def test_a_plugin_beside_the_config_builds_validates_and_is_documented(plugged, cli) -> None:
    code, out, err = cli("build", "issues/q.yaml")
    assert code == 0, err
    html = (plugged.out / "q.html").read_text(encoding="utf-8")
    assert "Diplomacy is the art of letting someone have your way." in html
    assert "“Diplomacy is the art of letting someone have your way.” (Daniele Varè)" in (
        plugged.out / "q.txt").read_text(encoding="utf-8")
    assert cli("validate", "issues/q.yaml")[0] == 0
    code, doc, _ = cli("docs", "--out", "-")
    assert code == 0
    assert "#### `quote-of-the-week` (`blocks/quote-of-the-week.mjml.j2`)" in doc
    assert "### QuoteOfTheWeek" in doc and "| `no-shouting` | warning |" in doc and "| `buttondown` |" in doc
    assert "quote_of_the_week (quote_of_the_week.py)" in doc


def test_a_plugin_rule_shows_in_check_and_in_the_build(plugged, cli) -> None:
    code, out, _ = cli("build", "issues/q.yaml")
    assert "1 warning" in out or "warnings" in out
    findings = json.loads(cli("check", "--format", "json", "dist/")[1])["findings"]
    shouting = [f for f in findings if f["rule"] == "no-shouting"]
    assert len(shouting) == 1 and shouting[0]["file"] == "issues/q.yaml" and shouting[0]["field"] == "subject"
    plugged.configure(checks={"ignore": ["no-shouting"]})  # the plugin's rule is a rule like ours
    assert "no-shouting" not in cli("check", "dist/")[1]


def test_a_plugin_platform_and_labels(plugged, cli) -> None:
    plugged.configure(platform="buttondown")
    assert cli("build", "issues/q.yaml")[0] == 0
    html = (plugged.out / "q.html").read_text(encoding="utf-8")
    assert '<a href="{{ unsubscribe_url }}"' in html
    findings = json.loads(cli("check", "--format", "json", "dist/")[1])["findings"]
    assert not [f for f in findings if f["rule"] in ("link-scheme", "unsubscribe")]  # its merge tag is known
    plugged.issue("q", ISSUE.replace('subject: "Quotes!"', 'subject: "Quotes!"\nlang: it'))
    assert "Sommario" in newsletter.render_issue("issues/q.yaml").html


def test_the_preview_builds_with_the_plugin(plugged) -> None:
    with preview_server(plugged.issues) as server:
        build = server.previewer.get("q")
        assert build.ok, build.errors
        assert "Diplomacy" in build.email.html
        assert any(str(path).endswith("quote_of_the_week.py") for path in server.previewer.watched_files())


def test_a_plugin_template_without_classes_is_dark_in_dark_mode(plugged, browser) -> None:
    email = newsletter.render_issue("issues/q.yaml")
    assert 'class="nl-text"' in email.html.split('id="quote"')[0].rsplit("<table", 3)[-1] or \
        "nl-text" in email.mjml.split("Diplomacy")[0].rsplit("<mj-text", 1)[1]
    page = browser.new_page(color_scheme="dark")
    try:
        page.route("**/*", lambda route: route.abort())
        page.set_content(email.html)
        colour = page.evaluate("getComputedStyle(document.getElementById('quote')).color")
    finally:
        page.close()
    assert colour == "rgb(232, 232, 232)"  # theme.dark.text_color, not the light palette's #222


def test_two_projects_in_one_process_do_not_share_plugins(plugged, tmp_path, cli) -> None:
    from newsletter.project import load_project

    other = tmp_path / "other"
    other.mkdir()
    (other / "newsletter.yaml").write_text("name: Other\ndisclaimer: D\n", encoding="utf-8")
    with_plugin = load_project(plugged.root / "newsletter.yaml").registry
    without = load_project(other / "newsletter.yaml").registry
    assert "quote-of-the-week" in with_plugin.block_types and "quote-of-the-week" not in without.block_types
    assert "no-shouting" in with_plugin.rules and "no-shouting" not in without.rules
    (other / "issues").mkdir()
    (other / "issues" / "q.yaml").write_text(ISSUE.replace("authors: [randa-slim]", "authors: [{name: R}]"))
    code, _, err = cli("build", str(other / "issues" / "q.yaml"), "--out", str(other / "dist"))
    assert code == 1 and "unknown block type 'quote-of-the-week'" in err


@pytest.mark.parametrize(("plugins", "words"), [
    (["nowhere"], "plugins[0]: plugin 'nowhere' not found: no nowhere.py beside the config"),
    (["broken"], "plugins[0]: plugin broken (broken.py) could not be imported: ZeroDivisionError: division by zero "
                 "(line 1)"),
    (["nosetup"], "plugins[0]: plugin nosetup (nosetup.py) has no setup(registry) function"),
])
def test_a_plugin_that_fails_is_an_error_at_its_line(project, cli, plugins: list[str], words: str) -> None:
    (project.root / "broken.py").write_text("1 / 0\n", encoding="utf-8")
    (project.root / "nosetup.py").write_text("X = 1\n", encoding="utf-8")
    project.configure(plugins=plugins)
    project.issue("x", MINIMAL_ISSUE)
    code, _, err = cli("build", "issues/x.yaml")
    assert code == 1 and "Traceback" not in err
    assert f"newsletter.yaml:" in err and words in err, err


def test_an_installed_plugin_with_an_entry_point_works_the_same(project, tmp_path) -> None:
    site = tmp_path / "site"
    _plugin_files(site, "qotw_plugin/__init__.py")
    info = site / "qotw_plugin-1.0.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: qotw-plugin\nVersion: 1.0\n", encoding="utf-8")
    (info / "entry_points.txt").write_text("[newsletter.plugins]\nquote-of-the-week = qotw_plugin\n", encoding="utf-8")
    project.issue("q", ISSUE)  # the config names no plugin: an installed one is loaded for every project
    env = {**os.environ, "PYTHONPATH": str(site)}
    result = subprocess.run([sys.executable, "-m", "newsletter", "build", "issues/q.yaml"], cwd=project.root,
                            env=env, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert "Diplomacy" in (project.out / "q.html").read_text(encoding="utf-8")
    result = subprocess.run([sys.executable, "-m", "newsletter", "check", "dist/"], cwd=project.root, env=env,
                            capture_output=True, text=True)
    assert "[no-shouting]" in result.stdout
    result = subprocess.run([sys.executable, "-m", "newsletter", "docs", "--out", "-"], cwd=project.root, env=env,
                            capture_output=True, text=True)
    assert "quote-of-the-week (entry point qotw_plugin)" in result.stdout


# --- Pure models and no import cycle -------------------------------------------------------------------------

def test_the_models_import_no_later_stage() -> None:
    code = ("import sys, newsletter.models; print(sorted(m for m in sys.modules if m.startswith(('newsletter.blocks', "
            "'newsletter.checks', 'newsletter.images', 'newsletter.render', 'PIL'))))")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "[]"


def _import_graph() -> dict[str, set[str]]:
    """Every module of the package and the package modules it imports, lazily too (imports inside functions);
    not those under ``if TYPE_CHECKING:``, which never run."""
    root = REPO / "newsletter"
    modules = {}
    for path in root.rglob("*.py"):
        parts = list(path.relative_to(REPO).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts = parts[:-1]
        modules[".".join(parts)] = path
    graph: dict[str, set[str]] = {name: set() for name in modules}
    for name, path in modules.items():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        typing_only = {id(inner) for node in ast.walk(tree) if isinstance(node, ast.If)
                       and "TYPE_CHECKING" in ast.unparse(node.test) for part in node.body for inner in ast.walk(part)}
        package = name.split(".") if path.name == "__init__.py" else name.split(".")[:-1]
        for node in ast.walk(tree):
            if id(node) in typing_only or not isinstance(node, (ast.Import, ast.ImportFrom)):
                continue
            if isinstance(node, ast.Import):
                targets = [alias.name for alias in node.names]
            else:
                base = package[: len(package) - node.level + 1] if node.level else []
                module = ".".join(base + ([node.module] if node.module else [])) if node.level else node.module or ""
                targets = [f"{module}.{alias.name}" if f"{module}.{alias.name}" in modules else module
                           for alias in node.names]
            for target in targets:
                while target and target not in modules:
                    target = target.rpartition(".")[0]
                if target.startswith("newsletter") and target != name and target in modules:
                    graph[name].add(target)
    return graph


def test_no_import_cycle_among_the_packages_modules() -> None:
    graph = _import_graph()
    assert "newsletter.checks.core" in graph["newsletter.registry"] or graph["newsletter.registry"]
    state: dict[str, int] = {}

    def visit(node: str, path: list[str]) -> None:
        state[node] = 1
        for following in sorted(graph[node]):
            if state.get(following) == 1:
                raise AssertionError("import cycle: " + " -> ".join(path[path.index(following):] + [following]))
            if following not in state:
                visit(following, [*path, following])
        state[node] = 2

    for node in sorted(graph):
        if node not in state:
            visit(node, [node])


def test_the_cycle_test_finds_a_cycle(tmp_path, monkeypatch) -> None:
    """The walk above can fail: a made-up graph with a lazy import back up the pipeline has a cycle."""
    graph = _import_graph()
    graph["newsletter.models"].add("newsletter.blocks")  # what models.py did, lazily, before
    cycle = _has_cycle(graph)
    assert cycle


def _has_cycle(graph: dict[str, set[str]]) -> bool:
    state: dict[str, int] = {}

    def visit(node: str) -> bool:
        state[node] = 1
        for following in graph[node]:
            if state.get(following) == 1 or (following not in state and visit(following)):
                return True
        state[node] = 2
        return False

    return any(node not in state and visit(node) for node in sorted(graph))


# --- The template contract ------------------------------------------------------------------------------------

def test_the_bytecode_cache_is_keyed_by_the_environments_settings(tmp_path) -> None:
    import jinja2

    from newsletter import render

    (tmp_path / "t.j2").write_text("{% if true %}\nline\n{% endif %}\n", encoding="utf-8")
    cache = tmp_path / "cache"
    cache.mkdir()

    def rendered(trim: bool) -> str:
        env = jinja2.Environment(loader=jinja2.FileSystemLoader(tmp_path), trim_blocks=trim,
                                 bytecode_cache=render._BytecodeCache(str(cache)))
        return env.get_template("t.j2").render()

    assert rendered(trim=False) == "\nline\n"
    assert len(list(cache.iterdir())) == 1  # compiled and kept
    assert rendered(trim=True) == "line\n"  # the other setting is a template of its own, not the cached one
    assert len(list(cache.iterdir())) == 2
    assert rendered(trim=False) == "\nline\n"


def test_the_style_contract_is_explicit(project) -> None:
    from newsletter import reference, styles

    made = styles.make({name: "#123456" if name.endswith("color") else "Arial" for name in
                        ("heading_font_family", "text_color", "muted_color", "link_color", "header_text_color",
                         "callout_background_color", "callout_border_color")}, "rtl")
    assert "padding:0 22px 0 0" in made.contents_list  # mirrored
    with pytest.raises(AttributeError):
        made.no_such_style  # noqa: B018  a misspelt name is an error, not ""
    doc = reference.render_reference()
    for name in styles.CLASSES:
        assert f"| `{name}` |" in doc  # the classes the dark palette needs are documented
    project.configure(theme={"divider_color": "#00ff00"})
    assert 'border-top:solid 1px #00ff00' in newsletter.render_issue(project.issue("x", MINIMAL_ISSUE)).html


def test_a_projects_styles_override_ours_one_by_one(project) -> None:
    project.template("styles.j2", '{% set text_paragraph = "margin: 0 0 20px 0" %}')
    html = newsletter.render_issue(project.issue("x", MINIMAL_ISSUE)).html
    assert '<p style="margin: 0 0 20px 0">A paragraph.</p>' in html
    assert "font-size:24px;line-height:1.3" in html  # the others: ours


# --- A public API with types --------------------------------------------------------------------------------

def test_the_public_api() -> None:
    for name in ("InputError", "ArgumentError", "Email", "Report", "validate_issues", "Registry", "build",
                 "render_issue", "NewsletterError", "Project", "load_project"):
        assert getattr(newsletter, name) is not None, name
    assert issubclass(newsletter.InputError, newsletter.NewsletterError)
    assert (REPO / "newsletter" / "py.typed").is_file()
    pyproject = (REPO / "pyproject.toml").read_text(encoding="utf-8")
    assert 'dynamic = ["version"]' in pyproject and "\nversion = " not in pyproject  # one source: __init__.py
    from importlib.metadata import version

    assert version("newsletter") == newsletter.__version__


def test_the_stage_numbers_agree() -> None:
    """pipeline.py numbers the stages; each stage module's docstring says the same number."""
    import re

    from newsletter import pipeline

    listed = re.findall(r"^(\d+[a-z]?)\. +``(\w+)``", pipeline.__doc__ or "", re.M)
    assert len(listed) == 14, listed
    for number, module in listed:
        path = REPO / "newsletter" / module / "__init__.py"
        if not path.is_file():
            path = REPO / "newsletter" / f"{module}.py"
        doc = path.read_text(encoding="utf-8").split('"""')[1]
        assert doc.startswith(f"Stage {number}:"), (module, number, doc[:40])


@pytest.mark.parametrize("own_templates", [True, False])
def test_a_plugins_view_is_made_for_each_edition(project, own_templates: bool) -> None:
    """A plugin's view may read anything of its edition's links: made again for the web edition (ours read only
    the link tagging, which both share); also for a plugin whose template is in the project's templates."""
    _plugin_files(project.root)
    module = project.root / "quote_of_the_week.py"
    source = module.read_text(encoding="utf-8").replace(
        "source=quote.source)", "source=quote.source + (' (on the web)' if context.links.web else ' (by mail)'))")
    if not own_templates:
        source = source.replace(',\n                                             templates_dir=Path(__file__).parent / "plugin-templates")', ")")
        assert "templates_dir" not in source
        project.template("blocks/quote-of-the-week.mjml.j2", TEMPLATE)
    module.write_text(source, encoding="utf-8")
    project.configure(plugins=["quote_of_the_week"])
    email = newsletter.render_issue(project.issue("q", ISSUE))
    assert "Daniele Varè (by mail)" in email.html and "(on the web)" not in email.html
    assert "Daniele Varè (on the web)" in email.web_html and "(by mail)" not in email.web_html
