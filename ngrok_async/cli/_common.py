"""What every API command shares: options, the client session, error handling and output."""

from __future__ import annotations

import contextlib
import json
import os
import pathlib
import stat
import sys
from collections.abc import AsyncIterator, Awaitable, Callable, Collection, Sequence
from typing import TYPE_CHECKING, Any, ParamSpec, TypeVar

import anyio
import attrs
import click

from .. import AsyncClient, InvalidParameterError, NgrokError
from .._client import DEFAULT_BASE_URL
from .._convert import converter
from ._table import fit, terminal_width

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
    base_url: str | None
    strict_perms: bool = False


@attrs.frozen
class Session:
    """An open client; ``sample_ca_id`` is the seeded CA of a fresh ``--fake`` API."""

    ngrok: AsyncClient
    sample_ca_id: str | None = None


def api_options(command: Callable[P, T]) -> Callable[P, T]:
    """``--fake``, ``--api-key-file``, ``--strict-perms`` and ``--base-url`` (never the key)."""
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
            "--strict-perms",
            is_flag=True,
            help="Refuse an --api-key-file that group or others can read (default: warn).",
        ),
        click.option(
            "--base-url",
            help="API origin (https; http only on loopback) [default: $NGROK_BASE_URL, "
            f"else {DEFAULT_BASE_URL}].",
        ),
    )
    for decorate in reversed(decorators):
        command = decorate(command)
    return command


json_option = click.option(
    "--json", "as_json", is_flag=True, help="Print JSON for scripts instead of text."
)


def options_from(kwargs: dict[str, Any]) -> ApiOptions:
    """Pop the :func:`api_options` values out of a command's keyword arguments; ``--fake``
    with ``--base-url`` (or ``$NGROK_BASE_URL``) is a usage error."""
    options = ApiOptions(
        fake=kwargs.pop("fake"),
        api_key_file=kwargs.pop("api_key_file"),
        base_url=kwargs.pop("base_url") or None,
        strict_perms=kwargs.pop("strict_perms"),
    )
    if options.fake and options.base_url is not None:
        raise click.UsageError("--fake runs on an embedded API: drop --base-url or --fake")
    return options


def read_api_key(options: ApiOptions) -> str:
    """The key from ``--api-key-file`` (checking who may read it) or ``$NGROK_API_KEY``."""
    if options.api_key_file is not None:
        check_key_file(options.api_key_file, strict=options.strict_perms)
        try:
            key = options.api_key_file.read_text(encoding="utf-8").strip()
        except (OSError, UnicodeDecodeError) as exc:
            raise click.ClickException(f"cannot read --api-key-file: {exc}") from None
        if not key:
            raise click.ClickException(f"{options.api_key_file} is empty")
        return key
    key = os.environ.get("NGROK_API_KEY", "").strip()
    if not key:
        raise click.UsageError(
            "no API key: set NGROK_API_KEY, pass --api-key-file FILE, or try --fake"
        )
    return key


def check_key_file(path: pathlib.Path, *, strict: bool) -> None:
    """Warn (or with ``strict`` refuse, as a usage error) when group or others can read it."""
    try:
        mode = path.stat().st_mode
    except OSError as exc:
        raise click.ClickException(f"cannot read --api-key-file: {exc}") from None
    if os.name != "posix" or not mode & 0o077:
        return
    message = (
        f"{path} is readable by group or others (mode {stat.filemode(mode)}): chmod 600 {path}"
    )
    if strict:
        raise click.UsageError(f"refusing the API key file: {message}")
    click.echo(f"warning: {message}", err=True)


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
    from ..ssh_keys import generate_key_pair

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
        except InvalidParameterError as exc:  # bad input, refused before any request
            click.echo(f"error: {exc}", err=True)
            return 2
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
    """Rows as a table fitted to the terminal's width (see :mod:`._table`)."""
    lines, hidden = fit(headers, rows, width=terminal_width(), wrap=wrap)
    for line in lines:
        click.echo(line)
    if hidden:
        click.echo(
            f"({hidden} more column{'s' * (hidden > 1)} did not fit: widen the terminal, "
            "pick some with --columns, or use --json)",
            err=True,
        )
