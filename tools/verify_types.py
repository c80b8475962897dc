"""Fail unless the public API's type completeness (pyright ``--verifytypes``) reaches a minimum.

Run by CI::

    python tools/verify_types.py 0.99

It runs basedpyright (a dev dependency that bundles pyright and node, so it works offline) on
the installed ``ngrok_async`` and prints the score and every symbol whose type is ambiguous or
unknown.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys


def main() -> int:
    minimum = float(sys.argv[1]) if len(sys.argv) > 1 else 0.99
    exe = shutil.which("basedpyright") or shutil.which("pyright")
    if exe is None:
        print("basedpyright is not installed: pip install -e '.[dev]'")
        return 2
    run = subprocess.run(
        [exe, "--verifytypes", "ngrok_async", "--ignoreexternal", "--outputjson"],
        capture_output=True,
        text=True,
        check=False,
    )
    report = json.loads(run.stdout)["typeCompleteness"]
    for symbol in report["symbols"]:
        if symbol["diagnostics"] and (not symbol["isTypeKnown"] or symbol["isTypeAmbiguous"]):
            print(f"{symbol['name']}: {symbol['diagnostics'][0]['message'].splitlines()[0]}")
    score = report["completenessScore"]
    print(f"type completeness {score:.1%} (minimum {minimum:.0%})")
    return 0 if score >= minimum else 1


if __name__ == "__main__":
    sys.exit(main())
