"""The page's CSS and script, kept apart from the wiring so both stay readable.

System fonts only (no web fonts, no CDN): the page must work without network.
"""

from __future__ import annotations

CSS = """
.gradio-container { max-width: 1400px !important; margin: 0 auto; }
#info-line { font-size: 0.9em; color: var(--body-text-color-subdued); }
#info-line p { margin: 0; }
.hidden-ctl { display: none !important; }
#article-box { max-height: 58vh; overflow-y: auto !important; border: 1px solid var(--border-color-primary);
  border-radius: 8px; padding: 0 14px; background: var(--background-fill-primary); }
.article-view { font-family: Georgia, "DejaVu Serif", serif; font-size: 1.02em; line-height: 1.65; }
.article-view.empty { font-family: system-ui, sans-serif; color: var(--body-text-color-subdued);
  padding: 18px 0; }
.article-title { font-family: system-ui, sans-serif; margin: 14px 0 2px 0 !important; }
.article-meta { font-family: system-ui, sans-serif; font-size: 0.8em; color: var(--body-text-color-subdued);
  margin-bottom: 10px; word-break: break-all; }
.article-text { white-space: pre-wrap; padding-bottom: 14px; }
mark.cited { background: #ffe08a; color: inherit; padding: 1px 2px; border-radius: 3px;
  box-shadow: 0 0 0 1px #e0b100 inset; }
mark.retrieved { background: #eef3fb; color: inherit; padding: 1px 2px; border-radius: 3px;
  border-bottom: 1px dashed #9bb3d8; }
mark.focus { outline: 2px solid #d97706; outline-offset: 1px; }
sup.marker { font-family: system-ui, sans-serif; font-size: 0.7em; color: #92400e; margin-left: 2px; }
a.cite { text-decoration: none; font-weight: 600; color: #b45309 !important; cursor: pointer;
  background: #fff3c4; border-radius: 3px; padding: 0 2px; }
.abstained { background: #fde2e2; color: #8a1c1c; border-radius: 4px; padding: 1px 6px; font-weight: 600; }
#sources-list label { font-size: 0.88em; }
#chat-col { min-height: 70vh; }
"""

# Clicking a citation marker in the chat fills the hidden key box and presses the hidden button,
# which renders the cited article server-side; ``SCROLL_JS`` then centres the focused sentence.
PAGE_JS = """
() => {
  document.addEventListener("click", (ev) => {
    const a = ev.target && ev.target.closest ? ev.target.closest("a[href^='#cite-']") : null;
    if (!a) return;
    ev.preventDefault();
    ev.stopPropagation();
    const key = a.getAttribute("href").slice("#cite-".length);
    const box = document.querySelector("#cite-key textarea, #cite-key input");
    const go = document.querySelector("#cite-go");
    if (!box || !go) return;
    box.value = key;
    box.dispatchEvent(new Event("input", { bubbles: true }));
    setTimeout(() => go.click(), 50);
  }, true);
}
"""

SCROLL_JS = """
() => {
  setTimeout(() => {
    const box = document.querySelector("#article-box");
    const m = box && (box.querySelector("mark.focus") || box.querySelector("mark.cited"));
    if (!m) return;
    // scroll the article box only, not the page, so the chat stays where it is
    const top = m.getBoundingClientRect().top - box.getBoundingClientRect().top + box.scrollTop;
    box.scrollTo({ top: Math.max(0, top - box.clientHeight / 3), behavior: "smooth" });
  }, 80);
}
"""
