"""The retry rule: a table of (method, failure, retries) -> verdict, backoff and Retry-After;
bulk reconciliation reads a failed create through the same classification."""

from __future__ import annotations

import random
from datetime import datetime, timedelta, timezone

import httpx
import pytest
from hypothesis import given
from hypothesis import strategies as st

from ngrok_async._errors import (
    CreatedButUndecodableError,
    InvalidParameterError,
    NgrokConnectionError,
    api_error,
)
from ngrok_async._reconcile import verdict as reconcile_verdict
from ngrok_async._retry import (
    IDEMPOTENT_METHODS,
    Verdict,
    backoff_delay,
    decide,
    may_have_reached_server,
    parse_retry_after,
    retry_after_seconds,
    retry_delay,
)

RETRY, FAIL, AMBIGUOUS = Verdict.RETRY, Verdict.FAIL, Verdict.AMBIGUOUS
IDEMPOTENT = ["GET", "HEAD", "OPTIONS", "PUT", "DELETE", "PATCH"]
NOT_SENT = [httpx.ConnectError("refused"), httpx.ConnectTimeout("t"), httpx.PoolTimeout("t")]
MAYBE_SENT = [
    httpx.ReadTimeout("t"),
    httpx.ReadError("reset"),
    httpx.WriteError("broken pipe"),
    httpx.WriteTimeout("t"),
    httpx.RemoteProtocolError("peer closed"),
    httpx.CloseError("close"),
    httpx.NetworkError("other network"),
    httpx.TimeoutException("other timeout"),
    httpx.ProtocolError("other protocol"),
]
FATAL_ERRORS = [
    httpx.LocalProtocolError("bad header"),
    httpx.UnsupportedProtocol("ftp"),
    httpx.DecodingError("gzip"),
    httpx.TooManyRedirects("loop"),
    httpx.ProxyError("proxy"),
    ValueError("not httpx"),
    RuntimeError("not httpx"),
]
FATAL_STATUSES = [400, 401, 403, 404, 405, 408, 409, 422, 302]

Failure = int | BaseException
ROWS: list[tuple[str, Failure, int, int, Verdict]] = [
    # The server did no work: retry every method while retries remain, then FAIL.
    *[(m, s, 0, 2, RETRY) for m in [*IDEMPOTENT, "POST"] for s in (429, 503)],
    *[(m, s, 2, 2, FAIL) for m in ("GET", "POST") for s in (429, 503)],
    ("POST", 429, 0, 0, FAIL),
    # Never reached the server: same.
    *[(m, e, 1, 3, RETRY) for m in [*IDEMPOTENT, "POST"] for e in NOT_SENT],
    *[(m, e, 3, 3, FAIL) for m in ("GET", "POST") for e in NOT_SENT],
    # 502/504: retry idempotent methods; a create is ambiguous, retries left or not.
    *[(m, s, 0, 2, RETRY) for m in IDEMPOTENT for s in (502, 504)],
    *[("GET", s, 2, 2, FAIL) for s in (502, 504)],
    *[("POST", s, r, 2, AMBIGUOUS) for s in (502, 504) for r in (0, 2)],
    ("POST", 502, 0, 0, AMBIGUOUS),
    # 500 (and any other 5xx): not retried; a create is ambiguous.
    *[(m, s, 0, 2, FAIL) for m in IDEMPOTENT for s in (500, 501, 520)],
    *[("POST", s, r, 2, AMBIGUOUS) for s in (500, 501, 520) for r in (0, 2)],
    # Errors after the request may have been sent.
    *[(m, e, 0, 2, RETRY) for m in ("GET", "PUT", "DELETE", "PATCH") for e in MAYBE_SENT],
    *[("GET", e, 2, 2, FAIL) for e in MAYBE_SENT],
    *[("POST", e, r, 2, AMBIGUOUS) for e in MAYBE_SENT for r in (0, 2)],
    # Anything else fails at once.
    *[(m, s, 0, 2, FAIL) for m in ("GET", "POST") for s in FATAL_STATUSES],
    *[(m, e, 0, 2, FAIL) for m in ("GET", "POST") for e in FATAL_ERRORS],
    # Methods are case-insensitive; an unknown method is treated like a create.
    ("post", 504, 0, 2, AMBIGUOUS),
    ("get", 504, 0, 2, RETRY),
    ("PROPFIND", httpx.ReadTimeout("t"), 0, 2, AMBIGUOUS),
    ("PROPFIND", 503, 0, 2, RETRY),
]


def _row_id(row: tuple[str, Failure, int, int, Verdict]) -> str:
    method, failure, done, most, verdict = row
    what = failure if isinstance(failure, int) else type(failure).__name__
    return f"{method}-{what}-{done}of{most}-{verdict.name}"


@pytest.mark.parametrize(
    ("method", "failure", "retries_done", "max_retries", "expected"), ROWS, ids=map(_row_id, ROWS)
)
def test_decide_table(
    method: str, failure: Failure, retries_done: int, max_retries: int, expected: Verdict
) -> None:
    if isinstance(failure, int):
        got = decide(method, status=failure, retries_done=retries_done, max_retries=max_retries)
    else:
        got = decide(method, error=failure, retries_done=retries_done, max_retries=max_retries)
    assert got is expected


def test_table_covers_every_idempotent_method() -> None:
    assert set(IDEMPOTENT) == IDEMPOTENT_METHODS
    assert {row[0] for row in ROWS} >= {*IDEMPOTENT, "POST"}


@pytest.mark.parametrize(("status", "error"), [(None, None), (503, httpx.ReadError("x"))])
def test_decide_needs_exactly_one_of_status_and_error(
    status: int | None, error: BaseException | None
) -> None:
    with pytest.raises(ValueError, match="exactly one"):
        decide("GET", status=status, error=error, retries_done=0, max_retries=2)


@given(
    method=st.sampled_from([*IDEMPOTENT, "POST", "post"]),
    failure=st.one_of(st.integers(100, 599), st.sampled_from(NOT_SENT + MAYBE_SENT + FATAL_ERRORS)),
    retries_done=st.integers(0, 10),
    max_retries=st.integers(0, 10),
)
def test_no_silent_duplicates_and_retries_bounded(
    method: str, failure: Failure, retries_done: int, max_retries: int
) -> None:
    status, error = (failure, None) if isinstance(failure, int) else (None, failure)
    verdict = decide(
        method, status=status, error=error, retries_done=retries_done, max_retries=max_retries
    )
    if verdict is RETRY:
        assert retries_done < max_retries
        if method.upper() == "POST":  # a create is retried only when it provably did nothing
            assert not may_have_reached_server(status, error)
    if method.upper() != "POST":
        assert verdict is not AMBIGUOUS


@pytest.mark.parametrize(
    ("status", "error", "reached"),
    [
        (429, None, False),
        (503, None, False),
        *[(None, e, False) for e in NOT_SENT],
        (500, None, True),
        (502, None, True),
        (504, None, True),
        (404, None, True),
        *[(None, e, True) for e in MAYBE_SENT],
    ],
)
def test_may_have_reached_server(
    status: int | None, error: BaseException | None, reached: bool
) -> None:
    assert may_have_reached_server(status, error) is reached


@pytest.mark.parametrize(
    ("retries_done", "ceiling"),
    [(0, 0.5), (1, 1.0), (2, 2.0), (3, 4.0), (4, 8.0), (5, 8.0), (100, 8.0), (10_000, 8.0)],
)
def test_backoff_ceiling_is_capped_exponential(retries_done: int, ceiling: float) -> None:
    assert backoff_delay(retries_done, rand=lambda: 1.0) == ceiling
    assert backoff_delay(retries_done, rand=lambda: 0.0) == 0.0
    assert backoff_delay(retries_done, rand=lambda: 0.25) == ceiling / 4


def test_backoff_custom_base_and_cap() -> None:
    assert backoff_delay(3, base=1.0, cap=5.0, rand=lambda: 1.0) == 5.0
    assert backoff_delay(1, base=1.0, cap=5.0, rand=lambda: 0.5) == 1.0


def test_backoff_is_full_jitter() -> None:
    rng = random.Random(1234)
    samples = [backoff_delay(3, rand=rng.random) for _ in range(2000)]
    assert all(0.0 <= s <= 4.0 for s in samples)
    assert min(samples) < 0.1
    assert max(samples) > 3.9
    assert 1.8 < sum(samples) / len(samples) < 2.2  # uniform: mean is half the ceiling


NOW = datetime(2015, 10, 21, 7, 28, 0, tzinfo=timezone.utc)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (None, None),
        ("", None),
        ("   ", None),
        ("7", 7.0),
        (" 7 ", 7.0),
        ("0", 0.0),
        ("1.5", 1.5),
        (".5", 0.5),
        ("+3", 3.0),
        ("-3", 0.0),
        ("-0.5", 0.0),
        ("nan", None),
        ("inf", None),
        ("1e3", None),
        ("1_000", None),
        ("0x10", None),
        ("1" * 400, None),  # overflows to inf
        ("soon", None),
        ("Wed, 21 Oct 2015 07:28:30 GMT", 30.0),
        ("Wed, 21 Oct 2015 07:27:00 GMT", 0.0),  # past
        ("Wed, 21 Oct 2015 07:28:30 -0000", 30.0),  # naive: read as UTC
        ("Wed, 21 Oct 2015 09:28:30 +0200", 30.0),
        ("Wednesday, 21-Oct-15 07:29:00 GMT", 60.0),  # RFC 850 form
        ("Wed, 21 Oct 2015 25:28:00 GMT", None),
        ("Wed, 21 Oct 99999 07:28:00 GMT", None),
    ],
)
def test_parse_retry_after(value: str | None, expected: float | None) -> None:
    assert parse_retry_after(value, now=NOW) == expected


def test_parse_retry_after_naive_now_is_utc_and_default_now_is_real_time() -> None:
    naive = NOW.replace(tzinfo=None)
    assert parse_retry_after("Wed, 21 Oct 2015 07:28:10 GMT", now=naive) == 10.0
    soon = datetime.now(timezone.utc) + timedelta(seconds=100)
    got = parse_retry_after(soon.strftime("%a, %d %b %Y %H:%M:%S GMT"))
    assert got is not None
    assert 95.0 <= got <= 100.0


@given(st.text())
def test_parse_retry_after_never_raises(value: str) -> None:
    got = parse_retry_after(value, now=NOW)
    assert got is None or got >= 0.0


@pytest.mark.parametrize(
    ("status", "retry_after", "expected"),
    [
        (429, "3", 3.0),
        (503, "2.5", 2.5),
        (503, "0", 0.0),
        (429, "120", 60.0),  # capped
        (429, "Wed, 21 Oct 2015 07:28:12 GMT", 12.0),
        (429, "Wed, 21 Oct 2015 08:28:00 GMT", 60.0),  # a future date, capped
        (429, "Wed, 21 Oct 2015 07:00:00 GMT", 0.0),  # a past date
        (503, "-4", 0.0),
    ],
)
def test_retry_delay_honours_retry_after(status: int, retry_after: str, expected: float) -> None:
    got = retry_delay(2, status=status, retry_after=retry_after, rand=lambda: 1.0, now=NOW)
    assert got == expected


def test_retry_delay_custom_cap() -> None:
    assert retry_delay(0, status=429, retry_after="30", cap=10.0) == 10.0


@pytest.mark.parametrize("retry_after", [None, "garbage"])
@pytest.mark.parametrize(
    ("status", "retries_done", "rand", "expected"),
    [
        (503, 0, 0.0, 0.0),  # full jitter may retry at once
        (503, 3, 1.0, 4.0),
        (None, 1, 0.5, 0.5),  # transport errors: plain backoff
        (429, 0, 0.0, 0.5),  # 429 without the header: never below base
        (429, 0, 1.0, 0.5),
        (429, 3, 0.0, 0.5),
        (429, 3, 1.0, 4.0),
        (429, 3, 0.5, 2.25),
        (429, 50, 1.0, 8.0),
    ],
)
def test_retry_delay_falls_back_to_backoff(
    retry_after: str | None, status: int | None, retries_done: int, rand: float, expected: float
) -> None:
    got = retry_delay(retries_done, status=status, retry_after=retry_after, rand=lambda: rand)
    assert got == expected


@pytest.mark.parametrize(
    ("retry_after", "expected"),
    [
        ("7", 7.0),  # the server's word wins (the limiter applies it as is)
        ("600", 60.0),
        ("junk", None),  # then the limiter's own rule: until the oldest permit expires
        (None, None),
    ],
)
def test_retry_after_seconds(retry_after: str | None, expected: float | None) -> None:
    assert retry_after_seconds(retry_after) == expected


def test_retry_after_seconds_custom_cap() -> None:
    assert retry_after_seconds("40", cap=30.0) == 30.0


# -- one classification: bulk reconciliation reads failures as the retry rule does ------------

STATUSES = [429, 503, 502, 504, 500, 501, 520, *FATAL_STATUSES]


@pytest.mark.parametrize("status", STATUSES)
def test_reconciliation_reads_a_status_as_the_retry_rule_does(status: int) -> None:
    error = api_error(status, b"{}", method="POST", path="/credentials")
    expected = {RETRY: "transient", AMBIGUOUS: "ambiguous", FAIL: "rejected"}[
        decide("POST", status=status, retries_done=0, max_retries=1)
    ]
    assert reconcile_verdict(error) == expected


@pytest.mark.parametrize("cause", [*NOT_SENT, *MAYBE_SENT, None], ids=repr)
def test_reconciliation_reads_a_transport_failure_as_the_retry_rule_does(
    cause: BaseException | None,
) -> None:
    error = NgrokConnectionError("failed")
    error.__cause__ = cause
    retried = cause is not None and (
        decide("POST", error=cause, retries_done=0, max_retries=1) is RETRY
    )
    assert reconcile_verdict(error) == ("transient" if retried else "ambiguous")


def test_reconciliation_treats_an_undecodable_create_as_ambiguous() -> None:
    error = CreatedButUndecodableError(
        resource="Credential", field="id", reason="x", status_code=201
    )
    assert reconcile_verdict(error) == "ambiguous"
    assert reconcile_verdict(InvalidParameterError("id", "bad")) == "rejected"
