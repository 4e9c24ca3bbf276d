"""Stage 1: read a YAML file into plain data, remembering where every value stood.

PyYAML's composer gives nodes with line and column; we build the data from that tree ourselves, so that a
validation error's path (``briefs[1].authors[0]``) can be mapped back to ``file:line:column``. Only plain YAML
is accepted: mappings, sequences, strings, numbers, booleans, null and dates. Object tags are refused, and so
are documents that expand to more values than any issue needs (alias bombs), before they can use up memory.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from .errors import InputError, Problem

try:  # libyaml keeps the marks and is about 40x faster; fall back where it is missing
    from yaml import CSafeLoader as _Loader
except ImportError:  # pragma: no cover - depends on how PyYAML was built
    from yaml import SafeLoader as _Loader  # type: ignore[assignment]

# The marker of text still to write, as `newsletter new` leaves it: each one left is a warning at its line.
PLACEHOLDER = "TODO:"
PLACEHOLDER_URL = "https://example.org/TODO"

MAX_FILE_BYTES = 2_000_000
MAX_VALUES = 100_000
MAX_DEPTH = 64
# All the text a document expands to, each alias counted every time it is used: a real issue holds under
# 100 KB, and a few aliases of a 1 MB body had the build spend 2 GB and write 590 MB.
MAX_EXPANDED_CHARACTERS = 2_000_000

Path_ = tuple[Any, ...]

_SCALAR_TAGS = {
    "tag:yaml.org,2002:str",
    "tag:yaml.org,2002:int",
    "tag:yaml.org,2002:float",
    "tag:yaml.org,2002:bool",
    "tag:yaml.org,2002:null",
    "tag:yaml.org,2002:timestamp",
}
_constructor = yaml.constructor.SafeConstructor()


@dataclass
class Document:
    """A YAML file's data, with the line and column (1-based) of each value and of each mapping key."""

    path: str
    data: Any
    text: str = ""
    value_marks: dict[Path_, tuple[int, int]] = field(default_factory=dict)
    key_marks: dict[Path_, tuple[int, int]] = field(default_factory=dict)
    # Values the loader refused (an object tag, a duplicate key, an impossible date): reported together
    # with the validation errors, which skip these locations.
    problems: list[Problem] = field(default_factory=list)
    refused: set[Path_] = field(default_factory=set)
    warnings: list[Problem] = field(default_factory=list)  # valid, but probably not what the writer meant

    def mark(self, loc: Path_, *, key: bool = False) -> tuple[int, int]:
        """The position of ``loc``, or of its nearest ancestor that exists in the file."""
        loc = tuple(loc)
        while True:
            if key and loc in self.key_marks:
                return self.key_marks[loc]
            if loc in self.value_marks:
                return self.value_marks[loc]
            if not loc:
                return (1, 1)
            loc = loc[:-1]

    def problem(self, loc: Path_, message: str, *, key: bool = False) -> Problem:
        return Problem(self.path, *self.mark(loc, key=key), format_loc(loc), message)

    def typed(self, loc: Path_) -> str | None:
        """The value at ``loc`` as the writer typed it, when it is a plain scalar on one line (``18:30``, ``no``),
        before YAML read it as a number or a boolean; None when there is no such value there."""
        if tuple(loc) not in self.value_marks:
            return None
        line, column = self.value_marks[tuple(loc)]
        lines = self.text.split("\n")
        if line > len(lines):
            return None
        # A number, a boolean or a date as typed holds no space, comma or bracket: it ends at the first one
        # (in a flow collection, "[18:30, 19:00]" or "{time: 18:30, ...}", the rest of the line is not it).
        found = re.match(r"[^\s,\[\]{}#]+", lines[line - 1][column - 1:])
        if found is None or found.group(0)[0] in "\"'|>&*!":
            return None
        return found.group(0)

    def find(self, needle: str, after: tuple[int, int]) -> tuple[int, int] | None:
        """Line and column of the first ``needle`` in the file at or after position ``after``."""
        lines = self.text.split("\n")
        line, column = after
        start = sum(len(text) + 1 for text in lines[: line - 1]) + column - 1
        index = self.text.find(needle, start)
        if index < 0:
            return None
        return self.text.count("\n", 0, index) + 1, index - (self.text.rfind("\n", 0, index) + 1) + 1


def format_loc(loc: Path_) -> str:
    """``('briefs', 1, 'authors', 0)`` -> ``briefs[1].authors[0]``."""
    text = ""
    for part in loc:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text


def read_text(path: Path, display: str) -> str:
    """The file's text, refusing what is too large, unreadable or not UTF-8."""
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise InputError([Problem(display, 1, 1, "", "file not found")]) from None
    except IsADirectoryError:
        raise InputError([Problem(display, 1, 1, "", "is a directory, not a file")]) from None
    except OSError as exc:
        raise InputError([Problem(display, 1, 1, "", f"cannot read: {exc.strerror}")]) from None
    if len(raw) > MAX_FILE_BYTES:
        raise InputError([Problem(display, 1, 1, "", f"file is larger than {MAX_FILE_BYTES:,} bytes")])
    try:
        # Decode ourselves: PyYAML would silently read a UTF-16 byte-order mark as UTF-16.
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        column = exc.start - (raw.rfind(b"\n", 0, exc.start) + 1) + 1
        raise InputError([Problem(display, line, column, "", "file is not valid UTF-8 text")]) from None
    return text.removeprefix("\ufeff")


def load(path: Path | str, display: str | None = None) -> Document:
    """Parse the YAML file at ``path``; errors name it as ``display`` (default: the path as given)."""
    path = Path(path)
    display = display or str(path)
    text = read_text(path, display)
    try:
        node = yaml.compose(text, Loader=_Loader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, column = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        message = _syntax_message(exc, text, line, column)
        raise InputError([Problem(display, line, column, "", f"YAML syntax error: {message}")]) from None
    except yaml.YAMLError as exc:  # e.g. a character YAML does not allow, reported without a mark
        raise InputError([Problem(display, 1, 1, "", f"YAML error: {exc}")]) from None
    except RecursionError:
        raise InputError([Problem(display, 1, 1, "", "YAML is nested too deeply")]) from None
    document = Document(display, None, text)
    if node is None:
        return document
    document.data = _Builder(document).build(node, ())
    return document


def _syntax_message(exc: yaml.MarkedYAMLError, text: str, line: int, column: int) -> str:
    """PyYAML's words for the mistakes writers make, said as the fix; its own words otherwise."""
    problem = exc.problem or ""
    lines = text.split("\n")
    here = lines[line - 1] if 0 < line <= len(lines) else ""
    if ("cannot start any token" in problem and here[column - 1: column] == "\t") or "found a tab character" in problem:
        return "a tab here: YAML indents with spaces, not tabs (replace the tab with spaces)"
    if "mapping values are not allowed" in problem:
        key, _, value = here.strip().lstrip("- ").partition(": ")
        example = f' e.g. {key}: "{value.strip()}"' if key and value.strip() and '"' not in value else ""
        return (f"a value that holds \": \" must be in quotes:{example}" if example
                else "a value that holds \": \" must be in quotes")
    if "found undefined alias" in problem:
        return f"{problem}: define the anchor (&name) before using it (*name)"
    return " ".join(filter(None, [exc.context, problem])) or "invalid YAML"


class _Builder:
    """Turns composed nodes into dicts, lists and scalars, recording marks and collecting problems."""

    def __init__(self, document: Document):
        self.document = document
        self.count = 0
        self.characters = 0  # of scalar text built so far, an alias's each time it is used
        self.seen: set[int] = set()  # the nodes built once: meeting one again is an alias's use
        self.alias_uses = 0  # uses met outside another alias's expansion, in document order
        self.expanding = 0  # how many aliases deep the builder is

    def _too_large(self, loc: Path_) -> None:
        """Refuse the document at the alias whose expansion crossed the limit, before anything is rendered."""
        line, column = _alias_mark(self.document.text, self.alias_uses) or (1, 1)
        self.document.problems.append(Problem(
            self.document.path, line, column, format_loc(loc),
            f"document expands to more than {MAX_EXPANDED_CHARACTERS:,} characters of text through aliases "
            f"(*name); the limit is 2 MB, and a real issue holds under 100 KB"))
        self.document.refused.add(loc)
        raise InputError(self.document.problems)

    def _fail(self, node: yaml.Node, loc: Path_, message: str) -> None:
        mark = node.start_mark
        self.document.problems.append(
            Problem(self.document.path, mark.line + 1, mark.column + 1, format_loc(loc), message)
        )
        self.document.refused.add(loc)

    def build(self, node: yaml.Node, loc: Path_, depth: int = 0) -> Any:
        self.count += 1
        if self.count > MAX_VALUES or depth > MAX_DEPTH:
            # Stop at once: an alias bomb or a self-referencing alias would otherwise never finish.
            limit = f"more than {MAX_VALUES:,} values" if self.count > MAX_VALUES else f"nesting deeper than {MAX_DEPTH}"
            self._fail(node, loc, f"document expands to {limit} (aliases?)")
            raise InputError(self.document.problems)
        self.document.value_marks.setdefault(loc, (node.start_mark.line + 1, node.start_mark.column + 1))
        if id(node) not in self.seen:
            self.seen.add(id(node))
            return self._node(node, loc, depth)
        self.alias_uses += not self.expanding  # a node met again is an alias's use
        self.expanding += 1
        try:
            return self._node(node, loc, depth)
        finally:
            self.expanding -= 1

    def _node(self, node: yaml.Node, loc: Path_, depth: int) -> Any:
        if isinstance(node, yaml.MappingNode):
            return self._mapping(node, loc, depth)
        if isinstance(node, yaml.SequenceNode):
            if node.tag != "tag:yaml.org,2002:seq":
                self._fail(node, loc, f"tag {node.tag!r} is not allowed")
            return [self.build(item, (*loc, index), depth + 1) for index, item in enumerate(node.value)]
        self.characters += len(node.value)
        if self.characters > MAX_EXPANDED_CHARACTERS:
            self._too_large(loc)
        return self._scalar(node, loc)

    def _mapping(self, node: yaml.MappingNode, loc: Path_, depth: int) -> dict[Any, Any]:
        if node.tag != "tag:yaml.org,2002:map":
            self._fail(node, loc, f"tag {node.tag!r} is not allowed")
        result: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode) or key_node.tag == "tag:yaml.org,2002:merge":
                self._fail(key_node, loc, "keys must be plain names")
                continue
            if id(key_node) in self.seen:  # an alias as a key: counted, so that _alias_mark() finds the right one
                self.alias_uses += not self.expanding
            self.seen.add(id(key_node))
            key = self._scalar(key_node, loc)
            if not isinstance(key, (str, int)):
                key = str(key)
            if key in result:
                self._fail(key_node, (*loc, key), "duplicate key: the earlier value would be lost")
                continue
            mark = key_node.start_mark
            self.document.key_marks[(*loc, key)] = (mark.line + 1, mark.column + 1)
            result[key] = self.build(value_node, (*loc, key), depth + 1)
        return result

    def _content_start(self, node: yaml.Node) -> tuple[int, int]:
        """Line and column (1-based) where a scalar's text begins: a block scalar's (``|``, ``>``) on the first
        line after its indicator that holds any, where the checks also find the text; others at the node."""
        mark = node.start_mark
        if getattr(node, "style", None) not in ("|", ">"):
            return mark.line + 1, mark.column + 1
        lines = self.document.text[mark.index - mark.column:].split("\n")
        indicator = None
        for number, text in enumerate(lines):
            # A tag or an anchor may stand before the indicator, on its line or the lines above it.
            words = (text[mark.column:] if number == 0 else text).split()
            while words and words[0][0] in "!&":
                words.pop(0)
            if words:
                if words[0][0] in "|>":
                    indicator = number
                break
        if indicator is not None:
            for number, text in enumerate(lines[indicator + 1:], indicator + 1):
                if text.strip():
                    return mark.line + 1 + number, len(text) - len(text.lstrip(" ")) + 1
        return mark.line + 1, mark.column + 1

    def _scalar(self, node: yaml.Node, loc: Path_) -> Any:
        if node.value.startswith(PLACEHOLDER) or node.value == PLACEHOLDER_URL:
            line, column = self._content_start(node)
            first, _, more = node.value.partition("\n")
            self.document.warnings.append(Problem(
                self.document.path, line, column, format_loc(loc),
                f"still holds a placeholder ({first[:40]}{'…' if len(first) > 40 or more.strip() else ''}): "
                "write it before sending"))
        if PLACEHOLDER_URL in node.value and node.value != PLACEHOLDER_URL:  # a link in a text: where it stands
            text, end = self.document.text, node.end_mark.index
            found = text.find(PLACEHOLDER_URL, node.start_mark.index, end)
            while found >= 0:
                self.document.warnings.append(Problem(
                    self.document.path, text.count("\n", 0, found) + 1, found - text.rfind("\n", 0, found),
                    format_loc(loc), f"still holds a placeholder link ({PLACEHOLDER_URL}): write it before sending"))
                found = text.find(PLACEHOLDER_URL, found + 1, end)
        if getattr(node, "style", None) == ">" and "\n" in node.value.strip("\n") and node.tag == "tag:yaml.org,2002:str":
            mark = node.start_mark
            self.document.warnings.append(Problem(
                self.document.path, mark.line + 1, mark.column + 1, format_loc(loc),
                "a folded block (>) joins lines and turns blank lines into single line breaks, so paragraphs "
                "run together: write | to keep them as typed"))
        if node.tag not in _SCALAR_TAGS:
            self._fail(node, loc, f"tag {node.tag!r} is not allowed")
            return None
        try:
            # Call the tag's constructor directly: construct_object() would cache every node it sees.
            return _constructor.yaml_constructors[node.tag](_constructor, node)
        except (yaml.YAMLError, ValueError, OverflowError) as exc:
            kind = node.tag.rsplit(":", 1)[-1].replace("timestamp", "date")
            self._fail(node, loc, f"not a valid {kind}: {exc}")
            return None


def _alias_mark(text: str, number: int) -> tuple[int, int] | None:
    """Line and column of the ``number``-th alias (1-based) in the document, from the parser's events: the
    composed tree keeps only where each anchor was defined. Run only for the error message."""
    seen = 0
    try:
        for event in yaml.parse(text, Loader=_Loader):
            if isinstance(event, yaml.AliasEvent):
                seen += 1
                if seen == number and event.start_mark is not None:
                    return event.start_mark.line + 1, event.start_mark.column + 1
    except yaml.YAMLError:  # pragma: no cover - the text composed without error a moment ago
        pass
    return None
