"""The ``contrast`` rule: text against the background behind it, in the light palette and in the dark one the
email's own ``prefers-color-scheme: dark`` styles make, with the nearest colour of the same hue that passes.

Each element's colour, background, size and weight come down from its ancestors through their inline styles
and ``bgcolor`` attributes (what every email client applies); the dark styles are read with tinycss2 and
applied to the elements lxml's cssselect finds, over the inline styles, as their ``!important`` makes them.
"""

from __future__ import annotations

import colorsys
import re
from collections.abc import Callable
from functools import lru_cache

from lxml import etree

from .. import colors
from .core import Add, Email, rule

CONTRAST_MIN = 4.5
CONTRAST_MIN_LARGE = 3.0

_BOLD_TAGS = frozenset(("h1", "h2", "h3", "strong", "b"))
# Colour (perhaps see-through), the opaque background behind it, font size in px, bold.
_State = tuple[colors.RGBA, colors.RGB, float, bool]
_Overrides = dict  # element -> {"color" | "background" | "display": value} from the dark styles
_PAGE_DEFAULT: _State = ((0, 0, 0, 1.0), (255, 255, 255), 16.0, False)  # a browser's: black on white, 16 px
# In dark mode a page that declares `color-scheme: light dark` gets the browser's dark defaults (Chromium's).
_DARK_PAGE_DEFAULT: _State = ((255, 255, 255, 1.0), (18, 18, 18), 16.0, False)


@rule("contrast", "error", "text under WCAG AA (4.5:1, 3:1 for large text) against the background behind it, "
      "in the light palette and in the dark one the email's `prefers-color-scheme: dark` styles make; the fix "
      "is the nearest colour of the same hue that passes", emc="59.37 %")
def _contrast_rule(email: Email, add: Add) -> None:
    tree = email.tree
    body = tree.find("body")
    if body is None:
        return
    dark = _dark_overrides(tree)
    schemes: list[tuple[str, _State, _Overrides | None]] = [("", _PAGE_DEFAULT, None)]
    if dark:
        schemes.append(("in dark mode: ", _DARK_PAGE_DEFAULT, dark))
    for scheme, page, overrides in schemes:
        _contrast(email, add, body, overrides, scheme, page)


def _contrast(email: Email, add: Add, body: etree._Element, overrides: _Overrides | None, scheme: str,
              page: _State) -> None:
    """Text whose colour against the background behind it is under WCAG AA, once per colour pair; with the
    dark styles' ``overrides`` applied, the dark palette's (the messages begin with ``scheme``).

    Only the elements that hold text are judged; each one's colour, background, size and weight come down
    from its ancestors, each ancestor worked out once (a walk of every element took three times as long),
    and the same style met under the same state is worked out once a process."""
    states: dict[etree._Element, _State | None] = {}  # None: hidden, like the preheader
    seen: set[tuple] = set()  # type: ignore[type-arg]
    for element in email.text_holders:
        state = _state(element, body, states, overrides, page)
        if state is None:
            continue
        foreground_rgba, background, size, bold = state
        foreground = colors.over(foreground_rgba, background)
        large = size >= 24 or (bold and size >= 18.66)
        key = (foreground, background, large)
        if key in seen:
            continue
        seen.add(key)
        minimum = CONTRAST_MIN_LARGE if large else CONTRAST_MIN
        ratio = colors.contrast_ratio(foreground, background)
        if ratio < minimum:
            _report(email, add, element, foreground, background, ratio, minimum, scheme)


def _report(email: Email, add: Add, element: etree._Element, foreground: colors.RGB, background: colors.RGB,
            ratio: float, minimum: float, scheme: str) -> None:
    """The finding at the theme field that set the text's colour; else at the template line that wrote it;
    else at the theme field of the background. The fix: the nearest colour of the same hue that passes."""
    text, behind = colors.hex_of(foreground), colors.hex_of(background)
    dark = bool(scheme)
    facts = email.facts
    source = None
    fixing_background = False
    if facts is not None:
        source = facts.locate_color(text, dark) or email.template_line(_writes_colour(foreground))
        if source is None:
            source = facts.locate_color(behind, dark)
            fixing_background = source is not None
    better = nearest_passing(background, foreground, minimum) if fixing_background else \
        nearest_passing(foreground, background, minimum)
    fix = ""
    if better is not None:
        colour, reached = better
        if source is not None and source.field:
            fix = f"{source.field}: \"{colour}\" ({reached:.2f}:1)"
        else:
            fix = f"the {'background' if fixing_background else 'text colour'} {colour} ({reached:.2f}:1)"
    add(f"{scheme}text {text} on {behind} has contrast {ratio:.2f}:1, under {minimum}:1", element,
        source=source, fix=fix)


_COLOUR_SETTING = re.compile(r"(?:color|background|bgcolor)[\"']?\s*[:=]\s*[\"']?\s*"
                             r"(#[0-9a-fA-F]{3,8}\b|rgba?\([^)]*\)|hsla?\([^)]*\)|[a-zA-Z]+)", re.I)


def _writes_colour(rgb: colors.RGB):  # type: ignore[no-untyped-def]
    """A template-line matcher: the column of a colour setting of ``rgb`` (as hex, rgb(), hsl() or a name)."""
    def find(line: str) -> int | None:
        for match in _COLOUR_SETTING.finditer(line):
            value = colors.parse_color(match.group(1))
            if value is not None and value[3] >= 1 and value[:3] == rgb:
                return match.start(1)
        return None
    return find


def nearest_passing(color: colors.RGB, against: colors.RGB, minimum: float) -> tuple[str, float] | None:
    """The colour of ``color``'s hue and saturation, nearest it in lightness, that reaches ``minimum``
    against ``against`` (with a hair to spare, so that rounding to hex keeps it over): ``(hex, ratio)``."""
    hue, lightness, saturation = colorsys.rgb_to_hls(*(channel / 255 for channel in color))

    def rgb(level: float) -> colors.RGB:
        return tuple(round(c * 255) for c in colorsys.hls_to_rgb(hue, level, saturation))  # type: ignore[return-value]

    def passes(level: float) -> bool:
        return colors.contrast_ratio(rgb(level), against) >= minimum + 0.01

    choices = []
    for end in (0.0, 1.0):  # darker, lighter: the ratio grows monotonically towards each end that passes
        if not passes(end):
            continue
        near, far = lightness, end
        for _ in range(24):
            middle = (near + far) / 2
            near, far = (near, middle) if passes(middle) else (middle, far)
        choices.append((abs(far - lightness), far))
    if not choices:
        return None
    level = min(choices)[1]
    found = rgb(level)
    return colors.hex_of(found), colors.contrast_ratio(found, against)


def _dark_overrides(tree: etree._Element) -> _Overrides | None:
    """What the email's ``@media (prefers-color-scheme: dark)`` rules set on each element: colours,
    backgrounds and display, applied in order (the rules are !important, as they must be to beat the inline
    styles). tinycss2 reads the CSS; the elements are found by :class:`_Selector`. None without dark styles."""
    sheets = [style.text for style in tree.iter("style") if style.text and "prefers-color-scheme" in style.text]
    if not sheets:
        return None
    overrides: _Overrides = {}
    classes = _ClassIndex(tree)
    for sheet in sheets:
        for selector, settings in _dark_rules(sheet):
            for element in selector(tree, classes):
                overrides.setdefault(element, {}).update(settings)
    return overrides


class _ClassIndex:
    """The elements of a document by class name, made on first use with one XPath (in C)."""

    def __init__(self, tree: etree._Element):
        self.tree = tree
        self._index: dict[str, list[etree._Element]] | None = None

    def __getitem__(self, name: str) -> list[etree._Element]:
        if self._index is None:
            self._index = {}
            for element in _WITH_CLASS(self.tree):
                for each in element.get("class", "").split():
                    self._index.setdefault(each, []).append(element)
        return self._index.get(name, [])


_WITH_CLASS = etree.XPath("//*[@class]")
# A compound selector of the simple kind dark styles are written in: a tag or *, then classes; or an attribute.
_COMPOUND = re.compile(r"(?P<tag>[A-Za-z][A-Za-z0-9]*|\*)?(?P<classes>(?:\.[A-Za-z_][\w-]*)*)(?P<attribute>\[[A-Za-z_][\w-]*\])?$")


class _Selector:
    """A selector made of compound selectors (``tag.class``, ``.class``, ``[attribute]``) joined by descendant
    (space) and child (``>``) combinators, matched from the left through a class index: a walk of the
    document per selector (what lxml's cssselect does, as XPath) was half the checks' time."""

    def __init__(self, steps: list[tuple[str, str | None, tuple[str, ...], str | None]]):
        self.steps = steps  # (combinator, tag, classes, attribute), the first step's combinator is " "

    @classmethod
    def parse(cls, text: str) -> _Selector | None:
        steps = []
        combinator = " "
        for token in re.split(r"\s*(>)\s*|\s+", text.strip()):
            if token is None or token == "":
                continue
            if token == ">":
                combinator = ">"
                continue
            match = _COMPOUND.match(token)
            if match is None or not token:
                return None
            tag = match.group("tag")
            classes = tuple(name for name in match.group("classes").split(".") if name)
            attribute = match.group("attribute")
            steps.append((combinator, None if tag in (None, "*") else tag.lower(),
                          classes, attribute[1:-1] if attribute else None))
            combinator = " "
        return cls(steps) if steps else None

    @staticmethod
    def _matches(element: etree._Element, tag: str | None, classes: tuple[str, ...], attribute: str | None) -> bool:
        if not isinstance(element.tag, str) or (tag is not None and element.tag != tag):
            return False
        if attribute is not None and element.get(attribute) is None:
            return False
        if classes:
            own = element.get("class", "").split()
            return all(name in own for name in classes)
        return True

    def __call__(self, tree: etree._Element, classes: _ClassIndex) -> list[etree._Element]:
        _, tag, names, attribute = self.steps[0]
        if names:
            found = [e for e in classes[names[0]] if self._matches(e, tag, names, attribute)]
        elif attribute is not None:
            found = [e for e in tree.iter(tag or "*") if self._matches(e, tag, names, attribute)]
        else:
            found = list(tree.iter(tag)) if tag else list(tree.iter())
        for combinator, tag, names, attribute in self.steps[1:]:
            following: dict[etree._Element, None] = {}
            for element in found:
                candidates = element.iterchildren(tag) if combinator == ">" else element.iterdescendants(tag)
                for candidate in (candidates if tag else (element.iterchildren() if combinator == ">"
                                                          else element.iterdescendants())):
                    if self._matches(candidate, tag, names, attribute):
                        following[candidate] = None
            found = list(following)
        return found


def _compiled(text: str) -> Callable | None:  # type: ignore[type-arg]
    """A matcher for one selector: ours for the simple kind, lxml's cssselect for anything else."""
    own = _Selector.parse(text)
    if own is not None:
        return own
    from lxml.cssselect import CSSSelector, SelectorError

    try:
        selector = CSSSelector(text)
    except (SelectorError, ValueError, etree.XPathError):
        return None  # a selector cssselect does not know: its elements keep their light colours

    def select(tree: etree._Element, classes: _ClassIndex) -> list:  # type: ignore[type-arg]
        try:
            return selector(tree)
        except etree.XPathError:  # a namespaced selector compiles, then fails on a document without namespaces
            return []
    return select


@lru_cache(maxsize=32)
def _dark_rules(sheet: str) -> tuple[tuple[Callable, dict], ...]:  # type: ignore[type-arg]
    """The dark rules of a style sheet, each as (selector, settings): once per sheet, which every issue of a
    theme shares (parsing them at each check tripled a batch's time)."""
    import tinycss2

    rules = []
    for block in tinycss2.parse_stylesheet(sheet, skip_comments=True, skip_whitespace=True):
        prelude = tinycss2.serialize(getattr(block, "prelude", None) or []).lower()
        if block.type != "at-rule" or block.lower_at_keyword != "media" or "prefers-color-scheme" not in prelude \
                or "dark" not in prelude or block.content is None:
            continue
        for inner in tinycss2.parse_rule_list(block.content, skip_comments=True, skip_whitespace=True):
            if inner.type != "qualified-rule":
                continue
            settings = {}
            for declaration in tinycss2.parse_declaration_list(inner.content, skip_comments=True,
                                                               skip_whitespace=True):
                if declaration.type == "declaration" and declaration.lower_name in (
                        "color", "background-color", "background", "display"):
                    name = "background" if declaration.lower_name.startswith("background") else declaration.lower_name
                    settings[name] = tinycss2.serialize(declaration.value).strip()
            if not settings:
                continue
            for part in _split_selectors(tinycss2.serialize(inner.prelude)):
                selector = _compiled(part)
                if selector is not None:
                    rules.append((selector, settings))
    return tuple(rules)


def _split_selectors(text: str) -> list[str]:
    """A selector list's members, split at commas outside brackets and parentheses."""
    parts, depth, current = [], 0, ""
    for character in text:
        if character in "([":
            depth += 1
        elif character in ")]":
            depth -= 1
        if character == "," and depth == 0:
            parts.append(current.strip())
            current = ""
        else:
            current += character
    parts.append(current.strip())
    return [part for part in parts if part]


def _color(value: str | None) -> colors.RGBA | None:
    return colors.find_color(value) if value else None


@lru_cache(maxsize=4096)
def _style_facts(style_text: str) -> tuple[bool, colors.RGBA | None, colors.RGBA | None, float | None, bool]:
    """(hidden, colour, background, font size, bold) of a style attribute; MJML repeats the same few."""
    style = _styles(style_text)
    size = None
    if style.get("font-size", "").endswith("px"):
        try:
            size = float(style["font-size"][:-2])
        except ValueError:
            pass
    return (
        style.get("display", "").replace(" ", "") == "none",
        _color(style.get("color")),
        _color(style.get("background-color")) or _color(style.get("background")),
        size,
        style.get("font-weight", "") in ("bold", "700", "800", "900"),
    )


def _styles(style: str) -> dict[str, str]:
    declarations = style.split(";")
    return {k.strip().lower(): v.strip() for k, _, v in (d.partition(":") for d in declarations) if v.strip()}


def _state(element: etree._Element, body: etree._Element, states: dict,  # type: ignore[type-arg]
           overrides: _Overrides | None = None, page: _State = _PAGE_DEFAULT) -> _State | None:
    """What ``element`` inherits and sets, from ``body`` down, remembering each ancestor's in ``states``."""
    chain = []
    node: etree._Element | None = element
    while node is not None and node not in states:
        chain.append(node)
        node = None if node is body else node.getparent()
    state = states[node] if node is not None else page
    for node in reversed(chain):
        state = None if state is None else _own_state(node, state, overrides.get(node) if overrides else None)
        states[node] = state
    return state


_OWN_STATES: dict[tuple, _State | None] = {}  # type: ignore[type-arg]


def _own_state(element: etree._Element, inherited: _State, override: dict | None = None) -> _State | None:  # type: ignore[type-arg]
    """What ``element`` shows its text in, given what it inherits: its style, bgcolor, tag and dark override."""
    style, bgcolor, tag = element.get("style"), element.get("bgcolor"), element.tag
    if style is None and bgcolor is None and not override and tag not in _BOLD_TAGS:
        return inherited  # most elements: nothing of their own (a key made for each was a tenth of the checks)
    key = (inherited, style, bgcolor, tag, tuple(override.items()) if override else None)
    found = _OWN_STATES.get(key, _MISSING)
    if found is _MISSING:
        if len(_OWN_STATES) > 65536:  # a long-lived process (the preview) meets many themes: start again
            _OWN_STATES.clear()
        found = _OWN_STATES[key] = _work_out_state(tag, style, bgcolor, inherited, override)
    return found  # type: ignore[return-value]


_MISSING = object()


def _work_out_state(tag: object, style_text: str | None, bgcolor: str | None, inherited: _State,
                    override: dict | None) -> _State | None:  # type: ignore[type-arg]
    foreground, background, size, bold = inherited
    hidden = False
    if style_text:  # most elements have none
        hidden, own_foreground, own_background, own_size, own_bold = _style_facts(style_text)
        foreground = own_foreground or foreground
        if own_background:  # a see-through background shows what is behind it
            background = colors.over(own_background, background)
        size = own_size or size
        bold = bold or own_bold
    if override:  # the dark styles, !important: over the inline style and the bgcolor attribute
        hidden = override.get("display", "none" if hidden else "").replace(" ", "") == "none"
        foreground = _color(override.get("color")) or foreground
        own = _color(override.get("background"))
        background = colors.over(own, background) if own else background
        bgcolor = None if own else bgcolor
    if hidden:
        return None
    if bgcolor:
        own = _color(bgcolor)
        background = colors.over(own, background) if own else background
    return foreground, background, size, bold or tag in _BOLD_TAGS
