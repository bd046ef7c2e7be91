#!/usr/bin/env bash
# Reader comments' figures, from a release build:
#   - the approved-comments list of one article (COMMENTS comments, threaded),
#     page 1 of 20 threads, with the response cache and without;
#   - anonymous submission with challenge verification: every request
#     carries its own solved ALTCHA challenge, so each one verifies the
#     signature and the solution, takes the rate limits, runs the rules and
#     records the spent challenge (limits raised so that none refuses).
#
#   bench/comments.sh [sqlite|postgres] [comments] [seconds]
set -euo pipefail
cd "$(dirname "$0")/.."
DB="${1:-sqlite}"; COMMENTS="${2:-500}"; SECS="${3:-5}"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-target}"
[ -n "${BENCH_NO_BUILD:-}" ] || cargo build --release --quiet --bin cms --example bench-seed
BIN="$CARGO_TARGET_DIR/release"
command -v wrk >/dev/null || { apt-get install -y wrk >/dev/null 2>&1 || sudo apt-get install -y wrk >/dev/null; }
WORK="$(mktemp -d)"; PIDS=()
cleanup() { for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done; rm -rf "$WORK"; }
trap cleanup EXIT
case "$DB" in
  sqlite) export DATABASE_URL="sqlite://$WORK/cms.sqlite3" ;;
  postgres)
    PG_ADMIN="${TEST_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/postgres}"
    psql "$PG_ADMIN" -qc "DROP DATABASE IF EXISTS cms_comments_bench WITH (FORCE)" -qc "CREATE DATABASE cms_comments_bench"
    export DATABASE_URL="${PG_ADMIN%/*}/cms_comments_bench" ;;
  *) echo "backend: sqlite or postgres" >&2; exit 2 ;;
esac
export CMS_SEED_DEMO=false RUST_LOG=warn BENCH_OUT="$WORK"
export CMS_JWT_SECRET="bench-secret-bench-secret-bench-secret-0123456"
# Nothing refuses a well-formed submission: the figure is the full path.
# The server's cost of verifying a solution does not depend on its
# difficulty; a small one keeps preparing thousands of them short.
export CMS_COMMENTS_PER_ADDRESS=100000 CMS_COMMENTS_PER_ARTICLE=100000
export CMS_COMMENTS_MIN_SECONDS=0 CMS_COMMENTS_CHALLENGE_MAX_NUMBER=1000 CMS_COMMENTS_RATE_WINDOW_SECONDS=60
PORT=18790; BASE="http://127.0.0.1:$PORT"
PASSWORD="mot-de-passe-du-banc-d-essai"
mkdir -p bench/out  # bench-seed writes its slugs there
"$BIN/examples/bench-seed" 200 >/dev/null
echo "$PASSWORD" | "$BIN/cms" create-admin --email bench@example.ne --password-stdin >/dev/null
SERVER=""
serve() {
  [ -n "$SERVER" ] && { kill "$SERVER"; wait "$SERVER" 2>/dev/null || true; }
  CMS_RESPONSE_CACHE_MB="$1" CMS_BIND="127.0.0.1:$PORT" "$BIN/cms" serve >>"$WORK/server.log" 2>&1 &
  SERVER=$!; PIDS+=("$SERVER")
  for _ in $(seq 1 100); do curl -fs "$BASE/health/ready" >/dev/null && break; sleep 0.1; done
}
serve 8
python3 bench/comments_prepare.py "$BASE" "$WORK" bench@example.ne "$PASSWORD" "$COMMENTS"
SLUG=$(cat "$WORK/comment_article.txt")
LIST="$BASE/api/v1/articles/$SLUG/comments?per_page=20"
echo "| scenario | conns | req/s | p50 ms | p99 ms |"
echo "|---|---:|---:|---:|---:|"
row() { python3 bench/parse_wrk.py "$1" "$2" "" "$WORK/wrk.txt" | sed 's/ 100 % |$//'; }
measure_list() {
  for conns in 2 16; do
    wrk -t2 -c"$conns" --latency -d1s "$LIST" >/dev/null
    wrk -t2 -c"$conns" --latency -d"${SECS}s" "$LIST" >"$WORK/wrk.txt"
    row "$1" "$conns"
  done
}
measure_list "comments list page 1 (cached)"
serve 0
measure_list "comments list page 1 (uncached)"
# Enough solved challenges for each run at a rate well above what one
# machine writes; past the last line a request is a counted 422.
for conns in 2 16; do
  python3 bench/comments_prepare.py "$BASE" "$WORK" --payloads "$WORK/warm-$conns.txt" "${BENCH_WARM_PAYLOADS:-3000}"
  python3 bench/comments_prepare.py "$BASE" "$WORK" --payloads "$WORK/run-$conns.txt" "$((SECS * ${BENCH_RATE:-3000}))"
  BENCH_PAYLOADS="$WORK/warm-$conns.txt" wrk -t2 -c"$conns" -d1s -s bench/comment_submit.lua "$BASE" >/dev/null
  BENCH_PAYLOADS="$WORK/run-$conns.txt" wrk -t2 -c"$conns" --latency -d"${SECS}s" -s bench/comment_submit.lua "$BASE" >"$WORK/wrk.txt"
  row "comment submission (challenge verified)" "$conns"
done
echo "run: $DB, $COMMENTS comments on the article, ${SECS}s per run, $(nproc) cores, load before: $(cut -d' ' -f1-3 /proc/loadavg)"
