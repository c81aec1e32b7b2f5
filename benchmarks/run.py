"""County-scale benchmarks (issue 8): one table of figures for SQLite and PostgreSQL.

    make bench                                      # the county: 1,000,000 people
    .venv/bin/python benchmarks/run.py [--people N] [--submissions N] [--repetitions N] [--village-targets N]
        [--push-devices 1,10,50] [--push-batches N] [--push-paced-rate 400] [--only import,export,queue,pull,app,dispatch,push]
        [--databases sqlite,postgresql] [--postgresql URL] [--out benchmarks/out]

BENCH_PEOPLE sets --people's default. Generates the synthetic county once
(benchmarks/generate.py: areas, roster, members' answers), runs each section on scratch
databases (SQLite files, PostgreSQL databases created on the server and dropped), prints one
markdown table (every figure with its unit and the sizes used; the issue's targets beside them,
met or not, by what factor) and writes the same as JSON to <out>/results.json. Ratios are
measured in the same run. Figures depend on the machine and on what else runs on it: they are
printed, never asserted.
"""
import argparse
import hashlib
import importlib
import json
import traceback
import os
import platform
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import ROOT, Context, Figure  # noqa: E402

SECTIONS = {"import": "import_roster", "export": "export_batch", "queue": "review_queue",
            "pull": "sync_pull", "app": "app_load", "dispatch": "dispatch_sheet", "push": "push_section"}
DEFAULT_SERVER = "postgresql://postgres@127.0.0.1:5432/postgres"


def verdict(figure: Figure) -> str:
    """"met, 2.5× better" / "not met, 1.3× off" for a figure with a target, else ""."""
    if not figure.target:
        return ""
    operator, _, threshold = figure.target.partition(" ")
    if operator == "=":
        met = {"yes": 1.0, "no": 0.0}[threshold] == figure.value
        return "met" if met else "not met"
    limit = float(threshold)
    met = {"≤": figure.value <= limit, "<": figure.value < limit,
           "≥": figure.value >= limit, ">": figure.value > limit}[operator]
    if operator in "≤<":
        factor = limit / figure.value if figure.value else float("inf")
    else:
        factor = figure.value / limit
    if met:
        return f"met, {factor:.1f}× better" if factor != float("inf") else "met"
    return f"not met, {1 / factor:.1f}× off" if factor else "not met"


def shown(figure: Figure) -> str:
    if figure.unit == "yes/no":
        return "yes" if figure.value else "no"
    if figure.value >= 100 or figure.value == int(figure.value):
        return f"{figure.value:,.0f}"
    return f"{figure.value:.3g}" if figure.value < 1 else f"{figure.value:.1f}"


def table(figures: list[Figure], header: dict) -> str:
    lines = [f"canbao benchmarks, {header['date']}: {header['cpus']} CPUs ({header['machine']}), "
             f"sizes: {header['sizes']}", "",
             "| section | figure | database | value | unit | size | target | verdict | note |",
             "| --- | --- | --- | ---: | --- | --- | --- | --- | --- |"]
    for figure in figures:
        lines.append(f"| {figure.section} | {figure.name} | {figure.database or '—'} | {shown(figure)} "
                     f"| {figure.unit} | {figure.size} | {figure.target} | {verdict(figure)} "
                     f"| {figure.note} |")
    return "\n".join(lines)


def sizes(args, only: list[str]) -> str:
    named = {"county": f"county of {args.people:,} people", "queue": f"queue {args.submissions:,} submissions",
             "pull": f"pull village {args.village_targets:,} targets",
             "push": f"push with {args.push_devices} devices"}
    wanted = {"county": {"import", "export", "dispatch"}, "queue": {"queue"}, "pull": {"pull"},
              "push": {"push"}}
    return "; ".join(text for key, text in named.items() if wanted[key] & set(only)) or "—"


def generate(ctx: Context, seed: int) -> None:
    """The county's areas, roster and members' answers, unless this size is there already."""
    stamp = ctx.out / "county.json"
    generator = ROOT / "benchmarks" / "generate.py"
    wanted = {"people": ctx.people, "seed": seed,
              "generator": hashlib.sha256(generator.read_bytes()).hexdigest()[:16]}
    if stamp.exists() and json.loads(stamp.read_text()) == wanted:
        return
    subprocess.run([sys.executable, str(generator), "--out", str(ctx.out),
                    "--people", str(ctx.people), "--seed", str(seed), "--answers"], check=True)
    stamp.write_text(json.dumps(wanted))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=int(os.environ.get("BENCH_PEOPLE", 1_000_000)))
    parser.add_argument("--submissions", type=int, default=100_000, help="for the supervisor queue")
    parser.add_argument("--repetitions", type=int, default=100, help="of each supervisor queue page")
    parser.add_argument("--village-targets", type=int, default=5_000, help="for the sync pull")
    parser.add_argument("--push-devices", default="1,10,50", help="device counts for the sync push")
    parser.add_argument("--push-batches", type=int, default=0,
                        help="batches per device count; 0 leaves it to benchmarks/sync_push.py")
    parser.add_argument("--push-paced-rate", type=float, default=400.0,
                        help="households per second the most devices push at, paced (0: not)")
    parser.add_argument("--push-paced-batches", type=int, default=200,
                        help="batches of the paced push")
    parser.add_argument("--only", default=",".join(SECTIONS), help="sections, comma-separated")
    parser.add_argument("--databases", default="sqlite,postgresql")
    parser.add_argument("--postgresql", default=os.environ.get("BENCH_DATABASE_URL", DEFAULT_SERVER),
                        help="server for the scratch PostgreSQL databases")
    parser.add_argument("--out", default=str(ROOT / "benchmarks" / "out"))
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    only = [name.strip() for name in args.only.split(",") if name.strip()]
    if unknown := set(only) - set(SECTIONS):
        parser.error(f"unknown sections: {', '.join(sorted(unknown))}")
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="canbao-bench-", dir=out) as scratch:
        ctx = Context(people=args.people, submissions=args.submissions, repetitions=args.repetitions,
                      village_targets=args.village_targets,
                      push_devices=[int(part) for part in args.push_devices.split(",")],
                      push_batches=args.push_batches, push_paced_rate=args.push_paced_rate,
                      push_paced_batches=args.push_paced_batches,
                      databases=[name for name in args.databases.split(",") if name],
                      server=args.postgresql, out=out, scratch=Path(scratch))
        if {"import", "dispatch"} & set(only):
            generate(ctx, args.seed)
        figures, durations = [], {}
        for name in SECTIONS:
            if name not in only:
                continue
            print(f"[bench] {name} ...", file=sys.stderr, flush=True)
            began = time.perf_counter()
            try:
                figures += importlib.import_module(SECTIONS[name]).measure(ctx)
            except Exception:  # the other sections' figures are still worth printing
                traceback.print_exc()
                ctx.failed.append(name)
            durations[name] = round(time.perf_counter() - began, 1)
            print(f"[bench] {name} took {durations[name]} s", file=sys.stderr, flush=True)
    header = {"date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"), "cpus": os.cpu_count(),
              "machine": f"{platform.machine()}, Python {platform.python_version()}",
              "sizes": sizes(args, only),
              "sections": only, "databases": ctx.databases, "section_seconds": durations,
              "failed": ctx.failed}
    print(table(figures, header))
    if ctx.failed:
        print(f"\nFAILED (traceback on stderr): {', '.join(ctx.failed)}")
    results = {**header, "figures": [dict(figure.as_dict(), verdict=verdict(figure))
                                     for figure in figures]}
    (out / "results.json").write_text(json.dumps(results, ensure_ascii=False, indent=1))
    return 1 if ctx.failed else 0


if __name__ == "__main__":
    sys.exit(main())
