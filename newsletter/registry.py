"""What a project can have: its block types, check rules, mailing platforms and translations of the labels.

Each loaded project has a registry of its own: newsletter's built-in kinds, and what its plugins add. A
plugin is a module with a ``setup(registry)`` function: named in the config's ``plugins:`` (a module beside
``newsletter.yaml``, a file, or an installed module), or installed as a package with an entry point in the
``newsletter.plugins`` group, which every project loads. In ``setup`` it calls::

    registry.add_block_type(BlockType("quote-of-the-week", Model, view, text, expected, View,
                                      templates_dir=Path(__file__).parent / "templates"))
    registry.add_rule(Rule("no-exclamations", "warning", "exclamation marks in titles", check))
    registry.add_platform(Platform("buttondown", "Buttondown", "{{ unsubscribe_url }}", None, r"\\{\\{.*?\\}\\}"))
    registry.add_labels("it", {"contents": "Sommario", "read_more": "Leggi tutto"})

so two projects in one process never share what their plugins add (MkDocs: ``mkdocs.plugins`` entry points;
Sphinx: ``setup(app)`` with ``app.add_*``).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from .errors import PluginError
from .platforms import Platform

if TYPE_CHECKING:
    from .blocks.base import BlockType
    from .checks.core import Rule

ENTRY_POINT_GROUP = "newsletter.plugins"



class BlockTypes(Mapping[str, "BlockType"]):
    """The block types of a project by name: newsletter's, read when first asked (validating an issue without
    ``blocks:`` needs none of their modules), and its plugins'."""

    def __init__(self) -> None:
        self.added: dict[str, BlockType] = {}

    def add(self, block_type: BlockType) -> None:
        self.added[block_type.name] = block_type

    def __getitem__(self, name: str) -> BlockType:
        if name in self.added:
            return self.added[name]
        from . import blocks

        return blocks.REGISTRY[name]

    def outside(self) -> list[BlockType]:
        """The types added from outside newsletter: the project's plugins', and those ``blocks.register`` added."""
        from . import blocks

        return [*self.added.values(), *(t for t in blocks.REGISTRY.outside() if t.name not in self.added)]

    def __contains__(self, name: object) -> bool:
        from . import blocks

        return name in self.added or name in blocks.REGISTRY

    def __iter__(self) -> Iterator[str]:
        from . import blocks

        return iter(dict.fromkeys([*blocks.REGISTRY, *self.added]))

    def __len__(self) -> int:
        return sum(1 for _ in self)


@dataclass
class Registry:
    """The kinds of things one project has: newsletter's, and its plugins'."""

    block_types: BlockTypes = field(default_factory=BlockTypes)
    platforms: dict[str, Platform] = field(default_factory=dict)
    labels: dict[str, dict[str, str]] = field(default_factory=dict)  # language -> label name -> words
    plugins: list[str] = field(default_factory=list)  # the plugins loaded, in order
    plugin_files: list[str] = field(default_factory=list)  # their files, which the preview watches
    added_rules: dict[str, Rule] = field(default_factory=dict)  # the plugins' rules

    @classmethod
    def builtin(cls) -> Registry:
        """A registry of newsletter's own kinds (and the block types ``blocks.register`` added)."""
        from .platforms import PLATFORMS
        from .translations import LABELS

        return cls(BlockTypes(), dict(PLATFORMS), {lang: dict(words) for lang, words in LABELS.items()})

    @property
    def rules(self) -> dict[str, Rule]:
        """newsletter's check rules and the plugins': read when asked (the rules import lxml, which validating
        an issue needs none of)."""
        from .checks.core import RULES

        return {**RULES, **self.added_rules} if self.added_rules else RULES

    def add_block_type(self, block_type: BlockType) -> BlockType:
        """Add a block type: ``type: NAME`` in an issue's ``blocks:``; its template, ``blocks/NAME.mjml.j2``,
        in ``block_type.templates_dir``."""
        from .blocks.base import BlockType

        if not isinstance(block_type, BlockType):
            raise PluginError(f"add_block_type takes a newsletter.blocks.BlockType, not {block_type!r}")
        if not re.fullmatch(r"[a-z][a-z0-9-]*", block_type.name):
            raise PluginError(f"block type {block_type.name!r}: a name is lower-case letters, digits and -")
        self.block_types.add(block_type)
        return block_type

    def add_rule(self, rule: Rule) -> Rule:
        """Add a check rule: it runs on every build and ``newsletter check``, and ``checks.ignore`` knows it."""
        from .checks.core import SEVERITIES, Rule

        if not isinstance(rule, Rule) or rule.severity not in SEVERITIES:
            raise PluginError(f"add_rule takes a newsletter.checks.Rule whose severity is one of {SEVERITIES}")
        self.added_rules[rule.id] = rule
        return rule

    def rule(self, id: str, severity: str, description: str, **options: object) -> Callable[[Callable], Callable]:  # type: ignore[type-arg]  # noqa: A002
        """Add the decorated ``check(email, add)`` as the rule ``id`` (see ``newsletter.checks.rule``)."""
        def register(check: Callable) -> Callable:  # type: ignore[type-arg]
            from .checks.core import Rule

            self.add_rule(Rule(id, severity, description, check, **options))  # type: ignore[arg-type]
            return check
        return register

    def add_platform(self, platform: Platform) -> Platform:
        """Add a mailing platform: ``platform:`` in the config and ``--platform`` name it."""
        if not isinstance(platform, Platform):
            raise PluginError(f"add_platform takes a newsletter.platforms.Platform, not {platform!r}")
        self.platforms[platform.name] = platform
        return platform

    def add_labels(self, lang: str, labels: dict[str, str]) -> None:
        """Add (or complete) newsletter's own translation of the labels into ``lang``."""
        from .models import Labels

        unknown = set(labels) - set(Labels.model_fields)
        if unknown:
            raise PluginError(f"add_labels: {', '.join(sorted(unknown))} are not labels "
                              f"(labels: {', '.join(Labels.model_fields)})")
        self.labels.setdefault(lang.split("-")[0].lower(), {}).update(labels)
