"""``type: events``: upcoming events, each with its date and, optionally, time, place and page."""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass, field
from typing import Literal

from pydantic import Field

from .. import plain
from ..models import HttpUrl, LangTag, Line, Model
from .base import BlockType, Context, Expected, View


class Event(Model):
    """One event."""

    title: Line = Field(description="What it is.")
    date: datetime.date = Field(description="When, YYYY-MM-DD; printed with the config's date_format.")
    time: Line | None = Field(None, description='The time, as written, e.g. "12:00 pm ET".')
    location: Line | None = Field(None, description='Where, e.g. "Washington, D.C." or "Online".')
    url: HttpUrl | None = Field(None, description="Its page: the title links there.")


class Events(Model):
    """Upcoming events."""

    type: Literal["events"] = Field(description="`events`.")
    lang: LangTag | None = Field(None, description="Its language, when it is not the issue's.")
    title: Line = Field(description='Its heading, e.g. "Upcoming events"; listed in the Contents.')
    items: list[Event] = Field(min_length=1, description="The events, in this order.")


@dataclass(frozen=True)
class EventView:
    title: str
    when: str  # the date as the config writes it, then the time
    location: str | None
    url: str | None  # tagged


@dataclass(frozen=True)
class EventsView(View):
    """An events block as its template sees it."""

    items: tuple[EventView, ...] = field(default=(), metadata={
        "doc": "Each event: `title`, `when` (date and time as printed), `location` and `url` (tagged), or None."})


def _when(event: Event, context: Context) -> str:
    return context.date(event.date) + (f", {event.time}" if event.time else "")


def view(block: Events, context: Context, number: int) -> EventsView:
    items = tuple(EventView(event.title, _when(event, context), event.location,
                            context.links.tag(event.url) if event.url else None) for event in block.items)
    return EventsView(type="events", template=EVENTS.template, anchor=f"events-{number}", title=block.title,
                      items=items)


def text(block: Events, context: Context) -> list[str]:
    entries = []
    indent = " " * len(plain.BULLET)
    for event in block.items:
        lines = [plain.wrap(event.title, plain.BULLET, indent)]
        details = _when(event, context) + (f" · {event.location}" if event.location else "")
        lines.append(plain.wrap(details, indent, indent))
        if event.url:
            lines.append(plain.wrap(f"<{context.links.tag(event.url)}>", indent, indent))
        entries.append("\n".join(lines))
    return [plain.wrap(block.title), *entries]


def expected(block: Events, context: Context) -> list[Expected]:
    found: list[Expected] = [("title", block.title)]
    for event in block.items:
        found += [("text", event.title), ("text", _when(event, context))]
        if event.location:
            found.append(("text", event.location))
        if event.url:
            found.append(("link", context.links.tag(event.url)))
    return found


# A clock time as people write one: 18:30, 6:30 pm, 18.30 h.
_CLOCK = re.compile(r"(?<![\d:.])(\d{1,2})[:.](\d{2})(?![\d:.])")


def warnings(block: Events) -> list[tuple[tuple[str | int, ...], str]]:
    """A time is printed as written: one no clock shows (25:61) is probably a slip."""
    found: list[tuple[tuple[str | int, ...], str]] = []
    for number, event in enumerate(block.items):
        for hours, minutes in _CLOCK.findall(event.time or ""):
            if int(hours) > 24 or int(minutes) > 59:
                found.append((("items", number, "time"), f"{hours}:{minutes} is not a time of day; it is printed "
                                                         "as written: check it"))
    return found


EVENTS = BlockType("events", Events, view, text, expected, EventsView, warnings=warnings)
