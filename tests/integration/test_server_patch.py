"""``ui.server.served_app_only`` from two threads at once: Gradio's ``App.create_app`` is the real
one again afterwards (overlapping patches restored out of order left one in place for good)."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from gradio.routes import App

import ui.server
from ui.server import served_app_only


class Announced:
    """The patch's lock, announcing each thread that asks for it (so the test waits for "B has
    arrived", inside or queued, rather than for a while)."""

    def __init__(self, lock: Any, arrived: threading.Event) -> None:
        self.lock, self.arrived = lock, arrived

    def __enter__(self) -> None:
        if threading.current_thread().name == "B":
            self.arrived.set()
        self.lock.__enter__()

    def __exit__(self, *exc: object) -> None:
        self.lock.__exit__(*exc)


def test_two_threads_leave_the_real_create_app(monkeypatch: pytest.MonkeyPatch) -> None:
    real = App.__dict__["create_app"]
    a_inside, b_arrived, a_left = threading.Event(), threading.Event(), threading.Event()
    inside: list[str] = []
    overlapped: list[bool] = []
    monkeypatch.setattr(ui.server, "_PATCHING", Announced(ui.server._PATCHING, b_arrived), raising=False)

    def a() -> None:
        with served_app_only():
            inside.append("A")
            a_inside.set()
            b_arrived.wait(30)  # B waits for the lock, or (unguarded) is inside too
            inside.remove("A")
        a_left.set()

    def b() -> None:
        a_inside.wait(30)
        with served_app_only():
            overlapped.append("A" in inside)
            b_arrived.set()
            a_left.wait(30)

    threads = [threading.Thread(target=a, name="A"), threading.Thread(target=b, name="B")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert overlapped == [False]  # B put its page together after A
    assert App.__dict__["create_app"] is real
