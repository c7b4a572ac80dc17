"""Raw HTTP against the served page: foreign host names (DNS rebinding) and foreign origins are
refused before Gradio sees them, and wrong passwords are slowed down (ui/guard.py).

Before the guard, a request with ``Host: rebind.evil.example`` and a matching ``Origin`` deleted an
article of a chat without login, and 200 wrong passwords took 4.5 s.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import httpx
import pytest
from helpers import SEED, build_qa, free_port
from ui_helpers import served

from qa.api import NewsQA

pytestmark = pytest.mark.server

EVIL = "rebind.evil.example"


@pytest.fixture(scope="module")
def chat(tmp_path_factory: pytest.TempPathFactory, embeddings) -> Iterator[tuple[NewsQA, str, int]]:
    qa = build_qa(tmp_path_factory.mktemp("ui-guard"), embeddings, auth="")
    qa.ingest([SEED])
    port = free_port()
    with served(qa, port) as url:
        yield qa, url, port


def _delete(url: str, article_id: str, headers: dict[str, str]) -> httpx.Response:
    return httpx.post(
        f"{url}gradio_api/call/delete_article", json={"data": [article_id]}, headers=headers, timeout=60
    )


def test_a_foreign_host_name_is_refused(chat: tuple[NewsQA, str, int]) -> None:
    qa, url, port = chat
    article_id = qa.articles()[0].id
    rebound = {"Host": f"{EVIL}:{port}", "Origin": f"http://{EVIL}:{port}"}
    assert httpx.get(url, headers={"Host": f"{EVIL}:{port}"}).status_code == 421
    assert httpx.get(f"{url}config", headers={"Host": EVIL}).status_code == 421
    assert _delete(url, article_id, rebound).status_code == 421
    assert [a.id for a in qa.articles()] == [article_id]
    for name in ("127.0.0.1", "localhost"):
        assert httpx.get(url, headers={"Host": f"{name}:{port}"}, timeout=60).status_code == 200


def test_state_changing_calls_from_a_foreign_origin_are_refused(chat: tuple[NewsQA, str, int]) -> None:
    qa, url, port = chat
    article_id = qa.articles()[0].id
    for origin in (f"http://{EVIL}", f"http://127.0.0.1:{free_port()}", "null"):
        refused = _delete(url, article_id, {"Origin": origin})
        assert refused.status_code == 403, (origin, refused.status_code)
    assert [a.id for a in qa.articles()] == [article_id]
    # the page's own origin (either name, as the browser's Host says) and clients without an
    # Origin (gradio_client) pass
    for name in ("127.0.0.1", "localhost", None):
        headers = {"Host": f"{name}:{port}", "Origin": f"http://{name}:{port}"} if name else {}
        allowed = _delete(url, "0000000000000000", headers)
        assert allowed.status_code == 200 and allowed.json()["event_id"], name


def test_behind_a_port_mapping_the_origin_is_compared_with_the_host_header(
    chat: tuple[NewsQA, str, int],
) -> None:
    """``docker -p 8080:7860`` or a proxy: the browser's Host and Origin name 8080, the server
    listens on another port; the page's own calls pass, another port's page is refused."""
    qa, url, port = chat
    article_id = qa.articles()[0].id
    mapped = {"Host": "127.0.0.1:8080", "Origin": "http://127.0.0.1:8080"}
    allowed = _delete(url, "0000000000000000", mapped)
    assert allowed.status_code == 200 and allowed.json()["event_id"]
    proxied = {"Host": "localhost", "Origin": "https://localhost"}  # TLS proxy on 443
    assert _delete(url, "0000000000000000", proxied).status_code == 200
    for host, origin in (
        ("127.0.0.1:8080", f"http://127.0.0.1:{port}"),  # the server's own port is not the page's
        ("127.0.0.1:8080", "http://localhost:8080"),  # another name is another site
        ("localhost", "https://localhost:8443"),
    ):
        refused = _delete(url, article_id, {"Host": host, "Origin": origin})
        assert refused.status_code == 403, (host, origin, refused.status_code)
    assert [a.id for a in qa.articles()] == [article_id]


@pytest.fixture(scope="module")
def login_url(tmp_path_factory: pytest.TempPathFactory, embeddings) -> Iterator[str]:
    qa = build_qa(tmp_path_factory.mktemp("ui-guard-login"), embeddings, auth="alice:secret")
    with served(qa, free_port()) as url:
        yield url


def test_wrong_passwords_sent_at_once_are_counted_as_they_arrive(login_url: str) -> None:
    """40 wrong passwords at once: 5 reach the password check, the rest wait. They come from
    127.0.0.2, an address of its own, so the other login test keeps its count."""

    async def burst() -> list[int]:
        transport = httpx.AsyncHTTPTransport(local_address="127.0.0.2")
        async with httpx.AsyncClient(base_url=login_url, timeout=60, transport=transport) as http:
            logins = [
                http.post("login", data={"username": "alice", "password": f"burst{i}"}) for i in range(40)
            ]
            return [r.status_code for r in await asyncio.gather(*logins)]

    statuses = asyncio.run(burst())
    assert statuses.count(400) == 5 and statuses.count(429) == 35, statuses


def test_wrong_passwords_are_slowed_down(login_url: str) -> None:
    with httpx.Client(base_url=login_url, timeout=30) as http:
        statuses = [
            http.post("login", data={"username": "alice", "password": f"guess{i}"}).status_code
            for i in range(8)
        ]
        assert statuses[:5] == [400] * 5 and statuses[5:] == [429] * 3, statuses
        late = http.post(
            "login", data={"username": "alice", "password": "secret"}
        )  # even the right one waits
        assert late.status_code == 429 and int(late.headers["retry-after"]) > 0
        assert http.get("config").status_code == 401
