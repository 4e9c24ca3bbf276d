"""The block types an issue's ``blocks:`` may hold: each is one module here and one template in
``templates/blocks/``; ``BUILTIN`` lists them.

A block type is a pydantic model (with ``type: Literal["name"]``), an MJML template
(``templates/blocks/NAME.mjml.j2``), a view (what that template sees as ``block``), a plain-text renderer and
the texts that must reach both the HTML and the plain text (the ``text-parity`` check): a
:class:`~newsletter.blocks.base.BlockType`. The reference, the Contents, the checks and the archive learn
about a type from its BlockType; nothing else names it. A plugin adds one to its project's registry
(``registry.add_block_type``, see ``newsletter.registry``).
"""

from __future__ import annotations

from . import announcement, brief, events, image, links, note
from .base import BlockType, Context, Expected, View, expectations, templates_dirs, text, type_of, validate, views

__all__ = ["BUILTIN", "REGISTRY", "BlockType", "Context", "Expected", "View", "expectations", "register",
           "templates_dirs", "text", "type_of", "unregister", "validate", "views"]

# The block types newsletter has, in the order the reference and the messages list them.
BUILTIN: dict[str, BlockType] = {block_type.name: block_type for block_type in (
    announcement.ANNOUNCEMENT, brief.BRIEF, events.EVENTS, image.IMAGE, links.LINKS, note.NOTE)}

# The block types of a build that names no project registry: the built-in ones, and those register() adds.
REGISTRY: dict[str, BlockType] = dict(BUILTIN)


def register(block_type: BlockType) -> BlockType:
    """Add a block type to ``REGISTRY``, for every build in this process that has no registry of its own.
    A project's plugin adds one to its own registry instead (``registry.add_block_type``)."""
    REGISTRY[block_type.name] = block_type
    return block_type


def unregister(name: str) -> None:
    if name not in BUILTIN:
        REGISTRY.pop(name, None)
