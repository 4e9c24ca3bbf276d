"""The words newsletter prints around the content, in the languages it ships, and each language's punctuation
around them: data, for ``language`` and for a project's registry (to which a plugin adds languages).
"""

from __future__ import annotations

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
