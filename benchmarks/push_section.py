"""The sync push section of benchmarks/run.py: benchmarks/sync_push.py's figures in the table."""
import traceback

from common import Context, Figure

SECTION = "sync push"


def measure(ctx: Context) -> list[Figure]:
    import sync_push

    figures = []
    for kind in ctx.databases:
        try:
            rows = sync_push.measure("sqlite:///" if kind == "sqlite" else ctx.server, ctx.push_devices,
                                     **({"batches": ctx.push_batches} if ctx.push_batches else {}))
        except Exception:  # one database failing under load leaves the other's figures worth having
            traceback.print_exc()
            ctx.failed.append(f"{SECTION} on {kind}")
            continue
        for row in rows:
            devices = f"{row['devices']} device{'s' if row['devices'] != 1 else ''}"
            size = (f"{devices}, {row['batches']} batches of {sync_push.BATCH} households, "
                    f"uvicorn --workers {row['workers']}")
            busiest = row["devices"] == 50 and kind == "postgresql"
            figures += [
                Figure(SECTION, f"{devices}: households per second", kind,
                       row["households_per_s"], "households/s", size, target="≥ 400" if busiest else ""),
                Figure(SECTION, f"{devices}: batch p50", kind, row["p50_ms"], "ms", size),
                Figure(SECTION, f"{devices}: batch p95", kind, row["p95_ms"], "ms", size,
                       target="< 500" if busiest else ""),
            ]
    return figures
