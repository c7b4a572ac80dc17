"""German-aware (and English-tolerant) sentence segmentation into character spans.

Why spans and not strings: answers cite exact source sentences by character offset, so every
sentence must be a slice ``text[start:end]`` of the unmodified article text.

How it works (regex-driven, so megabytes split in a fraction of a second):

* Every line break ends a sentence. Headlines, list items and paragraphs without a final full
  stop are therefore sentences of their own.
* A *candidate* end is a run of ``.``, ``!``, ``?`` or ``…`` (plus any closing quotes/brackets
  glued to it) that is followed by whitespace. Punctuation followed by anything else never
  ends a sentence: ``3.5``, ``1.000``, ``example.com/x``, ``info@example.de`` and, importantly,
  a quote closed before a comma (``„Das ist schwer.“, sagte er.``) stay whole.
* A candidate is rejected when the next word starts lower-case (``„Warum?“ fragte er``,
  ``z. B. die``, ``ca. zehn``, ``... und dann``).
* After a bare ``.`` the token before it is classified:
  - titles and abbreviations that never end a sentence (``Dr.``, ``Prof.``, ``z.B.``, ``bzw.``,
    ``ca.``, ``Nr.``, ``St.``, ``vgl.``, ``Mr.``, ``e.g.`` ...): no split;
  - *ambiguous* tokens that may or may not end a sentence (ordinals and dates ``1.``, ``19.``,
    ``3.10.``; single initials ``J.``; ``usw.``, ``etc.``, ``u.a.``, ``Mio.``, ``Mrd.``, ``Jh.``,
    ``Chr.``, month abbreviations, Roman numerals): split only if the next word is a typical
    sentence opener (article, pronoun, conjunction, adverb: ``Der``, ``Er``, ``Dann``,
    ``The``...). Nouns follow ordinals (``am 1. August``, ``im 19. Jahrhundert``) and
    names follow initials (``Donald J. Trump``), while new sentences mostly open with those
    closed-class words;
  - anything else: split.
* An ellipsis inside brackets (``[...]``, ``(…)``) marks an omission and never splits.
* A "sentence" longer than ``MAX_SENTENCE_CHARS`` (a megabyte line without punctuation, a
  table flattened into one line) is cut at whitespace into pieces of at most that length:
  a citation or a quoted answer must stay readable, and an embedding of a megabyte is
  meaningless. A single token longer than the limit stays whole (it cannot be cut at a space).

Sentences that end inside a quotation (``„Die Lage ist schwer. Wir danken allen“, sagte er.``)
are split inside the quote, and the part that continues to ``, sagte er.`` stays one sentence.
"""

from __future__ import annotations

import re

__all__ = ["MAX_SENTENCE_CHARS", "split_sentences"]

MAX_SENTENCE_CHARS = 2000

_LINE_BREAKS = "\n\r\v\f\x1c\x1d\x1e\x85\u2028\u2029"
_CLOSERS = "\"'”“»«’‘)]"
_OPENERS = "\"'„“‚‘«»([¿¡"

# One pass over the text: line-break runs (hard boundaries) or a whitespace-delimited token
# that ends in sentence punctuation followed by whitespace or the end of the text. The
# ``(?<!\S)`` anchor makes each attempt start at a token start, keeping the scan linear.
_CANDIDATE = re.compile(
    rf"(?P<nl>[{_LINE_BREAKS}])"
    rf"|(?<!\S)(?P<tok>\S*?)(?P<punct>[.!?…]+)(?P<close>[{re.escape(_CLOSERS)}]*)(?=\s|\Z)"
)
_SPACE = re.compile(r"\s+")
_NEXT = re.compile(rf"[^\S{_LINE_BREAKS}]*(?P<open>[{re.escape(_OPENERS)}]*)(?P<word>\w*)")


def _words(block: str) -> frozenset[str]:
    """A word list written as a whitespace-separated block (easier to read and extend)."""
    return frozenset(block.split())


# Compared lower-case with dots removed ("z.B." -> "zb").
_NEVER_END = _words(
    """
    dr prof zb dh bzw ca nr st vgl sog ggf evtl inkl exkl bzgl ggü gem lt hrsg str tel zt zzt
    bspw insb allg abs abt bd kap abb fig hr fr frl dipl ing mag sen gebr od geb gest verh ehem
    uu uvm vs mr mrs ms eg ie cf approx gen gov rep lt col sgt capt hon rev univ dt
    """
)
_MAY_END = _words(
    """
    usw etc usf ua uä oä ä mio mrd tsd jh jhd chr jr inc ltd co corp bros art min max
    jan feb mär apr jun jul aug sep sept okt nov dez
    """
)
_SENTENCE_OPENERS = _words(
    """
    Der Die Das Den Dem Des Ein Eine Einer Einen Einem Eines Er Sie Es Wir Ich Ihr Man Du
    Dies Diese Dieser Dieses Diesen Dass Im Am Ins Beim Vom Zum Zur In Auf Aus Bei Mit Nach
    Seit Von Vor Zu Für Um Über Unter Gegen Ohne Durch Als Auch Aber Doch Dann Denn Damit Daher
    Deshalb Dabei Danach Dazu Darauf Dort Hier Zudem Außerdem Trotzdem Jedoch Allerdings
    Zugleich Nun Jetzt Heute Gestern Morgen So Wie Was Wer Wo Warum Wann Ob Wenn Weil Nicht Kein
    Keine Nur Noch Schon Bereits Alle Viele Mehr Zuvor Später Inzwischen Laut Nachdem Während
    Obwohl Sein Seine Ihre Unser Unsere Mein Meine Und Oder Sondern Insgesamt
    The A An This That These Those It He She They We I You There Here His Her Their Its Our
    On At For But And However Then So As When While If After Before Since Also Yet Now Today
    What Who Why How Where
    """
)
_ORDINAL_OR_DATE = re.compile(r"\d{1,3}|\d{1,2}\.\d{1,2}")
_INITIALS = re.compile(r"(?:[^\W\d_]\.)*[^\W\d_]")  # "J", "z.B", "U.S"
_ROMAN = re.compile(r"[IVXLCDM]{1,6}")
_WORD_CHARS = re.compile(r"[^\W_]")


def _is_ambiguous(token: str) -> bool:
    """Whether a token before a full stop may be an abbreviation or an ordinal (see module doc)."""
    return bool(
        _ORDINAL_OR_DATE.fullmatch(token)
        or _INITIALS.fullmatch(token)
        or _ROMAN.fullmatch(token)
        or token.replace(".", "").lower() in _MAY_END
    )


def _ends_sentence(text: str, m: re.Match[str]) -> bool:
    """Decide whether the candidate end ``m`` really ends a sentence."""
    nxt = _NEXT.match(text, m.end())
    assert nxt is not None  # the pattern can match the empty string
    if nxt.end() >= len(text) or (text[nxt.end()] in _LINE_BREAKS and not nxt.group("word")):
        return True  # end of text or of the line: the line break cuts anyway
    word = nxt.group("word")
    if word[:1].islower():
        return False
    punct = m.group("punct")
    token = m.group("tok").lstrip(_OPENERS)
    if "!" in punct or "?" in punct:
        return True
    if len(punct) > 1 or "…" in punct:  # ellipsis
        raw = m.group("tok")
        return not (token == "" and raw != "" and raw[-1] in "([")
    lowered = token.replace(".", "").lower()
    if lowered in _NEVER_END:
        return False
    if not _WORD_CHARS.search(token):
        return True
    if _is_ambiguous(token):
        return word in _SENTENCE_OPENERS or (not word and bool(nxt.group("open")))
    return True


def split_sentences(text: str) -> list[tuple[int, int]]:
    """Split ``text`` into sentence spans ``(start, end)``.

    Spans are in increasing order, never empty or overlapping, carry no leading or trailing
    whitespace, and together contain every non-whitespace character of ``text`` exactly once.
    """
    cuts: list[int] = []
    for m in _CANDIDATE.finditer(text):
        if m.group("nl") is not None:
            cuts.append(m.start())
        elif _ends_sentence(text, m):
            cuts.append(m.end())
    cuts.append(len(text))

    spans: list[tuple[int, int]] = []
    start = 0
    for cut in cuts:
        if cut <= start:
            continue
        segment = text[start:cut]
        stripped = segment.strip()
        if stripped:
            lead = len(segment) - len(segment.lstrip())
            first, last = start + lead, start + lead + len(stripped)
            if last - first > MAX_SENTENCE_CHARS:
                spans.extend(_cut_long(text, first, last, MAX_SENTENCE_CHARS))
            else:
                spans.append((first, last))
        start = cut
    return spans


def _cut_long(text: str, start: int, end: int, limit: int) -> list[tuple[int, int]]:
    """Cut the stripped span ``start:end`` at whitespace into pieces of at most ``limit`` chars.

    One linear pass over the whitespace runs: each piece ends at the last run that keeps it
    within the limit; a token longer than the limit becomes a piece of its own.
    """
    pieces: list[tuple[int, int]] = []
    best: re.Match[str] | None = None  # the latest whitespace run that keeps the piece short enough
    for m in _SPACE.finditer(text, start, end):
        if m.start() - start > limit and best is not None:
            pieces.append((start, best.start()))
            start, best = best.end(), None
        if m.start() - start > limit:  # one token longer than the limit
            pieces.append((start, m.start()))
            start = m.end()
            continue
        best = m
    if end - start > limit and best is not None:
        pieces.append((start, best.start()))
        start = best.end()
    pieces.append((start, end))
    return pieces


def shorten(line: str, limit: int) -> str:
    """``line`` cut to at most ``limit`` characters, at a word boundary when there is one, with "…"."""
    if len(line) <= limit:
        return line
    cut = line[: limit - 1]
    space = cut.rfind(" ")
    if space > limit // 3:
        cut = cut[:space]
    return cut.rstrip(" ,;:-–—") + "…"
