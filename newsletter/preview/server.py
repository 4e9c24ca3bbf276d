"""The preview's HTTP server: an index of the issues, a page per issue, and live reload by server-sent events.

It serves only what it builds: a URL names an issue by its file name, which must be one of the issue files
in the folder; nothing is ever read from a path taken from a URL, so there is nothing to traverse.
"""

from __future__ import annotations

import json
import re
from functools import lru_cache
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import unquote

import jinja2

from ..checks import GMAIL_CLIP_BYTES
from .previewer import Previewer

_ISSUE_ROUTE = re.compile(
    r"/issues/([^/]+)/(|email\.html|email\.view\.html|email\.txt|email\.mjml|state\.json|events|assets/[^/]+)")
_CONTENT = {"email.html": "text/html", "email.view.html": "text/html", "email.txt": "text/plain",
            "email.mjml": "text/plain"}
KEEPALIVE_SECONDS = 10.0


@lru_cache(maxsize=1)
def _pages() -> jinja2.Environment:
    return jinja2.Environment(loader=jinja2.FileSystemLoader(Path(__file__).parent), autoescape=True,
                              undefined=jinja2.StrictUndefined)


class PreviewServer(ThreadingHTTPServer):
    daemon_threads = True  # an open event stream must not keep Ctrl-C waiting

    def __init__(self, address: tuple[str, int], previewer: Previewer):
        self.previewer = previewer
        super().__init__(address, _Handler)

    def handle_error(self, request, client_address) -> None:  # type: ignore[no-untyped-def]
        import sys

        if isinstance(sys.exc_info()[1], ConnectionError):
            return  # a browser closing a tab or a keep-alive connection: nothing went wrong
        super().handle_error(request, client_address)

    @property
    def url(self) -> str:
        host, port = self.server_address[:2]
        return f"http://{host}:{port}/"


class _Handler(BaseHTTPRequestHandler):
    server: PreviewServer
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - the signature is http.server's
        pass  # the terminal is for errors and the URL, not for every request

    def do_GET(self) -> None:  # noqa: N802 - http.server's name
        # The request target as sent: urlsplit would read "//x/y" as a host and a path.
        path = unquote(self.path.split("?", 1)[0].split("#", 1)[0])
        previewer = self.server.previewer
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
            page = _pages().get_template("issue.html").render(build=build, state=state, clip_bytes=GMAIL_CLIP_BYTES)
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
            return self._send_bytes(200, asset.media_type, asset.data)
        content = {"email.html": build.email.html, "email.view.html": _local_assets(build.email),
                   "email.txt": build.email.text, "email.mjml": build.email.mjml}
        return self._send(200, _CONTENT[part], content[part])

    def _send(self, status: int, content_type: str, body: str) -> None:
        self._send_bytes(status, f"{content_type}; charset=utf-8", body.encode("utf-8"))

    def _send_bytes(self, status: int, content_type: str, data: bytes) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        self.send_header("Cache-Control", "no-store")
        self.send_header("X-Content-Type-Options", "nosniff")
        self.end_headers()
        self.wfile.write(data)

    def _events(self, name: str) -> None:
        """Server-sent events: the issue's state each time it is rebuilt, and a comment to keep alive."""
        previewer = self.server.previewer
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        previewer.open_page(name, +1)
        version = previewer.get(name).version
        try:
            while True:
                build = previewer.wait_for_newer(name, version, KEEPALIVE_SECONDS)
                if build is None:
                    self.wfile.write(b": keep-alive\n\n")
                else:
                    version = build.version
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


def serve(issues_dir: Path, host: str = "127.0.0.1", port: int = 8025, config_path: Path | None = None) -> PreviewServer:
    """A preview server bound to ``host:port`` (0: any free port), its watcher started; call serve_forever()."""
    previewer = Previewer(Path(issues_dir), config_path)
    server = PreviewServer((host, port), previewer)
    previewer.watcher.start()
    return server
