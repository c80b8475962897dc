"""The ``ngrok-async`` command line (``python -m ngrok_async``), built with click.

``ngrok-async <service> <operation>`` exists for every operation of every service of
``AsyncClient`` (built from the client at run time, see :mod:`._api`); ``demo`` runs the main
job on an embedded fake; ``fake-server`` serves a fake API for other processes;
``ssh-user-certificates issue`` issues certificates for many keys.
API commands read the key from ``NGROK_API_KEY`` or ``--api-key-file`` (never an argument,
which ``ps`` would show) and take ``--fake`` to run on an in-process fake API.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import click

from .._version import __version__
from ._tree import LazyGroup, Target, top_level

if TYPE_CHECKING:
    from ._common import CliConfig

__all__ = ["COMMANDS", "SUBCOMMANDS", "CliConfig", "cli", "main"]

COMMANDS: dict[str, Target] = {
    "fake-server": (
        "ngrok_async.cli.fake_server:fake_server",
        "Serve a fake ngrok API on a socket, for any process or language",
    ),
}
"""Top-level commands defined in other modules, loaded when used: name → target."""
SUBCOMMANDS: dict[str, dict[str, Target]] = {
    "ssh-user-certificates": {
        "issue": (
            "ngrok_async.cli._issue:issue_command",
            "Issue SSH user certificates for many public keys at once",
        )
    },
}
"""Hand-written commands inside a service's group (``ssh-user-certificates issue``)."""


@functools.cache
def _api_commands() -> dict[str, click.Command]:
    return top_level(SUBCOMMANDS)


class _Root(LazyGroup):
    """The top-level group: its own commands, the :data:`COMMANDS`, then one group per API
    service, listed from the command index without importing any service."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*super().list_commands(ctx), *_api_commands()})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        return super().get_command(ctx, cmd_name) or _api_commands().get(cmd_name)

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        self.commands.update(_api_commands())
        super().format_commands(ctx, formatter)


def __getattr__(name: str) -> Any:
    if name == "CliConfig":  # imports the client: only when a test or caller asks for it
        from ._common import CliConfig

        return CliConfig
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


@click.group(cls=_Root, lazy=COMMANDS, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="ngrok-async")
def cli() -> None:
    """The whole ngrok API from the command line: ngrok-async SERVICE OPERATION [IDS]...

    Every operation of every service (credentials, ssh-user-certificates, edges https,
    reserved-domains, api-keys, …) is a command; see ngrok-async SERVICE --help. The API key
    comes from $NGROK_API_KEY or --api-key-file; --fake runs on an embedded fake API.
    """


@cli.command(help="Issue SSH user certificates concurrently, verify them and list them back.")
@click.option(
    "-n",
    "--count",
    type=click.IntRange(min=1),
    default=50,
    show_default=True,
    help="Certificates to issue.",
)
@click.option(
    "--concurrency",
    type=click.IntRange(min=1),
    default=8,
    show_default=True,
    help="Requests in flight.",
)
@click.option(
    "--live",
    is_flag=True,
    help="Run against api.ngrok.com with $NGROK_API_KEY (creates, then deletes, a CA).",
)
def demo(count: int, concurrency: int, live: bool) -> None:
    """Runs on the embedded fake ngrok API unless --live is given."""
    import anyio

    from .demo import DemoOptions, run_demo

    options = DemoOptions(count=count, concurrency=concurrency, live=live)
    click.get_current_context().exit(anyio.run(run_demo, options, click.echo))


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of ``ngrok-async`` and ``python -m ngrok_async``; returns the exit status.

    Usage errors print the usage and raise ``SystemExit(2)``, as argparse does.
    """
    try:
        status = cli.main(
            args=None if argv is None else list(argv),
            prog_name="ngrok-async",
            standalone_mode=False,
        )
    except click.UsageError as exc:
        exc.show()
        raise SystemExit(exc.exit_code) from None
    except click.ClickException as exc:
        exc.show()
        return exc.exit_code
    except click.Abort:
        click.echo("Aborted!", err=True)
        return 130
    return status if isinstance(status, int) else 0
