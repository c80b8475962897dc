"""``python -m ngrok_async``: see :func:`ngrok_async.cli.main`."""

import sys

from .cli import main

if __name__ == "__main__":
    sys.exit(main())
