"""What every API command shares: options, the client session, error handling and output."""

from __future__ import annotations

import contextlib
import json
import os
import pathlib
import sys
from collections.abc import AsyncIterator, Awaitable, Callable, Collection, Sequence
from typing import TYPE_CHECKING, Any, ParamSpec, TypeVar

import anyio
import attrs
import click

from .. import AsyncClient, NgrokError
from .._client import DEFAULT_BASE_URL
from .._convert import converter
from ..ssh_keys import generate_key_pair

if TYPE_CHECKING:
    from rich.console import Console

    from ..testing import FakeNgrok

P = ParamSpec("P")
T = TypeVar("T")

FAKE_NOTE = "embedded fake ngrok API: nothing it holds outlives this command"


@attrs.define
class CliConfig:
    """``ctx.obj`` for tests: a FakeNgrok that ``--fake`` uses instead of a fresh one."""

    fake: FakeNgrok | None = None


@attrs.frozen
class ApiOptions:
    fake: bool
    api_key_file: pathlib.Path | None
    base_url: str


@attrs.frozen
class Session:
    """An open client; ``sample_ca_id`` is the seeded CA of a fresh ``--fake`` API."""

    ngrok: AsyncClient
    sample_ca_id: str | None = None


def api_options(command: Callable[P, T]) -> Callable[P, T]:
    """``--fake``, ``--api-key-file`` and ``--base-url`` (the key is never an argument)."""
    decorators = (
        click.option(
            "--fake",
            is_flag=True,
            help="Use an embedded fake ngrok API seeded with sample resources; its state "
            "lives only for this command.",
        ),
        click.option(
            "--api-key-file",
            type=click.Path(exists=True, dir_okay=False, path_type=pathlib.Path),
            help="Read the API key from this file instead of $NGROK_API_KEY.",
        ),
        click.option(
            "--base-url",
            default=DEFAULT_BASE_URL,
            show_default=True,
            help="API origin (https; http only on loopback).",
        ),
    )
    for decorate in reversed(decorators):
        command = decorate(command)
    return command


json_option = click.option(
    "--json", "as_json", is_flag=True, help="Print JSON for scripts instead of text."
)


def options_from(kwargs: dict[str, Any]) -> ApiOptions:
    """Pop the :func:`api_options` values out of a command's keyword arguments."""
    return ApiOptions(
        fake=kwargs.pop("fake"),
        api_key_file=kwargs.pop("api_key_file"),
        base_url=kwargs.pop("base_url"),
    )


def read_api_key(options: ApiOptions) -> str:
    if options.api_key_file is not None:
        try:
            key = options.api_key_file.read_text(encoding="utf-8").strip()
        except (OSError, UnicodeDecodeError) as exc:
            raise click.ClickException(f"cannot read --api-key-file: {exc}") from None
        if not key:
            raise click.ClickException(f"{options.api_key_file} is empty")
        return key
    key = os.environ.get("NGROK_API_KEY", "").strip()
    if not key:
        raise click.ClickException(
            "no API key: set NGROK_API_KEY, pass --api-key-file FILE, or try --fake"
        )
    return key


@contextlib.asynccontextmanager
async def open_session(
    options: ApiOptions, *, max_concurrency: int | None = None
) -> AsyncIterator[Session]:
    """The client for a command: on a fake with ``--fake``, else on ``--base-url``."""
    limits: dict[str, Any] = {}
    if max_concurrency is not None:
        limits["max_concurrency"] = max_concurrency
    if not options.fake:
        key = read_api_key(options)
        async with AsyncClient(key, base_url=options.base_url, **limits) as ngrok:
            yield Session(ngrok)
        return
    config = click.get_current_context().find_object(CliConfig)
    if config is not None and config.fake is not None:
        async with config.fake.client(rate_limit=None, **limits) as ngrok:
            yield Session(ngrok)
        return
    from ..testing import FakeNgrok

    click.echo(f"note: {FAKE_NOTE}", err=True)
    fake = FakeNgrok(api_key="fake", record_requests=False)
    async with fake.client(rate_limit=None, **limits) as ngrok:
        yield Session(ngrok, sample_ca_id=await seed(ngrok))


async def seed(ngrok: AsyncClient) -> str:
    """Sample resources for a fresh fake; returns the sample CA's id."""
    ca = await ngrok.ssh_certificate_authorities.create(
        description="sample CA (fake)", private_key_type="ed25519"
    )
    await ngrok.credentials.create(description="sample agent (fake)", acl=["bind:*.example.com"])
    await ngrok.ssh_credentials.create(generate_key_pair()[1], description="sample key (fake)")
    for user in ("alice", "bob"):
        await ngrok.ssh_user_certificates.create(
            ca.id, generate_key_pair()[1], principals=[user], description=f"{user} (fake)"
        )
    return ca.id


def run(main: Callable[P, Awaitable[int]], *args: P.args, **kwargs: P.kwargs) -> None:
    """Run ``main`` on asyncio and exit with its status; SDK errors exit 1 with one line."""

    async def guarded() -> int:
        try:
            return await main(*args, **kwargs)
        except NgrokError as exc:
            click.echo(f"error: {exc}", err=True)
            return 1

    click.get_current_context().exit(anyio.run(guarded))


def run_command(main: Callable[..., Awaitable[int]], params: dict[str, Any]) -> None:
    """A click callback's body: ``main(api_options, **other_params)`` on asyncio."""
    options = options_from(params)
    run(main, options, **params)


# -- output ------------------------------------------------------------------------------


def as_data(record: Any) -> Any:
    """A record as JSON-ready data (RFC 3339 times, lists)."""
    return converter.unstructure(record)


def echo_json(data: Any) -> None:
    click.echo(json.dumps(data, indent=2, ensure_ascii=False))


def rich_console() -> Console | None:
    """A rich console when rich is installed and stdout is a terminal, else None."""
    if not sys.stdout.isatty():
        return None
    try:
        from rich.console import Console
    except ImportError:
        return None
    return Console()


def echo_table(
    headers: Sequence[str], rows: Sequence[Sequence[str]], *, wrap: Collection[str] = ()
) -> None:
    """Rows as a table: rich on a terminal, aligned plain text otherwise. Only the columns
    named in ``wrap`` may wrap (folding long words) on a narrow terminal; nothing is cut."""
    widths = [max(len(cell) for cell in column) for column in zip(headers, *rows, strict=True)]
    console = rich_console()
    if console is not None:
        from rich.table import Table

        table = Table(box=None, header_style="bold")
        for header, width in zip(headers, widths, strict=True):
            if header in wrap:
                table.add_column(header, overflow="fold")
            else:
                table.add_column(header, no_wrap=True, min_width=width)
        for row in rows:
            table.add_row(*row)
        console.print(table)
        return
    for line in (headers, *rows):
        cells = (cell.ljust(width) for cell, width in zip(line, widths, strict=True))
        click.echo("  ".join(cells).rstrip())
