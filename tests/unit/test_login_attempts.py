"""The login limit's table (ui/guard.py): attempts count when they arrive, a success clears them,
and the table stays bounded however many addresses try."""

from __future__ import annotations

from ui.guard import LoginAttempts


def test_attempts_count_on_arrival_so_a_burst_stops_at_the_limit() -> None:
    attempts = LoginAttempts(limit=5, window=60)
    waits = [attempts.admit("10.0.0.1", 100.0) for _ in range(100)]  # none answered yet
    assert waits[:5] == [0] * 5 and all(w > 0 for w in waits[5:])
    assert attempts.admit("10.0.0.2", 100.0) == 0  # another address has its own count
    assert attempts.admit("10.0.0.1", 161.0) == 0  # the window has passed


def test_a_success_clears_the_count_and_a_non_answer_gives_one_back() -> None:
    attempts = LoginAttempts(limit=2, window=60)
    assert attempts.admit("a", 1.0) == 0 and attempts.admit("a", 2.0) == 0
    assert attempts.admit("a", 3.0) > 0
    attempts.settle("a", 2.0, succeeded=False)  # e.g. a malformed request: not a wrong password
    assert attempts.admit("a", 4.0) == 0 and attempts.admit("a", 5.0) > 0
    attempts.settle("a", 4.0, succeeded=True)
    assert len(attempts) == 0
    assert attempts.admit("a", 6.0) == 0


def test_the_table_is_bounded_and_forgets_expired_addresses() -> None:
    attempts = LoginAttempts(limit=5, window=60, tracked=100)
    for i in range(1000):
        attempts.admit(f"10.0.{i // 256}.{i % 256}", 1.0)
    assert len(attempts) == 100
    assert attempts.admit("10.9.9.9", 1000.0) == 0
    assert len(attempts) == 1  # every other address's attempts are older than the window
