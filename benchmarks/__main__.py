"""``python -m benchmarks``: run every scenario and print the table."""

from .run import main

raise SystemExit(main())
