"""Languages: which way a language is written, the words the templates print, and dates, each in the issue's
(or a block's) language.

Babel (the CLDR's data) says a language's direction, writes its dates and lists names; it is imported only
when needed (a language other than English, a list of several names). The labels and the publication's texts
(disclaimer, postal address, name) follow one order: the config's own in the config's language; for another
language, the config's `translations:` entry for it; then newsletter's own translation of the labels; English
last.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache

from markupsafe import Markup

from .models import Config, Labels, Translation
from .translations import COLONS, COMMAS, LABELS


@lru_cache(maxsize=64)
def direction(lang: str) -> str:
    """``rtl`` or ``ltr`` for a BCP 47 language tag, as the CLDR says; an unknown language is ``ltr``."""
    base = lang.replace("-", "_")
    if base.split("_")[0].lower() == "en":
        return "ltr"
    from babel import Locale, UnknownLocaleError

    try:
        return Locale.parse(base).text_direction
    except (UnknownLocaleError, ValueError):
        try:
            return Locale.parse(base.split("_")[0]).text_direction
        except (UnknownLocaleError, ValueError):
            return "ltr"


@dataclass(frozen=True)
class Words:
    """The labels and punctuation the templates print, in one language."""

    contents: str
    follow_on_twitter: str
    unsubscribe: str
    view_in_browser: str
    archive: str
    read_more: str
    previous_issue: str
    next_issue: str
    newer_issues: str
    older_issues: str
    subscribe: str
    feed: str
    comma: str  # between a name and a role: ", ", or "، " in Arabic script
    colon: str = ": "  # after a label, before its value: ": ", "\u202f: " in French, "：" in Chinese and Japanese
    lang: str = "en"

    def names(self, names: list[str] | tuple[str, ...]) -> str:
        """``names`` as the language lists them: "A, B, and C", "A, B et C", "A، B و C", "A、B、C" (the CLDR's
        list pattern, through Babel)."""
        if len(names) < 2:
            return "".join(names)
        return _format_list(tuple(names), self.lang)

    def join(self, items: list[str]) -> Markup:
        """Markup ``items`` (names as the template prints them) in the language's list pattern, for a
        template: the pattern's own words and punctuation are escaped, the items kept as they are."""
        pattern = self.names([f"\x00{index}\x00" for index in range(len(items))])
        parts = pattern.split("\x00")
        return Markup("").join(Markup(items[int(part)]) if index % 2 else Markup.escape(part)
                               for index, part in enumerate(parts))


@lru_cache(maxsize=256)
def _format_list(names: tuple[str, ...], lang: str) -> str:
    if lang in ("en", "en-US", "en_US"):  # the CLDR's pattern (a test holds it to Babel's), without its 40 ms import
        return " and ".join(names) if len(names) == 2 else ", ".join(names[:-1]) + ", and " + names[-1]
    from babel import UnknownLocaleError
    from babel.lists import format_list

    try:
        return format_list(list(names), locale=lang.replace("-", "_"))
    except (UnknownLocaleError, ValueError):
        return format_list(list(names), locale="en")


def primary(lang: str) -> str:
    return lang.replace("_", "-").split("-")[0].lower()


def translation(config: Config, lang: str) -> Translation | None:
    """The config's own words for ``lang``: None when ``lang`` is the config's (its fields say them), else its
    ``translations:`` entry for the tag, or for its language (``pt`` for ``pt-BR``)."""
    if _is_own(config, lang):
        return None
    translations = config.translations
    if lang in translations:
        return translations[lang]
    return next((found for tag, found in translations.items() if primary(tag) == primary(lang)), None)


def _is_own(config: Config, lang: str) -> bool:
    return primary(lang) == primary(config.lang)


@lru_cache(maxsize=64)
def _words(labels: Labels | None, lang: str, translated: tuple[tuple[str, str], ...]) -> Words:
    """The words: those the writer set (``labels``, in ``lang``), else ``translated`` (ours), else English."""
    ours = dict(translated)
    given = labels.model_fields_set if labels is not None else set()
    chosen = {name: getattr(labels, name) if name in given else ours.get(name, Labels.model_fields[name].default)
              for name in Labels.model_fields}
    return Words(**chosen, comma=COMMAS.get(primary(lang), ", "), colon=COLONS.get(primary(lang), ": "), lang=lang)


def words(config: Config, lang: str, translations: Mapping[str, Mapping[str, str]] | None = None) -> Words:
    """The labels in ``lang``: the config's ``labels:`` when ``lang`` is the config's language, the
    ``translations:`` entry's when it is another, else newsletter's own translation (``translations``: the
    project's, with its plugins'; default ``LABELS``), else English."""
    table = (LABELS if translations is None else translations).get(primary(lang), {})
    ours = tuple(sorted(table.items()))
    if _is_own(config, lang):
        return _words(config.labels, lang, ours)
    found = translation(config, lang)
    return _words(found.labels if found is not None else None, lang, ours)


def disclaimer(config: Config, lang: str) -> str:
    """The footer text in ``lang``: its translation when the config gives one, else the config's."""
    found = translation(config, lang)
    return found.disclaimer if found is not None and found.disclaimer else config.disclaimer


def postal_address(config: Config, lang: str) -> str | None:
    """The sender's postal address as ``lang`` writes it, when the config gives it; else the config's."""
    own = config.sender.postal_address if config.sender else None
    found = translation(config, lang)
    return found.postal_address if found is not None and found.postal_address and own else own


def name(config: Config, lang: str) -> str:
    """The publication's name in ``lang``, when the config gives it; else its name."""
    found = translation(config, lang)
    return found.name if found is not None and found.name else config.name


MONTH_NAMES = ("January", "February", "March", "April", "May", "June", "July", "August", "September",
               "October", "November", "December")
_DATE_FIELD = re.compile(r"\{(year|month|month_name|day)\}")


def format_date(date: datetime.date, pattern: str, month_name: str | None = None) -> str:
    """The date as ``pattern`` says, with English month names whatever the machine's locale (or ``month_name``,
    the language's)."""
    fields = {"year": date.year, "month": date.month, "month_name": month_name or MONTH_NAMES[date.month - 1],
              "day": date.day}
    return _DATE_FIELD.sub(lambda match: str(fields[match.group(1)]), pattern)


def date(value: datetime.date, config: Config, lang: str) -> str:
    """``value`` as the config's ``date_format`` says when it sets one (with the language's month names),
    else as the language writes a date in full (Babel, CLDR): "August 17, 2023", "17 أغسطس 2023"."""
    locale = None if lang.lower() in ("en", "en-us") else lang.replace("-", "_")
    if "date_format" in config.model_fields_set:
        months = _babel(locale, "get_month_names", "wide")
        return format_date(value, config.date_format, months[value.month] if months else None)
    return _babel(locale, "format_date", value, format="long") or \
        f"{MONTH_NAMES[value.month - 1]} {value.day}, {value.year}"  # the CLDR's long English date


def _babel(locale: str | None, function: str, *args: object, **options: object):  # type: ignore[no-untyped-def]
    """``babel.dates.FUNCTION(*args, locale=locale)``; None for English (written without importing Babel)
    and for a locale Babel does not know (the models refuse such a tag; a library caller may not have)."""
    if locale is None:
        return None
    from babel import UnknownLocaleError, dates

    try:
        return getattr(dates, function)(*args, locale=locale, **options)
    except (UnknownLocaleError, ValueError):
        return None
