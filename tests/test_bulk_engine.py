"""The bulk engine on in-memory operations: lazy pulls, bounded memory, stopping, misuse."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from datetime import datetime, timedelta, timezone
from typing import Any

import anyio
import attrs
import pytest

from ngrok_async import BulkCancelledError, BulkProgress, BulkRun, InvalidParameterError, Outcome
from ngrok_async._reconcile import Reconciler
from ngrok_async.bulk import BulkOps

from .test_bulk_services import collect


@attrs.frozen
class Rec:
    id: int
    created_at: datetime
    metadata: str
    key: str = "k"


# -- laziness, memory and stopping -------------------------------------------------------


def in_memory_ops(
    *,
    listed: list[Rec] | None = None,
    same: Any = lambda body, rec: True,
    gate: anyio.Event | None = None,
) -> BulkOps[int, Rec]:
    async def create(body: dict[str, Any]) -> Rec:
        if gate is not None:
            await gate.wait()
        await anyio.lowlevel.checkpoint()
        return Rec(body["n"], datetime.now(timezone.utc), "")

    async def newest_first(_: str | None = None) -> AsyncIterator[Rec]:
        for rec in listed or []:
            yield rec

    return BulkOps(
        body=lambda n: {"n": n, "key": "mine"}, create=create, newest_first=newest_first, same=same
    )


@pytest.mark.slow
async def test_100000_inputs_are_pulled_lazily_in_bounded_memory() -> None:
    pulled = 0

    def requests() -> Iterator[int]:
        nonlocal pulled
        for n in range(100_000):
            pulled += 1
            yield n

    ahead = done = 0
    async with BulkRun(requests(), in_memory_ops(), concurrency=16) as run:
        async for result in run:
            done += 1
            ahead = max(ahead, pulled - done)
            assert result.ok
            assert result.record.id == result.index

    assert done == 100_000
    assert ahead <= 2 * 16 + 1  # workers + result buffer


async def test_async_iterables_work_too() -> None:
    async def requests() -> AsyncIterator[int]:
        for n in range(50):
            await anyio.lowlevel.checkpoint()
            yield n

    results = await collect(BulkRun(requests(), in_memory_ops(), concurrency=4))
    assert sorted(results) == list(range(50))


async def test_break_cancels_in_flight_work_and_reports_it() -> None:
    gate = anyio.Event()
    run = BulkRun(range(100), in_memory_ops(gate=gate), concurrency=4)

    async def consume() -> None:
        async for _ in run:
            pass  # nothing completes: the gate stays shut

    async with run, anyio.create_task_group() as tasks:
        tasks.start_soon(consume)
        while run.progress.in_flight < 4:
            await anyio.lowlevel.checkpoint()
        tasks.cancel_scope.cancel()  # cancels the consumer waiting for a result
    unfinished = run.unfinished

    assert [r.index for r in unfinished] == [0, 1, 2, 3]  # four in flight; none pulled ahead
    assert [r.outcome for r in unfinished] == [Outcome.UNKNOWN] * 4
    assert all(isinstance(r.error, BulkCancelledError) for r in unfinished)
    assert run.progress.pulled == 4
    assert run.progress.in_flight == 0


async def test_break_after_some_results_keeps_the_unread_ones() -> None:
    run = BulkRun(range(100), in_memory_ops(), concurrency=4)
    seen = []
    async with run:
        async for result in run:
            seen.append(result.index)
            if len(seen) == 3:
                break

    accounted = set(seen) | {r.index for r in run.unfinished}
    assert accounted == set(range(run.progress.pulled))  # nothing pulled was dropped silently
    assert len(accounted) < 100


async def test_stop_finishes_what_is_in_flight() -> None:
    run = BulkRun(range(1000), in_memory_ops(), concurrency=2)
    seen = []
    async with run:
        async for result in run:
            seen.append(result.index)
            if len(seen) == 3:
                run.stop()

    assert len(seen) >= 3
    assert run.progress.pulled < 1000
    assert len(seen) + len(run.unfinished) == run.progress.pulled
    # in-flight requests finished; only the one pulled but never started is left over
    assert [r.outcome for r in run.unfinished] in ([], [Outcome.NOT_CREATED])
    assert run.progress.created == len(seen)


async def test_a_failing_input_iterable_is_raised_after_in_flight_results() -> None:
    def requests() -> Iterator[int]:
        yield from range(5)
        raise OSError("disk gone")

    seen: dict[int, Any] = {}
    with pytest.raises(OSError, match="disk gone"):
        await collect(BulkRun(requests(), in_memory_ops(), concurrency=2), into=seen)
    assert sorted(seen) == list(range(5))


async def test_progress_hook_sees_every_completion_and_its_errors_propagate() -> None:
    snapshots: list[BulkProgress] = []
    await collect(BulkRun(range(10), in_memory_ops(), concurrency=3, on_progress=snapshots.append))
    assert [s.done for s in snapshots] == list(range(1, 11))
    assert snapshots[-1].created == 10

    def boom(_: BulkProgress) -> None:
        raise RuntimeError("ui crashed")

    with pytest.raises(RuntimeError, match="ui crashed"):
        await collect(BulkRun(range(10), in_memory_ops(), on_progress=boom))


async def test_a_marker_on_a_record_for_another_key_is_not_a_match() -> None:
    listed = [Rec(1, datetime.now(timezone.utc), '{"ngrok_async_bulk":"MARK"}', key="other")]
    ops = in_memory_ops(listed=listed, same=lambda body, rec: rec.key == body["key"])
    reconciler = Reconciler(ops.newest_first, ops.same, delay=0, skew=timedelta(0))
    async with anyio.create_task_group() as tasks:
        tasks.start_soon(reconciler.run)
        lookup = await reconciler.find("MARK", {"key": "mine"}, datetime.now(timezone.utc))
        tasks.cancel_scope.cancel()
    assert lookup.record is None
    assert lookup.error is None


# -- misuse ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("options", "param"),
    [
        ({"concurrency": 0}, "concurrency"),
        ({"max_attempts": 0}, "max_attempts"),
        ({"reconcile": "yes"}, "reconcile"),
        ({"reconcile_delay": -1}, "reconcile_delay"),
        ({"on_progress": 3}, "on_progress"),
    ],
)
def test_bad_options_are_refused_at_the_call(options: dict[str, Any], param: str) -> None:
    with pytest.raises(InvalidParameterError) as info:
        BulkRun(range(3), in_memory_ops(), **options)
    assert info.value.param == param


async def test_results_are_read_inside_the_block_only() -> None:
    run = BulkRun(range(3), in_memory_ops())
    with pytest.raises(TypeError, match="inside its block"):
        async for _ in run:
            pass
    await collect(run)
    with pytest.raises(RuntimeError, match="only once"):
        await collect(run)


def test_the_engine_benchmark_runs(capsys: pytest.CaptureFixture[str]) -> None:
    from benchmarks import bulk_engine

    assert bulk_engine.main(["--items", "300", "--rounds", "1"]) == 0
    out = capsys.readouterr().out
    assert "create_many" in out
    assert out.count("create_many") == 2
