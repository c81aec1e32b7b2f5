#!/bin/sh
# Time a county-sized roster import on SQLite and on PostgreSQL, and PostgreSQL's plain COPY of
# the same file as the floor. Figures are printed, never asserted (DESIGN §9).
#   benchmarks/import_roster.sh [PEOPLE]     (default 1000000; PostgreSQL at 127.0.0.1 as postgres)
set -eu
cd "$(dirname "$0")/.."
PEOPLE=${1:-1000000}
OUT=benchmarks/out
PG=postgresql://postgres@127.0.0.1:5432
CANBAO=.venv/bin/canbao

measure() {  # label, command...: wall seconds and peak RSS from /usr/bin/time -v
    label=$1; shift
    /usr/bin/time -v "$@" 2>"$OUT/time.txt" >/dev/null || { cat "$OUT/time.txt"; exit 1; }
    wall=$(sed -n 's/.*Elapsed (wall clock) time (h:mm:ss or m:ss): //p' "$OUT/time.txt")
    rss=$(sed -n 's/.*Maximum resident set size (kbytes): //p' "$OUT/time.txt")
    grep '^targets:' "$OUT/time.txt" || true
    echo "$label: wall $wall, peak RSS $((rss / 1024)) MiB"
}

measure "generate $PEOPLE people" .venv/bin/python benchmarks/generate.py --out "$OUT" --people "$PEOPLE"
ls -l "$OUT/roster.csv"

rm -f "$OUT"/bench.db*
export CANBAO_DATABASE_URL="sqlite:///$PWD/$OUT/bench.db"
$CANBAO migrate 2>/dev/null && $CANBAO import-areas "$OUT/areas.csv" 2>/dev/null
measure "sqlite: dry run" $CANBAO import-targets "$OUT/roster.csv"
measure "sqlite: import" $CANBAO import-targets "$OUT/roster.csv" --import-valid
measure "sqlite: re-import (nothing changes)" $CANBAO import-targets "$OUT/roster.csv" --import-valid

psql "$PG/postgres" -qc "DROP DATABASE IF EXISTS canbao_bench" -c "CREATE DATABASE canbao_bench"
export CANBAO_DATABASE_URL="$PG/canbao_bench"
$CANBAO migrate 2>/dev/null && $CANBAO import-areas "$OUT/areas.csv" 2>/dev/null
psql "$PG/canbao_bench" -qc "CHECKPOINT"
measure "postgresql: dry run" $CANBAO import-targets "$OUT/roster.csv"
measure "postgresql: import" $CANBAO import-targets "$OUT/roster.csv" --import-valid
measure "postgresql: re-import (nothing changes)" $CANBAO import-targets "$OUT/roster.csv" --import-valid

psql "$PG/canbao_bench" -qc "CREATE TABLE bare (household text, name text, relation text, id_number text, address text, village_code text, uninsured text)" -c "CHECKPOINT"
measure "postgresql: plain COPY into a bare table (the floor)" \
    psql "$PG/canbao_bench" -qc "\\copy bare FROM '$OUT/roster.csv' WITH (FORMAT csv, HEADER true)"
psql "$PG/postgres" -qc "DROP DATABASE canbao_bench"
rm -f "$OUT"/bench.db* "$OUT/time.txt"
