"""Sync push under load: N phones pushing 50-household batches at once to a real server.

    .venv/bin/python benchmarks/sync_push.py                                   # SQLite and PostgreSQL
    .venv/bin/python benchmarks/sync_push.py --db postgresql --devices 50 --batches 200 --json

For each database: a scratch database (migrated, the demo county seeded), one enumerator per
device (villages of the demo county, round robin) with a device token from
`POST /api/v1/devices`, and `canbao serve` (uvicorn) on a free loopback port (`--workers`,
default two per core, as the README advises for production; the registry worker off). Then,
for each device count, every device pushes its batches one after another (`POST /api/v1/sync/push`,
50 registered households each, members valid against the bundled registration form, made by
benchmarks/generate.py), all devices at once, after one household from each device and, on
PostgreSQL, an ANALYZE (see _analyze); the bodies are made before the clock starts, so
the client spends its time on HTTP only. Every household must come back `accepted`.

Figures: households per second (all households over the wall time from the first request to
the last answer) and the median and 95th percentile of one batch's round trip. The client runs
on the same machine, so it takes some of the CPU the server could use.

Two kinds of load. Back to back (closed loop): each device sends its next batch the moment
the last one is answered, so the server is always saturated and the figure is its capacity;
a batch's latency is then, by Little's law, devices × 50 households ÷ that capacity (50
devices at 400 households/s: 6 s), whatever the server does per batch. Paced (open loop,
`--paced-rate`): the devices together send batches at a given rate of households per second,
at random moments (Poisson arrivals, seeded), each device one batch at a time; a batch's
latency counts from the moment it was due, so a server that falls behind cannot hide it.
This is the figure for "how long does a phone wait when the county pushes at this rate".
"""
import argparse
import asyncio
import json
import math
import os
import random
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import (BENCH_PASSWORD, device_token, migrate_and_seed, p95,  # noqa: E402
                    raw_postgresql, scratch_database, uvicorn_server)
import generate  # noqa: E402

BATCH = 50
FORM = ("canbao_registration", "2026.1")
DEFAULT_SERVER = "postgresql://postgres@127.0.0.1:5432/postgres"
WORKERS = 2 * (os.cpu_count() or 1)  # sync/views.py, PUSHES_AT_ONCE, says why
# The rate for 50 devices; 200 batches at it is 25 s of pushing.
PACED_RATE = 400.0
PACED_BATCHES = 200


def prepare(url: str, count: int) -> list[tuple[str, str]]:
    """`count` enumerators (bench_enumerator_001, ...), each with one demo village; returns
    (username, village code) for each."""
    from sqlmodel import Session, select

    from app.accounts import service as accounts
    from app.accounts.secrets import Passwords
    from app.areas.models import Area, AreaLevel
    from app.audit.service import SYSTEM
    from app.config import Settings
    from app.db import make_engine

    migrate_and_seed(url)
    engine = make_engine(url)
    passwords = Passwords(Settings(database_url=url, argon2_time_cost=1, argon2_memory_kib=1024,
                                   argon2_parallelism=1))
    with Session(engine) as session:
        villages = sorted(session.exec(select(Area).where(Area.level == AreaLevel.village)),
                          key=lambda area: area.code)
        users = []
        for number in range(count):
            village = villages[number % len(villages)]
            username = f"bench_enumerator_{number + 1:03d}"
            accounts.create_user(session=session, passwords=passwords, actor=SYSTEM,
                                 username=username, display_name=username, role="enumerator",
                                 password=BENCH_PASSWORD, area_codes_=[village.code])
            users.append((username, village.code, village.name))
        session.commit()
    engine.dispose()
    return [(username, code) for username, code, _ in users]


class Households:
    """Push bodies for registered households, deterministic for a seed, never repeating an
    ID number within a run."""

    def __init__(self, seed: int = 1):
        self.rng = random.Random(seed)
        self.people = generate.People(self.rng)

    def body(self, village_code: str, size: int = BATCH) -> bytes:
        from sync.canonical import content_hash

        items = []
        for _ in range(size):
            payload = generate.household_payload(self.people, self.rng, village_code,
                                                 f"{village_code[-3:]}村")
            items.append({"id": str(uuid.UUID(int=self.rng.getrandbits(128), version=4)),
                          "revision": 1, "form_id": FORM[0], "form_version": FORM[1],
                          "captured_at": "2026-11-23T09:41:07+08:00",
                          "content_hash": content_hash(payload), "payload": payload})
        return json.dumps({"items": items}, ensure_ascii=False).encode()


async def _drive(base: str, tokens: list[str], bodies: list[list[bytes]]) -> tuple[float, list[float]]:
    """Each device pushes its bodies in turn, all devices at once: (wall seconds, latencies)."""
    latencies: list[float] = []
    async with _client(base, len(tokens)) as client:
        async def device(token: str, batches: list[bytes]) -> None:
            headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
            for body in batches:
                started = time.perf_counter()
                response = await client.post("/api/v1/sync/push", content=body, headers=headers)
                latencies.append(time.perf_counter() - started)
                _expect_accepted(response)

        started = time.perf_counter()
        await asyncio.gather(*(device(token, batches) for token, batches in zip(tokens, bodies)))
        return time.perf_counter() - started, latencies


async def _drive_paced(base: str, tokens: list[str], bodies: list[bytes], rate: float,
                       seed: int) -> tuple[float, list[float]]:
    """The bodies sent at Poisson-distributed moments, `rate` batches per second in all, the
    n-th by device n mod len(tokens): (wall seconds to the last answer, latencies from the
    moment each batch was due)."""
    rng = random.Random(seed)
    due, moment = [], 0.0
    for _ in bodies:
        moment += rng.expovariate(rate)
        due.append(moment)
    latencies: list[float] = []
    async with _client(base, len(tokens)) as client:
        started = time.perf_counter()

        async def device(number: int, token: str) -> None:
            headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
            for index in range(number, len(bodies), len(tokens)):
                await asyncio.sleep(max(0.0, started + due[index] - time.perf_counter()))
                response = await client.post("/api/v1/sync/push", content=bodies[index],
                                             headers=headers)
                latencies.append(time.perf_counter() - started - due[index])
                _expect_accepted(response)

        await asyncio.gather(*(device(number, token) for number, token in enumerate(tokens)))
        return time.perf_counter() - started, latencies


def _analyze(url: str) -> None:
    """Statistics for the tables the pushes fill, as a server in use has them: autovacuum
    analyses a table within a minute of its first fifty rows, and every time it grows by a
    tenth. The scratch database is younger than that, and without statistics PostgreSQL
    scans every member row to find a batch's ID numbers: a batch's store step took 43 ms
    instead of 34, and 50 devices pushed 905-916 households/s instead of 1,057-1,126."""
    import psycopg

    with psycopg.connect(raw_postgresql(url), autocommit=True) as connection:
        connection.execute("ANALYZE")


def _client(base: str, devices: int):
    """One connection per device, kept alive, as each phone keeps its own."""
    import httpx

    limits = httpx.Limits(max_connections=devices, max_keepalive_connections=devices)
    return httpx.AsyncClient(base_url=base, limits=limits, timeout=300)


def _expect_accepted(response) -> None:
    response.raise_for_status()
    statuses = {result["status"] for result in response.json()["results"]}
    if statuses != {"accepted"}:
        raise RuntimeError(f"a household was not accepted: {response.text[:2000]}")


def measure(database_url: str, devices: list[int], *, batches: int = 20, workers: int = WORKERS,
            paced_rate: float = PACED_RATE, paced_batches: int = PACED_BATCHES,
            seed: int = 1) -> list[dict]:
    """Push figures for each device count on an empty database of that server
    (`database_url` names the SQLite folder's database or the PostgreSQL server; a scratch
    database is made and dropped). `batches`: at least this many batches per device count
    sent back to back, and at least two per device. Then, unless `paced_rate` is 0,
    `paced_batches` batches from the most devices, paced at `paced_rate` households per
    second (row "paced": the rate)."""
    kind = "sqlite" if database_url.startswith("sqlite") else "postgresql"
    households = Households(seed)
    with tempfile.TemporaryDirectory() as folder, \
            scratch_database(kind, database_url, Path(folder)) as url:
        users = prepare(url, max(devices))
        with uvicorn_server(url, workers=workers) as base:
            tokens = [device_token(base, username) for username, _ in users]
            # One small push per device first: each worker loads its code and the form once.
            warm = [[households.body(code, size=1)] for _, code in users]
            asyncio.run(_drive(base, tokens, warm))
            if kind == "postgresql":
                _analyze(url)
            rows = []
            for count in devices:
                rounds = max(2, math.ceil(batches / count))
                bodies = [[households.body(users[index][1]) for _ in range(rounds)]
                          for index in range(count)]
                seconds, latencies = asyncio.run(_drive(base, tokens[:count], bodies))
                total = len(latencies) * BATCH
                rows.append({"db": kind, "devices": count, "workers": workers,
                             "households_per_s": round(total / seconds, 1),
                             "p50_ms": round(statistics.median(latencies) * 1000, 1),
                             "p95_ms": round(p95(latencies) * 1000, 1),
                             "batches": len(latencies), "households": total})
            if paced_rate:
                count = max(devices)
                bodies = [households.body(users[index % count][1]) for index in range(paced_batches)]
                seconds, latencies = asyncio.run(_drive_paced(
                    base, tokens[:count], bodies, paced_rate / BATCH, seed))
                total = len(latencies) * BATCH
                rows.append({"db": kind, "devices": count, "workers": workers,
                             "paced": paced_rate, "households_per_s": round(total / seconds, 1),
                             "p50_ms": round(statistics.median(latencies) * 1000, 1),
                             "p95_ms": round(p95(latencies) * 1000, 1),
                             "batches": len(latencies), "households": total})
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument("--server", default=DEFAULT_SERVER,
                        help="PostgreSQL server for the scratch database")
    parser.add_argument("--devices", default="1,10,50", help="device counts, comma-separated")
    parser.add_argument("--batches", type=int, default=20,
                        help="batches per device count (at least two per device)")
    parser.add_argument("--workers", type=int, default=WORKERS)
    parser.add_argument("--paced-rate", type=float, default=PACED_RATE,
                        help="households per second for the paced run (0: none)")
    parser.add_argument("--paced-batches", type=int, default=PACED_BATCHES)
    parser.add_argument("--json", action="store_true", help="print the rows as JSON")
    args = parser.parse_args(argv)
    devices = [int(part) for part in args.devices.split(",")]
    targets = {"sqlite": ["sqlite:///"], "postgresql": [args.server]}
    urls = targets["sqlite"] + targets["postgresql"] if args.db == "both" else targets[args.db]
    rows = [row for url in urls for row in measure(
        url, devices, batches=args.batches, workers=args.workers, paced_rate=args.paced_rate,
        paced_batches=args.paced_batches)]
    if args.json:
        print(json.dumps(rows, indent=2))
        return 0
    print(f"sync push, {BATCH} households a batch, canbao serve --workers {args.workers}, "
          f"{os.cpu_count()} CPUs, client on the same machine")
    print(f"{'db':<11}{'devices':>8}{'load':>14}{'households/s':>14}{'p50 ms':>9}{'p95 ms':>9}"
          f"{'batches':>9}")
    for row in rows:
        load = f"{row['paced']:g}/s paced" if row.get("paced") else "back to back"
        print(f"{row['db']:<11}{row['devices']:>8}{load:>14}{row['households_per_s']:>14}"
              f"{row['p50_ms']:>9}{row['p95_ms']:>9}{row['batches']:>9}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
