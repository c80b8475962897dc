"""Across real processes: a shared RedisLimiter key against a window-enforcing server; certificate
runs killed with SIGKILL and resumed from their journal by a process in another directory,
overlapping; two runs of one job at once, one of them killed (the small versions of
``benchmarks.multiprocess`` and ``benchmarks.journal_kill``), on both journals."""

from __future__ import annotations

import pathlib

import anyio
import pytest

from benchmarks import journal_kill, multiprocess

pytestmark = pytest.mark.slow


def test_processes_sharing_a_key_do_the_job_near_the_ceiling_without_a_429(
    redis_url: str,
) -> None:
    report = anyio.run(
        lambda: multiprocess.measure(
            processes=2, requests=30, limit=6, window=0.5, latency=0.01, redis=redis_url
        )
    )
    assert report.requests == 30
    assert report.answered_429 == 0
    assert report.max_in_a_window <= 6
    assert report.ratio >= 0.8  # the job's time against (N - limit) / rate
    assert report.wakeups.get("timer", 0) > 0  # waiters slept until their permit ended


def test_processes_sharing_a_key_stay_inside_the_window_when_one_is_killed(
    redis_url: str,
) -> None:
    report = anyio.run(
        lambda: multiprocess.measure(
            processes=2, requests=40, limit=6, window=0.5, redis=redis_url, kill_one=True
        )
    )
    assert report.answered_429 == 0
    assert report.max_in_a_window <= 6


@pytest.mark.parametrize("journal", ["sqlite", "redis"])
def test_runs_killed_at_random_points_resume_elsewhere_exactly_once(
    tmp_path: pathlib.Path, redis_url: str, journal: str
) -> None:
    """Each run in a fresh directory (only the keys; with Redis no file of the earlier run),
    each replacement started before the run it replaces is killed."""
    report = anyio.run(
        lambda: journal_kill.measure(
            certs=30, kills=2, seed=3, journal=journal, redis=redis_url, directory=tmp_path
        )
    )
    assert report.kills == 2
    assert report.runs >= 3
    assert report.on_server == report.keys_certified_once == 30
    assert report.duplicates == report.lost == 0


@pytest.mark.parametrize("kill_one", [False, True], ids=["both-finish", "one-killed"])
@pytest.mark.parametrize("journal", ["sqlite", "redis"])
def test_two_runs_of_one_job_at_once_send_each_key_once(
    tmp_path: pathlib.Path, redis_url: str, journal: str, kill_one: bool
) -> None:
    report = anyio.run(
        lambda: journal_kill.together(
            certs=40,
            journal=journal,
            redis=redis_url,
            kill_one=kill_one,
            directory=tmp_path,
            latency=0.3,  # alone, one run needs 1.5 s: the other starts well within it
        )
    )
    assert report.posts == 40  # counted on the server: each key sent once
    assert report.keys_sent_twice == 0
    assert report.on_server == report.keys_certified_once == 40
    assert report.duplicates == report.lost == 0
    if not kill_one:
        assert min(report.sent_by_run) > 0  # they did share the work
