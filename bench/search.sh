#!/usr/bin/env bash
# The search figures alone (the catalog's in-memory index, a store's stock weighed in, typos forgiven, suggestions), on
# SQLite with a 10,000-product catalog: a quicker check than run.sh when only search changed. The same wrk settings as
# run.sh (one client thread, 32 connections, a warm-up first), so its rows compare with run.sh's search rows.
#   bench/search.sh                 # 10 s per run
set -euo pipefail
cd "$(dirname "$0")/.."
DURATION="${DURATION:-10s}"
WARMUP="${WARMUP:-5s}"
CONNECTIONS="${CONNECTIONS:-32}"
PRODUCTS="${PRODUCTS:-10000}"
PORT="${PORT:-5097}"
URL="http://127.0.0.1:$PORT"
source bench/lib.sh
bench_setup search wrk sqlite3
start_app Sqlite "" Database__DemoCatalogProducts="$PRODUCTS" Database__DemoOrders=0 Payments__Sandbox__DataPath="$work/psp-sandbox.db"

printf '%-52s %10s %8s %8s %8s %7s %8s\n' figure "req/s" p50 p95 p99 errors cpu-ms
for row in \
  "search /v1/products?query=milk|/v1/products?storeId=st_1&query=milk|" \
  "search /v1/products?query=mlk (a typo)|/v1/products?storeId=st_1&query=mlk|" \
  "search /v1/products?query=greek+yogurt (no store)|/v1/products?query=greek+yogurt|" \
  "suggest /v1/products/suggest?query=yog|/v1/products/suggest?query=yog|" \
  "suggest /v1/products/suggest?query=yogrt (a typo)|/v1/products/suggest?query=yogrt|" \
  "search page /search?q=yogurt|/search?q=yogurt|qc_store=1"; do
  IFS='|' read -r figure path cookie <<<"$row"
  export QC_PATH="$path" QC_COOKIE="$cookie"
  # Every figure must run the path it names: an empty answer would time an error or a miss.
  answer="$(curl -fs -H "Cookie: $cookie" "$URL$path")" # not piped to grep -q: its early exit would fail curl under pipefail
  [[ "$answer" == *'"slug"'* || "$answer" == *product-card* ]] || { echo "$figure: no products in the answer"; exit 1; }
  wrk -t1 -c8 -d"$WARMUP" -s bench/get.lua "$URL" >/dev/null
  read -r rps p50 p95 p99 errors cpu <<<"$(measured_wrk bench/get.lua "$CONNECTIONS")"
  printf '%-52s %10s %8s %8s %8s %7s %8s\n' "$figure" "$rps" "$p50" "$p95" "$p99" "$errors" "$cpu"
done
stop_app Sqlite
