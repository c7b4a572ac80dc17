"""The served web chat's protections: login required, loopback only, the OpenAI key never shown,
and uploads that can neither read arbitrary server files nor write outside ``<data_dir>/uploads``."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import httpx
import pytest
from gradio_client import Client, handle_file
from helpers import GENERALSTAB, SEED, build_qa, free_port
from ui_helpers import listening_hosts, served

from qa.api import NewsQA

pytestmark = pytest.mark.server

USER, PASSWORD = "alice", "secret"
KEY = "sk-test-SECRET123"
ASK = "Was wies der Generalstab in Kiew zurück?"


@dataclass
class Served:
    qa: NewsQA
    url: str
    port: int
    http: httpx.Client  # logged in

    @cached_property
    def client(self) -> Client:
        """A logged-in ``gradio_client`` (made on first use, so a missing login fails in its test)."""
        return Client(self.url, auth=(USER, PASSWORD), verbose=False)

    def call(self, api_name: str, data: list) -> tuple[str, str]:
        """A raw ``/gradio_api/call`` request (nothing uploaded by a client library): the final SSE
        event and its data."""
        event = self.http.post(f"gradio_api/call/{api_name}", json={"data": data})
        event.raise_for_status()
        stream = self.http.get(f"gradio_api/call/{api_name}/{event.json()['event_id']}")
        kind, payload = "", ""
        for line in stream.text.splitlines():
            if line.startswith("event:"):
                kind = line.split(":", 1)[1].strip()
            elif line.startswith("data:"):
                payload = line.split(":", 1)[1].strip()
        return kind, payload


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory, embeddings) -> Iterator[Served]:
    qa = build_qa(
        tmp_path_factory.mktemp("ui-secure"),
        embeddings,
        answerer="extractive",
        auth=f"{USER}:{PASSWORD}",
        openai_api_key=KEY,
    )
    qa.ingest([SEED])
    port = free_port()
    # host=None: the settings' default host
    with served(qa, port, host=None) as url, httpx.Client(base_url=url, timeout=30) as http:
        http.post("login", data={"username": USER, "password": PASSWORD})  # checked by the tests
        yield Served(qa, url, port, http)


def test_serves_on_loopback_only_by_default(app: Served) -> None:
    """Fails if the default host (``Settings.host``) or ``launch`` binds a public interface."""
    assert app.url.startswith(f"http://127.0.0.1:{app.port}")
    hosts = listening_hosts(app.port)
    assert hosts == {"127.0.0.1"}, hosts


def test_without_login_the_api_refuses(app: Served) -> None:
    """Fails if ``auth`` stops reaching ``launch``: config, API info and the chat answer 401."""
    with httpx.Client(base_url=app.url, timeout=30) as anonymous:
        assert anonymous.get("config").status_code == 401
        assert anonymous.get("gradio_api/info").status_code == 401
        refused = anonymous.post("gradio_api/call/chat", json={"data": [ASK]})
        assert refused.status_code == 401 and GENERALSTAB not in refused.text
        bad = anonymous.post("login", data={"username": USER, "password": "wrong"})
        assert bad.status_code >= 400
        assert anonymous.get("config").status_code == 401
    with pytest.raises(Exception, match=r"(?i)login|credentials|auth"):
        Client(app.url, verbose=False)
    with pytest.raises(Exception, match=r"(?i)login|credentials|auth|incorrect"):
        Client(app.url, auth=(USER, "wrong"), verbose=False)


def test_with_login_the_chat_answers(app: Served) -> None:
    messages, choices, *_ = app.client.predict(ASK, api_name="/chat")
    assert GENERALSTAB in messages[0]["content"] and choices["value"] == "0-1"


def test_the_openai_key_never_reaches_a_page_or_response(app: Served) -> None:
    """The page, its config, the API description, the settings line and an answer (all logged in,
    plus the login page): fails if the key were rendered anywhere, e.g. in the info line."""
    seen = [httpx.get(app.url, timeout=30).text]  # the login page
    for path in ("", "config", "gradio_api/info", "gradio_api/openapi.json"):
        response = app.http.get(path)
        if path != "gradio_api/openapi.json":
            assert response.status_code == 200, path
        seen.append(response.text)
    info = app.client.predict(api_name="/info")
    assert "extractive" in info  # it is the settings line
    seen.append(info)
    seen.append(json.dumps(app.client.predict(ASK, api_name="/chat"), ensure_ascii=False))
    # the raw API response, as any HTTP client sees it: the question and the four selection inputs
    # (article, source, since, until; gradio_client fills them in, a raw call sends them)
    kind, payload = app.call("chat", [ASK, None, None, "", ""])
    assert kind == "complete" and GENERALSTAB in json.loads(payload)[0][0]["content"]
    seen.append(payload)
    for text in seen:
        assert KEY not in text and "SECRET123" not in text


def test_upload_named_with_dot_dots_lands_in_uploads(app: Served, tmp_path: Path) -> None:
    """A raw upload whose file name climbs out (``../../escaped.txt``): stored only as
    ``<data_dir>/uploads/escaped.txt``. Gradio strips the name when it stores the upload and
    ``UI._stage`` keeps only the base name; fails if the staging used the path it is given as is."""
    uploads = Path(app.qa.settings.data_dir) / "uploads"
    body = "Bonn erhöht die Preise\n\nDie Stadtwerke Bonn erhöhen die Preise für Fernwärme um zwölf Prozent."
    sent = app.http.post(
        "gradio_api/upload", files={"files": ("../../escaped.txt", body.encode(), "text/plain")}
    )
    sent.raise_for_status()
    (server_path,) = sent.json()
    file = {"path": server_path, "orig_name": "../../escaped.txt", "meta": {"_type": "gradio.FileData"}}
    kind, payload = app.call("ingest_files", [[file]])
    assert kind == "complete" and "1 added" in payload, payload
    (article,) = [a for a in app.qa.articles() if a.title == "Bonn erhöht die Preise"]
    assert Path(article.source).resolve() == (uploads / "escaped.txt").resolve()
    root = Path(app.qa.settings.data_dir).parent
    assert [p for p in root.rglob("escaped.txt") if p.parent != uploads] == []
    assert app.qa.delete(article.id)


def test_ingest_cannot_read_a_server_file_that_was_not_uploaded(app: Served, tmp_path: Path) -> None:
    """A request naming a server path (not an upload) is refused before ``ingest_files`` runs.

    This is Gradio's guarantee (preprocessing accepts only files in its upload folder, whatever
    ``allowed_paths`` says); the test pins it against a Gradio upgrade or an input that takes a
    plain path string instead of a ``gr.File``."""
    private = tmp_path / "private.txt"
    private.write_text("Geheim\n\nDas Passwort des Servers lautet Zitronenfalter.", encoding="utf-8")
    before = app.qa.articles()
    for path in (str(private), "/etc/passwd"):
        file = {"path": path, "orig_name": "x.txt", "meta": {"_type": "gradio.FileData"}}
        kind, payload = app.call("ingest_files", [[file]])
        assert kind == "error" and "added" not in payload, payload
        assert "Zitronenfalter" not in payload and "root:" not in payload
    assert app.qa.articles() == before


def test_symlinks_never_lead_outside_uploads(app: Served, tmp_path: Path) -> None:
    """An uploaded symlink is stored as a plain copy, and a symlink planted in the uploads folder
    is replaced, not written through (fails with a plain ``copyfile`` onto the link: the victim
    file outside the data dir would be overwritten)."""
    uploads = Path(app.qa.settings.data_dir) / "uploads"
    uploads.mkdir(parents=True, exist_ok=True)
    victim = tmp_path / "victim.txt"
    victim.write_text("unberührt", encoding="utf-8")
    (uploads / "planted.txt").symlink_to(victim)
    real = tmp_path / "real.txt"
    real.write_text("Symlinks in Bonn\n\nDie Stadt Bonn prüft ihre Dateiablage gründlich.", encoding="utf-8")
    link = tmp_path / "sent" / "planted.txt"
    link.parent.mkdir()
    link.symlink_to(real)

    status, *_ = app.client.predict([handle_file(str(link))], api_name="/ingest_files")
    assert "1 added" in status, status
    assert victim.read_text(encoding="utf-8") == "unberührt"
    stored = uploads / "planted.txt"
    assert not stored.is_symlink() and stored.read_text(encoding="utf-8") == real.read_text(encoding="utf-8")
    assert not list(uploads.glob(".staging-*"))
    (article,) = [a for a in app.qa.articles() if a.title == "Symlinks in Bonn"]
    assert Path(article.source).resolve() == stored.resolve()
    assert app.qa.delete(article.id)
