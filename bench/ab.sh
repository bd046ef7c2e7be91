#!/usr/bin/env bash
# A/B of two release builds on one seeded SQLite database, wrk alternated,
# so that the machine's drift falls on both alike.
#
#   bench/ab.sh BEFORE_CMS AFTER_CMS [rounds]
#
# BEFORE_CMS and AFTER_CMS are `cms` binaries (e.g. one built from an older
# commit in a worktree with its own CARGO_TARGET_DIR). Cached reads (list
# page 1, the categories tree) at 2 and 16 connections, 4 s each after 1 s
# of warm-up; prints req/s and p50 per round.
set -euo pipefail
cd "$(dirname "$0")/.."
BEFORE="$1"; AFTER="$2"; ROUNDS="${3:-3}"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-target}"
[ -n "${BENCH_NO_BUILD:-}" ] || cargo build --release --quiet --example bench-seed
WORK="$(mktemp -d)"; PIDS=()
cleanup() { for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done; rm -rf "$WORK"; }
trap cleanup EXIT
export DATABASE_URL="sqlite://$WORK/cms.sqlite3" CMS_SEED_DEMO=false RUST_LOG=warn
export CMS_RESPONSE_CACHE_MB="${CMS_RESPONSE_CACHE_MB:-8}"
export CMS_JWT_SECRET="bench-secret-bench-secret-bench-secret-0123456"
"$CARGO_TARGET_DIR/release/examples/bench-seed" 10000 >/dev/null
CMS_BIND=127.0.0.1:18801 "$BEFORE" serve >/dev/null 2>&1 & PIDS+=("$!")
CMS_BIND=127.0.0.1:18802 "$AFTER" serve >/dev/null 2>&1 & PIDS+=("$!")
sleep 2
for path in "/api/v1/articles?per_page=20" "/api/v1/categories"; do
  for conns in 2 16; do
    for round in $(seq 1 "$ROUNDS"); do
      for side in before:18801 after:18802; do
        name=${side%%:*}; port=${side##*:}
        wrk -t2 -c"$conns" -d1s "http://127.0.0.1:$port$path" >/dev/null
        result=$(wrk -t2 -c"$conns" -d4s --latency "http://127.0.0.1:$port$path" |
          awk '/Requests\/sec/ {rps=$2} /^ +50%/ {p50=$2} END {print rps " req/s, p50 " p50}')
        echo "$path c$conns round $round $name: $result"
      done
    done
  done
done
