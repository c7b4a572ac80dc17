"""The articles table's paging (ui/paging.py): search and sort apply to every row before the page."""

from __future__ import annotations

from ui.paging import TableView, page_of


def rows(n: int) -> list[list[object]]:
    """``n`` rows as ``ui.render.article_rows`` makes them, newest added first; every third undated."""
    return [
        [
            f"Meldung {i:03d}",
            "pasted",
            "" if i % 3 == 0 else f"2024-01-{1 + i % 28:02d}",
            i % 7,
            f"2025-01-01 {i:05d}",
            f"id{i}",
        ]
        for i in reversed(range(n))
    ]


def titles(shown: list[list[object]]) -> list[object]:
    return [r[0] for r in shown]


def test_pages_of_fifty_and_the_page_clamped() -> None:
    shown, view = page_of(rows(120), TableView(sort="title_asc", page=3))
    assert titles(shown) == [f"Meldung {i:03d}" for i in range(100, 120)]
    assert (view.page, view.pages, view.matching, view.total) == (3, 3, 120, 120)
    _, past = page_of(rows(120), TableView(page=9))
    assert past.page == 3
    _, before = page_of(rows(120), TableView(page=0))
    assert before.page == 1
    empty, none = page_of([], TableView())
    assert empty == [] and (none.page, none.pages) == (1, 1)


def test_search_then_sort_then_page() -> None:
    shown, view = page_of(rows(120), TableView(query="meldung 0", sort="title_desc", page=2))
    assert (view.matching, view.pages) == (100, 2)
    assert titles(shown) == [f"Meldung {i:03d}" for i in reversed(range(50))]
    spaced, _ = page_of(rows(120), TableView(query="  MELDUNG   11"))  # case and spacing aside
    assert sorted(titles(spaced)) == [f"Meldung {i}" for i in range(110, 120)]
    assert page_of(rows(120), TableView(query="Meldung pasted"))[1].matching == 0  # one cell holds it
    by_date, _ = page_of(rows(120), TableView(query="2024-01-05"))
    assert {r[2] for r in by_date} == {"2024-01-05"}


def test_sorts_put_rows_without_a_value_last() -> None:
    for sort in ("date_asc", "date_desc"):
        shown, _ = page_of(rows(30), TableView(sort=sort), size=100)
        dates = [r[2] for r in shown]
        dated = [d for d in dates if d]
        assert dates == dated + [""] * (len(dates) - len(dated))
        assert dated == sorted(dated, reverse=sort == "date_desc")
    default, _ = page_of(rows(30), TableView(), size=100)
    assert titles(default) == titles(rows(30))  # newest added first, as listed
    most, _ = page_of(rows(30), TableView(sort="sentences_desc"), size=100)
    assert [r[3] for r in most] == sorted((r[3] for r in rows(30)), reverse=True)  # type: ignore[type-var]
