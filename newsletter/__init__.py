"""newsletter: turn a YAML issue definition into a production-ready email.

    import newsletter
    report = newsletter.build(["issues/mei-four-briefs.yaml"], out="dist")
    email = newsletter.render_issue("issues/mei-four-briefs.yaml")   # in memory: .html, .text, .mjml

The library is imported lazily so that ``newsletter --help`` does not load the rendering stack.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"
__all__ = ["build", "render_issue", "NewsletterError", "__version__"]

if TYPE_CHECKING:
    from .pipeline import build, render_issue
    from .errors import NewsletterError


def __getattr__(name: str) -> Any:
    if name in ("build", "render_issue"):
        from . import pipeline

        return getattr(pipeline, name)
    if name == "NewsletterError":
        from .errors import NewsletterError

        return NewsletterError
    raise AttributeError(name)
