"""``type: note``: an editor's note, with an optional title, before or between the briefs."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from pydantic import Field

from .. import plain
from ..models import LangTag, Line, Markdown, Model
from .base import BlockType, Context, Expected, View


class Note(Model):
    """An editor's note."""

    type: Literal["note"] = Field(description="`note`.")
    lang: LangTag | None = Field(None, description="Its language, when it is not the issue's.")
    title: Line | None = Field(None, description='Its heading, e.g. "From the editor"; listed in the Contents.')
    body: Markdown = Field(description="Markdown, as a brief's body.")


@dataclass(frozen=True)
class NoteView(View):
    """An editor's note as its template sees it."""

    body: str = field(default="", metadata={"doc": "The note, Markdown: `{{ block.body | markdown_blocks }}`."})


def view(note: Note, context: Context, number: int) -> NoteView:
    return NoteView(type="note", template=NOTE.template, anchor=f"note-{number}", title=note.title, body=note.body)


def text(note: Note, context: Context) -> list[str]:
    return ([plain.wrap(note.title)] if note.title else []) + plain.body(note.body, context.links.tag)


def expected(note: Note, context: Context) -> list[Expected]:
    return [("title", note.title)] if note.title else []


NOTE = BlockType("note", Note, view, text, expected, NoteView)
