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
    for heavy in ("premailer", "mjml", "css_inline", "lxml"):
        assert f" {heavy}\n" not in result.stderr and f" {heavy}." not in result.stderr, heavy
