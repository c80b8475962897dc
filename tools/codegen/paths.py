"""Where the generator reads the spec and writes its output."""

from __future__ import annotations

import pathlib

ROOT = pathlib.Path(__file__).resolve().parent.parent.parent
SPEC = ROOT / "spec" / "ngrok.yaml"
EXTRA_SPEC = ROOT / "spec" / "extra.yaml"  # what the API has and the spec lacks
OUT = ROOT / "ngrok_async" / "resources" / "_generated"
README = ROOT / "README.md"
