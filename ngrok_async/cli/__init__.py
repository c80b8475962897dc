"""The ``ngrok-async`` command line (``python -m ngrok_async``), built with click.

``demo`` runs the main job on an embedded fake; ``ssh-user-certificates issue`` issues
certificates for many keys; ``list``/``get``/``delete`` exist for every resource kind. API
commands read the key from ``NGROK_API_KEY`` or ``--api-key-file`` (never an argument, which
``ps`` would show) and take ``--fake`` to run on an in-process fake API.
"""

from __future__ import annotations

from collections.abc import Sequence

import anyio
import click

from .._version import __version__
from ._common import CliConfig
from ._issue import issue_command
from ._resources import KINDS, kind_group
from .demo import DemoOptions, run_demo

__all__ = ["CliConfig", "cli", "main"]


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="ngrok-async")
def cli() -> None:
    """Work with ngrok credentials, SSH credentials, SSH certificate authorities and SSH user
    certificates through the ngrok API."""


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


for _kind in KINDS:
    cli.add_command(kind_group(_kind))
cli.commands["ssh-user-certificates"].add_command(issue_command)  # type: ignore[attr-defined]


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
