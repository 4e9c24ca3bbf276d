"""A block type defined outside newsletter, as a project would: `type: quote`, a pull quote with its source.

Importing this module registers it; nothing in newsletter/ names it. Its template is in templates/blocks/.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from pydantic import Field

from newsletter import blocks, plain
from newsletter.models import Line, Model


class Quote(Model):
    """A pull quote."""

    type: Literal["quote"] = Field(description="`quote`.")
    text: Line = Field(description="The words quoted.")
    source: Line = Field(description="Who said them.")


@dataclass(frozen=True)
class QuoteView(blocks.View):
    """A pull quote as its template sees it."""

    text: str = field(default="", metadata={"doc": "The words quoted."})
    source: str = field(default="", metadata={"doc": "Who said them."})


def view(quote: Quote, context: blocks.Context, number: int) -> QuoteView:
    return QuoteView(type="quote", template="blocks/quote.mjml.j2", anchor=f"quote-{number}", title=None,
                     text=quote.text, source=quote.source)


def text(quote: Quote, context: blocks.Context) -> list[str]:
    return [plain.wrap(f"“{quote.text}” ({quote.source})", "    ", "    ")]


def expected(quote: Quote, context: blocks.Context) -> list[blocks.Expected]:
    return [("text", quote.text), ("text", quote.source)]


QUOTE = blocks.register(blocks.BlockType("quote", Quote, view, text, expected, QuoteView,
                                         templates_dir=Path(__file__).parent / "templates"))
