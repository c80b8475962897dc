"""Service classes: one method per operation, checks tables, paged ``list``/``pages`` pairs."""

from __future__ import annotations

import re
import textwrap
from collections.abc import Set

from .model import PAGING, Operation, Param, Service
from .naming import title
from .overrides import DEPRECATED_SINCE, PRECHECKS, QUERY_WIRE_KEYS, SDK_PARAMS, replacement
from .text import doc, indented, sentence
from .typemap import param_type

PER_CALL = [
    "extra_headers: Mapping[str, str] | None = None",
    "extra_query: Mapping[str, str] | None = None",
]
"""Every method's per-call options, after the API's parameters (as in openai/anthropic)."""
EXTRAS = "extras = check.extras(extra_headers, extra_query)"
DEFAULT_OPERATIONS = {"GET": "get", "POST": "create", "PATCH": "update", "PUT": "replace"}
"""The operation name ``Service._call`` assumes for each HTTP method (its ``_OPERATIONS``)."""


def render_service(svc: Service, records: Set[str]) -> str:
    """The service class; ``records`` are the schemas that have a record class."""
    record = svc.record
    assert record
    base = f"{_flat_base(svc)}[{record}]" if svc.flat_path else f"Service[{record}]"
    names = ", ".join(op.name for op in svc.ops)
    summary = f"{title(svc.tag)}: ``client.{svc.attr}`` ({names})."
    instead = replacement(svc.tag)
    if instead:
        summary += f" Deprecated by ngrok since {DEPRECATED_SINCE}: use {instead}."
    out = [f"class {svc.cls}({base}):", "    " + doc(summary, 4), ""]
    if svc.flat_path:
        list_op = next(op for op in svc.ops if op.name == "list")
        out += [
            f'    _path = "{svc.flat_path}"',
            f"    _record = {record}",
            f'    _list_key = "{list_op.list_key}"',
        ]
    else:
        out.append(f"    _record = {record}")
    if svc.flat_path is None or svc.attr != svc.flat_path.strip("/").replace("/", "."):
        out.append(f'    _name = "{svc.attr}"')  # else ResourceService derives it from the path
    for op in svc.ops:
        if op.body:
            checks = ", ".join(
                f'"{p.name}": {param_type(op.body_schema, p.name, p.schema, records)[1]}'
                for p in op.body
            )
            out.append(f"    _{op.name}_checks: ClassVar[Checks] = {{{checks}}}")
    out += ["", "    __slots__ = ()", ""]
    for op in svc.ops:
        out.append(indented(_mark_deprecated(svc, render_method(svc, op, records))))
    return "\n".join(out) + "\n"


def _mark_deprecated(svc: Service, text: str) -> str:
    """``@deprecated(...)`` (PEP 702) on each method of a deprecated service: type checkers flag
    every use, and each call warns (``DeprecationWarning``) naming what replaces it."""
    instead = replacement(svc.tag)
    if not instead:
        return text

    def decorate(match: re.Match[str]) -> str:
        message = (
            f"client.{svc.attr}.{match.group(1)}() is deprecated (ngrok, {DEPRECATED_SINCE}): "
            f"use {instead} instead"
        )
        parts = textwrap.wrap(message, 80, drop_whitespace=False)
        literal = "\n".join(f'    "{part}"' for part in parts)
        return f"@deprecated(\n{literal}\n)\nasync def {match.group(1)}("

    return re.sub(r"^async def (\w+)\(", decorate, text, flags=re.MULTILINE)


def _flat_base(svc: Service) -> str:
    """``FilteredResourceService`` where the spec gives the list operation ``filter``."""
    list_op = next(op for op in svc.ops if op.name == "list")
    filtered = "filter" in [q.name for q in list_op.query]
    return "FilteredResourceService" if filtered else "ResourceService"


def render_method(svc: Service, op: Operation, records: Set[str]) -> str:
    flat = svc.flat_path is not None
    inherited = (
        flat
        and not replacement(svc.tag)  # a deprecated service marks every method, inherited or not
        and (op.name in ("get", "delete") or (op.name == "list" and not op.query_extra))
    )
    if inherited:  # ResourceService's own get/delete (and list/pages without extra query)
        return ""
    record = svc.record
    positional = [f"{p}: str" for p in op.path_params]
    if op.name == "list" or op.list_key:
        return render_list(svc, op, positional)
    extras = SDK_PARAMS.get((svc.tag, op.name), {})
    doc = _docstring(op, [*op.body, *(Param(n, {}, d) for n, (_, d) in extras.items())])
    nullable = op.method == "PATCH"
    kwargs = []
    for p in op.body:
        annotation = param_type(op.body_schema, p.name, p.schema, records)[0]
        if nullable:
            annotation = f"{annotation} | None"
        kwargs.append(f"{p.name}: NotGivenOr[{annotation}] = NOT_GIVEN")
    extra = SDK_PARAMS.get((svc.tag, op.name), {})
    kwargs += [f"{name}: NotGivenOr[{kind}] = NOT_GIVEN" for name, (kind, _) in extra.items()]
    sig = ["self", *positional, "*", *kwargs, *PER_CALL]
    returns = record if op.response else "None"
    head = f"async def {op.name}({', '.join(sig)}) -> {returns}:\n"
    params = (
        "{"
        + ", ".join(f'"{name}": {name}' for name in [p.name for p in op.body] + list(extra))
        + "}"
    )
    body_expr = "None"  # also when the body schema has no fields: no body, as the official client
    if op.body:
        body_expr = f"build_body(self._{op.name}_checks, {params}, nullable={nullable})"
    if flat and op.name == "create" and op.path == svc.flat_path:
        call = f"return await self._create({params}, extras)"
    elif flat and op.name == "update" and op.path == f"{svc.flat_path}/{{id}}":
        call = f"return await self._update(id, {params}, extras)"
    else:
        path = _path_expr(op)
        fn = "_call" if op.response else "_call_empty"
        args = f'"{op.method}", {path}, {body_expr if op.body else "None"}, extras'
        if op.name != DEFAULT_OPERATIONS.get(op.method, op.method.lower()):
            args += f', op="{op.name}"'
        call = f"{'return ' if op.response else ''}await self.{fn}({args})"
    pre = PRECHECKS.get((svc.tag, op.name))
    body = doc + (pre + "\n" if pre else "") + EXTRAS + "\n" + call
    return head + indented(body) + "\n\n"


def render_list(svc: Service, op: Operation, positional: list[str]) -> str:
    """``list``/``pages``, or ``<name>``/``<name>_pages`` for other paged operations."""
    record = op.response
    name, pages_name = ("list", "pages") if op.name == "list" else (op.name, f"{op.name}_pages")
    decode = "self._decode" if record == svc.record else f"ops.decoder({record})"
    extra = op.query_extra
    kw = []
    if "limit" in [q.name for q in op.query]:
        kw += ["limit: int | None = None", "before_id: str | None = None"]
    for q in extra:
        kind = "Sequence[str]" if q.schema.get("type") == "array" else "str"
        kw.append(f"{q.name}: {kind} | None = None")
    sig = ["self", *positional, "*", *kw, *PER_CALL]
    names = [q.name for q in op.query]
    doc = _docstring(op, op.query_extra) if "filter" not in names else _filter_doc(op)
    fwd = ", ".join(
        [
            *(p.split(":")[0] for p in positional),
            *(f"{n}={n}" for n in [*_kw_order(names), "extra_headers", "extra_query"]),
        ]
    )
    params = (
        "ops.page_params("
        + ", ".join(
            [
                "limit" if "limit" in names else "None",
                "before_id" if "before_id" in names else "None",
            ]
            + [f"{q.name}={q.name}" for q in extra if q.schema.get("type") != "array"]
        )
        + ")"
    )
    path = _path_expr(op)
    repeated = [q.name for q in extra if q.schema.get("type") == "array"]
    if repeated:  # array query parameters repeat their key: ``id=a&id=b``
        keys = ", ".join(f"{QUERY_WIRE_KEYS.get(n, n)}={n}" for n in repeated)
        path, params = f"ops.with_query({path}, {params}, {keys})", "{}"
    if decode != "self._decode":
        operation = f'"{svc.attr}.{name}"'
        pages_call = (
            f'iter_pages(self._http, {path}, {params}, "{op.list_key}", {decode}, extras, '
            f"{operation})"
        )
    else:
        op_arg = "" if name == "list" else f', op="{name}"'
        pages_call = f'self._pages({path}, "{op.list_key}", {params}, extras{op_arg})'
    if svc.flat_path and name == "list" and _kw_order(names) == ["limit", "before_id", "filter"]:
        # ResourceService's own list/pages do this; only the docstring is the service's
        return (
            f"async def list({', '.join(sig)}) -> AsyncIterator[{record}]:\n"
            + indented(doc + f"async for item in super().list({fwd}):\n" + "    yield item\n")
            + "\n"
        )
    return (
        f"async def {name}({', '.join(sig)}) -> AsyncIterator[{record}]:\n"
        + indented(
            doc
            + EXTRAS
            + "\n"
            + f"async for page in {pages_call}:\n"
            + "    for item in page.items:\n        yield item\n"
        )
        + "\n"
        + f"async def {pages_name}({', '.join(sig)}) -> AsyncIterator[Page[{record}]]:\n"
        + indented(
            f'"""Yield each :class:`~ngrok_async.Page` of :meth:`{name}` in turn."""\n'
            + EXTRAS
            + "\n"
            + f"async for page in {pages_call}:\n    yield page\n"
        )
        + "\n"
    )


def _filter_doc(op: Operation) -> str:
    text = sentence(op.description or op.summary)
    parts = [textwrap.fill(text, 88), f"``{op.method} {op.path}``"]
    if _deprecation_note(op):
        parts.append(_deprecation_note(op))
    args = _args(op.query_extra)
    return '"""' + "\n\n".join(parts + ([args] if args else [])) + '\n"""\n'


def _kw_order(names: list[str]) -> list[str]:
    return [n for n in ("limit", "before_id") if n in names] + [n for n in names if n not in PAGING]


def _path_expr(op: Operation) -> str:
    if not op.path_params:
        return f'"{op.path}"'
    args = ", ".join(f"{p}={p}" for p in op.path_params)
    return f'ops.expand("{op.path}", {args})'


# What a bare summary ("Get", "Replace") means, for operations the spec does not describe.
FALLBACK_DOCS = {
    "get": "Get the {thing}.",
    "replace": "Replace the {thing}: fields not passed are left out of the request.",
    "delete": "Remove the {thing}.",
}


def _docstring(op: Operation, params: list[Param]) -> str:
    text = sentence(
        op.description
        or FALLBACK_DOCS.get(op.name, op.summary).format(
            thing=title(op.tag).replace(" Module", " module")
        )
    )
    call = f"``{op.method} {op.path}``"
    args = _args(params)
    wrapped = textwrap.fill(f"{text} {call}".strip(), 86)  # fits at 8 spaces with quotes
    note = _deprecation_note(op)
    if "\n" not in wrapped and not args and not note:
        return f'"""{wrapped}"""\n'
    return (
        f'"""{textwrap.fill(text, 88)}\n\n{call}\n'
        + (f"\n{note}\n" if note else "")
        + (f"\n{args}\n" if args else "")
        + '"""\n'
    )


def _deprecation_note(op: Operation) -> str:
    """A paragraph for the reference: what ngrok deprecated, and what replaces it."""
    instead = replacement(op.tag)
    if not instead:
        return ""
    return textwrap.fill(f"Deprecated by ngrok since {DEPRECATED_SINCE}: use {instead}.", 88)


def _args(params: list[Param]) -> str:
    """A Google-style ``Args:`` section from the spec's field descriptions (whole words)."""
    lines = []
    for p in params:
        if p.description and p.description != "n/a":
            item = textwrap.fill(
                f"{p.name}: {sentence(p.description)}", 84, subsequent_indent="    "
            )
            lines.append(textwrap.indent(item, "    "))
    return "Args:\n" + "\n".join(lines) if lines else ""
