"""CSS colours as email clients take them, and WCAG contrast between them.

tinycss2 (CSS Color Level 3) parses every form a theme or a template may write: ``#rgb``, ``#rrggbb``,
``rgb()``, ``rgba()``, ``hsl()``, ``hsla()``, the named colours and ``transparent``. Plain hex, all the built-in
theme writes, is read here without importing it; a test holds the two to the same answers.
"""

from __future__ import annotations

import re
from functools import lru_cache

RGB = tuple[int, int, int]
RGBA = tuple[int, int, int, float]

HEX_COLOR = re.compile(r"#(?:[0-9a-fA-F]{3}){1,2}")


@lru_cache(maxsize=1024)
def parse_color(value: str) -> RGBA | None:
    """``(red, green, blue, alpha)`` of a CSS colour, or None when ``value`` is not one."""
    value = value.strip()
    if HEX_COLOR.fullmatch(value):
        digits = value[1:] if len(value) == 7 else "".join(c * 2 for c in value[1:])
        return int(digits[0:2], 16), int(digits[2:4], 16), int(digits[4:6], 16), 1.0
    from tinycss2.color3 import parse_color as css_color

    color = css_color(value)
    if color is None or isinstance(color, str):  # None, or "currentColor", which has no value of its own
        return None
    def channel(value: float) -> int:  # CSS clamps rgb(300, -5, 0) to rgb(255, 0, 0): so do we
        return min(255, max(0, round(value * 255)))

    return channel(color.red), channel(color.green), channel(color.blue), min(1.0, max(0.0, float(color.alpha)))


@lru_cache(maxsize=1024)
def find_color(value: str) -> RGBA | None:
    """The colour in a CSS value that may hold more, such as the ``background`` shorthand
    (``#fff url(x.png) no-repeat``): the whole value first, then each of its parts."""
    color = parse_color(value)
    if color is not None or " " not in value.strip():
        return color
    import tinycss2

    for token in tinycss2.parse_component_value_list(value):
        if token.type in ("whitespace", "comment"):
            continue
        color = parse_color(tinycss2.serialize([token]))
        if color is not None:
            return color
    return None


def css(rgba: RGBA) -> str:
    """How the email writes a colour: hex, understood by every client (Outlook's Word engine too), or rgba()
    when it is see-through."""
    red, green, blue, alpha = rgba
    if alpha >= 1:
        return f"#{red:02x}{green:02x}{blue:02x}"
    return f"rgba({red}, {green}, {blue}, {alpha:g})"


def over(color: RGBA, background: RGB) -> RGB:
    """``color`` painted over the opaque ``background``: what a reader sees of a see-through colour."""
    red, green, blue, alpha = color
    if alpha >= 1:
        return red, green, blue
    return tuple(round(alpha * top + (1 - alpha) * bottom) for top, bottom in zip((red, green, blue), background, strict=True))  # type: ignore[return-value]


def _luminance(rgb: RGB) -> float:
    def channel(value: int) -> float:
        c = value / 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(v) for v in rgb)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast_ratio(foreground: RGB, background: RGB) -> float:
    """The WCAG 2 contrast ratio of two opaque colours, from 1 to 21."""
    light, dark = sorted((_luminance(foreground), _luminance(background)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def hex_of(rgb: RGB) -> str:
    return "#{:02x}{:02x}{:02x}".format(*rgb)
