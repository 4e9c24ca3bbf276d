"""Stage 8: the pre-send checks on a built email, its HTML with its plain text, as a mailbox would receive them.

Each rule looks at the output, so it also judges what a user's own templates made; a finding then names what
the writer wrote (the issue's, the config's or the registry's line and field, or the template's line) before
the HTML's line and column. What the build knows besides the HTML (the model's texts, where each was
written) is written beside the email as ``X.checks.json``: ``newsletter check`` reads it and gives the build's
answer. On an HTML file newsletter did not build, the rules that need only the HTML run, and it says which
ran on less.

The package: ``core`` (findings, the registry, the runner), ``facts`` (what the build knows and the source
map), and the rules: ``content``, ``access`` (accessibility), ``contrast``, ``compat`` (caniemail).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from ..errors import InputError, Problem
from . import access, compat, content, contrast  # noqa: F401  the built-in rules register
from .content import GMAIL_CLIP_BYTES, GMAIL_WARN_SHARE, SUBJECT_MAX
from .core import RULES, Add, Checked, Email, Finding, Location, Rule, rule, run, unknown_rules
from .facts import SUFFIX, Facts

__all__ = ["RULES", "Add", "Checked", "Email", "Facts", "Finding", "GMAIL_CLIP_BYTES", "GMAIL_WARN_SHARE",
           "Location", "Rule", "SUBJECT_MAX", "check_email", "check_file", "check_files", "collect", "rule",
           "settings_problems", "unknown_rules"]


def check_email(html: str, text: str | None, html_name: str = "email.html",
                expected: list[tuple[str, str]] | None = None, ignore: tuple[str, ...] | list[str] = (),
                facts: Facts | None = None, rules: dict[str, Rule] | None = None,
                platforms: dict[str, Any] | None = None) -> list[Finding]:
    """Every finding about one email, its HTML located as ``html_name``; ``text`` is None without a plain-text
    part. ``facts`` are what the build knows of it (the findings then name the source); without them,
    ``expected`` may still say what must reach both parts (``text-parity``). Rules in ``ignore`` do not run;
    ``rules`` and ``platforms`` are the project's (its plugins'), newsletter's by default."""
    return checked_email(html, text, html_name, expected, ignore, facts, rules, platforms).findings


def checked_email(html: str, text: str | None, html_name: str = "email.html",
                  expected: list[tuple[str, str]] | None = None, ignore: tuple[str, ...] | list[str] = (),
                  facts: Facts | None = None, rules: dict[str, Rule] | None = None,
                  platforms: dict[str, Any] | None = None) -> Checked:
    if not html.strip():
        raise InputError([Problem(html_name, 1, 1, "", "empty: not an HTML document")])
    email = Email(html, text, html_name, facts, expected, platforms)
    if email.tree is None:
        raise InputError([Problem(html_name, 1, 1, "", "empty: not an HTML document")])
    return run(email, tuple(ignore) + tuple(facts.ignore if facts is not None else ()), rules)


def collect(paths: list[Path]) -> list[tuple[Path, Path | None]]:
    """``(X.html, X.txt or None)`` for each email named: an .html, its .txt, or a folder of them."""
    emails: dict[Path, Path | None] = {}
    for path in paths:
        if path.is_dir():  # the emails, not their web editions or the archive's pages
            htmls = sorted(p for p in path.glob("*.html") if not p.name.endswith(".web.html") and p.name != "index.html")
        elif path.suffix == ".txt" or path.name.endswith(SUFFIX):
            htmls = [path.parent / (path.name.removesuffix(SUFFIX).removesuffix(".txt") + ".html")]
        else:
            htmls = [path]
        for html in htmls:
            if not html.is_file():
                raise InputError([Problem(str(html), 1, 1, "", "file not found")])
            text = html.with_suffix(".txt")
            emails[html] = text if text.is_file() else None
    return list(emails.items())


def check_file(html: Path, text: Path | None, ignore: tuple[str, ...] = (), name: str | None = None,
               rules: dict[str, Rule] | None = None, platforms: dict[str, Any] | None = None,
               load_project: Callable[[Path], Any] | None = None) -> Checked:
    """The findings about the email in the file ``html``, with its plain text from ``text``, judged as the build
    judged it when ``X.checks.json`` beside it is the build's for these very files. ``load_project`` (the
    CLI's: ``newsletter.project.load_project``) loads the config the build used, for its plugins' rules and
    platforms and for the checks settings it holds now."""
    name = name or str(html)
    try:
        html_text = html.read_text(encoding="utf-8")
        plain = text.read_text(encoding="utf-8") if text else None
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError([Problem(name, 1, 1, "", f"cannot read: {exc}")]) from None
    facts, why = _facts_beside(html, html_text, plain)
    if facts is not None and facts.config and load_project is not None and Path(facts.config).is_file():
        project = load_project(Path(facts.config))
        facts.ignore = list(project.config.checks.ignore)
        facts.clients = compat.resolve_clients(tuple(project.config.checks.clients))[0]
        rules, platforms = project.registry.rules, project.registry.platforms
    result = checked_email(html_text, plain, name, None, ignore, facts, rules, platforms)
    if why:
        result.limits.insert(0, ("", why))
    return result


def check_files(html: Path, text: Path | None, ignore: tuple[str, ...] = ()) -> list[Finding]:
    """:func:`check_file`'s findings."""
    return check_file(html, text, ignore).findings


def _facts_beside(html: Path, html_text: str, text: str | None) -> tuple[Facts | None, str]:
    """The build's facts of this email, or None with why not (nothing said for a file with none at all)."""
    path = html.parent / (html.name.removesuffix(".html") + SUFFIX)
    try:
        facts = Facts.from_json(path.read_text(encoding="utf-8"), html.parent)
    except FileNotFoundError:
        return None, (f"no {path.name} beside it (newsletter build writes one): the findings name the HTML only, "
                      "and text-parity compares its links only")
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        return None, f"{path.name} is not what newsletter build writes ({exc}): judged from the HTML alone"
    if not facts.matches(html_text, text):
        return None, (f"{path.name} is of another build (the email was edited or built again without it): "
                      "judged from the HTML alone")
    return facts, ""


def settings_problems(ignore: list[str], clients: list[str], rules: dict[str, Rule] | None = None) -> \
        list[tuple[str, int | None, str]]:
    """What is wrong with a config's ``checks:`` settings: ``(field, index, message)`` each."""
    problems: list[tuple[str, int | None, str]] = []
    for index, name in enumerate(ignore):
        for message in unknown_rules([name], rules):
            problems.append(("ignore", index, message))
    for index, name in enumerate(clients):
        for message in compat.resolve_clients([name])[1]:
            problems.append(("clients", index, message))
    return problems
