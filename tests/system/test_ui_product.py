"""The web chat as a user meets it, in a real Chromium: one language per page, light and dark mode,
the layout at 1366x768, keyboard use, clearing the chat, an evaluation run from the page. One page
load per language and theme.

Each page is screenshotted to ``test-artifacts/ui-<lang>-<theme>.png`` (the Evaluation tab to
``ui-eval-<lang>-<theme>.png``) for a person to look at.
"""

from __future__ import annotations

import contextlib
import json
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from helpers import ARTIFACTS, GENERALSTAB, OWN_QUESTIONS, WRONG_GOLD, write_jsonl
from playwright import sync_api
from ui_helpers import ask, assert_article_beside_chat, open_page, open_scope, seeded_chat, shoot

from ui.strings import ARIA, STRINGS

pytestmark = pytest.mark.browser


GERMAN_INFO = "() => (document.querySelector('#info-line')?.innerText || '').includes('Antwortgeber')"
# Gradio's own labels as it shows them in each language, beyond the ones ``ui.strings`` holds.
GRADIO_WORDS = {
    "en": ["Drop File Here", "Click to Upload", "Clear", "Search...", "Textbox", "Examples", "Copy message"],
    "de": ["Datei hier ablegen", "Hochladen", "Chat leeren", "Nachricht kopieren", "Wiederholen"],
}
# The data a page shows (article text, questions, answers, titles) is not the page's language:
# the check removes it and reads the rest, the page's own words.
DATA = (
    ".article-text, .article-title, .article-meta, #sources-list label, .message-content, "
    "#articles-table tbody, #articles-table .virtual-body, #eval-questions tbody, "
    "#eval-questions .virtual-body, #lang-switch, .example-q"
)
CHROME_TEXT = f"""() => {{
  const clone = document.body.cloneNode(true);
  clone.querySelectorAll("{DATA}").forEach((e) => e.remove());
  document.body.appendChild(clone);  // innerText needs a rendered element
  clone.querySelectorAll("[style*='display: none']").forEach((e) => e.remove());
  const names = [...clone.querySelectorAll("[aria-label],[placeholder],[title]")].map((e) =>
    ["aria-label", "placeholder", "title"].map((a) => e.getAttribute(a) || "").join(" "));
  const text = clone.innerText + " " + names.join(" ");
  clone.remove();
  return text;
}}"""


def foreign_phrases(lang: str) -> list[str]:
    """Every fragment of the other language's strings that differs from this language's.

    ``{fields}`` split a string into fragments; markdown marks go; very short fragments (a word
    like "Text" the two languages share) are left out."""
    other = "en" if lang == "de" else "de"
    out = list(GRADIO_WORDS[other])
    for both in STRINGS.values():
        if both is STRINGS["switch"] or both[other] == both[lang]:
            continue
        for fragment in re.split(r"\{[a-z_]+\}", both[other]):
            fragment = re.sub(r"[*#`\[\]]|\(\?lang=\w+\)", "", fragment).strip(" .:;,–—·()„“”")
            if len(fragment) >= 6 and fragment not in both[lang]:
                out.append(fragment)
    out += [v for k, v in ARIA[other].items() if k in ("answer", "question") and v not in ARIA[lang].values()]
    return out


def luminance(rgb: tuple[float, ...]) -> float:
    def channel(c: float) -> float:
        c /= 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(c) for c in rgb[:3])
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(fg: str, bg: str) -> float:
    """WCAG contrast ratio of two computed ``rgb(...)`` colours."""
    a, b = (luminance(tuple(float(x) for x in re.findall(r"[\d.]+", c))) for c in (fg, bg))
    return (max(a, b) + 0.05) / (min(a, b) + 0.05)


@pytest.fixture(scope="module")
def url(tmp_path_factory: pytest.TempPathFactory, embeddings) -> Iterator[str]:
    with seeded_chat(tmp_path_factory.mktemp("ui-product"), embeddings) as address:
        yield address


def settled_text(page: sync_api.Page, phrases: list[str]) -> str:
    """The page's own words once the page script has relabelled them: the first reading, within
    15 s, that shows none of ``phrases`` (the script works a moment after each change, so a
    reading taken apart from the check could catch a label Gradio has just re-rendered), else
    the last reading."""
    listed = json.dumps(phrases)
    settled = f"() => {{ const t = ({CHROME_TEXT})(); return !{listed}.some((p) => t.includes(p)) && t; }}"
    with contextlib.suppress(sync_api.TimeoutError):  # the caller's assertion names what is left
        return str(page.wait_for_function(settled, polling=250, timeout=15_000).json_value())
    return str(page.evaluate(CHROME_TEXT))


# The tabs after the chat, each with an element that shows once it is open.
TABS = ((1, "#articles-table"), (2, "#eval-run"))


def assert_one_language(page: sync_api.Page, lang: str) -> None:
    """No phrase of the other language on any tab, in text or accessible names (the chat's
    selection controls opened, the articles' pager shown)."""
    phrases = foreign_phrases(lang)
    page.locator("[role=tab]").first.click()  # the chat tab, whichever tab the test left open
    open_scope(page)
    texts = [settled_text(page, phrases)]
    for index, shown in TABS:
        page.locator("[role=tab]").nth(index).click()
        page.locator(shown).wait_for()
        if shown == "#articles-table":
            page.wait_for_function("() => /\\d/.test(document.querySelector('#page-line')?.innerText || '')")
        texts.append(settled_text(page, phrases))
    page.locator("[role=tab]").first.click()
    found = [p for p in phrases if any(p in text for text in texts)]
    assert not found, f"{lang} page shows {found}"
    assert page.evaluate("document.documentElement.lang") == lang


def assert_highlights_readable(page: sync_api.Page) -> None:
    """Cited and retrieved sentences and the markers keep >= 4.5:1 contrast (WCAG AA)."""
    for selector in ("#article-box mark.cited", "#article-box mark.retrieved", "#chatbot a.cite"):
        colours = page.locator(selector).first.evaluate(
            "e => { const s = getComputedStyle(e); return [s.color, s.backgroundColor]; }"
        )
        ratio = contrast(*colours)
        assert ratio >= 4.5, f"{selector}: {colours} has contrast {ratio:.2f}"


def test_german_page_light_speaks_german_clears_and_works_by_keyboard(browser, url: str) -> None:
    page = open_page(browser, url, "de-DE", "light")
    width_before = page.locator("#chat-col").bounding_box()["width"]  # type: ignore[index]
    ask(page, "Was wies der Generalstab in Kiew zurück?")
    assert GENERALSTAB in page.locator("#chatbot").inner_text()
    assert page.locator("#chat-col").bounding_box()["width"] == pytest.approx(width_before, abs=2)  # type: ignore[index]
    names = page.locator("#chatbot [aria-label]").evaluate_all(
        "es => es.map(e => e.getAttribute('aria-label'))"
    )
    assert any(n.startswith("Antwort: Der Generalstab") for n in names)
    assert not [n for n in names if "<" in n], names  # accessible names are plain text
    assert_article_beside_chat(page)
    assert_highlights_readable(page)
    assert_one_language(page, "de")
    shoot(page, "de", "light")
    # the markers are reachable by Tab: from the question box, a few presses reach the first one
    page.locator("#chat-col textarea").first.focus()
    page.keyboard.press("Shift+Tab")
    reached = False
    for _ in range(30):
        page.keyboard.press("Shift+Tab")
        if page.evaluate("document.activeElement.matches('a.cite')"):
            reached = True
            break
    assert reached, "no citation marker reachable by keyboard"
    page.keyboard.press("Enter")  # a marker opened by keyboard shows its article too
    page.locator("#article-box mark.cited.focus").wait_for(timeout=30_000)
    # export: the Markdown quotes the cited sentence with its number and offsets; the JSON is the Answer
    page.locator("#export").get_by_text("Antwort exportieren").click()
    markdown = page.locator("#export-md textarea").input_value()
    assert f"> {GENERALSTAB}" in markdown and "Satz 6, Zeichen 749-834" in markdown, markdown
    with page.expect_download(timeout=90_000) as download:
        page.get_by_role("button", name="JSON herunterladen").click()
    exported = json.loads(Path(download.value.path()).read_text(encoding="utf-8"))
    assert exported["citations"][0]["text"] == GENERALSTAB and exported["citations"][0]["start"] == 749
    # clearing the chat clears its sources and the article view
    page.get_by_role("button", name="Chat leeren").click()
    page.wait_for_function("() => !document.querySelector('#article-box mark')", timeout=30_000)
    assert page.locator("#sources-list label").count() == 0
    assert "Stellen Sie eine Frage" in page.locator("#panel-heading").inner_text()
    page.context.close()


def test_english_page_dark_speaks_english_with_readable_highlights(browser, url: str) -> None:
    page = open_page(browser, url, "en-US", "dark")
    assert page.evaluate("document.body.classList.contains('dark') || !!document.querySelector('.dark')")
    ask(page, "What did the general staff in Kyiv deny?")
    assert page.locator("#chatbot a.cite").count() >= 1
    assert_highlights_readable(page)
    assert_article_beside_chat(page)
    assert_one_language(page, "en")
    shoot(page, "en", "dark")
    page.context.close()


def test_german_page_dark_and_english_page_light(browser, url: str, tmp_path: Path) -> None:
    """The other two combinations; the English page asks what the sources cannot answer, so its
    five closest passages fill the sources list and the article view must still show."""
    page = open_page(browser, url, "de-DE", "dark")
    ask(page, "Was drohte Medwedew den ukrainischen Soldaten an?")
    assert_highlights_readable(page)
    assert_one_language(page, "de")
    shoot(page, "de", "dark")
    page.context.close()

    page = open_page(browser, url, "en-US", "light")
    ask(page, "Who won the 2014 football World Cup in Brazil?")
    assert "Not in the sources" in page.locator("#panel-heading").inner_text()
    page.locator("#sources-list label").last.click()
    page.locator("#article-box mark.retrieved").first.wait_for(timeout=30_000)
    assert_article_beside_chat(page)
    assert_one_language(page, "en")
    shoot(page, "en", "light")
    # articles: an upload empties the box; a rejected file gets one line naming it once; a
    # deletion asks first, naming the title
    page.locator("[role=tab]").nth(1).click()
    good, bad = tmp_path / "bonn.txt", tmp_path / "kaputt.json"
    good.write_text(
        "Preise in Bonn\n\nDie Stadtwerke Bonn erhöhen die Preise für Fernwärme.", encoding="utf-8"
    )
    bad.write_text("{kein json", encoding="utf-8")
    page.locator("#upload input[type=file]").set_input_files([str(good), str(bad)])
    page.get_by_role("button", name="Ingest files").click()
    status = page.locator("#ingest-status")
    status.get_by_text("1 added").wait_for(timeout=60_000)
    rejected = [line for line in status.inner_text().splitlines() if "kaputt.json" in line]
    assert len(rejected) == 1 and rejected[0].count("kaputt.json") == 1, rejected
    page.wait_for_function("() => !document.querySelector('#upload').innerText.includes('bonn.txt')")
    page.locator("#articles-table").get_by_text("Preise in Bonn").first.click()
    page.locator("#selected-title").get_by_text("Preise in Bonn").wait_for(timeout=30_000)
    page.get_by_role("button", name="Delete selected").click()
    page.locator("#confirm-text").get_by_text("Delete “Preise in Bonn”?").wait_for(timeout=30_000)
    page.get_by_role("button", name="Yes, delete").click()
    status.get_by_text("Deleted “Preise in Bonn”.").wait_for(timeout=30_000)
    page.locator("[role=tab]").first.click()
    # the switch: the same page in German at once, the chat started anew; the choice persists
    page.get_by_role("button", name="Deutsch").click()
    page.get_by_role("tab", name="Gespräch").wait_for(timeout=30_000)
    page.wait_for_function(GERMAN_INFO)
    sync_api.expect(page.locator("#sources-list label")).to_have_count(0, timeout=30_000)
    assert_one_language(page, "de")
    page.reload()
    page.wait_for_function(GERMAN_INFO)
    page.context.close()


def run_evaluation(page: sync_api.Page, path: Path, done: str) -> str:
    """Upload ``path`` on the Evaluation tab and run it; returns the status line once it reads ``done``."""
    page.locator("[role=tab]").nth(2).click()
    status = page.locator("#eval-status")
    # a file set while the page's load callback re-renders the tabs can be dropped (seen on a
    # loaded machine): the box must show it, and a run that found no file is offered it once more
    for attempt in range(2):
        page.locator("#eval-upload input[type=file]").set_input_files(str(path))
        try:
            page.locator("#eval-upload").get_by_text(path.name).first.wait_for(timeout=20_000)
        except sync_api.TimeoutError:
            if attempt:
                raise
            continue
        page.locator("#eval-run").click()
        either = status.get_by_text(done).or_(status.get_by_text("Choose a question set first."))
        either.or_(status.get_by_text("Wählen Sie zuerst einen Fragensatz.")).first.wait_for(timeout=120_000)
        if done in status.inner_text():
            break
        assert not attempt, f"the run found no file twice: {status.inner_text()!r}"
    shown = f"() => !document.querySelector('#eval-upload').innerText.includes({json.dumps(path.name)})"
    page.wait_for_function(shown, timeout=30_000)  # the box empties, ready for the next set
    return status.inner_text()


def summary_cells(page: sync_api.Page, metric: str) -> list[str]:
    """The summary table's cells in the row of ``metric``."""
    row = page.locator("#eval-summary tr", has_text=metric).first
    return [c.strip() for c in row.locator("td").all_inner_texts()]


def question_row(page: sync_api.Page, question: str) -> str:
    """The questions table's row of ``question`` (the table's rows are ``.virtual-row`` elements)."""
    return page.locator("#eval-questions .virtual-row", has_text=question).first.inner_text()


def test_evaluation_tab_runs_a_set_in_both_languages_and_themes(browser, url: str, tmp_path: Path) -> None:
    """A user's own set (no splits, no articles) uploaded on the page: one set asked of the store,
    the right verdict per question, a report to download; a bad file gets one line."""
    mine = write_jsonl(tmp_path / "mine.jsonl", [*OWN_QUESTIONS, WRONG_GOLD])
    page = open_page(browser, url, "en-US", "light")
    bad = write_jsonl(tmp_path / "broken.jsonl", [{"frage": "Wer?"}])
    status = run_evaluation(page, bad, "Cannot use this set")
    assert status.count("broken.jsonl") == 1 and "'question'" in status and len(status.splitlines()) == 1
    assert run_evaluation(page, mine, "Done:").startswith("Done: 4 questions asked")
    assert "Asked of your store (1 article)" in page.locator("#eval-summary").inner_text()
    # 2 of the 3 answerable questions cite their gold first; the unanswerable one gets no answer
    assert summary_cells(page, "first citation holds the answer")[1] == "0.667"
    assert summary_cells(page, "no answer to unanswerable questions")[1] == "1.000"
    assert "✓ first citation right" in question_row(page, "Was wies der Generalstab in Kiew zurück?")
    assert GENERALSTAB[:40] in question_row(page, "Was wies der Generalstab in Kiew zurück?")
    assert "✓ no answer (unanswerable)" in question_row(page, "Wer gewann die Fußball-WM 1954?")
    assert "✗" in question_row(page, WRONG_GOLD["question"])
    sync_api.expect(page.locator("#eval-plots img")).to_have_count(2)
    with page.expect_download(timeout=90_000) as download:
        page.get_by_role("button", name="Report (Markdown)").click()
    report = Path(download.value.path()).read_text(encoding="utf-8")
    assert "## Asked of your store (1 article)" in report and "| newsqa | 4 |" in report
    assert page.get_by_role("button", name="All report files (ZIP)").is_visible()
    assert_one_language(page, "en")
    page.locator("[role=tab]").nth(2).click()
    page.locator("#eval-run").scroll_into_view_if_needed()
    page.screenshot(path=str(ARTIFACTS / "ui-eval-en-light.png"), full_page=True)
    page.context.close()

    page = open_page(browser, url, "de-DE", "dark")
    assert run_evaluation(page, mine, "Fertig:").startswith("Fertig: 4 Fragen in")
    assert summary_cells(page, "erstes Zitat enthält die Antwort")[1] == "0,667"
    assert "✓ keine Antwort (nicht beantwortbar)" in question_row(page, "Wer gewann die Fußball-WM 1954?")
    assert_one_language(page, "de")
    page.locator("[role=tab]").nth(2).click()
    page.locator("#eval-run").wait_for()
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "ui-eval-de-dark.png"), full_page=True)
    page.context.close()
