"""The preview's HTTP server: the book's pages on localhost, and a reload signal when it is rebuilt.

Only what the current build holds is served (``Site.get``: a table lookup, never a
file named by the request), plus three files of the preview itself under
``/_preview/``: the script that reloads the page, the bar's stylesheet, and the
event stream (Server-Sent Events) that tells open pages a rebuild happened. The
script and the bar are added to the pages as they are served, never to a book.

The server binds to 127.0.0.1 unless told otherwise. Bound to the loopback, it
answers only requests addressed to a loopback name, so a web page cannot reach
it through a DNS name rebound to 127.0.0.1.
"""

from __future__ import annotations

import ipaddress
import re
import threading
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, unquote, urlsplit
from xml.sax.saxutils import escape, quoteattr

from ..errors import DeeplybookError
from .book import Preview
from .site import Site

#: Where the preview keeps its own files; no page of a book has a name starting so.
PREFIX = "/_preview/"
#: Seconds between keep-alive comments on an idle event stream (a proxy or browser may close a silent one).
KEEP_ALIVE = 15.0
#: The host names a loopback-bound server answers to.
LOOPBACK_NAMES = frozenset({"localhost", "127.0.0.1", "::1"})
#: Headers on every answer: nothing cached (the book changes), nothing sniffed, nothing from elsewhere.
SECURITY_HEADERS = {
    "Cache-Control": "no-store",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Content-Security-Policy": "default-src 'self'; object-src 'none'; base-uri 'none'; "
                               "form-action 'none'; frame-ancestors 'none'",
}

LIVE_SCRIPT = b"""\
// deeplybook preview: reload this page when the book is rebuilt (never part of a book).
(function () {
  "use strict";
  var me = document.currentScript;
  var generation = me ? me.getAttribute("data-generation") : "0";
  var events = new EventSource("/_preview/events?generation=" + encodeURIComponent(generation));
  events.addEventListener("reload", function () {
    events.close();
    window.location.reload();
  });
})();
"""

BAR_STYLESHEET = b"""\
/* deeplybook preview: a reading system's margins, and the bar under each page (never part of a book). */
html { background: #e8e8e4; }
body { box-sizing: border-box; max-width: 46em; min-height: 100vh; margin: 0 auto; padding: 1.5em 2.5em 0;
  background: #fff; }
body.cover-page { margin: 0 auto; padding: 0; }
.deeplybook-preview { position: sticky; bottom: 0; display: flex; gap: 1.5em; justify-content: center;
  margin: 2em 0 0; padding: 0.4em 1em; background: #f4f4f0; border-top: 1px solid #ccc;
  font: 14px/1.4 system-ui, sans-serif; }
.deeplybook-preview a { color: #124; }
.deeplybook-preview-error { position: sticky; top: 0; margin: 0; padding: 0.5em 1em; background: #fde8e8;
  color: #611; border-bottom: 1px solid #d99; font: 14px/1.4 system-ui, sans-serif; }
"""


class PreviewServer(ThreadingHTTPServer):
    """A threaded HTTP server over one ``Preview``; each request and event stream has its own thread."""

    daemon_threads = True
    # A port still in TIME_WAIT from the last run is free to take again.
    allow_reuse_address = True

    def __init__(self, preview: Preview, host: str = "127.0.0.1", port: int = 8000) -> None:
        self.preview = preview
        self.loopback = _is_loopback(host)
        try:
            super().__init__((host, port), PreviewHandler)
        except OSError as exc:
            raise DeeplybookError(f"cannot listen on {host}:{port}: {exc.strerror or exc} "
                                  "(choose another port with --port)") from exc

    @property
    def url(self) -> str:
        """The address the book opens at."""
        host, port = str(self.server_address[0]), int(self.server_address[1])
        shown = f"[{host}]" if ":" in host else host
        return f"http://{shown}:{port}/"

    def server_close(self) -> None:
        """Stop the event streams as well as the listening socket."""
        self.preview.close()
        super().server_close()


class PreviewHandler(BaseHTTPRequestHandler):
    """Answers GET and HEAD with the book's files; anything else is not implemented (501)."""

    server: PreviewServer
    server_version = "deeplybook-preview"
    sys_version = ""

    def do_GET(self) -> None:  # noqa: N802 - http.server's naming
        """Serve a page, the stylesheet, a font or a picture of the book, or one of the preview's own files."""
        self._answer(body=True)

    def do_HEAD(self) -> None:  # noqa: N802 - http.server's naming
        """As GET, without the body."""
        self._answer(body=False)

    def log_message(self, format: str, *args) -> None:  # noqa: A002 - http.server's signature
        """Requests are not logged: the terminal is the build's."""

    def _answer(self, *, body: bool) -> None:
        if self.server.loopback and not _loopback_host(self.headers.get("Host", "")):
            self._send(HTTPStatus.FORBIDDEN, "text/plain; charset=utf-8", b"not a loopback address\n", body)
            return
        split = urlsplit(self.path)
        path = unquote(split.path)
        preview = self.server.preview
        site, error, generation = preview.snapshot()
        if path == "/" and site is not None:
            self._redirect(site.contents_href)
        elif path == PREFIX + "live.js":
            self._send(HTTPStatus.OK, "text/javascript; charset=utf-8", LIVE_SCRIPT, body)
        elif path == PREFIX + "preview.css":
            self._send(HTTPStatus.OK, "text/css; charset=utf-8", BAR_STYLESHEET, body)
        elif path == PREFIX + "events" and body:
            self._events(_int(parse_qs(split.query).get("generation", ["-1"])[0]))
        else:
            name = path[1:]
            found = site.get(name) if site is not None and path.startswith("/") else None
            if site is None or found is None:
                self._send(HTTPStatus.NOT_FOUND, "text/plain; charset=utf-8", b"not in this book\n", body)
                return
            data = decorate(found.data, name, site, error, generation) if name in site.pages else found.data
            self._send(HTTPStatus.OK, found.media_type, data, body)

    def _send(self, status: HTTPStatus, media_type: str, data: bytes, body: bool) -> None:
        self.send_response(status)
        self.send_header("Content-Type", media_type)
        self.send_header("Content-Length", str(len(data)))
        for name, value in SECURITY_HEADERS.items():
            self.send_header(name, value)
        self.end_headers()
        if body:
            self.wfile.write(data)

    def _redirect(self, href: str) -> None:
        self.send_response(HTTPStatus.SEE_OTHER)
        self.send_header("Location", "/" + href)
        self.send_header("Content-Length", "0")
        for name, value in SECURITY_HEADERS.items():
            self.send_header(name, value)
        self.end_headers()

    def _events(self, since: int) -> None:
        """An event stream that sends ``reload`` once the build's generation differs from the page's, then ends."""
        self.send_response(HTTPStatus.OK)
        self.send_header("Content-Type", "text/event-stream")
        for name, value in SECURITY_HEADERS.items():
            self.send_header(name, value)
        self.end_headers()
        preview = self.server.preview
        try:
            self.wfile.write(b"retry: 1000\n\n")
            self.wfile.flush()
            while not preview.closed:
                generation = preview.wait(since, KEEP_ALIVE)
                if generation != since:
                    self.wfile.write(f"event: reload\ndata: {generation}\n\n".encode())
                    self.wfile.flush()
                    return
                self.wfile.write(b": still here\n\n")
                self.wfile.flush()
        except (BrokenPipeError, ConnectionResetError):
            return


def decorate(page: bytes, href: str, site: Site, error: str, generation: int) -> bytes:
    """A page as the preview serves it: the bar (previous, contents, next), the error if any, the reload script.

    The additions are well-formed XHTML, so the page still parses as the EPUB's does.
    """
    before, after = site.neighbours(href)
    links = []
    if before is not None:
        links.append(f'<a rel="prev" href={quoteattr(before)}>← {escape(site.title(before))}</a>')
    links.append(f'<a href={quoteattr(site.contents_href)}>Contents</a>')
    if after is not None:
        links.append(f'<a rel="next" href={quoteattr(after)}>{escape(site.title(after))} →</a>')
    banner = (f'<p class="deeplybook-preview-error" role="alert">The last rebuild failed; this is the build '
              f'before it. {escape(error)}</p>' if error else "")
    bar = (f'<nav class="deeplybook-preview" aria-label="Preview">{"".join(links)}</nav>'
           f'<script src="{PREFIX}live.js" data-generation="{generation}"></script>')
    head = f'<link rel="stylesheet" type="text/css" href="{PREFIX}preview.css"/>'
    text = page.decode("utf-8")
    text = _before_last(text, "</head>", head)
    text = _before_last(text, "</body>", bar)
    # The error goes first in the body, where it is seen without scrolling.
    body = re.search(r"<body\b[^>]*>", text)
    if banner and body:
        text = text[:body.end()] + banner + text[body.end():]
    return text.encode("utf-8")


def _before_last(text: str, tag: str, addition: str) -> str:
    at = text.rfind(tag)
    return text if at < 0 else text[:at] + addition + text[at:]


def serve(preview: Preview, host: str = "127.0.0.1", port: int = 8000) -> PreviewServer:
    """A server for ``preview`` bound to ``host:port`` (port 0: any free one), not yet serving.

    Call ``serve_forever()`` on it (``start()`` runs it in a thread) and ``shutdown()``
    then ``server_close()`` to stop.
    """
    return PreviewServer(preview, host, port)


def run(server: PreviewServer) -> None:
    """Serve until Ctrl-C (or SIGTERM), rebuilding as the preview's files change; then close everything."""
    from . import watch

    _, stop = watch.start(server.preview)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        stop.set()
        server.server_close()


def start(server: PreviewServer) -> threading.Thread:
    """Run ``server`` in a daemon thread and return the thread."""
    thread = threading.Thread(target=server.serve_forever, name="deeplybook-preview", daemon=True)
    thread.start()
    return thread


def _int(text: str) -> int:
    try:
        return int(text)
    except ValueError:
        return -1


def _is_loopback(host: str) -> bool:
    if host in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _loopback_host(header: str) -> bool:
    """Whether a ``Host`` header names a loopback address (with or without a port)."""
    name = header.strip()
    if name.startswith("["):  # [::1]:8000
        name = name[1:].partition("]")[0]
    elif name.count(":") == 1:
        name = name.partition(":")[0]
    return _is_loopback(name.lower())
