"""newsletter: turn a YAML issue definition into a production-ready email.

    import newsletter
    report = newsletter.build(["issues/mei-four-briefs.yaml"], out="dist")
    email = newsletter.render_issue("issues/mei-four-briefs.yaml")   # in memory: .html, .text, .mjml
    report = newsletter.validate_issues("issues/")                     # the files only, no rendering

The public surface is what ``__all__`` names: the three calls above; what they return (``Report`` with its
``IssueResult``s, ``Email``); the project they build with (``Project``, ``load_project``) and its plugin
``Registry``; and the errors, all subclasses of ``NewsletterError``. The library is imported lazily, so that
``newsletter --help`` does not load the rendering stack.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

# Name -> the module that defines it, imported on first use.
_EXPORTS = {
    "build": "pipeline", "render_issue": "pipeline", "validate_issues": "pipeline", "Email": "pipeline",
    "Report": "pipeline", "IssueResult": "pipeline",
    "Project": "project", "load_project": "project", "find_project": "project",
    "Registry": "registry", "PluginError": "registry",
    "NewsletterError": "errors", "InputError": "errors", "ArgumentError": "errors", "ConfigNotFound": "errors",
    "TemplateError": "errors", "OutputError": "errors", "SystemFailure": "errors", "Problem": "errors",
    "SendError": "send",
}
__all__ = ["build", "render_issue", "validate_issues", "Email", "Report", "IssueResult", "Project", "load_project",
           "find_project", "Registry", "PluginError", "NewsletterError", "InputError", "ArgumentError",
           "ConfigNotFound", "TemplateError", "OutputError", "SystemFailure", "Problem", "SendError", "__version__"]

if TYPE_CHECKING:
    from .errors import (
        ArgumentError,
        ConfigNotFound,
        InputError,
        NewsletterError,
        OutputError,
        Problem,
        SystemFailure,
        TemplateError,
    )
    from .pipeline import Email, IssueResult, Report, build, render_issue, validate_issues
    from .project import Project, find_project, load_project
    from .registry import PluginError, Registry
    from .send import SendError


def __getattr__(name: str) -> Any:
    if name in _EXPORTS:
        import importlib

        return getattr(importlib.import_module(f".{_EXPORTS[name]}", __name__), name)
    raise AttributeError(f"module 'newsletter' has no attribute {name!r}")
