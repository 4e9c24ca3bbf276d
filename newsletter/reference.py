"""The reference of the file formats (``docs/reference.md``), generated from the models by ``newsletter docs``.

Written from the models, it cannot drift from what validation accepts; a test checks the committed copy.
"""

from __future__ import annotations

import datetime
import types
import typing
from typing import Any

from pydantic import AfterValidator, BaseModel, BeforeValidator
from pydantic.fields import FieldInfo
from pydantic_core import PydanticUndefined

from . import models

# Each file's root model; every model reachable from it gets a section of its own, in the order met.
ROOTS: list[tuple[str, str, type[BaseModel]]] = [
    ("Issue files (`issues/*.yaml`)", "One file per issue.", models.Issue),
    (
        "The authors registry (`authors.yaml`)",
        "A mapping from an author id (letters, digits, `.`, `_`, `-`) to an author; issues name the id.",
        models.Author,
    ),
    (
        "The config (`newsletter.yaml`)",
        "Found in the issue's folder or above it, or named by `--config` (`config_path=` from Python).",
        models.Config,
    ),
]


def reachable(model: type[BaseModel], seen: set[type[BaseModel]] | None = None) -> list[type[BaseModel]]:
    """``model`` and every model its fields hold, at any depth, each once, in the order the fields name them."""
    seen = set() if seen is None else seen
    if model in seen:
        return []
    seen.add(model)
    found = [model]
    for info in model.model_fields.values():
        for inner in _models_in(info.annotation):
            found += reachable(inner, seen)
    return found


def _models_in(annotation: Any) -> list[type[BaseModel]]:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return [annotation]
    return [model for arg in typing.get_args(annotation) for model in _models_in(arg)]


def sections() -> list[tuple[str, str, list[type[BaseModel]]]]:
    """(title, introduction, models) for each file format; a model shared by two files is in the first, and
    a root model in its own file's (an issue names the registry's Author)."""
    seen: set[type[BaseModel]] = {root for _, _, root in ROOTS}
    found = []
    for title, intro, root in ROOTS:
        seen.discard(root)
        found.append((title, intro, reachable(root, seen)))
    return found

_VALIDATOR_NAMES = {
    models._clean_line: "text",
    models._clean_markdown: "Markdown",
    models._clean_url: "http(s) URL",
    models._clean_handle: "Twitter handle",
    models._check_color: "colour",
    models._check_font_family: "font list",
    models._resolve_author: "author id or [Author](#author)",
}


def _type_name(annotation: Any, metadata: list[Any] = ()) -> str:  # type: ignore[assignment]
    for item in metadata:
        if isinstance(item, (AfterValidator, BeforeValidator)) and item.func in _VALIDATOR_NAMES:
            return _VALIDATOR_NAMES[item.func]
    origin, args = typing.get_origin(annotation), typing.get_args(annotation)
    if origin is typing.Annotated:
        return _type_name(args[0], list(args[1:]))
    if origin in (typing.Union, types.UnionType):
        return " or ".join(_type_name(arg) for arg in args if arg is not type(None))
    if origin is list:
        return f"list of {_type_name(args[0])}"
    if origin is dict:
        return f"mapping of {_type_name(args[0])} to {_type_name(args[1])}"
    if origin is typing.Literal:
        return "one of " + ", ".join(f"`{value}`" for value in args)
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return f"[{annotation.__name__}](#{annotation.__name__.lower()})"
    names = {str: "string", int: "integer", float: "number", bool: "`true` or `false`",
             datetime.date: "date (YYYY-MM-DD)"}
    if annotation not in names:
        raise TypeError(f"the reference has no name for {annotation!r}: add one")  # caught by the tests
    return names[annotation]


def _default(info: FieldInfo) -> str:
    if info.is_required():
        return "**required**"
    if info.default_factory is not None:
        default = info.default_factory()  # type: ignore[call-arg]
        if isinstance(default, BaseModel):
            return f"see [{type(default).__name__}](#{type(default).__name__.lower()})"
        return f"`{default!r}`"
    if info.default is PydanticUndefined:
        return ""
    if info.default is None:
        return "optional"
    return f"`{info.default}`"


def _model_table(model: type[BaseModel]) -> str:
    lines = [f"### {model.__name__}", "", (model.__doc__ or "").strip(), "",
             "| field | type | default | description |", "| --- | --- | --- | --- |"]
    for name, info in model.model_fields.items():
        description = (info.description or "").replace("|", "\\|")
        lines.append(f"| `{name}` | {_type_name(info.annotation, info.metadata)} | {_default(info)} | {description} |")
    return "\n".join(lines)


def render_reference() -> str:
    parts = [
        "# File formats",
        "",
        "Generated from `newsletter/models.py` by `newsletter docs`; do not edit by hand.",
        "Unknown fields are errors. `text` is one line: line breaks and runs of spaces fold to one space.",
        "`Markdown` is paragraphs separated by blank lines with inline `*em*`, `**strong**`, `` `code` `` and",
        "`[text](https://...)`; raw HTML prints as typed, and links must be `http`, `https` or `mailto`.",
    ]
    for title, intro, section_models in sections():
        parts += ["", f"## {title}", "", intro]
        for model in section_models:
            parts += ["", _model_table(model)]
    return "\n".join(parts) + "\n"
