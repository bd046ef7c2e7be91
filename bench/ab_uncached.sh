#!/usr/bin/env bash
# A/B of two release builds serving one seeded database with the response
# cache off, every scenario of bench/run.sh, wrk alternated between them so
# that the machine's drift falls on both alike.
#
#   bench/ab_uncached.sh BEFORE_CMS AFTER_CMS [sqlite|postgres] [rounds]
#   SCEN_FILTER='^slug$' bench/ab_uncached.sh ...   # some scenarios only
#
# The database is seeded by AFTER's build of bench-seed
# ($CARGO_TARGET_DIR/release/examples/bench-seed, built unless
# BENCH_NO_BUILD=1), then copied: each server has a copy of its own, so
# that what one does at start-up (rewriting the stored renderings in its
# own SHAPE) is not undone by the other. BEFORE must accept AFTER's schema
# (migrations are additive). Prints req/s and p99 per round.
set -euo pipefail
cd "$(dirname "$0")/.."
BEFORE="$(realpath "$1")"; AFTER="$(realpath "$2")"; DB="${3:-sqlite}"; ROUNDS="${4:-2}"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-target}"
[ -n "${BENCH_NO_BUILD:-}" ] || cargo build --release --quiet --example bench-seed
SEED="$(realpath "$CARGO_TARGET_DIR/release/examples/bench-seed")"
command -v wrk >/dev/null || { apt-get install -y wrk >/dev/null 2>&1 || sudo apt-get install -y wrk >/dev/null; }
WORK="$(mktemp -d)"; PIDS=(); OUT=$WORK/out; mkdir -p $OUT
cleanup() { for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done; rm -rf "$WORK"; }
trap cleanup EXIT
case "$DB" in
  sqlite) export DATABASE_URL="sqlite://$WORK/cms.sqlite3" ;;
  postgres)
    PG_ADMIN="${TEST_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/postgres}"
    psql "$PG_ADMIN" -qc "DROP DATABASE IF EXISTS cms_ab WITH (FORCE)" -qc "DROP DATABASE IF EXISTS cms_ab_before WITH (FORCE)" -qc "CREATE DATABASE cms_ab"
    export DATABASE_URL="${PG_ADMIN%/*}/cms_ab" ;;
  *) echo "backend: sqlite or postgres" >&2; exit 2 ;;
esac
export CMS_SEED_DEMO=false RUST_LOG=warn CMS_RESPONSE_CACHE_MB=0
export CMS_JWT_SECRET="bench-secret-bench-secret-bench-secret-0123456"
(cd $WORK && mkdir -p bench/out && $SEED 10000 >/dev/null) && cp $WORK/bench/out/slugs.txt $OUT/
echo "mot-de-passe-du-banc-d-essai" | $AFTER create-admin --email bench@example.ne --password-stdin >/dev/null
case "$DB" in
  sqlite) cp "$WORK/cms.sqlite3" "$WORK/before.sqlite3"; BEFORE_URL="sqlite://$WORK/before.sqlite3" ;;
  postgres) psql "$PG_ADMIN" -qc "CREATE DATABASE cms_ab_before TEMPLATE cms_ab"; BEFORE_URL="${PG_ADMIN%/*}/cms_ab_before" ;;
esac
DATABASE_URL="$BEFORE_URL" CMS_BIND=127.0.0.1:18801 $BEFORE serve >/dev/null 2>&1 & PIDS+=("$!")
CMS_BIND=127.0.0.1:18802 $AFTER serve >/dev/null 2>&1 & PIDS+=("$!")
# Room for a start-up pass over the renderings (one of another SHAPE).
sleep "${AB_SETTLE_SECONDS:-10}"
python3 bench/prepare.py http://127.0.0.1:18802 $OUT bench@example.ne mot-de-passe-du-banc-d-essai
export BENCH_OUT=$OUT
CURSOR=$(cat $OUT/deep_cursor.txt); CAT=$(cat $OUT/root_category.txt)
SCEN_FILTER="${SCEN_FILTER:-.}"
for scenario in "list:/api/v1/articles?per_page=20" "cursor:/api/v1/articles?per_page=20&cursor=$CURSOR" "category:/api/v1/articles?per_page=20&category=$CAT" "slug:/:bench/random_slug.lua" "tree:/api/v1/categories" "create:/:bench/create.lua"; do
  name=${scenario%%:*}; rest=${scenario#*:}
  echo "$name" | grep -qE "$SCEN_FILTER" || continue
  script=""; path=$rest
  case $rest in *:bench/*) path=${rest%%:*}; script=${rest#*:};; esac
  for conns in 2 16; do
    line="$name c$conns"
    for round in $(seq 1 "$ROUNDS"); do
      for side in before:18801 after:18802; do
        s=${side%%:*}; port=${side##*:}
        args=(-t2 -c"$conns" --latency); [ -n "$script" ] && args+=(-s "$script")
        wrk "${args[@]}" -d1s "http://127.0.0.1:$port$path" >/dev/null
        r=$(wrk "${args[@]}" -d4s "http://127.0.0.1:$port$path" | awk '/Requests\/sec/ {rps=$2} /^ +99%/ {p99=$2} END {printf "%d (p99 %s)", rps, p99}')
        line="$line | $s $r"
      done
    done
    echo "$line"
  done
done
