"""``ngrok-async <service> <operation> [IDS…] [--field VALUE…]`` for every operation.

The command tree is built when first needed from :mod:`._introspect`, so it always matches
the services of ``AsyncClient``. Path parameters are arguments; body and query fields are
options (``--principals a --principals b`` for lists, ``--extensions KEY=VALUE`` for maps,
JSON for nested objects); ``--json-body`` gives several fields at once and ``--field-json
NAME=JSON`` one nested field. Every command takes ``--json`` and the API options.
"""

from __future__ import annotations

import functools
import inspect
import re
import sys
import warnings
from collections.abc import Callable, MutableMapping
from typing import Any

import anyio
import click
import httpx

from .. import AsyncClient, NgrokError
from . import _introspect as kinds
from ._common import ApiOptions, api_options, echo_json, json_option, open_session, run_command
from ._introspect import Operation, Param, Service
from ._output import choose_columns, echo_record, echo_records
from ._tree import DEPRECATED
from ._values import Text, parse_map, read_json

DEFAULT_LIMIT = 100
PROGRESS_EVERY = 500
_FIELD = "field__"


@functools.cache
def api_services() -> tuple[Service, ...]:
    """Every service of a (never used) ``AsyncClient``, read once per process."""
    transport = httpx.MockTransport(lambda request: httpx.Response(500))
    return tuple(kinds.services(AsyncClient("introspection", transport=transport)))


def plain(text: str) -> str:
    """A docstring as terminal text: no reST roles or double backticks."""
    return re.sub(r":\w+:`~?([^`]+)`", r"\1", text).replace("``", "")


def first_line(text: str) -> str:
    return plain(text).strip().split("\n\n", 1)[0].replace("\n", " ")


def command_tree() -> dict[str, click.Command]:
    """The top-level service words (``credentials``, ``edges``…) with their commands."""
    top: dict[str, click.Command] = {}
    for service in api_services():
        words = [part.replace("_", "-") for part in service.path.split(".")]
        parent: MutableMapping[str, click.Command] = top
        group: click.Group | None = None
        for depth, word in enumerate(words):
            existing = parent.get(word)
            if not isinstance(existing, click.Group):
                help_text = first_line(service.doc) if depth == len(words) - 1 else ""
                existing = click.Group(word, help=help_text or f"The {word} services.")
                parent[word] = existing
            group = existing
            parent = group.commands
        assert group is not None
        for operation in service.operations:
            group.add_command(operation_command(operation))
    return top


def operation_command(op: Operation) -> click.Command:
    """One click command calling ``op`` with the parsed arguments."""
    params: list[click.Parameter] = []
    many_ids = op.name == "delete" and len(op.positionals()) == 1
    for param in op.positionals():
        params.append(
            click.Argument(
                [param.name],
                type=Text(param.kind),
                nargs=-1 if many_ids else 1,
                required=True,
            )
        )
    for param in op.options():
        params.append(_field_option(param))
    if op.options() and not op.listing:
        params += [
            click.Option(
                ["--json-body"],
                metavar="JSON",
                help="Fields as one JSON object (or @FILE, or - for stdin); options win.",
            ),
            click.Option(
                ["--field-json"],
                metavar="NAME=JSON",
                multiple=True,
                help="One field as JSON, e.g. --field-json 'oauth={\"enabled\": true}'.",
            ),
        ]
    if op.listing:
        params += [
            click.Option(
                ["--limit"],
                type=click.IntRange(min=1),
                help=f"Show at most this many (default {DEFAULT_LIMIT}).",
            ),
            click.Option(["--all", "all_"], is_flag=True, help="Follow every page."),
        ]
        if "before_id" in {p.name for p in op.params}:
            params.append(click.Option(["--before-id"], help="Start after this id (newest first)."))
    if op.record is not None and (op.listing or not op.returns_none):
        params.append(
            click.Option(["--columns"], metavar="A,B", help="Record fields to show as columns.")
        )

    def callback(**values: Any) -> None:
        with warnings.catch_warnings():
            if op.deprecated:  # click has said so on stderr, once: not Python's warning too
                warnings.simplefilter("ignore", DeprecationWarning)
            run_command(functools.partial(_call, op), values)

    command = _Command(
        op.command_name,
        params=params,
        callback=callback,
        help=_help(op),
        short_help=short_help(op),
        deprecated=_deprecation(op.deprecated) or False,
    )
    api_options(json_option(command))
    shared = {"as_json": 0, "fake": 1, "api_key_file": 2, "strict_perms": 3, "base_url": 4}
    command.params.sort(key=lambda p: shared.get(p.name or "", -1))
    return command


def short_help(op: Operation) -> str:
    """The one line naming ``op`` in its group's listing (the index keeps it too)."""
    return first_line(op.doc).split(". ", 1)[0].rstrip(".") or op.name


class _Command(click.Command):
    """A command whose one-line help in a listing says ``(deprecated)``; the command's own
    ``--help`` and the line it prints when run give the reason."""

    def get_short_help_str(self, limit: int = 45) -> str:
        reason, self.deprecated = self.deprecated, False
        try:
            text = super().get_short_help_str(limit)
        finally:
            self.deprecated = reason
        return f"{text}{DEPRECATED}" if reason else text


def _deprecation(message: str) -> str:
    """The reason click shows in help and prints on stderr when a deprecated command runs:
    ``ngrok deprecated it on 2025-12-31: use … instead.``"""
    match = re.search(r"\(ngrok, ([^)]+)\): (.*)", message)
    if match is None:
        return message
    return f"ngrok deprecated it on {match.group(1)}: {match.group(2)}."


def _help(op: Operation) -> str:
    doc = plain(inspect.cleandoc(op.doc)) if op.doc else op.name
    words = " ".join(op.command)
    return f"{doc}\n\nThe SDK call: ngrok.{op.service}.{op.name}(…)  (ngrok-async {words})"


_KIND_HELP = {
    kinds.BOOL: "true/false.",
    kinds.STRINGS: "Repeat for each item.",
    kinds.MAP: "KEY=VALUE; repeat for each entry.",
    kinds.JSON: "JSON (or @FILE, or - for stdin).",
    kinds.DATETIME: "RFC 3339 with an offset (2025-04-21T18:19:52Z) or +8h from now.",
    kinds.DURATION: "8h, 30m, 1h30m, 7d or seconds.",
}


def _field_option(param: Param) -> click.Option:
    flag = "--" + param.name.replace("_", "-")
    dest = _FIELD + param.name
    text = " ".join(part for part in (plain(param.help), _KIND_HELP.get(param.kind, "")) if part)
    if param.kind == kinds.BOOL:
        return click.Option([f"{flag}/--no-{flag[2:]}", dest], default=None, help=text)
    if param.kind == kinds.STRINGS:
        return click.Option([flag, dest], multiple=True, help=text)
    if param.choices:
        return click.Option([flag, dest], type=click.Choice(param.choices), help=text or None)
    if param.kind == kinds.MAP:
        return click.Option([flag, dest], multiple=True, metavar="KEY=VALUE", help=text)
    return click.Option([flag, dest], type=Text(param.kind), help=text or None)


def _keywords(op: Operation, values: dict[str, Any]) -> dict[str, Any]:
    """The keyword arguments for the SDK call: ``--json-body``, then ``--field-json``, then
    the field options, checked against the operation's parameters."""
    names = {p.name: p for p in op.options()}
    keywords: dict[str, Any] = {}
    body = values.pop("json_body", None)
    if body is not None:
        try:
            data = read_json(body)
        except ValueError as exc:
            raise click.BadParameter(str(exc), param_hint="--json-body") from None
        if not isinstance(data, dict):
            raise click.BadParameter("must be a JSON object", param_hint="--json-body")
        keywords.update(data)
    for item in values.pop("field_json", ()):
        name, sep, text = item.partition("=")
        if not sep:
            raise click.BadParameter(f"{item!r} is not NAME=JSON", param_hint="--field-json")
        try:
            keywords[name] = read_json(text)
        except ValueError as exc:
            raise click.BadParameter(f"{name}: {exc}", param_hint="--field-json") from None
    for key in list(values):
        if not key.startswith(_FIELD):
            continue
        name, value = key[len(_FIELD) :], values.pop(key)
        if value is None or value == ():
            continue
        keywords[name] = parse_map(value) if names[name].kind == kinds.MAP else value
    unknown = sorted(set(keywords) - set(names))
    if unknown:
        raise click.UsageError(
            f"unknown field{'s' * (len(unknown) > 1)} {', '.join(unknown)} for "
            f"{' '.join(op.command)}; it takes {', '.join(names) or 'none'}"
        )
    missing = [p.name for p in op.options() if p.required and p.name not in keywords]
    if missing:
        flags = ", ".join("--" + name.replace("_", "-") for name in missing)
        raise click.UsageError(f"missing {flags}")
    return keywords


def _method(ngrok: AsyncClient, op: Operation) -> Callable[..., Any]:
    owner: Any = ngrok
    for part in op.service.split("."):
        owner = getattr(owner, part)
    method: Callable[..., Any] = getattr(owner, op.name)
    return method


async def _call(op: Operation, options: ApiOptions, **values: Any) -> int:
    as_json = values.pop("as_json")
    columns = values.pop("columns", None)
    ids = [values.pop(p.name) for p in op.positionals()]
    if op.listing:
        return await _list(op, options, ids, values, as_json=as_json, columns=columns)
    keywords = _keywords(op, values)
    chosen = choose_columns(op.record, columns) if op.record is not None and columns else None
    if op.name == "delete" and len(ids) == 1:
        return await _delete_many(op, options, tuple(ids[0]), as_json=as_json)
    async with open_session(options) as session:
        result = await _method(session.ngrok, op)(*ids, **keywords)
    if op.returns_none or result is None:
        words = " ".join(op.command[-1:])
        if as_json:
            echo_json({"ok": True, "operation": op.name, "ids": ids})
        else:
            click.echo(f"{words}: done ({', '.join(ids)})")
    elif chosen is not None:
        echo_records([result], chosen, as_json=as_json)
    else:
        echo_record(result, as_json=as_json)
    return 0


async def _list(
    op: Operation,
    options: ApiOptions,
    ids: list[Any],
    values: dict[str, Any],
    *,
    as_json: bool,
    columns: str | None,
) -> int:
    everything = values.pop("all_")
    limit = values.pop("limit")
    if everything and limit is not None:
        raise click.UsageError("--all and --limit exclude each other")
    cap = None if everything else (limit or DEFAULT_LIMIT)
    keywords = _keywords(op, values)
    before_id = values.pop("before_id", None)
    if before_id is not None:
        keywords["before_id"] = before_id
    chosen = choose_columns(op.record, columns) if op.record is not None else ()
    records: list[Any] = []
    progress = Progress()
    async with open_session(options) as session:
        if "limit" in {param.name for param in op.params}:
            keywords["limit"] = min(cap or 100, 100)  # the page size
        listing = _method(session.ngrok, op)(*ids, **keywords)
        try:
            async for record in listing:
                records.append(record)
                progress.update(len(records))
                if cap is not None and len(records) >= cap:
                    break
        finally:
            await listing.aclose()
            progress.done()
    echo_records(records, chosen or ("id",), as_json=as_json)
    return 0


class Progress:
    """``listed 1500…`` on stderr while a long listing runs, when stderr is a terminal."""

    def __init__(self) -> None:
        self.shown = False
        self.enabled = progress_enabled()

    def update(self, count: int) -> None:
        if self.enabled and count % PROGRESS_EVERY == 0:
            click.echo(f"\rlisted {count}…", err=True, nl=False)
            self.shown = True

    def done(self) -> None:
        if self.shown:
            click.echo("\r\033[K", err=True, nl=False)


def progress_enabled() -> bool:
    return sys.stderr.isatty()


async def _delete_many(
    op: Operation, options: ApiOptions, ids: tuple[str, ...], *, as_json: bool
) -> int:
    """``delete ID…``: every id concurrently; one failure does not stop the others."""
    deleted: list[str] = []
    failed: dict[str, str] = {}
    async with open_session(options) as session:
        delete = _method(session.ngrok, op)

        async def one(id: str) -> None:
            try:
                await delete(id)
            except NgrokError as exc:
                failed[id] = str(exc)
            else:
                deleted.append(id)

        async with anyio.create_task_group() as tasks:
            for id in dict.fromkeys(ids):
                tasks.start_soon(one, id)
    if as_json:
        echo_json({"deleted": sorted(deleted), "failed": failed})
    else:
        for id in sorted(deleted):
            click.echo(f"deleted {id}")
        for id, reason in failed.items():
            click.echo(f"FAILED {id}: {reason}", err=True)
    return 1 if failed else 0
