"""The reference of the file formats (``docs/reference.md``), generated from the models by ``newsletter docs``.

Written from the models, it cannot drift from what validation accepts; a test checks the committed copy.
"""

from __future__ import annotations

import datetime
import re
import types
import typing
from typing import Any

from pydantic import AfterValidator, BaseModel, BeforeValidator
from pydantic.fields import FieldInfo
from pydantic_core import PydanticUndefined

from . import models
from .registry import Registry

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


def sections(registry: Registry | None = None) -> list[tuple[str, str, list[type[BaseModel]]]]:
    """(title, introduction, models) for each file format; a model shared by two files is in the first, and
    a root model in its own file's (an issue names the registry's Author). ``registry``: the project's, whose
    plugins' block types are documented with ours."""
    registry = registry or Registry.builtin()
    seen: set[type[BaseModel]] = {root for _, _, root in ROOTS}
    found = []
    for title, intro, root in ROOTS:
        seen.discard(root)
        found.append((title, intro, reachable(root, seen)))
        if root is models.Issue:
            types = ", ".join(f"`{name}`" for name in registry.block_types)
            block_models = [model for block_type in registry.block_types.values()
                            for model in reachable(block_type.model, seen)]
            found.append(("Blocks (`blocks:`)", f"Each item of an issue's `blocks:` has a `type:`, one of {types}; "
                          "a brief is a [Brief](#brief) with `type: brief`.", block_models))
    return found

_VALIDATOR_NAMES = {
    models._clean_line: "text",
    models._clean_markdown: "Markdown",
    models._clean_url: "http(s) URL",
    models._clean_handle: "Twitter handle",
    models._check_color: "colour",
    models._check_font_family: "font list",
    models._resolve_author: "author id or [Author](#author)",
    models._validate_block: "block: one of the [block types](#blocks-blocks)",
    models._check_platform: "one of the [platforms](#platforms)",
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
        return f"`{args[0]}`" if len(args) == 1 else "one of " + ", ".join(f"`{value}`" for value in args)
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


def render_reference(registry: Registry | None = None) -> str:
    parts = [
        "# File formats",
        "",
        "Generated from `newsletter/models.py` by `newsletter docs`; do not edit by hand.",
        "Unknown fields are errors. `text` is one line: line breaks and runs of spaces fold to one space.",
        "`Markdown` is paragraphs separated by blank lines with inline `*em*`, `**strong**`, `` `code` `` and",
        "`[text](https://...)`; raw HTML prints as typed, and links must be `http`, `https` or `mailto`.",
    ]
    registry = registry or Registry.builtin()
    for title, intro, section_models in sections(registry):
        parts += ["", f"## {title}", "", intro]
        for model in section_models:
            parts += ["", _model_table(model)]
    parts += ["", platforms_section(registry), "", rules_section(registry), "", templates_section(registry)]
    if registry.plugins:
        parts += ["", "## Plugins", "", "This reference includes what these plugins add: "
                  + ", ".join(f"`{name}`" for name in registry.plugins) + "."]
    return "\n".join(parts) + "\n"


def platforms_table(registry: Registry | None = None) -> str:
    from .platforms import PLATFORMS

    lines = ["| platform | name | unsubscribe | view in browser |", "| --- | --- | --- | --- |"]
    for platform in (PLATFORMS if registry is None else registry.platforms).values():
        def tag(value: str | None) -> str:
            return f"`{value.replace('|', chr(92) + '|')}`" if value else "(none)"
        lines.append(f"| `{platform.name}` | {platform.label} | {tag(platform.unsubscribe)} | "
                     f"{tag(platform.view_in_browser)} |")
    return "\n".join(lines)


def platforms_section(registry: Registry | None = None) -> str:
    return "\n".join(["## Platforms", "", "`platform:` in the config, or `--platform`: whose merge tags the "
                      "footer uses.", "", platforms_table(registry)])


# The README's generated tables: each between its opening comment and <!-- end -->.
_README_PART = re.compile(r"(<!-- generated: (platforms|check rules) \(newsletter docs\) -->\n)(.*?)(<!-- end -->)", re.S)


def readme(text: str) -> str:
    """``text`` (the README) with its generated tables made anew."""
    tables = {"platforms": platforms_table, "check rules": rules_table}
    return _README_PART.sub(lambda m: m.group(1) + tables[m.group(2)]() + "\n" + m.group(4), text)


def rules_table(registry: Registry | None = None) -> str:
    """The check rules as a Markdown table, for the reference and the README."""
    from . import checks

    rules = checks.RULES if registry is None else registry.rules
    lines = ["| rule | severity | finds | failed in (EMC 2025) |", "| --- | --- | --- | --- |"]
    lines += [f"| `{r.id}` | {r.severities} | {r.description} | {r.emc} |" for r in rules.values()]
    return "\n".join(lines)


def rules_section(registry: Registry | None = None) -> str:
    return "\n".join(["## Check rules", "", "What `newsletter check` (and every build) looks for; turn a rule off "
                      "with `checks: {ignore: [ID]}` in the config or `--ignore ID`.", "", rules_table(registry)])


# The theme's values that the styles read, to list the styles' names.
_THEME_NAMES = ("heading_font_family", "text_color", "muted_color", "link_color", "header_text_color",
                "callout_background_color", "callout_border_color")


def _view_fields(view_class: type) -> list[tuple[str, str]]:
    import dataclasses

    return [(f.name, f.metadata.get("doc", "")) for f in dataclasses.fields(view_class)]


def templates_section(registry: Registry | None = None) -> str:
    """The template contract: what each template receives, generated from the code that passes it."""
    from . import archive, render

    registry = registry or Registry.builtin()

    lines = ["## Templates", "",
             "A file in the config's `templates` folder overrides the built-in template of the same name; "
             "`{% include \"builtin/NAME\" %}` reaches ours. Values are escaped unless they are markup.", "",
             "### The email templates", "",
             "`email.mjml.j2` and every template it includes (`head`, `header`, `hero`, `contents`, "
             "`footer`, `blocks/TYPE`) receive:", "", "| name | what it is |", "| --- | --- |"]
    lines += [f"| `{name}` | {doc} |" for name, doc in render.CONTEXT.items()]
    lines += ["", "Filters: `markdown(link_style)` renders inline Markdown; `markdown_blocks` renders a body "
              "(paragraphs, lists, sub-headings, quotes) styled from `style`; `bidi(dir)` isolates a value whose "
              "direction is not `dir` in `<span dir>` (a Latin handle in an Arabic edition); "
              "`dir_attribute(dir)` gives ` dir=\"ltr\"` (or rtl) for an element whose text reads the other way.",
              "", "### Block views", "",
              "A block's template (`blocks/TYPE.mjml.j2`) also receives `block`, its view:"]
    for block_type in registry.block_types.values():
        lines += ["", f"#### `{block_type.name}` (`{block_type.template}`)", "", "| field | what it is |",
                  "| --- | --- |"]
        lines += [f"| `{name}` | {doc} |" for name, doc in _view_fields(block_type.view_class)]
    from . import styles

    names = ", ".join(f"`{name}`" for name in styles.make({key: "" for key in _THEME_NAMES}))
    lines += ["", "### Styles and classes", "",
              "`style.NAME` (`newsletter/styles.py`, one per element kind, made from the theme): " + names
              + ". A project's `styles.j2` may set any of them anew (`{% set text_link = \"...\" %}`).", "",
              "The classes the dark palette (`dark.css.j2`) selects. A block template of a plugin that carries "
              "none gets `nl-text` on its `<mj-text>`s and `nl-box` on a coloured `<mj-column>` from the block "
              "wrapper; give them yourself where you want another:", "", "| class | on |", "| --- | --- |"]
    lines += [f"| `{name}` | {doc} |" for name, doc in styles.CLASSES.items()]
    lines += ["", f"### The archive page (`{archive.ARCHIVE_TEMPLATE}`)", "", "| name | what it is |",
              "| --- | --- |"]
    lines += [f"| `{name}` | {doc} |" for name, doc in archive.CONTEXT.items()]
    return "\n".join(lines)
