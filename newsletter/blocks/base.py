"""What a block type is: its model, view, plain text and expected texts (:class:`BlockType`), the
:class:`Context` its functions get, and the functions the stages call for any block.

A block's model knows its type (``BlockType`` marks it), so rendering needs no registry; validating a
``type:`` does: the project's (``newsletter.registry``), passed in.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from markupsafe import Markup
from pydantic import BaseModel

from .. import language
from ..links import Links
from ..models import Config


@dataclass(frozen=True)
class Context:
    """What a block's view and text renderer may use besides the block: the config, this edition's links,
    and the language the block is written in (its own, or the issue's)."""

    config: Config
    links: Links
    lang: str = "en"
    labels: Mapping[str, Mapping[str, str]] | None = None  # the project's translations of the labels

    @property
    def words(self) -> language.Words:
        """The labels and punctuation in the block's language."""
        return language.words(self.config, self.lang, self.labels)

    def date(self, value: datetime.date) -> str:
        return language.date(value, self.config, self.lang)

    @property
    def direction(self) -> str:
        """``ltr`` or ``rtl``: the direction of the block's language."""
        return language.direction(self.lang)

    def of(self, block: BaseModel) -> Context:
        """The context of ``block``: in its own language when it has one."""
        lang = getattr(block, "lang", None)
        return self if not lang or lang == self.lang else replace(self, lang=lang)


# Where a plugin's block template is included from: render's loader wraps it there in the filter that gives its
# elements the dark palette's classes.
PLUGIN = "nl-plugin/"


@dataclass(frozen=True)
class View:
    """What every block's template sees as ``block``; each type adds its own fields."""

    type: str = field(metadata={"doc": "The block's type, e.g. `brief`."})
    template: str = field(metadata={"doc": "The template that renders it, e.g. `blocks/brief.mjml.j2` (a plugin's "
                                           "through a wrapper that gives its elements the dark palette's "
                                           "classes: `nl-plugin/blocks/NAME.mjml.j2`)."})
    anchor: str = field(metadata={"doc": "The id of its heading, which the Contents links to (`brief-1`)."})
    title: str | None = field(metadata={"doc": "Its title, listed in the Contents; None when it has none."})
    lang: str | None = field(default=None, metadata={
        "doc": "Its language when it is not the issue's (then its text goes in `<div lang dir>`), else None."})
    dir: str = field(default="ltr", metadata={"doc": "Its direction, `ltr` or `rtl` (its language's)."})
    align: str = field(default="left", metadata={"doc": "`left`, or `right` for a right-to-left block."})
    words: language.Words | None = field(default=None, metadata={
        "doc": "The labels and punctuation in its language: `words.read_more`, `words.comma`, ..."})

    # For a block in another language than the issue's: an mj-text's align attribute, and the <div lang dir>
    # around its text (each empty otherwise, so such a template writes what it always did).
    @property
    def align_attribute(self) -> Markup:
        return Markup(f' align="{self.align}"') if self.lang else _NOTHING

    @property
    def open(self) -> Markup:
        return Markup('<div lang="{}" dir="{}">').format(self.lang, self.dir) if self.lang else _NOTHING

    @property
    def close(self) -> Markup:
        return _CLOSE if self.lang else _NOTHING


_NOTHING, _CLOSE = Markup(""), Markup("</div>")


# (kind, value): a text of the block that must reach both the HTML and the plain text. kind is "title",
# "author", "text" (visible text) or "link" (a URL: an href in the HTML, written out in the text).
Expected = tuple[str, str]


@dataclass(frozen=True)
class BlockType:
    name: str
    model: type[BaseModel]
    view: Callable[[Any, Context, int], View]  # the block, the context, its number among blocks of its type
    text: Callable[[Any, Context], list[str]]  # its plain text: paragraphs, each wrapped at 78 columns
    expected: Callable[[Any, Context], list[Expected]]
    view_class: type[View] = View  # documented in the reference's template contract
    templates_dir: Path | None = None  # where its template is, for a type defined outside newsletter
    title: Callable[[Any], str | None] = lambda block: getattr(block, "title", None)  # its Contents entry
    # What is valid but probably not what the writer meant: (the field's place within the block, message).
    warnings: Callable[[Any], list[tuple[tuple[str | int, ...], str]]] = lambda block: []

    @property
    def template(self) -> str:
        return f"blocks/{self.name}.mjml.j2"

    def __post_init__(self) -> None:
        if self.model.model_fields.get("type") is None:
            raise ValueError(f"block model {self.model.__name__} needs a field type: Literal[{self.name!r}]")
        # Its model knows it: rendering a block needs no registry, only validating a type: name does.
        setattr(self.model, "__block_type__", self)  # noqa: B010  a name the type checker does not know


def type_of(block: BaseModel) -> BlockType:
    found: BlockType | None = getattr(type(block), "__block_type__", None)
    if found is None:
        raise TypeError(f"{type(block).__name__} is not the model of a block type (no BlockType was made of it)")
    return found


def templates_dirs(types: Mapping[str, BlockType]) -> tuple[Path, ...]:
    """The template folders of block types defined outside newsletter, for the template loader. A mapping that
    can list those alone (``outside()``) is not made to import every built-in type to find they have none."""
    outside = getattr(types, "outside", None)
    chosen = outside() if outside is not None else types.values()
    return tuple(t.templates_dir for t in chosen if t.templates_dir is not None)


def validate(value: Any, types: Mapping[str, BlockType], context: dict[str, Any] | None) -> BaseModel:
    """An item of ``blocks:`` as the model its ``type`` names among ``types``; errors inside it keep their
    field locations (the issue model's own validator, for a plugin that validates a block alone)."""
    from ..models import validate_block

    result: BaseModel = validate_block(value, types, context)
    return result


def views(blocks: tuple[BaseModel, ...], context: Context) -> list[View]:
    """A view of each block, in order, numbered among the blocks of its type, with its language's direction
    and words."""
    counts: dict[str, int] = {}
    out = []
    for block in blocks:
        block_type = type_of(block)
        counts[block_type.name] = counts.get(block_type.name, 0) + 1
        own = context.of(block)
        direction = language.direction(own.lang)
        view = block_type.view(block, own, counts[block_type.name])
        # The view was made just now for this render: completed in place, not copied (replace() cost 10 us a
        # block, a tenth of the render's growth this round).
        for name, value in (("lang", own.lang if own is not context else None), ("dir", direction),
                            ("align", "right" if direction == "rtl" else "left"), ("words", own.words)):
            object.__setattr__(view, name, value)
        if block_type.templates_dir is not None:  # a plugin's: rendered through the dark palette's classes
            object.__setattr__(view, "template", PLUGIN + view.template)
        out.append(view)
    return out


def text(block: BaseModel, context: Context) -> list[str]:
    """The plain text of ``block``, in its own language's words."""
    return type_of(block).text(block, context.of(block))


def expectations(blocks: tuple[BaseModel, ...], context: Context) -> list[Expected]:
    return [expected for block in blocks for expected in type_of(block).expected(block, context.of(block))]

