"""The ``ngrok-async`` command line (``python -m ngrok_async``)."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

import anyio

from .demo import DemoOptions, run_demo


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of ``ngrok-async`` and ``python -m ngrok_async``; returns the exit status."""
    parser = argparse.ArgumentParser(prog="ngrok-async", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    demo = commands.add_parser(
        "demo",
        help="issue SSH user certificates concurrently, verify them and list them back",
        description="Runs on the embedded fake ngrok API unless --live is given.",
    )
    demo.add_argument("-n", "--count", type=int, default=50, help="certificates (default 50)")
    demo.add_argument("--concurrency", type=int, default=8, help="requests in flight (default 8)")
    demo.add_argument(
        "--live",
        action="store_true",
        help="run against api.ngrok.com with $NGROK_API_KEY (creates, then deletes, a CA)",
    )
    args = parser.parse_args(argv)
    if args.count < 1 or args.concurrency < 1:
        parser.error("--count and --concurrency must be at least 1")
    options = DemoOptions(count=args.count, concurrency=args.concurrency, live=args.live)
    return anyio.run(run_demo, options, print)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
