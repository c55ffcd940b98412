"""A live HTML preview of a book on localhost, rebuilt and reloaded as its files change (``make-ebook serve``).

``book.py`` holds what is previewed and rebuilds the part a change touches;
``site.py`` renders the book plan as the EPUB does, into pages held in memory;
``server.py`` serves them on 127.0.0.1 and tells open pages to reload;
``watch.py`` watches the files (watchfiles, the ``serve`` extra).
"""

from .book import Preview
from .server import PreviewServer, run, serve
from .watch import INSTALL_HINT, require_watchfiles

__all__ = ["INSTALL_HINT", "Preview", "PreviewServer", "require_watchfiles", "run", "serve"]
