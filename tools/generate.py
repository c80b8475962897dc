"""Generate ``ngrok_async/resources/_generated/`` from ngrok's OpenAPI spec (``spec/ngrok.yaml``),
and the table ``FakeNgrok`` serves the API from (``ngrok_async/testing/_api_table.json``).

Run by hand after updating the spec; the output is committed::

    python tools/generate.py            # rewrite the generated modules
    python tools/generate.py --check    # exit 1 if the committed output is stale (CI)
    python tools/generate.py --table    # print the README coverage table

The spec says little beyond names and JSON types: no ``required``, no formats, no nullability.
The tables in ``codegen/layout.py`` (where each service goes) and ``codegen/overrides.py`` say
what the API really does; everything else is derived from the spec. Output is deterministic and
formatted with ruff. The generator itself is the ``codegen`` package beside this script.
"""

from __future__ import annotations

import argparse
import pathlib
import sys

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
sys.path.insert(1, str(pathlib.Path(__file__).resolve().parent.parent))  # the package itself

from codegen.cli_index import CLI_INDEX, index_is_fresh, write_index
from codegen.coverage import coverage_table
from codegen.fake import FAKE_TABLE, table_is_fresh, write_table
from codegen.output import check, write
from codegen.paths import OUT, ROOT
from codegen.spec import load_spec


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="fail if committed output is stale")
    parser.add_argument("--table", action="store_true", help="print the README coverage table")
    args = parser.parse_args()
    spec = load_spec()
    if args.table:
        print(coverage_table(spec), end="")
        return 0
    if args.check:
        if not table_is_fresh(spec):
            print(f"stale {FAKE_TABLE.relative_to(ROOT)}; run python tools/generate.py")
            return 1
        status = check(spec)
        if not index_is_fresh():
            print(f"stale {CLI_INDEX.relative_to(ROOT)}; run python tools/generate.py")
            return 1
        return status
    write(OUT, spec)
    write_table(spec)
    write_index()  # reads the services just written
    written = (OUT, FAKE_TABLE, CLI_INDEX)
    print("wrote " + ", ".join(str(path.relative_to(ROOT)) for path in written))
    return 0


if __name__ == "__main__":
    sys.exit(main())
