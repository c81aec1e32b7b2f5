"""Sync pull for one village of N targets, as the phone does it, against `canbao serve`
on loopback: the first download (pages of the default size until `more` is false) and a
re-pull when up to date. Bytes are what crossed the socket for each response: status line,
headers and the body as sent (compressed when the server compressed it; the client asks for
gzip and br as Chromium does).

The village is the demo enumerator's 350524100001, its targets made by benchmarks/generate.py
(one township of one village: the same code) and loaded with the real `canbao import-targets`.
"""
import statistics
import subprocess
import sys
import time

import httpx

from common import (ROOT, Context, Figure, app_env, canbao, device_token, migrate_and_seed,
                    scratch_database, timed, uvicorn_server)

SECTION = "sync pull"
ACCEPT_ENCODING = "gzip, deflate, br, zstd"  # what Chromium sends
REPULLS = 20


def wire_bytes(response: httpx.Response) -> int:
    status = len(f"HTTP/1.1 {response.status_code} {response.reason_phrase}\r\n")
    headers = sum(len(name) + len(value) + 4 for name, value in response.headers.raw) + 2
    return status + headers + response.num_bytes_downloaded


def pull(client: httpx.Client, cursor: str) -> tuple[httpx.Response, dict]:
    response = client.get("/api/v1/sync/pull", params={"cursor": cursor} if cursor else None)
    response.raise_for_status()
    return response, response.json()


def measure_village(base: str) -> dict:
    token = device_token(base)
    headers = {"Authorization": f"Bearer {token}", "Accept-Encoding": ACCEPT_ENCODING}
    with httpx.Client(base_url=base, headers=headers, timeout=120) as client:
        pull(client, "")  # a warm-up, so the first download is not the server's first request
        cursor, requests, sent, targets = "", 0, 0, 0
        began = time.perf_counter()
        while True:
            response, page = pull(client, cursor)
            requests, sent, targets = requests + 1, sent + wire_bytes(response), targets + len(page["targets"])
            cursor = page["cursor"]
            if not page["more"]:
                break
        first = time.perf_counter() - began
        again, again_bytes = [], []
        for _ in range(REPULLS):
            began = time.perf_counter()
            response, page = pull(client, cursor)
            again.append(time.perf_counter() - began)
            again_bytes.append(wire_bytes(response))
            assert not page["targets"] and not page["more"], "the re-pull was not up to date"
    return {"first_seconds": first, "first_bytes": sent, "requests": requests, "targets": targets,
            "again_seconds": statistics.median(again), "again_bytes": max(again_bytes)}


def measure(ctx: Context) -> list[Figure]:
    village = ctx.scratch / "village"
    subprocess.run([sys.executable, str(ROOT / "benchmarks" / "generate.py"), "--out", str(village),
                    "--people", str(ctx.village_targets), "--townships", "1", "--villages", "1"],
                   check=True, capture_output=True)
    size = f"1 village, {ctx.village_targets:,} targets"
    figures = []
    for kind in ctx.databases:
        with scratch_database(kind, ctx.server, ctx.scratch) as url:
            migrate_and_seed(url)
            timed(canbao("import-targets", str(village / "roster.csv"), "--import-valid"), app_env(url))
            with uvicorn_server(url) as base:
                result = measure_village(base)
        pages = f"{result['requests']} requests, {result['targets']:,} targets"
        figures += [
            Figure(SECTION, "first download: time", kind, result["first_seconds"] * 1000, "ms", size,
                   note=pages),
            Figure(SECTION, "first download: bytes", kind, result["first_bytes"] / 1000, "KB", size,
                   note=pages),
            Figure(SECTION, f"re-pull when up to date: time (median of {REPULLS})", kind,
                   result["again_seconds"] * 1000, "ms", size),
            Figure(SECTION, "re-pull when up to date: bytes", kind, result["again_bytes"] / 1000, "KB",
                   size, target="< 2"),
        ]
    return figures
