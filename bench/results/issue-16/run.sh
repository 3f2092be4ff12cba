#!/usr/bin/env bash
# Issue 16's guard: the same benchmarks before (BASE tree) and after (HEAD tree), alternating, one run.
set -u
BASE=${BASE:-/tmp/base}
HEAD_DIR=${HEAD_DIR:-/tmp/benchhead}
OUT=${OUT:-/tmp/benchcmp/out}
mkdir -p "$OUT"
run() { # tree-label dir bench result-files...
  local label=$1 dir=$2 bench=$3; shift 3
  echo "[$(date +%T)] $bench on $label (load $(cut -d' ' -f1 /proc/loadavg))"
  (cd "$dir" && eval "$BENCH_ENV npm run --silent bench:$bench") > "$OUT/$bench-$label.log" 2>&1 || echo "  FAILED: see $OUT/$bench-$label.log"
  for f in "$@"; do cp "$dir/bench/results/$f" "$OUT/${f%.*}-$label.${f##*.}" 2>/dev/null; done
}
BENCH_ENV="" run before "$BASE" pool pool-sqlite-1500ms.json pool-sqlite-1500ms.md
BENCH_ENV="" run after "$HEAD_DIR" pool pool-sqlite-1500ms.json pool-sqlite-1500ms.md
BENCH_ENV="" run after "$HEAD_DIR" chat chat.json chat.md
BENCH_ENV="" run before "$BASE" chat chat.json chat.md
BENCH_ENV="BENCH_TASKS=30000" run before "$BASE" search search.json
BENCH_ENV="BENCH_TASKS=30000" run after "$HEAD_DIR" search search.json
echo "[$(date +%T)] done"
