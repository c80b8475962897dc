"""Across real processes: a shared RedisLimiter key against a window-enforcing server, and a
certificate run killed with SIGKILL and resumed from its journal (the small versions of
``benchmarks.multiprocess`` and ``benchmarks.journal_kill``)."""

from __future__ import annotations

import pathlib

import anyio
import pytest

from benchmarks import journal_kill, multiprocess

pytestmark = pytest.mark.slow


def test_processes_sharing_a_key_stay_inside_the_servers_window(redis_url: str) -> None:
    report = anyio.run(
        lambda: multiprocess.measure(
            processes=2, limit=6, window=0.5, windows=3, kill_one=True, redis=redis_url
        )
    )
    assert report.answered_429 == 0
    assert report.max_in_a_window <= 6
    assert report.windows >= 3
    assert report.ceiling >= 0.8


def test_a_certificate_run_killed_at_random_points_resumes_exactly_once(
    tmp_path: pathlib.Path,
) -> None:
    report = anyio.run(lambda: journal_kill.measure(certs=30, kills=2, seed=3, directory=tmp_path))
    assert report.kills == 2
    assert report.on_server == report.keys_certified_once == 30
    assert report.duplicates == report.lost == 0
