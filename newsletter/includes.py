"""Stage 3's includes, rendered once for an email and its web edition.

The two editions of an issue differ in a few names of the template context (``links``, ``web``, ``page``,
``unsubscribe``, ``view_in_browser``: its head and footer); the header, the hero, the Contents and every
block read none of them, and rendering them again was a third of the web edition's cost. Within
:func:`sharing`, an ``{% include %}`` (with its context, as Jinja includes by default) in the second render
gives the output the same include gave in the first when the template, the templates it names and every
value it reads are the same objects: the names it reads, found in its source and in the templates it
includes, imports or extends, and what our context filters read (the Markdown filters read the edition's
link tagging, which both editions share). An include met again in the same render is rendered again, as is
one that reads a name whose value differs, names a template only known when it runs, or uses a filter or
test that reads the context in a way we do not know.

Only the output is given again, not what rendering it did: an included template's own ``{% set %}``s and
macros never reach the template that includes it, and what it changes must be something it reads (a
namespace, a cycler), which each render makes anew, so that its include is rendered in each.
"""

from __future__ import annotations

import contextvars
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import jinja2
from jinja2 import meta, nodes
from jinja2.compiler import CodeGenerator, Frame

# What each of our context filters reads from the context; "links" is read for its ``tag`` alone.
CONTEXT_READS: dict[str, tuple[str, ...]] = {"markdown": ("links",), "markdown_blocks": ("links", "style")}


@dataclass
class Shared:
    """The includes of the renders of one :func:`sharing`: {key: (the values the key was made of, kept alive
    so that no id is reused; the outputs of the first render that made the key, in the order met)}."""

    render: int = 0
    outputs: dict[tuple[Any, ...], tuple[list[Any], list[list[str]], int]] = field(default_factory=dict)
    replayed: dict[tuple[Any, ...], int] = field(default_factory=dict)  # in this render, by key

    def next_render(self) -> None:
        self.render += 1
        self.replayed.clear()


_SHARED: contextvars.ContextVar[Shared | None] = contextvars.ContextVar("newsletter_shared_includes", default=None)


@contextmanager
def sharing() -> Iterator[Shared]:
    """Renders whose includes share their outputs; call ``next_render()`` on what it gives between them."""
    shared = Shared()
    token = _SHARED.set(shared)
    try:
        yield shared
    finally:
        _SHARED.reset(token)


# Part of the key of the bytecode cache: the code our generator writes, the reads it records in it (with
# CONTEXT_READS). Bump it when any of them changes.
REVISION = 3

# Jinja writes an include with its context as this call; ours goes through Environment.include instead. Should
# a later Jinja write it otherwise, the line is left as it is: every include is then rendered, as before (a
# test says whether the editions still share).
_JINJA_INCLUDE = "gen = template.root_render_func(template.new_context(context.get_all(), True, "


class _CodeGenerator(CodeGenerator):
    def visit_Template(self, node: nodes.Template, frame: Frame | None = None) -> None:
        super().visit_Template(node, frame)
        # What the template reads, worked out from its syntax tree when it is compiled (parsing a template
        # again at run time cost more than a cold build saves) and kept in its code, and so in the bytecode cache.
        self.writeline(f"{_READS} = {_own_reads(self.environment, node)!r}")

    def visit_Include(self, node: nodes.Include, frame: Frame) -> None:
        writeline = self.writeline

        def rewritten(text: str, node: nodes.Node | None = None, extra: int = 0) -> None:
            if text.startswith(_JINJA_INCLUDE) and text.endswith("))"):
                text = f"gen = environment.include(template, context, {text[len(_JINJA_INCLUDE):-2]})"
            writeline(text, node, extra)

        self.writeline = rewritten  # type: ignore[method-assign, assignment]
        try:
            super().visit_Include(node, frame)
        finally:
            del self.writeline


_READS = "newsletter_reads"
# How Jinja marks a filter or test that is given the template context (``@jinja2.pass_context``).
_PASSES_CONTEXT = jinja2.pass_context(lambda: None).jinja_pass_arg  # type: ignore[attr-defined]
# A template's own reads: (the names it reads, the names only our filters read, the templates it names), or
# None when they cannot be known (a filter or test that reads the context in a way we do not know, a template
# named only when it runs).
_Reads = tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]


def _own_reads(environment: jinja2.Environment, tree: nodes.Template) -> _Reads | None:
    through_filters: set[str] = set()
    for used in tree.find_all((nodes.Filter, nodes.Test)):
        table = environment.filters if isinstance(used, nodes.Filter) else environment.tests
        if getattr(table.get(used.name), "jinja_pass_arg", None) is _PASSES_CONTEXT:
            if not isinstance(used, nodes.Filter) or used.name not in CONTEXT_READS:
                return None
            through_filters.update(CONTEXT_READS[used.name])
    named = list(meta.find_referenced_templates(tree))
    if any(not isinstance(name, str) for name in named):
        return None
    return (tuple(sorted(meta.find_undeclared_variables(tree))), tuple(sorted(through_filters)),
            tuple(sorted(set(named))))  # type: ignore[arg-type]


class _Template(jinja2.Template):
    newsletter_reads: _Reads | None = None  # what its code recorded, or None: not to be shared

    @classmethod
    def _from_namespace(cls, environment: jinja2.Environment, namespace: dict[str, Any],  # type: ignore[override]
                        globals: dict[str, Any]) -> jinja2.Template:
        template = super()._from_namespace(environment, namespace, globals)
        template.newsletter_reads = namespace.get(_READS)  # type: ignore[attr-defined]
        return template


class Environment(jinja2.Environment):
    code_generator_class = _CodeGenerator
    template_class = _Template

    def include(self, template: jinja2.Template, context: jinja2.runtime.Context,
                local_vars: Mapping[str, Any]) -> Iterator[str]:
        """What ``{% include %}`` yields: ``template`` rendered in the including template's context."""
        included = template.new_context(context.get_all(), True, local_vars)
        shared = _SHARED.get()
        reads = _reads(template) if shared is not None else None
        if shared is None or reads is None:
            return template.root_render_func(included)
        templates, direct, through_filters = reads
        values: list[Any] = [included.resolve_or_missing(name) for name in direct]
        for name in through_filters:  # read through our filters only: the link tagging alone
            value = included.resolve_or_missing(name)
            values.append(getattr(value, "tag", value) if name == "links" else value)
        key = (*templates, *map(id, values))
        found = shared.outputs.get(key)
        if found is not None and found[2] < shared.render:  # made by an earlier render: given in the same order
            met = shared.replayed[key] = shared.replayed.get(key, 0) + 1
            if met <= len(found[1]):
                return _replay(found[1][met - 1])
            return template.root_render_func(included)  # met more often than in that render
        output = list(template.root_render_func(included))
        shared.outputs.setdefault(key, (values, [], shared.render))[1].append(output)
        return _replay(output)


def _replay(output: list[str]) -> Iterator[str]:
    yield from output  # a generator: Jinja closes what an include gives


def _reads(template: jinja2.Template) -> tuple[tuple[jinja2.Template, ...], tuple[str, ...], tuple[str, ...]] | None:
    """(``template`` and the templates it names, as the environment gives them now; the names they read; the
    names only our filters read), or None when it cannot be shared. Worked out at each include, from what
    each template's code recorded: a template it names may have been edited and loaded again since."""
    direct: set[str] = set()
    through_filters: set[str] = set()
    walked: dict[jinja2.Template, None] = {}
    pending = [template]
    while pending:
        current = pending.pop()
        if current in walked:
            continue
        walked[current] = None
        own: _Reads | None = getattr(current, "newsletter_reads", None)
        if own is None:
            return None  # compiled by another generator, or its reads cannot be known
        direct.update(own[0])
        through_filters.update(own[1])
        try:
            pending.extend(current.environment.get_template(name, current.name) for name in own[2])
        except jinja2.TemplateError:
            return None  # the include fails as it renders, with Jinja's message
    return tuple(walked), tuple(sorted(direct)), tuple(sorted(through_filters - direct))
