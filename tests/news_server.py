"""A real HTTP server on 127.0.0.1 serving news for the feed and URL tests, good and bad.

Good: an RSS 2.0 feed (``/feed.xml``, ETag and Last-Modified, a 304 to a matching conditional GET),
an Atom feed (``/atom.xml``), their article pages, a page whose only date is in its metadata
(``/meta-only.html``). Bad: a redirect loop (``/loop``), a redirect anywhere (``/redirect?to=URL``),
an item linking to ``javascript:`` (``/js-link.xml``), a canonical URL on another host
(``/foreign-canonical.html``), a 50 MB body (``/huge``), XML that is no feed (``/not-a-feed.xml``),
a broken feed (``/broken.xml``), a slow response (``/slow``), a trickling one (``/trickle``), a gzip
bomb (``/gzip-bomb.html``), a 404.
``add_item`` puts a new item into the RSS feed (its ETag changes); ``hits`` counts requests per path.
"""

from __future__ import annotations

import contextlib
import gzip
import hashlib
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import unquote

FEED_TITLE = "Kleinhausener Anzeiger"


@dataclass(frozen=True)
class Story:
    """An article the server publishes: its feed item and its page."""

    slug: str
    guid: str
    title: str
    pub_date: str  # RFC 822, as RSS writes it
    iso_day: str  # what newsqa should store
    paragraphs: tuple[str, ...]


BRIDGE = Story(
    "bruecke",
    "kh-1",
    "Stadtrat beschließt neue Brücke",
    "Thu, 13 Mar 2025 10:00:00 +0100",
    "2025-03-13",
    (
        "Der Stadtrat von Kleinhausen hat den Bau einer neuen Brücke über die Wupper beschlossen.",
        "Die Brücke soll 4,2 Millionen Euro kosten und im Herbst 2026 fertig sein.",
        "Bürgermeisterin Anna Kessler sprach von einem guten Tag für die Stadt.",
    ),
)
FIRE = Story(
    "brand",
    "kh-2",
    "Brand in Lagerhalle",
    "Mon, 10 Mar 2025 08:00:00 +0100",
    "2025-03-10",
    (
        "Bei einem Brand in einer Lagerhalle im Gewerbegebiet von Kleinhausen sind drei Menschen "
        "verletzt worden.",
        "Die Feuerwehr war mit 40 Einsatzkräften vor Ort.",
        "Die Ursache des Feuers ist noch unklar.",
    ),
)
FIRE_UPDATE = Story(
    "brand-update",
    "kh-3",
    "Mehr Verletzte nach Brand in Lagerhalle",
    "Fri, 14 Mar 2025 09:00:00 +0100",
    "2025-03-14",
    (
        "Nach dem Brand in der Lagerhalle im Gewerbegebiet von Kleinhausen ist die Zahl der Verletzten "
        "auf sieben gestiegen.",
        "Die Polizei ermittelt wegen fahrlässiger Brandstiftung.",
    ),
)
HARBOUR = Story(
    "hafen",
    "urn:uuid:7c1f0a2e-hafen",
    "Rekord im Hafen von Nordstadt",
    "2025-03-01T08:00:00Z",
    "2025-03-01",
    (
        "Der Hafen von Nordstadt hat im Februar 12.000 Container umgeschlagen, so viele wie nie zuvor.",
        "Hafenchef Jonas Brink rechnet mit einem weiteren Wachstum im Frühjahr.",
    ),
)
LIBRARY_TEXT = (
    "Die Stadtbibliothek von Südheim öffnet ab sofort auch an Sonntagen.",
    "Die Öffnungszeiten am Sonntag sind von elf bis siebzehn Uhr.",
)
LIBRARY_DAY = "2025-02-20"
GZIP_BOMB = gzip.compress(b"<p>" + b" " * 50_000_000 + b"</p>", compresslevel=9)


def page_html(title: str, paragraphs: tuple[str, ...], head: str = "") -> str:
    body = "".join(f"<p>{p}</p>" for p in paragraphs)
    return (
        f'<!DOCTYPE html><html lang="de"><head><meta charset="utf-8"><title>{title}</title>{head}</head>'
        f"<body><nav><a href='/'>Start</a></nav><article><h1>{title}</h1>{body}</article>"
        "<footer>Impressum</footer></body></html>"
    )


@dataclass
class NewsServer:
    """``with NewsServer() as news: news.url("/feed.xml")``."""

    rss_stories: list[Story] = field(default_factory=lambda: [BRIDGE, FIRE])
    slow_seconds: float = 3.0
    hits: Counter[str] = field(default_factory=Counter)
    conditional_hits: Counter[str] = field(default_factory=Counter)
    port: int = 0  # set when serving
    user_agents: set[str] = field(default_factory=set)

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def add_item(self, story: Story) -> None:
        self.rss_stories.insert(0, story)

    # ---- documents -----------------------------------------------------------------------------
    def rss(self) -> str:
        items = "".join(
            f"<item><title>{s.title}</title><link>{self.url(f'/articles/{s.slug}.html')}</link>"
            + (f'<guid isPermaLink="false">{s.guid}</guid>' if s.guid else "")
            + f"<pubDate>{s.pub_date}</pubDate></item>"
            for s in self.rss_stories
        )
        return (
            '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
            f"<title>{FEED_TITLE}</title><link>{self.url('/')}</link><description>Lokales</description>"
            f"{items}</channel></rss>"
        )

    def atom(self) -> str:
        s = HARBOUR
        return (
            '<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom">'
            "<title>Nordstädter Hafenblatt</title><id>urn:uuid:hafenblatt</id>"
            f"<updated>{s.pub_date}</updated>"
            f'<entry><title>{s.title}</title><link href="{self.url(f"/articles/{s.slug}.html")}"/>'
            f"<id>{s.guid}</id><updated>{s.pub_date}</updated><published>{s.pub_date}</published>"
            "<author><name>Jonas Brink</name></author></entry></feed>"
        )

    def stories(self) -> dict[str, Story]:
        return {s.slug: s for s in [BRIDGE, FIRE, FIRE_UPDATE, HARBOUR]}

    # ---- serving -------------------------------------------------------------------------------
    def __enter__(self) -> NewsServer:
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def send(self, status: int, body: bytes, content_type: str, **headers: str) -> None:
                self.send_response(status)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(body)))
                for name, value in headers.items():
                    self.send_header(name.replace("_", "-"), value)
                self.end_headers()
                self.wfile.write(body)

            def do_GET(self) -> None:
                server.hits[self.path] += 1
                server.user_agents.add(self.headers.get("User-Agent", ""))
                server.handle(self)

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self.port = self._server.server_address[1]
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()

    def handle(self, h: Any) -> None:
        path = h.path
        if path == "/feed.xml":
            body = self.rss().encode()
            etag = '"' + hashlib.sha256(body).hexdigest()[:16] + '"'
            if h.headers.get("If-None-Match") == etag:
                self.conditional_hits[path] += 1
                h.send_response(304)
                h.send_header("ETag", etag)
                h.end_headers()
                return
            h.send(200, body, "application/rss+xml", ETag=etag, Last_Modified="Fri, 14 Mar 2025 09:00:00 GMT")
        elif path == "/js-link.xml":  # an item whose link is no web address, with its own text
            text = "".join(f"<p>{p}</p>" for p in FIRE.paragraphs)
            item = (
                f"<item><title>{FIRE.title}</title><link>javascript:alert(1)</link>"
                f'<guid isPermaLink="false">kh-js</guid><pubDate>{FIRE.pub_date}</pubDate>'
                f"<description><![CDATA[{text}]]></description></item>"
            )
            body = f'<?xml version="1.0"?><rss version="2.0"><channel><title>JS</title>{item}</channel></rss>'
            h.send(200, body.encode(), "application/rss+xml")
        elif path == "/atom.xml":
            h.send(200, self.atom().encode(), "application/atom+xml")
        elif (
            path.startswith("/articles/")
            and path.removeprefix("/articles/").removesuffix(".html") in self.stories()
        ):
            s = self.stories()[path.removeprefix("/articles/").removesuffix(".html")]
            h.send(200, page_html(s.title, s.paragraphs).encode(), "text/html; charset=utf-8")
        elif path == "/meta-only.html":
            head = (
                f'<meta property="article:published_time" content="{LIBRARY_DAY}T09:00:00+01:00">'
                f'<link rel="canonical" href="{self.url("/bibliothek-sonntags")}">'
                '<meta name="author" content="Petra Lang">'
            )
            h.send(200, page_html("Bibliothek öffnet sonntags", LIBRARY_TEXT, head).encode(), "text/html")
        elif path == "/foreign-canonical.html":  # claims to be another site's article
            head = '<link rel="canonical" href="https://other-site.example/articles/bruecke.html">'
            h.send(200, page_html("Gefälschte Brücke", LIBRARY_TEXT, head).encode(), "text/html")
        elif path.startswith("/redirect?to="):  # a redirect to wherever the test says
            h.send_response(302)
            h.send_header("Location", unquote(path.removeprefix("/redirect?to=")))
            h.send_header("Content-Length", "0")
            h.end_headers()
        elif path in {"/loop", "/loop-2"}:
            h.send_response(302)
            h.send_header("Location", "/loop-2" if path == "/loop" else "/loop")
            h.send_header("Content-Length", "0")
            h.end_headers()
        elif path == "/huge":  # 50 MB, chunked: the size is only known by reading
            h.send_response(200)
            h.send_header("Content-Type", "text/html")
            h.send_header("Transfer-Encoding", "chunked")
            h.end_headers()
            block = b"<p>" + b"x" * (1024 * 1024 - 7) + b"</p>\n"
            try:
                for _ in range(50):
                    h.wfile.write(f"{len(block):X}\r\n".encode() + block + b"\r\n")
                h.wfile.write(b"0\r\n\r\n")
            except (BrokenPipeError, ConnectionResetError):
                pass
        elif path == "/trickle":  # headers at once, then a byte every 0.1 s: never a full 64 KiB
            h.send_response(200)
            h.send_header("Content-Type", "text/html")
            h.send_header("Content-Length", "100000")
            h.end_headers()
            with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                for _ in range(100):
                    h.wfile.write(b"x")
                    h.wfile.flush()
                    time.sleep(0.1)
        elif path == "/gzip-bomb.html":  # ~50 KB on the wire, 50 MB decoded
            h.send(200, GZIP_BOMB, "text/html", Content_Encoding="gzip")
        elif path == "/not-a-feed.xml":
            h.send(
                200, b'<?xml version="1.0"?><config><setting name="a">1</setting></config>', "application/xml"
            )
        elif path == "/broken.xml":
            body = self.rss().encode()
            h.send(200, body[: len(body) * 2 // 3], "application/rss+xml")
        elif path == "/slow":
            time.sleep(self.slow_seconds)
            with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                h.send(200, page_html("Langsam", ("Diese Seite kommt zu spät.",)).encode(), "text/html")
        else:
            h.send(404, b"not found", "text/plain")
