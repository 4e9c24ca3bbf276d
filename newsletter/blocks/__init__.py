"""The block types an issue's ``blocks:`` may hold: each is one module here and one template in
``templates/blocks/``; ``BUILTIN`` lists them.

A block type is a pydantic model (with ``type: Literal["name"]``), an MJML template
(``templates/blocks/NAME.mjml.j2``), a view (what that template sees as ``block``), a plain-text renderer and
the texts that must reach both the HTML and the plain text (the ``text-parity`` check): a
:class:`~newsletter.blocks.base.BlockType`. The reference, the Contents, the checks and the archive learn
about a type from its BlockType; nothing else names it. A plugin adds one to its project's registry
(``registry.add_block_type``, see ``newsletter.registry``).

Each module is imported when its type is first asked for: a build of the example, whose issue holds briefs
only, makes none of the other types' models (a twentieth of a cold start).
"""

from __future__ import annotations

import importlib
from collections.abc import Iterator, MutableMapping

from pydantic import BaseModel

from . import base
from .base import BlockType, Context, Expected, View, templates_dirs, validate

__all__ = ["BUILTIN", "REGISTRY", "BlockType", "Context", "Expected", "View", "expectations", "is_builtin",
           "register", "templates_dirs", "text", "type_of", "unregister", "validate", "views"]

# The block types newsletter has, in the order the reference and the messages list them: name -> its module.
_MODULES = {"announcement": "announcement", "brief": "brief", "events": "events", "image": "image",
            "links": "links", "note": "note"}


class _Types(MutableMapping[str, BlockType]):
    """Block types by name; newsletter's own are imported from their modules when first asked for."""

    def __init__(self, added: dict[str, BlockType] | None = None, builtin: bool = True):
        self._builtin = builtin
        self._added: dict[str, BlockType] = dict(added or {})
        self._removed: set[str] = set()

    def __getitem__(self, name: str) -> BlockType:
        if name in self._added:
            return self._added[name]
        if self._builtin and name in _MODULES and name not in self._removed:
            module = importlib.import_module(f".{_MODULES[name]}", __name__)
            return getattr(module, name.upper())
        raise KeyError(name)

    def __setitem__(self, name: str, block_type: BlockType) -> None:
        self._added[name] = block_type
        self._removed.discard(name)

    def __delitem__(self, name: str) -> None:
        if name not in self:
            raise KeyError(name)
        self._added.pop(name, None)
        self._removed.add(name)

    def __iter__(self) -> Iterator[str]:
        for name in _MODULES:
            if (self._builtin and name not in self._removed) or name in self._added:
                yield name
        yield from (name for name in self._added if name not in _MODULES)

    def __len__(self) -> int:
        return sum(1 for _ in self)

    def outside(self) -> list[BlockType]:
        """The types added to this mapping (a plugin's, or one that replaces a built-in type)."""
        return [block_type for name, block_type in self._added.items() if name not in self._removed]

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and (name in self._added or (self._builtin and name in _MODULES
                                                                   and name not in self._removed))


# newsletter's own block types.
BUILTIN = _Types()

# The block types of a build that names no project registry: the built-in ones, and those register() adds.
REGISTRY = _Types()


def register(block_type: BlockType) -> BlockType:
    """Add a block type to ``REGISTRY``, for every build in this process that has no registry of its own.
    A project's plugin adds one to its own registry instead (``registry.add_block_type``)."""
    REGISTRY[block_type.name] = block_type
    return block_type


def unregister(name: str) -> None:
    if name not in _MODULES:
        REGISTRY.pop(name, None)


def _known(blocks: tuple[BaseModel, ...] | list[BaseModel]) -> None:
    """Import the modules of the built-in types among ``blocks``: a model knows its BlockType once its module has
    made it (the Brief model is the issue format's, in models.py, before brief.py is imported)."""
    for block in blocks:
        if getattr(type(block), "__block_type__", None) is None:
            BUILTIN.get(getattr(block, "type", ""))


def is_builtin(block_type: BlockType) -> bool:
    """Whether ``block_type`` is one of newsletter's own: not a plugin's, nor one that replaces ours."""
    return block_type.name in BUILTIN and BUILTIN[block_type.name] is block_type


def type_of(block: BaseModel) -> BlockType:
    _known([block])
    return base.type_of(block)


def views(blocks: tuple[BaseModel, ...], context: Context) -> list[View]:
    _known(blocks)
    return base.views(blocks, context)


def text(block: BaseModel, context: Context) -> list[str]:
    _known([block])
    return base.text(block, context)


def expectations(blocks: tuple[BaseModel, ...], context: Context) -> list[Expected]:
    _known(blocks)
    return base.expectations(blocks, context)
