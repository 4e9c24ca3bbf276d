"""The machinery of the pre-send checks: findings and the places they name, the rule registry, the runner.

A finding names what the writer wrote first (the issue's, the config's or the registry's file, line, column
and field, or the template's line) and the built HTML second (line, column and an excerpt of the tag). The
rules find faults in the output; :class:`Email` turns an element, a URL, a text or a colour into the source
that made it, through the build's :class:`~newsletter.checks.facts.Facts`.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

from lxml import etree

if TYPE_CHECKING:
    from .facts import Facts

SEVERITIES = ("error", "warning")


@dataclass(frozen=True, order=True)
class Location:
    """A place in a file: 1-based line and column (0: the column is not known), and the field written there."""

    file: str
    line: int
    column: int = 0
    field: str = ""

    def __str__(self) -> str:
        return f"{self.file}:{self.line}" + (f":{self.column}" if self.column else "")

    def as_dict(self) -> dict[str, object]:
        return {"file": self.file, "line": self.line, "column": self.column, "field": self.field}


@dataclass(frozen=True)
class Finding:
    """What a rule found: where the writer can fix it (``source``, when known), where it is in the HTML, and
    the fix, where one can be computed."""

    rule: str
    severity: str
    message: str
    html: Location
    source: Location | None = None
    excerpt: str = ""  # the HTML's tag there, shortened
    fix: str = ""
    block: str = ""  # the block it is in: "brief 3, ‘Tehran’s ISIS challenge’"

    @property
    def where(self) -> Location:
        return self.source or self.html

    @property
    def file(self) -> str:
        return self.where.file

    @property
    def line(self) -> int:
        return self.where.line

    @property
    def column(self) -> int:
        return self.where.column

    @property
    def field(self) -> str:
        return self.where.field

    def __str__(self) -> str:
        where = self.where
        text = f"{where}: {self.severity} [{self.rule}] " + (f"{where.field}: " if where.field else "") + self.message
        if self.block:
            text += f" (in {self.block})"
        if self.fix:
            text += f"; fix: {self.fix}"
        if self.source is not None and self.html.column:
            text += f"\n  in {self.html}" + (f": {self.excerpt}" if self.excerpt else "")
        return text

    def as_dict(self) -> dict[str, object]:
        """The finding for ``--format json`` and the preview: ``file``, ``line``, ``column`` and ``field`` are its
        first place (the source, else the HTML); ``source`` and ``html`` are both places in full."""
        where = self.where
        return {"file": where.file, "line": where.line, "column": where.column, "field": where.field,
                "rule": self.rule, "severity": self.severity, "message": self.message, "fix": self.fix,
                "block": self.block, "source": self.source.as_dict() if self.source else None,
                "html": {**self.html.as_dict(), "excerpt": self.excerpt}}

    def sort_key(self) -> tuple[Any, ...]:
        where = self.where
        return (where.file, where.line, where.column, self.rule, self.message, self.html.line, self.html.column)


class Add:
    """``add(message, element, ...)``: how a rule reports a finding. Say what it is about as precisely as it
    can; the runner turns that into the places: ``source`` when the rule knows it, else the URL, colour or
    text the finding is about, else the element's own link, picture or text, else the first line of a
    template that matches ``template`` (a regular expression)."""

    def __init__(self, email: Email, rule: Rule, found: list[Finding]):
        self.email, self.rule, self.found = email, rule, found

    def __call__(self, message: str, element: etree._Element | None = None, *, severity: str | None = None,
                 fix: str = "", source: Location | None = None, url: str | None = None, text: str | None = None,
                 color: str | None = None, template: str | Callable[[str], int | None] | None = None,
                 by_element: bool = True) -> None:
        """``by_element=False``: the element shows where the fault is, but its link or text is not the cause
        (a CSS property a template wrote on a picture): only ``template`` names the source."""
        email = self.email
        html = email.html_location(element)
        if source is None:
            source = email.locate(element if by_element else None, url=url, text=text, color=color)
        if source is None and template is not None:
            source = email.template_line(template)
        block = email.facts.block_of(source) if email.facts is not None and source is not None else ""
        self.found.append(Finding(self.rule.id, severity or self.rule.severity, message, html, source,
                                  email.excerpt(element), fix, block))


@dataclass(frozen=True)
class Rule:
    """One pre-send check: its id (for findings and ``checks: {ignore: [...]}``), the most severe finding it
    makes, what it finds, and the function that finds it. ``needs`` says what besides the HTML it must have
    ("text": the plain text); ``emc`` is the share of real emails that failed it in the Email Markup
    Consortium's 2025 report, for an accessibility rule."""

    id: str
    severity: str
    description: str
    check: Callable[[Email, Add], None]
    severities: str = ""
    needs: tuple[str, ...] = ()
    emc: str = ""

    def __post_init__(self) -> None:
        if not self.severities:  # a rule of one severity says it once
            object.__setattr__(self, "severities", self.severity)


RULES: dict[str, Rule] = {}  # the built-in rules, in the order they run; a project's registry adds its own


def rule(id: str, severity: str, description: str, severities: str = "", needs: tuple[str, ...] = (),  # noqa: A002
         emc: str = "", registry: dict[str, Rule] | None = None) -> Callable[[Callable], Callable]:  # type: ignore[type-arg]
    """Register the decorated ``check(email, add)`` as the rule ``id`` (in ``registry``, else the built-ins)."""
    if severity not in SEVERITIES:
        raise ValueError(f"rule {id!r}: severity must be one of {SEVERITIES}, not {severity!r}")

    def register(check: Callable[[Email, Add], None]) -> Callable[[Email, Add], None]:
        (RULES if registry is None else registry)[id] = Rule(id, severity, description, check,
                                                             severities or severity, needs, emc)
        return check
    return register


def unknown_rules(ids: list[str] | tuple[str, ...], rules: dict[str, Rule] | None = None) -> list[str]:
    """Each id in ``ids`` that names no rule, with a suggestion, as messages."""
    import difflib

    known = RULES if rules is None else rules
    messages = []
    for name in ids:
        if name not in known:
            close = difflib.get_close_matches(name, list(known), n=1)
            hint = f"; did you mean {close[0]!r}?" if close else ""
            messages.append(f"unknown check rule {name!r}{hint} (rules: {', '.join(known)})")
    return messages


_PARSER = etree.HTMLParser(remove_comments=False)
# A start tag, or what hides tags from the parser: comments (Outlook's conditional code is in them) and the
# raw text of <style>, <script> and <title>.
_MARKUP = re.compile(r"<!--|<([A-Za-z][^\s/>]*)")
_RAW_TEXT = frozenset(("style", "script", "title", "textarea"))
_CLOSING = {name: re.compile(f"</{name}", re.I | re.A) for name in _RAW_TEXT - {"style"}}


@dataclass
class Email:
    """What the rules look at: the HTML (parsed once), its plain text, and the build's facts (None when only
    the HTML is known: a file newsletter did not build). Places in the HTML are worked out only for what a
    rule reports."""

    html: str
    text: str | None
    name: str = "email.html"
    facts: Facts | None = None
    legacy_expected: list[tuple[str, str]] | None = None
    platforms: dict[str, Any] | None = None  # the project's mailing platforms (their merge tags); ours if None
    data: bytes = field(init=False)
    tree: etree._Element = field(init=False)

    def __post_init__(self) -> None:
        self.data = self.html.encode("utf-8")  # once: encoding the example took a tenth of the checks' time
        # Plain lxml.etree elements: lxml.html looks up a Python class for every element it hands out.
        self.tree = etree.fromstring(self.data, _PARSER)

    @cached_property
    def text_holders(self) -> list[etree._Element]:
        """The elements of the body that hold text of their own (not only white space), in document order."""
        return [element for element in _TEXT_HOLDERS(self.tree) if _own_text(element)]

    @property
    def expected(self) -> list[tuple[str, str]] | None:
        """What the issue's model says must reach both the HTML and the text; None when it is not known."""
        return self.facts.expected if self.facts is not None else self.legacy_expected

    # --- places in the HTML ------------------------------------------------------------------------------

    @cached_property
    def _line_starts(self) -> list[int]:
        return [0] + [match.end() for match in re.finditer("\n", self.html)]

    @cached_property
    def _tag_offsets(self) -> dict[str, list[int]]:
        """Where each start tag begins, by tag name, in document order: the k-th ``<p`` here is the k-th p
        element lxml made (checked by count; a tag whose counts differ falls back to lxml's line)."""
        html, found = self.html, {}  # type: str, dict[str, list[int]]
        position = 0
        while True:
            match = _MARKUP.search(html, position)
            if match is None:
                break
            if match.group(1) is None:  # a comment: what it holds is not markup
                end = html.find("-->", match.end())
                position = len(html) if end < 0 else end + 3
                continue
            name = match.group(1).lower()
            found.setdefault(name, []).append(match.start())
            position = match.end()
            if name in _RAW_TEXT:
                if name == "style":
                    close = html.find("</style", position)
                else:  # in any case, from here (html.lower() for each <title> took 0.4 ms, and could shift places)
                    closing = _CLOSING[name].search(html, position)
                    close = closing.start() if closing else -1
                position = len(html) if close < 0 else close
        return found

    @cached_property
    def _element_offsets(self) -> dict[etree._Element, int]:
        by_tag: dict[str, list[etree._Element]] = {}
        for element in self.tree.iter():
            if isinstance(element.tag, str):
                by_tag.setdefault(element.tag.lower(), []).append(element)
        offsets: dict[etree._Element, int] = {}
        for tag, elements in by_tag.items():
            starts = self._tag_offsets.get(tag, [])
            if len(starts) == len(elements):
                offsets.update(zip(elements, starts, strict=True))
        return offsets

    def _offset(self, element: etree._Element | None) -> int | None:
        return None if element is None else self._element_offsets.get(element)

    def html_location(self, element: etree._Element | None) -> Location:
        offset = self._offset(element)
        if offset is None:
            line = (element.sourceline or 1) if element is not None else 1
            return Location(self.name, line)
        line = bisect.bisect_right(self._line_starts, offset)
        return Location(self.name, line, offset - self._line_starts[line - 1] + 1)

    def excerpt(self, element: etree._Element | None, limit: int = 90) -> str:
        offset = self._offset(element)
        if offset is None:
            return ""
        end = self.html.find(">", offset)
        tag = self.html[offset: (end + 1 if end >= 0 else offset + limit)]
        return tag if len(tag) <= limit else tag[: limit - 1] + "…"

    # --- places in what the writer wrote -----------------------------------------------------------------

    def locate(self, element: etree._Element | None = None, *, url: str | None = None, text: str | None = None,
               color: str | None = None) -> Location | None:
        """The source of what a finding is about: a URL, a colour or a text the rule names, else the element's
        link, picture or text, looking up through its ancestors for the nearest that the facts know."""
        facts = self.facts
        if facts is None:
            return None
        if url is not None:
            return facts.locate_url(url)
        if color is not None:
            return facts.locate_color(color)
        if text is not None:
            return facts.locate_text(text)
        node = element
        while node is not None and isinstance(node.tag, str) and node.tag not in ("body", "html"):
            found = None
            for attribute in ("href", "src"):
                value = node.get(attribute)
                if value and not found:
                    found = facts.locate_url(value)
            own = (node.text or "").strip()
            if not found and own:
                found = facts.locate_text(own)
            if not found and node.get("alt"):
                found = facts.locate_text(node.get("alt"))
            if found:
                return found
            node = node.getparent()
        return None

    def template_line(self, pattern: str | Callable[[str], int | None]) -> Location | None:
        """The first line of the templates this email was made with (the project's first, then the built-in
        ones) that matches ``pattern`` (a regular expression, or a function giving the column of a match or
        None): where a fault that no input holds was written. None for an email newsletter did not build,
        whose templates are not known."""
        if self.facts is None:
            return None
        from ..config import display_path
        from ..render import builtin_templates

        folders = [Path(folder) for folder in self.facts.templates]
        folders.append(builtin_templates())
        find: Callable[[str], int | None]
        if isinstance(pattern, str):
            compiled = re.compile(pattern)

            def find_pattern(line: str) -> int | None:
                match = compiled.search(line)
                return match.start() if match else None
            find = find_pattern
        else:
            find = pattern
        for folder in folders:
            for path in sorted(folder.rglob("*.j2")) if folder.is_dir() else []:
                try:
                    lines = path.read_text(encoding="utf-8").split("\n")
                except (OSError, UnicodeDecodeError):
                    continue
                for number, line in enumerate(lines, 1):
                    column = find(line)
                    if column is not None:
                        return Location(display_path(path), number, column + 1)
        return None


# A first sieve, in C: XPath's normalize-space() knows only ASCII white space, so _own_text() still decides.
_TEXT_HOLDERS = etree.XPath("//body/descendant-or-self::*[text()[normalize-space()]]")


def _own_text(element: etree._Element) -> bool:
    if element.tag in ("style", "script", "title"):
        return False
    return bool((element.text or "").strip()) or any((child.tail or "").strip() for child in element)


@dataclass
class Checked:
    """The findings about one email, and the rules that could not run on it (or ran on less), with why."""

    findings: list[Finding]
    limits: list[tuple[str, str]] = field(default_factory=list)  # (rule id, why)


def run(email: Email, ignore: tuple[str, ...] | list[str] | frozenset[str] = (),
        rules: dict[str, Rule] | None = None) -> Checked:
    """Every rule not in ``ignore`` on ``email``."""
    found: list[Finding] = []
    limits: list[tuple[str, str]] = []
    for checked in (RULES if rules is None else rules).values():
        if checked.id in ignore:
            continue
        if "text" in checked.needs and email.text is None:
            limits.append((checked.id, f"not run: no plain text beside {email.name}"))
            continue
        checked.check(email, Add(email, checked, found))
    if email.facts is None and email.legacy_expected is None:
        for checked in (RULES if rules is None else rules).values():
            if "facts" in checked.needs and checked.id not in ignore and email.text is not None:
                limits.append((checked.id, "compared the HTML's links only: the titles, names and texts the issue "
                                           "says must be in both parts are known to a build, which writes them "
                                           "beside the email (X.checks.json)"))
    unique: dict[tuple[Any, ...], Finding] = {}
    for finding in found:
        unique.setdefault((finding.rule, finding.severity, finding.message, finding.source,
                           finding.html if finding.source is None else None), finding)
    return Checked(sorted(unique.values(), key=Finding.sort_key), limits)
