#!/usr/bin/env bash
# The media library's figures, from a release build:
#   - upload to 201 for a 12-megapixel camera JPEG with every rendition
#     (median of N sequential uploads of distinct photos);
#   - the server's peak RSS (VmHWM) before and during 20 concurrent uploads;
#   - /media serving (a 640 px WebP rendition) against a bare actix-files
#     server over the same directory, alternated, wrk -c16.
#
#   bench/media.sh [sqlite|postgres] [uploads] [seconds]
set -euo pipefail
cd "$(dirname "$0")/.."
DB="${1:-sqlite}"; N="${2:-9}"; SECS="${3:-5}"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-target}"
[ -n "${BENCH_NO_BUILD:-}" ] || cargo build --release --quiet --bin cms --example bench-media-files
CMS="$(realpath "$CARGO_TARGET_DIR/release/cms")"
FILES="$(realpath "$CARGO_TARGET_DIR/release/examples/bench-media-files")"
command -v wrk >/dev/null || { apt-get install -y wrk >/dev/null 2>&1 || sudo apt-get install -y wrk >/dev/null; }
WORK="$(mktemp -d)"; PIDS=()
cleanup() { for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done; rm -rf "$WORK"; }
trap cleanup EXIT
case "$DB" in
  sqlite) export DATABASE_URL="sqlite://$WORK/cms.sqlite3" ;;
  postgres)
    PG_ADMIN="${TEST_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/postgres}"
    psql "$PG_ADMIN" -qc "DROP DATABASE IF EXISTS cms_media_bench WITH (FORCE)" -qc "CREATE DATABASE cms_media_bench"
    export DATABASE_URL="${PG_ADMIN%/*}/cms_media_bench" ;;
  *) echo "backend: sqlite or postgres" >&2; exit 2 ;;
esac
export CMS_SEED_DEMO=false RUST_LOG=warn CMS_MEDIA_STORE="$WORK/media" CMS_WORKERS=2
export CMS_JWT_SECRET="bench-secret-bench-secret-bench-secret-0123456"
BURST=20
echo "== $((N + BURST)) distinct 4000 x 3000 photos"
"$FILES" photo "$WORK/photo" 4000 3000 $((N + BURST))
ls -l "$WORK"/photo-1.jpg | awk '{printf "   one is %.1f MB\n", $5 / 1048576}'
PASSWORD="mot-de-passe-du-banc-d-essai"
echo "$PASSWORD" | "$CMS" create-admin --email bench@example.ne --password-stdin >/dev/null
BASE=http://127.0.0.1:18811
CMS_BIND=127.0.0.1:18811 "$CMS" serve >"$WORK/server.log" 2>&1 & PID=$!; PIDS+=("$PID")
for _ in $(seq 1 100); do curl -fs "$BASE/health/ready" >/dev/null && break; sleep 0.1; done
TOKEN=$(curl -fs -X POST "$BASE/api/v1/auth/login" -H 'Content-Type: application/json' \
  -d "{\"email\":\"bench@example.ne\",\"password\":\"$PASSWORD\"}" | python3 -c 'import json,sys; print(json.load(sys.stdin)["access_token"])')
hwm() { awk '/VmHWM/ {printf "%.0f", $2 / 1024}' "/proc/$PID/status"; }
rss() { awk '/VmRSS/ {printf "%.0f", $2 / 1024}' "/proc/$PID/status"; }
echo "== upload to 201, $N sequential uploads (RSS before: $(rss) MB)"
for i in $(seq 1 "$N"); do
  curl -s -o "$WORK/up-$i.json" -w '%{http_code} %{time_total}\n' -H "Authorization: Bearer $TOKEN" \
    -F "file=@$WORK/photo-$i.jpg" "$BASE/api/v1/media" >>"$WORK/times"
done
python3 - "$WORK/times" <<'PY'
import statistics, sys
rows = [line.split() for line in open(sys.argv[1])]
assert all(code == "201" for code, _ in rows), rows
times = sorted(float(t) * 1000 for _, t in rows)
print(f"   median {statistics.median(times):.0f} ms, min {times[0]:.0f}, max {times[-1]:.0f} (n={len(times)})")
PY
echo "   peak RSS so far (VmHWM): $(hwm) MB"
echo "== $BURST concurrent uploads"
started=$(date +%s.%N)
UPLOADS=()
for i in $(seq $((N + 1)) $((N + BURST))); do
  curl -s -o /dev/null -w '%{http_code}\n' -H "Authorization: Bearer $TOKEN" \
    -F "file=@$WORK/photo-$i.jpg" "$BASE/api/v1/media" >>"$WORK/burst" & UPLOADS+=("$!")
done
peak=0
running() { for p in "${UPLOADS[@]}"; do kill -0 "$p" 2>/dev/null && return 0; done; return 1; }
while running; do r=$(rss); [ "$r" -gt "$peak" ] && peak=$r; sleep 0.05; done
wait "${UPLOADS[@]}" || true
ended=$(date +%s.%N)
echo "   $(grep -c '^201$' "$WORK/burst") of $BURST answered 201 in $(python3 -c "print(f'{$ended - $started:.1f}')") s; RSS sampled peak $peak MB, VmHWM $(hwm) MB, after $(rss) MB"
URL=$(python3 -c 'import json,sys; m=json.load(open(sys.argv[1])); print(next(r["url"] for r in m["renditions"] if r["width"] == 640 and r["mime_type"] == "image/webp"))' "$WORK/up-1.json")
"$FILES" serve 127.0.0.1:18812 "$WORK/media" >/dev/null 2>&1 & PIDS+=("$!")
sleep 0.5
curl -fs -o "$WORK/served" "$BASE$URL"; echo "== serving $URL ($(stat -c %s "$WORK/served") bytes), wrk -t2 -c16 -d${SECS}s, alternated"
for round in 1 2 3; do
  cms=$(wrk -t2 -c16 -d"${SECS}s" "$BASE$URL" | awk '/Requests\/sec/ {print $2}')
  bare=$(wrk -t2 -c16 -d"${SECS}s" "http://127.0.0.1:18812$URL" | awk '/Requests\/sec/ {print $2}')
  python3 -c "print(f'   round $round: /media {float($cms):,.0f} req/s, actix-files {float($bare):,.0f} req/s, ratio {float($cms)/float($bare):.2f}')"
done
