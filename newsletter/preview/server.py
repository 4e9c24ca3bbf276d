"""The preview's HTTP server: an index of the issues, a page per issue, and live reload by server-sent events.

It serves only what it builds: a URL names an issue by its file name, which must be one of the issue files
in the folder; nothing is ever read from a path taken from a URL, so there is nothing to traverse.
"""

from __future__ import annotations

import ipaddress
import json
import re
import secrets
from dataclasses import dataclass
from functools import lru_cache
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import unquote

import jinja2

from ..checks import GMAIL_CLIP_BYTES
from .previewer import Previewer

_SEND_ROUTE = re.compile(r"/issues/([^/]+)/send")
_ISSUE_ROUTE = re.compile(
    r"/issues/([^/]+)/(|email\.html|email\.view\.html|email\.txt|email\.mjml|state\.json|events|assets/[^/]+)")
_CONTENT = {"email.html": "text/html", "email.view.html": "text/html", "email.txt": "text/plain",
            "email.mjml": "text/plain"}
KEEPALIVE_SECONDS = 10.0


@lru_cache(maxsize=1)
def _pages() -> jinja2.Environment:
    return jinja2.Environment(loader=jinja2.FileSystemLoader(Path(__file__).parent), autoescape=True,
                              undefined=jinja2.StrictUndefined)


@dataclass(frozen=True)
class SendTarget:
    """Where the preview's "Send test" button sends: given with preview --smtp HOST:PORT --to ADDRESS."""

    to: str
    host: str
    port: int
    starttls: bool = False


class PreviewServer(ThreadingHTTPServer):
    daemon_threads = True  # an open event stream must not keep Ctrl-C waiting

    def __init__(self, address: tuple[str, int], previewer: Previewer, test_send: SendTarget | None = None):
        self.previewer = previewer
        self.test_send = test_send
        # Proves a POST comes from our own page: it is in the page and nowhere else (not in a cookie a
        # browser would send along from another site's form).
        self.token = secrets.token_urlsafe(24)
        super().__init__(address, _Handler)

    def host_allowed(self, host_header: str | None) -> bool:
        """Whether a request's Host names this server by address: a web page that re-points a name of its
        own at 127.0.0.1 (DNS rebinding) sends that name, never an address or "localhost"."""
        if not host_header:
            return False
        host, _, port = host_header.rpartition(":")
        if not port.isdigit() or int(port) != self.server_address[1]:
            return False
        host = host.strip("[]").lower()
        if host == "localhost":
            return True
        try:
            ipaddress.ip_address(host)
        except ValueError:
            return False
        bound = self.server_address[0]
        return bound in ("0.0.0.0", "::") or host == bound or (host == "127.0.0.1" and bound == "localhost")

    def handle_error(self, request, client_address) -> None:  # type: ignore[no-untyped-def]
        import sys

        if isinstance(sys.exc_info()[1], ConnectionError):
            return  # a browser closing a tab or a keep-alive connection: nothing went wrong
        super().handle_error(request, client_address)

    @property
    def url(self) -> str:
        host, port = self.server_address[:2]
        return f"http://{host!s}:{port}/"  # type: ignore[str-bytes-safe]  # a str: bound by address


class _Handler(BaseHTTPRequestHandler):
    server: PreviewServer
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - the signature is http.server's
        pass  # the terminal is for errors and the URL, not for every request

    def do_POST(self) -> None:  # noqa: N802 - http.server's name
        """The only POST: /issues/X/send, from our own page (its token), to the address given at start."""
        if not self.server.host_allowed(self.headers.get("Host")):
            return self._send(403, "text/plain", "forbidden: address this server by its IP address\n")
        length = self.headers.get("Content-Length") or "0"
        if not length.isdigit() or int(length) > 65536:
            return self._send(400, "text/plain", "bad request: a Content-Length from 0 to 65536\n")
        self.rfile.read(int(length))  # nothing in the body is used
        path = unquote(self.path.split("?", 1)[0])
        match = _SEND_ROUTE.fullmatch(path)
        origin = self.headers.get("Origin")
        if origin is not None and not (origin.startswith("http://") and self.server.host_allowed(origin[7:])):
            return self._send(403, "text/plain", "forbidden: not from the preview's own page\n")
        if not secrets.compare_digest(self.headers.get("X-Newsletter-Token", ""), self.server.token):
            return self._send(403, "text/plain", "forbidden: not from the preview's own page\n")
        previewer = self.server.previewer
        if self.server.test_send is None or not match or match.group(1) not in previewer.names():
            return self._send(404, "text/plain", "not found\n")
        build = previewer.get(match.group(1))
        if build.email is None or build.project is None:
            return self._send_json(409, {"ok": False, "message": "the issue does not build: " + " ".join(build.errors)})
        from ..errors import NewsletterError
        from ..send import notes, send_email

        target = self.server.test_send
        try:
            message_id = send_email(build.email, build.project, target.to, target.host, target.port, target.starttls)
        except NewsletterError as exc:
            return self._send_json(502, {"ok": False, "message": str(exc)})
        said = "".join(f"; {note}" for note in notes(build.email))
        return self._send_json(200, {"ok": True, "message": f"sent to {target.to} through {target.host}:"
                                                            f"{target.port}, accepted as {message_id}{said}"})

    def _send_json(self, status: int, body: dict) -> None:  # type: ignore[type-arg]
        self._send(status, "application/json", json.dumps(body))

    def do_HEAD(self) -> None:  # noqa: N802 - http.server's name
        """As GET, without the body (a link checker's or a proxy's request; it was answered 501)."""
        self.do_GET()

    def do_GET(self) -> None:  # noqa: N802 - http.server's name
        if not self.server.host_allowed(self.headers.get("Host")):
            return self._send(403, "text/plain", "forbidden: address this server by its IP address\n")
        # The request target as sent: urlsplit would read "//x/y" as a host and a path.
        path = unquote(self.path.split("?", 1)[0].split("#", 1)[0])
        previewer = self.server.previewer
        if path == "/favicon.ico":  # asked by every browser: nothing to show, and no 404 in its console
            self.send_response(204)
            self.send_header("Cache-Control", "max-age=86400")
            self.end_headers()
            return None
        if path == "/":
            builds = [previewer.get(name) for name in previewer.names()]
            builds.sort(key=lambda b: (b.state()["date"] or "", b.name), reverse=True)
            return self._send(200, "text/html", _pages().get_template("index.html").render(builds=builds))
        match = _ISSUE_ROUTE.fullmatch(path)
        if not match or match.group(1) not in previewer.names():
            return self._send(404, "text/plain", "not found\n")
        name, part = match.groups()
        if part == "events":
            return self._events(name)
        build = previewer.get(name)
        if part == "":
            # The state goes into a <script>: "<" escaped, so no "</script>" in a subject can end it.
            state = json.dumps(build.state()).replace("<", "\\u003c")
            page = _pages().get_template("issue.html").render(
                build=build, state=state, clip_bytes=GMAIL_CLIP_BYTES, test_send=self.server.test_send,
                token=self.server.token)
            return self._send(200, "text/html", page)
        if part == "state.json":
            return self._send(200, "application/json", json.dumps(build.state()))
        if build.email is None:
            return self._send(409, "text/plain", "\n".join(build.errors) + "\n")
        if part.startswith("assets/"):
            # Pictures given as files, from the build in memory: the email links their published address,
            # which the view below points here instead (nothing is read from a path in the URL).
            asset = next((a for a in build.email.assets.values() if a.name == part[len("assets/"):]), None)
            if asset is None:
                return self._send(404, "text/plain", "not found\n")
            return self._send_bytes(200, asset.media_type, asset.data, sandboxed=True)
        content = {"email.html": build.email.html, "email.view.html": _local_assets(build.email),
                   "email.txt": build.email.text, "email.mjml": build.email.mjml}
        return self._send(200, _CONTENT[part], content[part], sandboxed=True)

    def _send(self, status: int, content_type: str, body: str, sandboxed: bool = False) -> None:
        self._send_bytes(status, f"{content_type}; charset=utf-8", body.encode("utf-8"), sandboxed)

    def _send_bytes(self, status: int, content_type: str, data: bytes, sandboxed: bool = False) -> None:
        """``sandboxed``: what came from the user's files (the email, its sources, their pictures). Opened at
        the preview's own address, such a document gets a unique origin and no scripts: it cannot read the
        page's send token or press its buttons. The page's fetch() of it is not affected."""
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        self.send_header("Cache-Control", "no-store")
        self.send_header("X-Content-Type-Options", "nosniff")
        if sandboxed:
            self.send_header("Content-Security-Policy", "sandbox")
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(data)

    def _events(self, name: str) -> None:
        """Server-sent events: the issue's state each time it is rebuilt, and a comment to keep alive."""
        previewer = self.server.previewer
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        if self.command == "HEAD":
            return
        previewer.open_page(name, +1)
        seen = previewer.get(name).stamp
        try:
            while True:
                build = previewer.wait_for_newer(name, seen, KEEPALIVE_SECONDS)
                if build is None:
                    self.wfile.write(b": keep-alive\n\n")
                else:
                    seen = build.stamp
                    self.wfile.write(f"data: {json.dumps(build.state())}\n\n".encode())
                self.wfile.flush()
        except (BrokenPipeError, ConnectionResetError, ConnectionAbortedError):
            pass
        finally:
            previewer.open_page(name, -1)
            self.close_connection = True


def _local_assets(email) -> str:  # type: ignore[no-untyped-def]
    """The email as the preview shows it: each picture given as a file linked to the preview's copy (its
    published address is not reachable yet, nor at all offline)."""
    html = email.html
    for url, asset in email.assets.items():
        html = html.replace(f'src="{url}"', f'src="assets/{asset.name}"')
    return html


def serve(issues_dir: Path, host: str = "127.0.0.1", port: int = 8025, config_path: Path | None = None,
          test_send: SendTarget | None = None) -> PreviewServer:
    """A preview server bound to ``host:port`` (0: any free port), its watcher started; call serve_forever().
    With ``test_send``, each issue page has a "Send test" button that sends there."""
    previewer = Previewer(Path(issues_dir), config_path)
    server = PreviewServer((host, port), previewer, test_send)
    previewer.watcher.start()
    return server
