"""``ngrok-async fake-server``: the fake ngrok API as a standalone server (also
``python -m ngrok_async.testing``). Needs the ``fake-server`` extra (Hypercorn)."""

from __future__ import annotations

import sys
from pathlib import Path

import anyio
import click

HELP = "Serve a fake ngrok API on a socket, for any process or language, until interrupted."


def _rate(
    ctx: click.Context, param: click.Parameter, value: str | None
) -> tuple[int, float] | None:
    if value is None:
        return None
    count, _, window = value.partition("/")
    try:
        parsed = (int(count), float(window or "60"))
    except ValueError:
        raise click.BadParameter(f"{value!r} is not N or N/SECONDS (e.g. 120/60)") from None
    if parsed[0] < 1 or not parsed[1] > 0:
        raise click.BadParameter(f"{value!r}: N must be >= 1 and SECONDS > 0")
    return parsed


_PROBABILITY = click.FloatRange(0.0, 1.0)


@click.command("fake-server", help=HELP)
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to bind.")
@click.option(
    "--port", type=click.IntRange(0, 65535), default=0, show_default=True, help="0: a free port."
)
@click.option(
    "--api-key",
    default="test",
    show_default=True,
    help="The only key the fake accepts (a test key, never a real one).",
)
@click.option("--seed", type=int, help="Seeds ids, tokens and fault dice (reproducible runs).")
@click.option(
    "--tls",
    is_flag=True,
    help="Serve https with a throwaway certificate; prints the CA file to trust on line 2.",
)
@click.option(
    "--ca-file",
    type=click.Path(dir_okay=False, path_type=Path),
    help="With --tls: write the CA certificate here (default: a temporary file).",
)
@click.option(
    "--rate-limit",
    metavar="N[/SECONDS]",
    callback=_rate,
    help="429 ERR_NGROK_226 past N requests in any rolling window (default 60 s).",
)
@click.option(
    "--max-concurrent",
    type=click.IntRange(min=1),
    help="429 ERR_NGROK_225 past this many simultaneous requests.",
)
@click.option(
    "--latency", type=click.FloatRange(min=0), default=0.0, help="Seconds before each answer."
)
@click.option(
    "--p-unavailable", type=_PROBABILITY, default=0.0, help="Probability of a 503 (no work)."
)
@click.option(
    "--p-bad-gateway-after",
    type=_PROBABILITY,
    default=0.0,
    help="Probability of doing the work, then answering 502.",
)
@click.option(
    "--p-drop-after",
    type=_PROBABILITY,
    default=0.0,
    help="Probability of doing the work, then dropping the connection.",
)
@click.option("--quiet", "-q", is_flag=True, help="No per-request log lines on stderr.")
def fake_server(
    host: str,
    port: int,
    api_key: str,
    seed: int | None,
    tls: bool,
    ca_file: Path | None,
    rate_limit: tuple[int, float] | None,
    max_concurrent: int | None,
    latency: float,
    p_unavailable: float,
    p_bad_gateway_after: float,
    p_drop_after: float,
    quiet: bool,
) -> None:
    """Line 1 of stdout is the base URL (line 2 with --tls: the CA certificate's path); one
    line per request goes to stderr. Point clients at it, e.g. ``curl -H "Authorization:
    Bearer test" -H "Ngrok-Version: 2" $URL/credentials``; SIGINT or SIGTERM stops it."""
    from ..testing import Faults
    from ..testing._serve import HypercornMissingError
    from ..testing._standalone import ServerOptions, run_server

    if not api_key or api_key != api_key.strip():
        raise click.BadParameter(
            "must be non-empty, without surrounding spaces", param_hint="--api-key"
        )
    if ca_file is not None and not tls:
        raise click.UsageError("--ca-file goes with --tls")
    options = ServerOptions(
        host=host,
        port=port,
        api_key=api_key,
        seed=seed,
        tls=tls,
        ca_file=ca_file,
        faults=Faults(
            rate_limit=rate_limit,
            max_concurrent=max_concurrent,
            latency=latency,
            p_unavailable=p_unavailable,
            p_bad_gateway_after=p_bad_gateway_after,
            p_drop_after=p_drop_after,
        ),
        quiet=quiet,
    )
    try:
        anyio.run(run_server, options, sys.stdout, sys.stderr)
    except OSError as exc:  # the port is taken, the address is not ours, ...
        raise click.ClickException(
            f"cannot serve on {host}:{port}: {exc.strerror or exc}"
        ) from None
    except HypercornMissingError as exc:
        raise click.ClickException(str(exc)) from None  # names the extra to install
