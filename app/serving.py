"""Running the web server: one uvicorn process, or several sharing one listening socket.

With several workers uvicorn binds the socket itself and makes it with protocol 0, and
asyncio only switches Nagle's algorithm off for accepted connections whose socket says
IPPROTO_TCP (uvicorn issue #3149). Every response on a kept-alive connection then went out
as two segments, the body held back until the client's delayed ACK of the headers: 40 ms
more per request, a third of a phone's 50-household push. The listener gets TCP_NODELAY
here, and Linux hands it on to every connection accepted from it.
"""
import socket
import sys

import uvicorn
from uvicorn.main import STARTUP_FAILURE
from uvicorn.supervisors import Multiprocess

ASGI_APP = "app.asgi:app"  # what each worker process imports


class Config(uvicorn.Config):
    """uvicorn's, with TCP_NODELAY on the listening socket it binds for several workers."""

    def bind_socket(self) -> socket.socket:
        sock = super().bind_socket()
        if sock.family in (socket.AF_INET, socket.AF_INET6):
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        return sock


def run(app, *, host: str, port: int, workers: int = 1, **options) -> None:
    """Serve `app` (an application, or for several workers ASGI_APP, which each worker
    imports) until interrupted."""
    config = Config(app, host=host, port=port, workers=workers, **options)
    server = uvicorn.Server(config)
    try:
        if workers > 1:
            Multiprocess(config, sockets=[config.bind_socket()]).run()
        else:
            server.run()
    except KeyboardInterrupt:
        pass
    if workers == 1 and not server.started:
        sys.exit(STARTUP_FAILURE)  # as uvicorn.run: the port was taken, say
