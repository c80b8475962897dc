"""``list``, ``get`` and ``delete`` for each resource kind, from one declaration per kind."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

import anyio
import attrs
import click

from .. import NgrokError
from .._convert import format_datetime
from ..resources._base import ResourceService
from ..ssh_keys import InvalidPublicKeyError, fingerprint_sha256
from ._common import (
    ApiOptions,
    api_options,
    as_data,
    echo_json,
    echo_table,
    json_option,
    open_session,
    run_command,
)

Column = tuple[str, Callable[[Any], str]]
WRAPPING = frozenset({"DESCRIPTION", "ACL", "KEY", "PRINCIPALS"})


def _time(value: datetime) -> str:
    return format_datetime(value)


def _names(values: tuple[str, ...]) -> str:
    return ",".join(values) or "*"


def _key(line: str) -> str:
    try:
        return f"{line.split()[0]} {fingerprint_sha256(line)}"
    except (InvalidPublicKeyError, IndexError):
        return line[:40]


_ID: Column = ("ID", lambda r: r.id)
_CREATED: Column = ("CREATED", lambda r: _time(r.created_at))
_DESCRIPTION: Column = ("DESCRIPTION", lambda r: r.description)


@attrs.frozen
class Kind:
    """One resource kind on the command line."""

    command: str  # "ssh-user-certificates"
    attribute: str  # AsyncClient attribute: "ssh_user_certificates"
    noun: str  # "SSH user certificate"
    plural: str
    columns: tuple[Column, ...]

    def service(self, ngrok: Any) -> ResourceService[Any]:
        service: ResourceService[Any] = getattr(ngrok, self.attribute)
        return service


KINDS = (
    Kind(
        "credentials",
        "credentials",
        "tunnel credential",
        "tunnel credentials",
        (_ID, _CREATED, _DESCRIPTION, ("ACL", lambda r: _names(r.acl))),
    ),
    Kind(
        "ssh-credentials",
        "ssh_credentials",
        "SSH credential",
        "SSH credentials",
        (_ID, _CREATED, _DESCRIPTION, ("KEY", lambda r: _key(r.public_key))),
    ),
    Kind(
        "ssh-certificate-authorities",
        "ssh_certificate_authorities",
        "SSH certificate authority",
        "SSH certificate authorities",
        (_ID, _CREATED, ("KEY TYPE", lambda r: r.key_type), _DESCRIPTION),
    ),
    Kind(
        "ssh-user-certificates",
        "ssh_user_certificates",
        "SSH user certificate",
        "SSH user certificates",
        (
            _ID,
            _CREATED,
            ("CA", lambda r: r.ssh_certificate_authority_id),
            ("PRINCIPALS", lambda r: _names(r.principals)),
            ("VALID UNTIL", lambda r: _time(r.valid_until)),
            _DESCRIPTION,
        ),
    ),
)


def kind_group(kind: Kind) -> click.Group:
    """The ``ngrok-async <kind>`` group with ``list``, ``get`` and ``delete``."""
    group = click.Group(kind.command, help=f"Manage {kind.plural}.")

    async def list_(options: ApiOptions, *, limit: int | None, as_json: bool) -> int:
        rows: list[Any] = []
        async with open_session(options) as session:
            page_size = min(limit or 100, 100)
            async for record in kind.service(session.ngrok).list(limit=page_size):
                if limit is not None and len(rows) >= limit:
                    break
                rows.append(record)
        if as_json:
            echo_json([as_data(record) for record in rows])
        else:
            echo_table(
                [header for header, _ in kind.columns],
                [[cell(record) for _, cell in kind.columns] for record in rows],
                wrap=WRAPPING,
            )
        return 0

    async def get(options: ApiOptions, *, id: str, as_json: bool) -> int:
        async with open_session(options) as session:
            record = await kind.service(session.ngrok).get(id)
        data = as_data(record)
        if as_json:
            echo_json(data)
        else:
            rows = [[name, _text(value)] for name, value in data.items()]
            echo_table(["FIELD", "VALUE"], rows, wrap={"VALUE"})
        return 0

    async def delete(options: ApiOptions, *, ids: tuple[str, ...], as_json: bool) -> int:
        deleted: list[str] = []
        failed: dict[str, str] = {}
        async with open_session(options) as session:
            service = kind.service(session.ngrok)

            async def one(id: str) -> None:
                try:
                    await service.delete(id)
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

    @group.command("list", help=f"List {kind.plural}, newest first.")
    @click.option("--limit", type=click.IntRange(min=1), help="Show at most this many.")
    @json_option
    @api_options
    def list_command(**params: Any) -> None:
        run_command(list_, params)

    @group.command("get", help=f"Show one {kind.noun}.")
    @click.argument("id")
    @json_option
    @api_options
    def get_command(**params: Any) -> None:
        run_command(get, params)

    @group.command("delete", help=f"Delete {kind.plural} by id.")
    @click.argument("ids", nargs=-1, required=True)
    @json_option
    @api_options
    def delete_command(**params: Any) -> None:
        run_command(delete, params)

    return group


def _text(value: Any) -> str:
    if isinstance(value, (list, tuple)):
        return ", ".join(map(str, value))
    if isinstance(value, dict):
        return ", ".join(f"{k}={v}" if v else k for k, v in value.items())
    return "" if value is None else str(value)
