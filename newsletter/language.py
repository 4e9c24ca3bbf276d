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
from dataclasses import dataclass
from functools import lru_cache

from markupsafe import Markup

from .models import MONTH_NAMES, Config, Labels, Translation, format_date

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
    "ja": {"contents": "目次", "follow_on_twitter": "Twitterでフォロー", "unsubscribe": "配信停止",
           "view_in_browser": "ブラウザで表示", "archive": "アーカイブ", "read_more": "全文を読む"},
    "zh": {"contents": "目录", "follow_on_twitter": "在 Twitter 上关注", "unsubscribe": "退订",
           "view_in_browser": "在浏览器中查看", "archive": "存档", "read_more": "阅读全文"},
}
# The comma the templates put between a name and a role: the Arabic script's own where it is used.
COMMAS = {"ar": "، ", "fa": "، ", "ur": "، ", "ps": "، ", "ckb": "، ", "ja": "、", "zh": "，"}
# What follows a label before its value ("Follow on Twitter: @x"): French sets a narrow no-break space before
# the colon (as before ; ! ?), Chinese and Japanese a full-width colon with no space after it.
COLONS = {"fr": "\u202f: ", "ja": "：", "zh": "："}


@dataclass(frozen=True)
class Words:
    """The labels and punctuation the templates print, in one language."""

    contents: str
    follow_on_twitter: str
    unsubscribe: str
    view_in_browser: str
    archive: str
    read_more: str
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
    if primary(lang) == primary(config.lang):
        return None
    translations = config.translations
    if lang in translations:
        return translations[lang]
    return next((found for tag, found in translations.items() if primary(tag) == primary(lang)), None)


def _is_own(config: Config, lang: str) -> bool:
    return primary(lang) == primary(config.lang)


@lru_cache(maxsize=64)
def _words(labels: Labels | None, lang: str) -> Words:
    """The words: those the writer set (``labels``, in ``lang``), else our translation, else English."""
    translated = LABELS.get(primary(lang), {})
    given = labels.model_fields_set if labels is not None else set()
    chosen = {name: getattr(labels, name) if name in given else translated.get(name, Labels.model_fields[name].default)
              for name in Labels.model_fields}
    return Words(**chosen, comma=COMMAS.get(primary(lang), ", "), colon=COLONS.get(primary(lang), ": "), lang=lang)


def words(config: Config, lang: str) -> Words:
    """The labels in ``lang``: the config's ``labels:`` when ``lang`` is the config's language, the
    ``translations:`` entry's when it is another, else newsletter's own translation, else English."""
    if _is_own(config, lang):
        return _words(config.labels, lang)
    found = translation(config, lang)
    return _words(found.labels if found is not None else None, lang)


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
