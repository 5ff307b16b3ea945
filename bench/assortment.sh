#!/usr/bin/env bash
# The assortment at a real catalog's size: pads the demo catalog to PRODUCTS (10,000) products stocked in 3 stores, then
# measures the ops products grid (the portal's query: title order, page numbers, a total; and the API's keyset pages),
# a search in it and a store's low-stock list, at low concurrency so the figures are server time; then times a
# 10,000-row price list and a 10,000-row stock count through /v1/ops/imports, previewed (dryRun) and applied.
# SQLite, then a throwaway PostgreSQL.
#   bench/assortment.sh                     # PRODUCTS=10000 DURATION=10s CONNECTIONS=2
#   PROVIDERS=Sqlite bench/assortment.sh
set -euo pipefail
cd "$(dirname "$0")/.."
DURATION="${DURATION:-10s}"
CONNECTIONS="${CONNECTIONS:-2}"
PRODUCTS="${PRODUCTS:-10000}"
PROVIDERS="${PROVIDERS:-Sqlite Postgres}"
PORT="${PORT:-5098}"
URL="http://127.0.0.1:$PORT"
source bench/lib.sh
bench_setup assortment wrk sqlite3 postgresql

reads=(
  "grid, page 1 by title|/v1/ops/products?page=1&pageSize=50"
  "grid, page 150 by title|/v1/ops/products?page=150&pageSize=50"
  "grid, search 'granola'|/v1/ops/products?page=1&pageSize=50&query=granola"
  "grid, one category|/v1/ops/products?page=1&pageSize=50&categoryId=cat_3"
  "keyset page (API)|/v1/ops/products?pageSize=50"
  "stock, low only, st_1|/v1/ops/stores/st_1/stock?low=true&pageSize=50"
)

# seconds a POST of a CSV body takes: method path file -> "seconds status"
post_csv() {
  curl -s -o "$work/import.json" -w '%{time_total} %{http_code}' -X POST "$URL$1" -H "Authorization: Bearer $QC_TOKEN" -H 'content-type: text/csv' --data-binary "@$2"
}

rows=()
imports=()
for provider in $PROVIDERS; do
  cs=""
  if [ "$provider" = Postgres ]; then start_postgres; cs="$PG_CS"; fi
  echo "$provider: padding the catalog to $PRODUCTS products…"
  started=$(date +%s)
  start_app "$provider" "$cs" Database__DemoCatalogProducts="$PRODUCTS" Database__DemoOrders=0
  echo "$provider: ready in $(( $(date +%s) - started ))s"
  export QC_TOKEN; QC_TOKEN="$(admin_token)"
  for read in "${reads[@]}"; do
    label="${read%%|*}"; path="${read#*|}"
    export QC_PATH="$path"
    wrk -t1 -c1 -d2s -s bench/ops.lua "$URL" >/dev/null # warm-up
    rows+=("$provider|$label|$(run_wrk bench/ops.lua "$CONNECTIONS")")
  done

  # 10,000 new prices (5,000 SKUs in both regions, 10 cents up, from now) and 10,000 shelf counts (one more than the books).
  curl -fs -H "Authorization: Bearer $QC_TOKEN" "$URL/v1/ops/exports/prices" > "$work/prices-export.csv"
  { echo "sku,region,amount,currency,effectiveFrom,effectiveTo"
    awk -F, 'NR > 1 && n < 10000 && !seen[$1","$2]++ { print $1","$2","($3+10)","$4",,"; n++ }' "$work/prices-export.csv"; } > "$work/prices.csv"
  curl -fs -H "Authorization: Bearer $QC_TOKEN" "$URL/v1/ops/exports/stock?storeId=st_1" > "$work/stock-export.csv"
  { echo "store,sku,counted"; awk -F, 'NR > 1 && n < 10000 { print $1","$2","($3+1); n++ }' "$work/stock-export.csv"; } > "$work/stock.csv"
  for kind in prices stock; do
    file="$work/$kind.csv"; lines=$(( $(wc -l < "$file") - 1 ))
    scope=""; [ "$kind" = stock ] && scope="storeId=st_1&"
    read -r preview preview_status <<<"$(post_csv "/v1/ops/imports/$kind?${scope}dryRun=true" "$file")"
    read -r apply apply_status <<<"$(post_csv "/v1/ops/imports/$kind?${scope}dryRun=false" "$file")"
    imports+=("$provider|$kind|$lines|$preview|$preview_status|$apply|$apply_status")
  done
  stop_app "$provider"
done

echo
echo "machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo); $PRODUCTS products in 3 stores; wrk -t1 -c$CONNECTIONS -d$DURATION"
printf '%-9s %-26s %9s %9s %9s %9s %7s %12s\n' provider read req/s p50_ms p95_ms p99_ms errors target
for row in "${rows[@]}"; do
  IFS='|' read -r provider label result <<<"$row"
  read -r rps p50 p95 p99 errors <<<"$result"
  met=$(awk -v p="$p95" 'BEGIN { print (p <= 100) ? "met" : "MISSED" }')
  printf '%-9s %-26s %9s %9s %9s %9s %7s %12s\n' "$provider" "$label" "$rps" "$p50" "$p95" "$p99" "$errors" "p95≤100 $met"
done
echo
printf '%-9s %-7s %7s %11s %8s %11s %8s\n' provider import rows preview_s status apply_s status
for row in "${imports[@]}"; do
  IFS='|' read -r provider kind lines preview ps apply as <<<"$row"
  printf '%-9s %-7s %7s %11s %8s %11s %8s\n' "$provider" "$kind" "$lines" "$preview" "$ps" "$apply" "$as"
done
