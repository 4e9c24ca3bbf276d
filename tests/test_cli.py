"""The command line: fast to start, and it loads only what a command needs."""

from __future__ import annotations

import subprocess
import sys


def _imported(*args: str) -> str:
    result = subprocess.run([sys.executable, "-X", "importtime", "-m", "newsletter", *args],
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    return result.stderr


def test_help_loads_no_rendering_stack() -> None:
    imported = _imported("--help")
    for heavy in ("premailer", "pydantic", "jinja2", "lxml", "markdown_it", "mjml", "css_inline", "yaml"):
        assert f" {heavy}\n" not in imported and f" {heavy}." not in imported, heavy


def test_version() -> None:
    result = subprocess.run([sys.executable, "-m", "newsletter", "--version"], capture_output=True, text=True)
    assert result.stdout.startswith("newsletter, version ")


def test_validate_loads_no_renderer(project) -> None:
    project.example()
    result = subprocess.run([sys.executable, "-X", "importtime", "-m", "newsletter", "validate", "issues"],
                            cwd=project.root, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    for heavy in ("premailer", "mjml", "css_inline", "lxml", "jinja2", "markupsafe", "newsletter.render",
                  "newsletter.compile", "newsletter.inline"):
        assert f" {heavy}\n" not in result.stderr and f" {heavy}." not in result.stderr, heavy


def test_build_loads_only_what_a_build_of_the_example_uses(project) -> None:
    """No inliner (the built-in templates leave nothing to inline), no feed library (lxml writes the feed),
    no Markdown parser (the example has no Markdown), and none of the modules only an error or --check needs."""
    project.example()
    result = subprocess.run([sys.executable, "-X", "importtime", "-m", "newsletter", "build",
                             "issues/mei-four-briefs.yaml"], cwd=project.root, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert (project.out / "feed.xml").is_file() and (project.out / "mei-four-briefs.eml").is_file()
    # Nor Babel (the example is English), Pillow (its pictures are hosted) or wcwidth (its text is one column
    # a character).
    for unused in ("premailer", "css_inline", "cssutils", "feedgen", "dateutil", "markdown_it", "html.parser",
                   "difflib", "logging", "babel", "PIL", "wcwidth"):
        assert f" {unused}\n" not in result.stderr and f" {unused}." not in result.stderr, unused
