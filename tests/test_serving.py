"""`canbao serve` with several worker processes (app/serving.py)."""
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx

from app.serving import Config


def test_connections_accepted_from_the_shared_socket_have_nagle_off():
    # uvicorn's own listener leaves it on, and each kept-alive response then waits ~40 ms
    # for the client's delayed ACK before its body is sent.
    listener = Config("app.asgi:app", host="127.0.0.1", port=0, workers=2).bind_socket()
    listener.listen()
    try:
        client = socket.create_connection(listener.getsockname()[:2])
        accepted, _ = listener.accept()
        assert accepted.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY) != 0
        accepted.close()
        client.close()
    finally:
        listener.close()


def test_serve_with_two_workers_answers_on_one_port(tmp_path):
    url = f"sqlite:///{tmp_path / 'serve.db'}"
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = dict(os.environ, CANBAO_DATABASE_URL=url, CANBAO_REGISTRY_WORKER="false")
    server = subprocess.Popen([sys.executable, "-m", "app.cli", "serve", "--port", str(port),
                               "--host", "127.0.0.1", "--workers", "2"],
                              env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 60
        while True:
            assert server.poll() is None, server.stderr.read().decode()[-3000:]
            try:
                response = httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=2)
                break
            except httpx.TransportError:
                assert time.monotonic() < deadline, "the server did not start within 60 s"
                time.sleep(0.2)
        assert response.status_code == 200
        assert len(_children(server.pid)) >= 2
    finally:
        server.terminate()
        server.wait(timeout=30)


def _children(pid: int) -> list[int]:
    """Processes whose parent is `pid` (Linux /proc)."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:  # the process ended meanwhile
            continue
        if int(fields[1]) == pid:
            found.append(int(stat.parent.name))
    return found
