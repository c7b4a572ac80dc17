"""The page's CSS and script, kept apart from the wiring so both stay readable.

System fonts only (no web fonts, no CDN): the page must work without network.
"""

from __future__ import annotations

import json

from ui.strings import ARIA

ARIA_JSON = json.dumps(ARIA, ensure_ascii=False)
# What the page shows of articles and answers, and code (field names such as ``question``): never
# relabelled, whatever words it holds (a table's rows are in its sizing ``tbody`` and its virtual body).
DATA_SELECTOR = (
    "code, .article-text, .article-title, .message-content, #sources-list label, #articles-table tbody, "
    "#articles-table .virtual-body, #eval-questions tbody, #eval-questions .virtual-body"
)

CSS = """
.gradio-container { max-width: 1440px !important; width: 100% !important; margin: 0 auto; }
footer { display: none !important; }
#page-head { align-items: center; flex-wrap: nowrap; }
#page-title { flex: 1 1 auto !important; }
#page-title h2 { margin: 4px 0 !important; }
#lang-switch { flex: 0 0 auto !important; width: auto !important; min-width: 0 !important; }
#lang-switch { flex: 0 0 auto !important; }
#info-line { font-size: 0.88em; color: var(--body-text-color-subdued); }
#info-line p { margin: 0; }
.hidden-ctl { display: none !important; }
#chatbot .message-wrap { padding-top: 8px; }
#examples { gap: 6px; flex-wrap: wrap; }
#examples button { flex: 0 1 auto; min-width: 0; font-weight: 400; font-size: 0.82em; padding: 2px 8px; }
#source-col { min-width: 360px; }
#panel-heading p { margin: 0 0 4px 0; }
#sources-list { max-height: 24vh; overflow-y: auto; }
#sources-list label { font-size: 0.86em; }
#article-box { height: calc(100vh - 380px - 24vh); min-height: 220px; overflow-y: auto !important;
  border: 1px solid var(--border-color-primary); border-radius: 10px; padding: 0 14px;
  background: var(--background-fill-primary); }
#preview { max-height: 60vh; overflow-y: auto; }
.article-view { font-family: Georgia, "DejaVu Serif", serif; font-size: 1.02em; line-height: 1.65; }
.article-view.empty { font-family: system-ui, sans-serif; color: var(--body-text-color-subdued);
  padding: 18px 0; }
.article-title { font-family: system-ui, sans-serif; margin: 14px 0 2px 0 !important; }
.article-meta { font-family: system-ui, sans-serif; font-size: 0.8em; color: var(--body-text-color-subdued);
  margin-bottom: 10px; overflow-wrap: anywhere; }
.article-text { white-space: pre-wrap; padding-bottom: 14px; }
mark.cited { background: #ffe08a; color: #1b1300; padding: 1px 2px; border-radius: 3px;
  box-shadow: 0 0 0 1px #d4a200 inset; }
mark.retrieved { background: #e6eefb; color: #0d1b2e; padding: 1px 2px; border-radius: 3px;
  border-bottom: 1px dashed #7f9cc8; }
mark.focus { outline: 2px solid #b45309; outline-offset: 1px; }
sup.marker { font-family: system-ui, sans-serif; font-size: 0.7em; color: #7c2d12; margin-left: 2px; }
a.cite { text-decoration: none; font-weight: 600; color: #7c3d00 !important; cursor: pointer;
  background: #fff1c2; border-radius: 3px; padding: 0 2px; }
a.cite:focus-visible { outline: 2px solid #b45309; outline-offset: 1px; }
.abstained { background: #fde2e2; color: #7a1414; border-radius: 4px; padding: 1px 6px; font-weight: 600; }
.dark mark.cited { background: #5a4300; color: #fff6d6; box-shadow: 0 0 0 1px #a67c00 inset; }
.dark mark.retrieved { background: #1d3350; color: #e3edff; border-bottom-color: #5b7fb5; }
.dark mark.focus { outline-color: #fbbf24; }
.dark sup.marker { color: #fcd34d; }
.dark a.cite { color: #ffe7a3 !important; background: #4a3700; }
.dark .abstained { background: #5b1a1a; color: #ffdede; }
.notice { display: inline-block; border-left: 3px solid #b45309; padding: 2px 8px; font-size: 0.92em;
  background: #fff7e6; color: #5c3300; border-radius: 3px; }
.dark .notice { background: #3a2a10; color: #ffe2b0; border-left-color: #fbbf24; }
#articles-table, #articles-table * { font-family: var(--font) !important; }
#articles-table td, #articles-table th { font-size: 0.88em; }
#selected-title p { margin: 0; }
#scope { margin-top: 2px; }
/* the selection controls open: the chat gives them its height, the question box stays in view */
#chat-col:has(#scope .label-wrap.open) #chatbot { height: calc(100vh - 560px) !important;
  min-height: 200px !important; }
#scope-row { gap: 8px; }
#scope-row input[role=combobox] { text-overflow: ellipsis; }  /* a long title, not under the arrow */
#scope-foot { align-items: center; gap: 8px; }
#scope-status p { margin: 0; font-size: 0.86em; color: var(--body-text-color-subdued); }
.scope-error { color: #a11919; font-weight: 600; }
.dark .scope-error { color: #ffb4b4; }
.asked-of { display: block; margin-top: 6px; font-size: 0.84em; color: var(--body-text-color-subdued); }
#table-tools { align-items: end; gap: 8px; }
#pager { align-items: center; justify-content: space-between; gap: 8px; }
#page-line { text-align: center; }
#page-line p { margin: 0; font-size: 0.9em; }
#articles-table .sort-buttons, #articles-table .sort-button { display: none !important; }
#confirm-row { align-items: center; border: 1px solid var(--border-color-primary); border-radius: 10px;
  padding: 6px 10px; }
#eval-summary table { font-size: 0.88em; }
#eval-summary td:not(:first-child), #eval-summary th:not(:first-child) { text-align: right;
  font-variant-numeric: tabular-nums; }
#eval-questions, #eval-questions * { font-family: var(--font) !important; }
#eval-questions td { font-size: 0.86em; white-space: pre-line; }
.eval-plots { display: grid; grid-template-columns: repeat(auto-fit, minmax(420px, 1fr)); gap: 14px;
  align-items: start; }
.eval-plot { margin: 0; border: 1px solid var(--border-color-primary); border-radius: 10px;
  background: #ffffff; padding: 8px; }
.eval-plot img { display: block; width: 100%; height: auto; }
.eval-plot figcaption { font-size: 0.82em; color: var(--body-text-color-subdued); padding-top: 4px;
  text-align: center; }
.dark .eval-plot { background: var(--block-background-fill); }
/* the PNGs are drawn on white: inverted and hue-turned back, their lines keep their colours */
.dark .eval-plot img { filter: invert(0.88) hue-rotate(180deg); }
"""

# Clicking a citation marker in the chat fills the hidden key box and presses the hidden button,
# which renders the cited article server-side; ``SCROLL_JS`` then centres the focused sentence.
PAGE_JS = r"""
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
  // Accessible names in plain text and in the page's language: Gradio names a message by its raw
  // HTML ("bot's message: <a class=...>") and some controls in English only.
  const fix = () => {
    const words = ARIA[window.__newsqaLang === "de" ? "de" : "en"];
    for (const el of document.querySelectorAll("[aria-label]")) {
      const label = el.getAttribute("aria-label");
      let want = label;
      for (const [prefix, key] of [["bot's message: ", "answer"], ["user's message: ", "question"]]) {
        if (label.startsWith(prefix)) want = words[key] + ": " + el.innerText.replace(/\s+/g, " ").trim();
      }
      if (words[label]) want = words[label];
      if (want !== label) el.setAttribute("aria-label", want);
    }
    for (const attr of ["title", "placeholder"]) {
      for (const el of document.querySelectorAll(`[${attr}]`)) {
        const value = el.getAttribute(attr);
        if (words[value]) el.setAttribute(attr, words[value]);
      }
    }
    // Gradio's locale is the browser's; after the switch, labels of the other language remain, and
    // its German translation lacks a few keys (shown as "common.complete")
    const walk = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    for (let node = walk.nextNode(); node; node = walk.nextNode()) {
      const text = node.nodeValue.trim();
      if (!text || !words[text] || node.parentElement.closest(DATA)) continue;
      node.nodeValue = node.nodeValue.replace(text, words[text]);
    }
  };
  window.__newsqaFix = fix;
  let queued = false;
  new MutationObserver(() => {
    if (queued) return;
    queued = true;
    setTimeout(() => { queued = false; fix(); }, 150);
  }).observe(document.body, {
    subtree: true, childList: true, attributes: true, attributeFilter: ["aria-label", "title", "placeholder"],
  });
  fix();
}
""".replace("ARIA", ARIA_JSON).replace("DATA", json.dumps(DATA_SELECTOR))

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

# Gradio's frontend picks its locale from the browser alone; when that is not the page's language,
# its own ``changeLocale`` (the export its settings panel uses) switches its labels and the
# ``gr.I18n`` ones. ``SET_LOCALE`` is that step, shared by the load script and the switch.
SET_LOCALE = r"""
const setLocale = async (lang, remember) => {
  if (remember) localStorage.setItem("newsqa-lang", lang);
  document.cookie = `newsqa-lang=${lang}; path=/; SameSite=Strict`;  // the callbacks read it
  window.__newsqaLang = lang;
  if (!window.__gradioLang) window.__gradioLang = document.documentElement.lang;
  if (window.__gradioLang !== lang) {
    const core = performance.getEntriesByType("resource").map((e) => e.name)
      .find((n) => /\/assets\/core-[\w-]+\.js$/.test(n));
    try {
      if (core) (await import(core)).changeLocale(lang);
      // svelte-i18n applies a locale (and sets <html lang>) once its dictionary has loaded; until
      // then Gradio re-renders in the old language, so the callbacks that follow wait for it
      for (let waited = 0; waited < 2000 && document.documentElement.lang !== lang; waited += 50) {
        await new Promise((done) => setTimeout(done, 50));
      }
    } catch (e) {
      console.warn("newsqa: could not switch Gradio's language", e);
    }
    // where Gradio kept its locale, the page script relabels what it shows (``relabels``)
    if (document.documentElement.lang === lang) window.__gradioLang = lang;
  }
  document.documentElement.setAttribute("lang", lang);
  return lang;
};
"""

# The page's language, chosen when the page loads: ``?lang=de|en``, else the last choice
# (localStorage), else the browser's language; German for ``de*``, English otherwise. The result
# goes to the server as the ``newsqa-lang`` cookie, so the callbacks write in the same language.
LANG_JS = (
    "async () => {"
    + SET_LOCALE
    + """
  const asked = new URLSearchParams(location.search).get("lang");
  const lang = asked || localStorage.getItem("newsqa-lang") || navigator.language || "en";
  return await setLocale(lang.toLowerCase().startsWith("de") ? "de" : "en", !!asked);
}"""
)

# The switch: the other language, at once (no reload: Gradio's router would swallow it).
SWITCH_JS = (
    "async () => {"
    + SET_LOCALE
    + """
  const lang = await setLocale(window.__newsqaLang === "de" ? "en" : "de", true);
  setTimeout(() => window.__newsqaFix && window.__newsqaFix(), 50);
  return lang;
}"""
)
