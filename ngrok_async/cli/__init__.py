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

import anyio
import click

from .._version import __version__
from ._api import command_tree
from ._common import CliConfig
from ._issue import issue_command
from .demo import DemoOptions, run_demo
from .fake_server import fake_server

__all__ = ["CliConfig", "cli", "main"]


@functools.cache
def _api_commands() -> dict[str, click.Command]:
    tree = command_tree()
    group = tree["ssh-user-certificates"]
    assert isinstance(group, click.Group)
    group.add_command(issue_command)
    return tree


class _Root(click.Group):
    """The top-level group: its own commands, then one word per API service (built lazily,
    so ``demo`` and ``--version`` do not pay for reading every service)."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*self.commands, *_api_commands()})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        return self.commands.get(cmd_name) or _api_commands().get(cmd_name)


@click.group(cls=_Root, context_settings={"help_option_names": ["-h", "--help"]})
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
    options = DemoOptions(count=count, concurrency=concurrency, live=live)
    click.get_current_context().exit(anyio.run(run_demo, options, click.echo))


cli.add_command(fake_server)


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
