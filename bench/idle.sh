#!/usr/bin/env bash
# CPU an idle `cms serve` uses, and how often each of its threads wakes
# (issue 23): started on an empty database, left 8 s to settle, then
# measured over SECONDS from /proc (CPU time to the nanosecond from each
# thread's schedstat; wake-ups as voluntary context switches).
#
#   bench/idle.sh [postgres|sqlite] [seconds] [cms binary]
set -euo pipefail
cd "$(dirname "$0")/.."
BACKEND="${1:-postgres}"; SECONDS_IDLE="${2:-30}"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-target}"
BIN="${3:-$CARGO_TARGET_DIR/release/cms}"
[ -n "${BENCH_NO_BUILD:-}" ] || [ -n "${3:-}" ] || cargo build --release --quiet --bin cms
WORK="$(mktemp -d)"; PIDS=()
cleanup() { for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done; rm -rf "$WORK"; }
trap cleanup EXIT
case "$BACKEND" in
  sqlite) export DATABASE_URL="sqlite://$WORK/cms.sqlite3" ;;
  postgres)
    PG_ADMIN="${TEST_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/postgres}"
    psql "$PG_ADMIN" -qc "DROP DATABASE IF EXISTS cms_idle WITH (FORCE)" -qc "CREATE DATABASE cms_idle"
    export DATABASE_URL="${PG_ADMIN%/*}/cms_idle" ;;
  *) echo "backend: sqlite or postgres" >&2; exit 2 ;;
esac
export CMS_BIND=127.0.0.1:18799 RUST_LOG=warn CMS_SEED_DEMO=true
export CMS_JWT_SECRET="bench-secret-bench-secret-bench-secret-0123456"
"$BIN" serve >"$WORK/server.log" 2>&1 & PID=$!; PIDS+=("$PID")
sleep 8
snapshot() {
  for t in /proc/"$PID"/task/*; do
    printf '%s %s %s\n' "$(tr ' ' '_' <"$t/comm")" "$(cut -d' ' -f1 "$t/schedstat")" \
      "$(awk '/^voluntary_ctxt_switches/ {print $2}' "$t/status")"
  done | awk '{cpu[$1]+=$2; wake[$1]+=$3} END {for (k in cpu) print k, cpu[k], wake[k]}' | sort
}
snapshot >"$WORK/before"; sleep "$SECONDS_IDLE"; snapshot >"$WORK/after"
join "$WORK/before" "$WORK/after" | awk -v s="$SECONDS_IDLE" '
  {cpu = ($4 - $2) / 1e9; total += cpu; printf "  %-22s %7.3f ms CPU/s  %6.2f wake-ups/s\n", $1, cpu / s * 1000, ($5 - $3) / s}
  END {printf "idle %s s: %.3f %% of a core\n", s, total / s * 100}'
