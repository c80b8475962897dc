"""``BulkResult`` narrows under ``mypy --strict``: ``if result.ok: result.record.id``."""

from __future__ import annotations

import pathlib

import pytest

SNIPPET = """
from ngrok_async import BulkResult, Credential, CredentialRequest

def record_id(result: BulkResult[CredentialRequest, Credential]) -> str:
    if result.ok:
        return result.record.id
    return result.outcome.name + str(result.error)

def error_text(result: BulkResult[CredentialRequest, Credential]) -> str:
    if not result.ok:
        return str(result.error)
    return result.record.id
"""

WRONG = """
from ngrok_async import BulkResult, Credential, CredentialRequest

def record_id(result: BulkResult[CredentialRequest, Credential]) -> str:
    return result.record.id
"""


@pytest.mark.slow
def test_ok_narrows_the_result_under_mypy_strict(tmp_path: pathlib.Path) -> None:
    from mypy import api

    good, bad = tmp_path / "good.py", tmp_path / "bad.py"
    good.write_text(SNIPPET)
    bad.write_text(WRONG)
    cache = pathlib.Path(__file__).parent.parent / ".mypy_cache"
    args = ["--strict", "--cache-dir", str(cache), "--no-error-summary"]
    out, _, status = api.run([*args, str(good)])
    assert status == 0, out
    out, _, status = api.run([*args, str(bad)])
    assert status == 1
    assert 'Item "None" of "Credential | None" has no attribute "id"' in out
