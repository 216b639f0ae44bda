"""Pieces of the scanner that need no cluster: Retry-After and the retry budget."""

from __future__ import annotations

from kcache.scan import RetryBudget, retry_after


def test_retry_after_is_read_from_what_servers_relay() -> None:
    python_client = (
        "(429) Reason: Too Many Requests HTTP response headers: HTTPHeaderDict({'Retry-After': '7'})"
    )
    assert retry_after(python_client) == 7
    assert retry_after('{"details": {"retryAfterSeconds": 3}}') == 3
    assert retry_after("Retry-After: 1.5") == 1.5
    assert retry_after("please try again in 2s") == 2
    assert (
        retry_after("the server has received too many requests and has asked us to try again later") is None
    )


def test_the_budget_refuses_retries_past_it_and_calls_after_throttling() -> None:
    budget = RetryBudget(10)
    assert budget.allows(10) and budget.refusal() is None
    budget.spent = 9.5
    assert budget.allows(0.5) and not budget.allows(0.6)
    budget.throttled = "too many requests"
    refusal = budget.refusal()
    assert refusal is not None and "too many requests" in refusal and "SCANNER_TIMEOUT=10s" in refusal
