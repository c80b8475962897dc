"""Where the generator reads the spec and writes its output."""

from __future__ import annotations

import pathlib

ROOT = pathlib.Path(__file__).resolve().parent.parent.parent
SPEC = ROOT / "spec" / "ngrok.yaml"
OUT = ROOT / "ngrok_async" / "resources" / "_generated"
README = ROOT / "README.md"
