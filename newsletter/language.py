"""Languages: which way a language is written, the words the templates print, and dates, each in the issue's
(or a block's) language.

Babel (the CLDR's data) says a language's direction and writes its dates; it is imported only for a language
other than English, whose words and dates the templates have always printed. The translations of the labels
are ours; the config's `labels:` override them.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from functools import lru_cache

from .models import MONTH_NAMES, Config, Labels, format_date

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


# The labels the templates print, in the languages we ship (`language.LABELS[lang]`), and the punctuation
# they add. English is the Labels model's own defaults.
LABELS: dict[str, dict[str, str]] = {
    "ar": {"contents": "المحتويات", "follow_on_twitter": "تابِع على تويتر", "unsubscribe": "إلغاء الاشتراك",
           "view_in_browser": "اعرضها في متصفحك", "archive": "الأرشيف", "read_more": "اقرأ الموجز كاملًا"},
    "fa": {"contents": "فهرست", "follow_on_twitter": "در توییتر دنبال کنید", "unsubscribe": "لغو اشتراک",
           "view_in_browser": "مشاهده در مرورگر", "archive": "بایگانی", "read_more": "متن کامل را بخوانید"},
    "he": {"contents": "תוכן העניינים", "follow_on_twitter": "עקבו בטוויטר", "unsubscribe": "הסרה מרשימת התפוצה",
           "view_in_browser": "צפייה בדפדפן", "archive": "ארכיון", "read_more": "לקריאה המלאה"},
    "fr": {"contents": "Sommaire", "follow_on_twitter": "Suivre sur Twitter", "unsubscribe": "Se désabonner",
           "view_in_browser": "Voir dans le navigateur", "archive": "Archives", "read_more": "Lire la note complète"},
    "es": {"contents": "Contenido", "follow_on_twitter": "Seguir en Twitter", "unsubscribe": "Darse de baja",
           "view_in_browser": "Ver en el navegador", "archive": "Archivo", "read_more": "Leer el informe completo"},
    "tr": {"contents": "İçindekiler", "follow_on_twitter": "Twitter'da takip edin", "unsubscribe": "Abonelikten çık",
           "view_in_browser": "Tarayıcıda görüntüle", "archive": "Arşiv", "read_more": "Raporun tamamını okuyun"},
    "de": {"contents": "Inhalt", "follow_on_twitter": "Auf Twitter folgen", "unsubscribe": "Abbestellen",
           "view_in_browser": "Im Browser ansehen", "archive": "Archiv", "read_more": "Den ganzen Beitrag lesen"},
}
# The comma the templates put between a name and a role: the Arabic script's own where it is used.
COMMAS = {"ar": "، ", "fa": "، ", "ur": "، ", "ps": "، ", "ckb": "، "}


@dataclass(frozen=True)
class Words:
    """The labels and punctuation the templates print, in one language (the config's `labels:` win)."""

    contents: str
    follow_on_twitter: str
    unsubscribe: str
    view_in_browser: str
    archive: str
    read_more: str
    comma: str  # between a name and a role: ", ", or "، " in Arabic script


def primary(lang: str) -> str:
    return lang.replace("_", "-").split("-")[0].lower()


@lru_cache(maxsize=64)
def _words(labels: Labels, lang: str) -> Words:
    translated = LABELS.get(primary(lang), {})
    chosen = {name: getattr(labels, name) if name in labels.model_fields_set else translated.get(name,
              getattr(labels, name)) for name in Labels.model_fields}
    return Words(**chosen, comma=COMMAS.get(primary(lang), ", "))


def words(config: Config, lang: str) -> Words:
    return _words(config.labels, lang)


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
