"""What a build knows of an email that its HTML does not say: the issue's texts and where each was written.

The build writes these facts beside each email as ``X.checks.json``, so that ``newsletter check`` judges the
email exactly as the build did: the texts the model says must reach both parts (``text-parity``), every value
the writer wrote with its file, line, column and field (the source map), the theme's colours and where they
are set, the blocks, the template folders, the sizes of the blocks, and the settings of the checks.

Nothing here reads what a template wrote: a finding's element is matched to the source by its link, picture
or text, which come from the model.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from .core import Location

if TYPE_CHECKING:
    from ..load import Document

FORMAT = 1
SUFFIX = ".checks.json"


@dataclass(frozen=True)
class Written:
    """One text the writer wrote: where it starts, its field, its value as the file holds it, and for a literal
    block (``|``) the line and column its lines start at, so a place inside it can be named exactly."""

    file: str
    line: int
    column: int
    field: str
    value: str
    body_line: int = 0  # a literal block: the file's line of its first line (0: not a literal block)
    indent: int = 0  # ... and the column its lines start at
    quoted: int = 0  # 1 when the value is in quotes: its text starts a column later

    def at(self, offset: int) -> Location:
        """The place of ``value[offset]`` in the file."""
        if self.body_line:
            row = self.value.count("\n", 0, offset)
            start = self.value.rfind("\n", 0, offset) + 1
            return Location(self.file, self.body_line + row, self.indent + offset - start, self.field)
        if "\n" in self.value[:offset] or offset == 0:  # folded: where lines were is lost; 0: the value's own
            return Location(self.file, self.line, self.column, self.field)  # place, as validate names it
        return Location(self.file, self.line, self.column + self.quoted + offset, self.field)

    @property
    def location(self) -> Location:
        return Location(self.file, self.line, self.column, self.field)


@dataclass(frozen=True)
class BlockFact:
    """A block of the issue as findings name it: ``brief 3, ‘Tehran’s ISIS challenge’``."""

    field: str  # blocks[2] or briefs[2]
    type: str
    number: int  # among the blocks of its type, from 1
    title: str | None

    def __str__(self) -> str:
        return f"{self.type} {self.number}" + (f", ‘{self.title}’" if self.title else "")


@dataclass
class Facts:
    """What the checks know of an email from its build."""

    issue: str  # the issue's file, as the build named it
    config: str  # the config's file ("" for the built-in defaults)
    written: list[Written] = field(default_factory=list)
    expected: list[tuple[str, str]] = field(default_factory=list)
    blocks: list[BlockFact] = field(default_factory=list)
    # "theme.link_color" and "theme.dark.link_color": the colour, and where it is set (None: a default)
    theme: dict[str, tuple[str, Location | None]] = field(default_factory=dict)
    templates: list[str] = field(default_factory=list)  # the project's template folders
    ignore: list[str] = field(default_factory=list)
    clients: list[str] = field(default_factory=list)
    sizes: list[tuple[str, int, Location | None]] | None = None  # the blocks and parts, when it grew large
    subject: Location | None = None
    preheader: Location | None = None
    platform: Location | None = None  # where the platform (or unsubscribe_url) is set
    html_sha256: str = ""
    text_sha256: str = ""

    # --- where things were written --------------------------------------------------------------------

    def locate_url(self, url: str) -> Location | None:
        """Where ``url`` (as the HTML has it: perhaps tagged with UTM parameters) was written."""
        places = self.url_places(url)
        if places:
            return places[0][0]
        # A link made from a setting: the archive's address and the slug, a profile from a Twitter handle.
        best = None
        for written in self.written:
            value = written.value
            if value.startswith(("http://", "https://")) and "{" not in value and url.startswith(value.rstrip("/")) \
                    and (best is None or len(value) > len(best.value)):
                best = written
        if best is not None:
            return best.location
        handle = re.search(r"twitter\.com/([A-Za-z0-9_]{1,15})", url)
        if handle:
            return self.locate_text(handle.group(1), whole=True)
        return None

    def url_places(self, url: str) -> list[tuple[Location, str]]:
        """Each place ``url`` (as the HTML has it) is written as it is, in the order of the facts, with the
        text just before it (where a Markdown link's ``[label](`` stands)."""
        for candidate in _url_forms(url):
            places = []
            for written in self.written:
                index = written.value.find(candidate)
                while index >= 0:
                    places.append((written.at(index), written.value[max(0, index - 200):index]))
                    index = written.value.find(candidate, index + 1)
            if places:
                return places
        return []

    def locate_text(self, text: str, whole: bool = False) -> Location | None:
        """Where the text a reader sees (``text``, or its first words) was written; ``whole``: as a word."""
        places = self.text_places(text, whole, first_only=True)
        return places[0] if places else None

    def text_places(self, text: str, whole: bool = False, first_only: bool = False) -> list[Location]:
        """Each place the text a reader sees (``text``, or its first words) was written, in order."""
        words = text.split()
        if not words or len("".join(words)) < 3:
            return []
        pattern = r"\s+".join(re.escape(word) for word in words[:8])
        compiled = re.compile(rf"(?<![\w@]){pattern}(?!\w)" if whole else pattern)
        places = []
        for written in self.written:
            for match in compiled.finditer(written.value):
                places.append(written.at(match.start()))
                if first_only:
                    return places
        return places

    def locate_color(self, color: str, dark: bool = False) -> Location | None:
        """The theme field whose colour is ``color`` (in the dark palette first when ``dark``): where it is
        set, or where it would go (the ``theme:`` line) when it is a default."""
        from .. import colors

        wanted = colors.parse_color(color)
        if wanted is None:
            return None
        names = sorted(self.theme, key=lambda name: (name.startswith("theme.dark.") != dark, name))
        for name in names:
            value, where = self.theme[name]
            if colors.parse_color(value) == wanted:
                return where
        return None

    def block_of(self, location: Location) -> str:
        """``brief 3, ‘Title’`` when ``location`` is inside a block of the issue, else ""."""
        if location.file != self.issue:
            return ""
        for block in self.blocks:
            if location.field == block.field or location.field.startswith((block.field + ".", block.field + "[")):
                return str(block)
        return ""

    # --- the file beside the email --------------------------------------------------------------------

    def to_json(self, base: Path | None = None) -> str:
        """The facts as the file beside the email: its paths relative to ``base`` (the folder it is written to),
        so the same project gives the same bytes wherever it is and whichever folder it is built from."""
        paths: dict[str, str] = {}

        def path(name: str) -> str:
            if base is None or not name:
                return name
            if name not in paths:
                paths[name] = os.path.relpath(os.path.abspath(name), os.path.abspath(base)).replace(os.sep, "/")
            return paths[name]

        def place(location: Location | None) -> list[Any] | None:
            return None if location is None else [path(location.file), location.line, location.column,
                                                  location.field]

        data = {
            "newsletter_checks": FORMAT,
            "issue": path(self.issue), "config": path(self.config),
            "html_sha256": self.html_sha256, "text_sha256": self.text_sha256,
            "ignore": self.ignore, "clients": self.clients, "templates": [path(t) for t in self.templates],
            "subject": place(self.subject), "preheader": place(self.preheader), "platform": place(self.platform),
            "expected": [list(item) for item in self.expected],
            "blocks": [[b.field, b.type, b.number, b.title] for b in self.blocks],
            "theme": {name: [value, place(where)] for name, (value, where) in self.theme.items()},
            "sizes": None if self.sizes is None else [[label, size, place(where)] for label, size, where in self.sizes],
            "written": [[path(w.file), w.line, w.column, w.field, w.value, w.body_line, w.indent, w.quoted]
                        for w in self.written],
        }
        return json.dumps(data, ensure_ascii=False, separators=(",", ":")) + "\n"

    @classmethod
    def from_json(cls, text: str, base: Path | None = None) -> Facts:
        """The facts a build wrote into the folder ``base``; a ValueError when the file is not such facts (or of
        another format). Paths are made as the CLI shows them (relative to the working folder)."""
        from ..config import display_path

        paths: dict[str, str] = {}

        def path(name: Any) -> str:
            name = str(name)
            if base is None or not name:
                return name
            if name not in paths:
                paths[name] = display_path(Path(os.path.normpath(os.path.join(base, name))))
            return paths[name]

        try:
            data = json.loads(text)
            if not isinstance(data, dict) or data.get("newsletter_checks") != FORMAT:
                raise ValueError("not the facts of this version of newsletter")

            def place(item: Any) -> Location | None:
                return None if item is None else Location(path(item[0]), int(item[1]), int(item[2]), str(item[3]))

            return cls(
                issue=path(data["issue"]), config=path(data["config"]),
                written=[Written(path(f), int(line), int(c), str(p), str(v), int(b), int(i), int(q))
                         for f, line, c, p, v, b, i, q in data["written"]],
                expected=[(str(kind), str(value)) for kind, value in data["expected"]],
                blocks=[BlockFact(str(f), str(t), int(n), None if title is None else str(title))
                        for f, t, n, title in data["blocks"]],
                theme={str(name): (str(value), place(where)) for name, (value, where) in data["theme"].items()},
                templates=[path(t) for t in data["templates"]], ignore=[str(i) for i in data["ignore"]],
                clients=[str(c) for c in data["clients"]],
                sizes=None if data["sizes"] is None else [(str(label), int(size), place(where))
                                                          for label, size, where in data["sizes"]],
                subject=place(data["subject"]), preheader=place(data["preheader"]),
                platform=place(data["platform"]),
                html_sha256=str(data["html_sha256"]), text_sha256=str(data["text_sha256"]),
            )
        except (KeyError, TypeError, ValueError, IndexError) as exc:
            raise ValueError(str(exc) or type(exc).__name__) from None

    def matches(self, html: str, text: str | None) -> bool:
        """Whether these are the facts of this very HTML and text (not of an earlier build, or an edit)."""
        return digest(html) == self.html_sha256 and digest(text or "") == self.text_sha256


def digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _url_forms(url: str) -> list[str]:
    """``url``, and the forms its writer may have written: without the UTM parameters a build adds."""
    forms = [url]
    try:
        parts = urlsplit(url)
    except ValueError:
        return forms
    if parts.query:
        kept = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if not k.startswith("utm_")]
        forms.append(urlunsplit((parts.scheme, parts.netloc, parts.path, urlencode(kept), parts.fragment)))
    return forms


# --- made by the build ---------------------------------------------------------------------------------------

def written_in(document: Document) -> list[Written]:
    """Every text value of a loaded YAML file, with its place; a literal block's lines placed exactly."""
    from ..load import format_loc

    found: list[Written] = []
    lines = document.text.split("\n")

    def walk(value: Any, loc: tuple[Any, ...]) -> None:
        if isinstance(value, dict):
            for key, item in value.items():
                walk(item, (*loc, key))
        elif isinstance(value, list):
            for index, item in enumerate(value):
                walk(item, (*loc, index))
        elif isinstance(value, str) and value.strip():
            line, column = document.value_marks.get(loc, (1, 1))
            here = lines[line - 1][column - 1: column] if 0 < line <= len(lines) else ""
            body_line = indent = quoted = 0
            if here in ("|", ">"):
                body_line = line + 1
                while body_line <= len(lines) and not lines[body_line - 1].strip():
                    body_line += 1
                if body_line <= len(lines):
                    text = lines[body_line - 1]
                    indent = len(text) - len(text.lstrip(" ")) + 1
                if here == ">":
                    body_line = 0  # folded: its lines are joined
                    line, column = min(body_line or line + 1, len(lines)), indent or column
            elif here in ('"', "'"):
                quoted = 1
            found.append(Written(document.path, line, column, format_loc(loc), value, body_line, indent, quoted))

    walk(document.data, ())
    return found


def for_build(issue: Any, document: Document, project: Any, expected: list[tuple[str, str]], html: str,
              text: str, sizes: list[tuple[str, int, Location | None]] | None = None) -> Facts:
    """The facts of an email a build just made of ``issue`` (its file loaded as ``document``) in ``project``."""
    from .. import blocks

    config_document = project.document
    config_file = config_document.path if config_document is not None else ""

    def at(doc: Document | None, loc: tuple[Any, ...], name: str, exact: bool = True) -> Location | None:
        if doc is None:
            return None
        if exact and loc not in doc.value_marks:
            return None
        line, column = doc.mark(loc)
        return Location(doc.path, line, column, name)

    written = written_in(document)
    for other in (config_document, project.authors_document):
        if other is not None:
            written += _written_once(other)
    theme: dict[str, tuple[str, Location | None]] = {}
    settings = project.config.theme
    for name in type(settings).model_fields:
        if name == "dark":
            for dark_name in type(settings.dark).model_fields:
                where = at(config_document, ("theme", "dark", dark_name), f"theme.dark.{dark_name}", exact=False)
                theme[f"theme.dark.{dark_name}"] = (getattr(settings.dark, dark_name), where)
        else:
            where = at(config_document, ("theme", name), f"theme.{name}", exact=False)
            theme[f"theme.{name}"] = (getattr(settings, name), where)
    kind = "blocks" if issue.blocks is not None else "briefs"
    counts: dict[str, int] = {}
    block_facts = []
    for index, block in enumerate(issue.content):
        block_type = blocks.type_of(block)
        counts[block_type.name] = counts.get(block_type.name, 0) + 1
        block_facts.append(BlockFact(f"{kind}[{index}]", block_type.name, counts[block_type.name],
                                     block_type.title(block)))
    platform = None
    if config_document is not None:
        for key in ("platform", "unsubscribe_url"):
            platform = platform or at(config_document, (key,), key)
        platform = platform or Location(config_file, 1, 1, "platform")
    return Facts(
        issue=document.path, config=config_file, written=written, expected=list(expected), blocks=block_facts,
        theme=theme, templates=[str(project.templates_dir)] if project.templates_dir else [],
        ignore=list(project.config.checks.ignore), clients=_clients(project.config.checks.clients), sizes=sizes,
        subject=at(document, ("subject",), "subject"), preheader=at(document, ("preheader",), "preheader"),
        platform=platform, html_sha256=digest(html), text_sha256=digest(text),
    )


_WRITTEN: dict[int, tuple[Any, list[Written]]] = {}  # id of a loaded file -> the file, its values


def _written_once(document: Document) -> list[Written]:
    """The values of a file every issue of a project shares (the config, the registry): read once a load."""
    found = _WRITTEN.get(id(document))
    if found is None or found[0] is not document:
        if len(_WRITTEN) > 64:  # a long-lived process (the preview) loads its project again at each save
            _WRITTEN.clear()
        found = _WRITTEN[id(document)] = (document, written_in(document))
    return found[1]


def _clients(names: list[str]) -> list[str]:
    from .compat import resolve_clients

    return resolve_clients(tuple(names))[0]
