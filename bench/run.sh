#!/usr/bin/env bash
# The performance suite: a Release publish in Production on 127.0.0.1, first over SQLite and then over a throwaway
# PostgreSQL cluster, each with a large catalog (PRODUCTS products over the 3 demo stores) and an order history
# (HISTORY orders). wrk -t1 (one client thread, so the 2-core server keeps a core of its own), a warm-up before
# each run. Measures the plaintext ceiling, the catalog API, the shoppers' pages, placing orders, webhook ingest and
# payment initiation, and the cold start of a restart (migrated database, no seeding) to its first page, the median of
# three. Prints one table (req/s, p50, p95, p99, errors, share of plaintext, the app's CPU per request, target, met) and
# writes it as JSON under
# bench/results/. With PEER_URL (a dotnet/eShop Catalog.API run beside it, for comparison), also measures its
# list and item endpoints in ROUNDS interleaved rounds with ours and prints our ratio to them.
#   bench/run.sh                                   # 10 s per run
#   DURATION=15s PEER_URL=http://127.0.0.1:5191 bench/run.sh
set -euo pipefail
cd "$(dirname "$0")/.."
DURATION="${DURATION:-10s}"
WARMUP="${WARMUP:-5s}"
# Placing orders runs through far more of EF Core's generic code than a read, and tiered compilation (with PGO) keeps
# compiling it for about a minute of orders. Measured on PostgreSQL, 60 s of warm-up instead of 5: 186-195 -> 242 per s at
# 32 connections, 153-156 -> 218 at 2, the app's CPU per order nearly halved; a server that has run a minute is warm.
ORDERS_WARMUP="${ORDERS_WARMUP:-60s}"
CONNECTIONS="${CONNECTIONS:-32}"
LIGHT_CONNECTIONS="${LIGHT_CONNECTIONS:-2}"
WEBHOOK_CONNECTIONS="${WEBHOOK_CONNECTIONS:-8}" # a PSP delivers events a few at a time; the saturated row is at CONNECTIONS
PRODUCTS="${PRODUCTS:-10000}"
HISTORY="${HISTORY:-2000}"
CARD_ORDERS="${CARD_ORDERS:-3000}"
PICK_ORDERS="${PICK_ORDERS:-1050}" # paid on the sandbox's page and picked: 1,000 in a burst (2 s at up to 500/s), 50 one at a time
ROUNDS="${ROUNDS:-3}"
PEER_URL="${PEER_URL:-}"
PORT="${PORT:-5096}"
URL="http://127.0.0.1:$PORT"
SECRET="whsec_bench_only"
export QC_SANDBOX_KEY="sk_test_bench_only"
source bench/lib.sh
bench_setup run wrk sqlite3 python3 postgresql
app_env=(Database__DemoCatalogProducts="$PRODUCTS" Database__DemoOrders="$HISTORY"
  Payments__Sandbox__DataPath="$work/psp-sandbox.db" Payments__Stripe__WebhookSecret="$SECRET" Payments__Sandbox__ApiKey="$QC_SANDBOX_KEY")
mkdir -p bench/results

rows=()  # "database|figure|connections|rps p50 p95 p99 errors cpu-ms-per-request"
get() { # database figure path [cookie]
  export QC_PATH="$3" QC_COOKIE="${4:-}"
  wrk -t1 -c8 -d"$WARMUP" -s bench/get.lua "$URL" >/dev/null
  rows+=("$1|$2|$CONNECTIONS|$(measured_wrk bench/get.lua "$CONNECTIONS")")
}

cold_start() { # provider connection-string: restarts the app on its migrated, seeded database three times; sets cold_ms to the median
  local started samples=() i
  for i in 1 2 3; do
    stop_app "$1"
    started=$(date +%s%N)
    start_app "$1" "$2" "${app_env[@]}"
    until curl -fs -o /dev/null "$URL/"; do sleep 0.02; done
    samples+=($(( ($(date +%s%N) - started) / 1000000 )))
  done
  cold_ms="$(printf '%s\n' "${samples[@]}" | sort -n | sed -n 2p)"
  echo "  cold starts: ${samples[*]} ms"
}

measure() { # database provider connection-string: the app is running on a seeded database with stock topped up
  local db="$1" cold_ms
  cold_start "$2" "$3"
  rows+=("$db|cold start to the first page (ms)|1|$cold_ms 0 0 0 0 -")
  local store="Cookie: qc_store=1"
  get "$db" "plaintext /health/live" "/health/live"
  get "$db" "GET /v1/products (24, store prices + stock)" "/v1/products?storeId=st_1&pageSize=24"
  get "$db" "GET /v1/products/{id}" "/v1/products/p_1?storeId=st_1"
  get "$db" "search /v1/products?query=milk" "/v1/products?storeId=st_1&query=milk"
  get "$db" "search with a typo /v1/products?query=mlk" "/v1/products?storeId=st_1&query=mlk"
  get "$db" "suggest /v1/products/suggest?query=yog" "/v1/products/suggest?query=yog"
  get "$db" "category page /c/dairy-eggs" "/c/dairy-eggs" "qc_store=1"
  get "$db" "product page /p/{slug}" "/p/chobani-greek-yogurt-plain" "qc_store=1"
  get "$db" "search page /search?q=yogurt" "/search?q=yogurt" "qc_store=1"

  export QC_TOKEN QC_STORE=st_1 QC_ZIP=10013 QC_SKU_COUNT=200 QC_HOT=0
  QC_TOKEN="$(shopper_token)"
  wrk -t1 -c8 -d"$ORDERS_WARMUP" -s bench/orders.lua "$URL" >/dev/null
  rows+=("$db|POST /v1/orders (3 random lines)|$CONNECTIONS|$(measured_wrk bench/orders.lua "$CONNECTIONS")")
  rows+=("$db|POST /v1/orders at a light load|$LIGHT_CONNECTIONS|$(measured_wrk bench/orders.lua "$LIGHT_CONNECTIONS")")

  echo "  $db: card orders and payment intents for the payment runs…"
  python3 bench/payments_setup.py orders "$URL" "$QC_TOKEN" "$CARD_ORDERS" "$work/orders.txt"
  head -n 500 "$work/orders.txt" >"$work/webhook-orders.txt"
  sed -n '501,600p' "$work/orders.txt" >"$work/pay-warmup.txt"
  sed -n '601,$p' "$work/orders.txt" >"$work/pay-orders.txt"
  python3 bench/payments_setup.py intents "$URL" "$QC_TOKEN" "$work/webhook-orders.txt" 500 "$work/intents.txt"
  export QC_EVENTS="$work/events.txt"
  python3 bench/payments_setup.py events "$SECRET" "$work/intents.txt" 100000 "$QC_EVENTS"
  wrk -t1 -c4 -d2s -s bench/webhooks.lua "$URL" >/dev/null
  python3 bench/payments_setup.py events "$SECRET" "$work/intents.txt" 100000 "$QC_EVENTS" # fresh ids, signed now
  rows+=("$db|POST /v1/webhooks/psp (signed, distinct ids)|$WEBHOOK_CONNECTIONS|$(measured_wrk bench/webhooks.lua "$WEBHOOK_CONNECTIONS")")
  python3 bench/payments_setup.py events "$SECRET" "$work/intents.txt" 100000 "$QC_EVENTS"
  rows+=("$db|POST /v1/webhooks/psp, saturated|$CONNECTIONS|$(measured_wrk bench/webhooks.lua "$CONNECTIONS")")
  QC_ORDERS="$work/pay-warmup.txt" wrk -t1 -c2 -d1s -s bench/payments.lua "$URL" >/dev/null
  rows+=("$db|POST /v1/payments (app + sandbox PSP)|2|$(QC_ORDERS="$work/pay-orders.txt" measured_wrk bench/payments.lua 2 3s)") # one order each: 3 s uses at most 2,400

  echo "  $db: $PICK_ORDERS orders paid on the sandbox's page (held) and their picks started, for the capture runs…"
  local admin
  admin="$(admin_token)"
  python3 bench/payments_setup.py orders "$URL" "$QC_TOKEN" "$PICK_ORDERS" "$work/pick-orders.txt"
  python3 bench/payments_setup.py picks "$URL" "$QC_TOKEN" "$admin" "$work/pick-orders.txt" "$work/picks.txt"
  head -n -50 "$work/picks.txt" >"$work/picks-burst.txt"
  tail -n 50 "$work/picks.txt" >"$work/picks-paced.txt"
  rows+=("$db|pick to card charged (capture), one at a time|1|$(python3 bench/payments_setup.py paced "$URL" "$admin" "$work/picks-paced.txt" | awk '/^RESULT/ {print $2, $3, $4, $5, $6}') -")
  rows+=("$db|POST /v1/ops/orders/{id}/pick (capture asked)|4|$(QC_ADMIN="$admin" QC_PICKS="$work/picks-burst.txt" measured_wrk bench/picks.lua 4 2s)") # one order each
  rows+=("$db|pick to card charged, after that burst|-|$(python3 bench/payments_setup.py charged "$URL" "$admin" "$work/picks-burst.txt" | awk '/^RESULT/ {print $2, $3, $4, $5, $6}') -")
}

peer_rounds() { # our list and item against the reference app's, one at a time, ROUNDS times
  local r ours theirs
  for r in $(seq 1 "$ROUNDS"); do
    for pair in "list|/v1/products?storeId=st_1&pageSize=24|/api/catalog/items?pageSize=24&pageIndex=0&api-version=1.0" \
                "item|/v1/products/p_1?storeId=st_1|/api/catalog/items/1?api-version=1.0"; do
      IFS='|' read -r what ours_path peer_path <<<"$pair"
      export QC_COOKIE=""
      QC_PATH="$ours_path"; export QC_PATH
      wrk -t1 -c8 -d"$WARMUP" -s bench/get.lua "$URL" >/dev/null
      ours="$(run_wrk bench/get.lua "$CONNECTIONS")"
      QC_PATH="$peer_path"
      URL="$PEER_URL" wrk -t1 -c8 -d"$WARMUP" -s bench/get.lua "$PEER_URL" >/dev/null
      theirs="$(URL="$PEER_URL" run_wrk bench/get.lua "$CONNECTIONS")"
      peer+=("$r|$what|$ours|$theirs")
    done
  done
}

echo "SQLite: migrating and seeding $PRODUCTS products and $HISTORY orders…"
start_app Sqlite "" "${app_env[@]}"
# Stock for every order the runs place; the history's reservations are kept (the expiry sweep releases them later).
sqlite3 "$work/qcommerce.db" "UPDATE Stock SET OnHand = Reserved + 10000000;"
measure SQLite Sqlite ""
stop_app Sqlite
rm -f "$work/psp-sandbox.db"* # each provider meets a fresh sandbox

echo "PostgreSQL: migrating and seeding $PRODUCTS products and $HISTORY orders…"
start_postgres
start_app Postgres "$PG_CS" "${app_env[@]}"
"${PSQL[@]}" -c 'UPDATE "Stock" SET "OnHand" = "Reserved" + 10000000' >/dev/null
measure PostgreSQL Postgres "$PG_CS"
peer=()
if [ -n "$PEER_URL" ]; then echo "Interleaved rounds with the reference app at $PEER_URL…"; peer_rounds; fi
stop_app Postgres

# The verdicts: figure database rps p95 p99 plaintext-rps -> "target|met"
judge() {
  awk -v f="$1" -v db="$2" -v rps="$3" -v p95="$4" -v p99="$5" -v plain="$6" 'BEGIN {
    t = "-"; m = "-"
    if (f ~ /^GET \/v1\/products \(24/) { t = ">=13% of plaintext, p99 <=10 ms"; m = (rps >= 0.13 * plain && p99 <= 10) ? "yes" : "no" }
    else if (f ~ /^search \/v1/)        { t = "p99 <=20 ms"; m = (p99 <= 20) ? "yes" : "no" }
    else if (f ~ /^category page/)      { t = ">=1,500 req/s, p99 <=25 ms"; m = (rps >= 1500 && p99 <= 25) ? "yes" : "no" }
    else if (f ~ /^POST \/v1\/orders \(/) { goal = (db == "SQLite") ? 400 : 500; t = ">=" goal "/s"; m = (rps >= goal) ? "yes" : "no" }
    else if (f ~ /light load/)          { t = "p95 <=50 ms"; m = (p95 <= 50) ? "yes" : "no" }
    else if (f ~ /webhooks.*saturated/) { t = ">=1,000/s (p99 at 8 conns)"; m = (rps >= 1000) ? "yes" : "no" }
    else if (f ~ /webhooks/)            { t = ">=1,000/s, p99 <=30 ms"; m = (rps >= 1000 && p99 <= 30) ? "yes" : "no" }
    else if (f ~ /^cold start/)         { t = "<=3,000 ms"; m = (rps <= 3000) ? "yes" : "no" }
    printf "%s|%s", t, m }'
}

stamp="$(date -u +%Y-%m-%dT%H:%M:%SZ)"
machine="$(nproc) cores ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//')), $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(uname -sr), .NET $(dotnet --version)"
json="bench/results/run-$(date -u +%Y%m%dT%H%M%SZ).json"
{
  printf '{\n  "at": "%s",\n  "machine": "%s",\n  "settings": {"duration": "%s", "warmup": "%s", "orders_warmup": "%s", "connections": %s, "products": %s, "history": %s},\n  "rows": [\n' \
    "$stamp" "$machine" "$DURATION" "$WARMUP" "$ORDERS_WARMUP" "$CONNECTIONS" "$PRODUCTS" "$HISTORY"
} >"$json"

printf '\n| %-10s | %-44s | %5s | %9s | %7s | %7s | %7s | %6s | %6s | %8s | %-32s | %-4s |\n' "database" "figure" "conns" "req/s" "p50 ms" "p95 ms" "p99 ms" "errors" "/plain" "CPU ms" "target" "met"
printf '|%s|%s|%s|%s|%s|%s|%s|%s|%s|%s|%s|%s|\n' "------------" "----------------------------------------------" "-------" "-----------" "---------" "---------" "---------" "--------" "--------" "----------" "----------------------------------" "------"
first=1
for row in "${rows[@]}"; do
  IFS='|' read -r db figure conns result <<<"$row"
  read -r rps p50 p95 p99 errors cpu <<<"$result"
  plain=""
  for other in "${rows[@]}"; do
    IFS='|' read -r odb ofigure _ oresult <<<"$other"
    [ "$odb" = "$db" ] && [[ "$ofigure" == plaintext* ]] && plain="${oresult%% *}"
  done
  share="-"
  [[ "$figure" != plaintext* && "$figure" != cold* && -n "$plain" ]] && share="$(awk -v a="$rps" -v b="$plain" 'BEGIN {printf "%.1f%%", 100 * a / b}')"
  IFS='|' read -r target met <<<"$(judge "$figure" "$db" "$rps" "$p95" "$p99" "${plain:-0}")"
  if [[ "$figure" == cold* ]]; then
    printf '| %-10s | %-44s | %5s | %9s | %7s | %7s | %7s | %6s | %6s | %8s | %-32s | %-4s |\n' "$db" "$figure" "-" "$rps ms" "-" "-" "-" "-" "-" "-" "$target" "$met"
  else
    printf '| %-10s | %-44s | %5s | %9s | %7s | %7s | %7s | %6s | %6s | %8s | %-32s | %-4s |\n' "$db" "$figure" "$conns" "$rps" "$p50" "$p95" "$p99" "$errors" "$share" "$cpu" "$target" "$met"
  fi
  [ $first -eq 1 ] || printf ',\n' >>"$json"
  first=0
  printf '    {"database": "%s", "figure": "%s", "connections": %s, "rps": %s, "p50_ms": %s, "p95_ms": %s, "p99_ms": %s, "errors": %s, "app_cpu_ms_per_request": %s, "target": "%s", "met": "%s"}' \
    "$db" "$figure" "${conns/#-/null}" "$rps" "$p50" "$p95" "$p99" "$errors" "${cpu/#-/null}" "$target" "$met" >>"$json"
done
printf '\n  ],\n  "peer": [' >>"$json"

if [ ${#peer[@]} -gt 0 ]; then
  printf '\nAgainst the reference app (eShop Catalog.API at %s), QCommerce on PostgreSQL, %s interleaved rounds:\n\n' "$PEER_URL" "$ROUNDS"
  printf '| %5s | %-5s | %12s | %12s | %7s | %-10s | %-4s |\n' "round" "what" "ours req/s" "eShop req/s" "ratio" "target" "met"
  printf '|%s|%s|%s|%s|%s|%s|%s|\n' "-------" "-------" "--------------" "--------------" "---------" "------------" "------"
  first=1
  for row in "${peer[@]}"; do
    IFS='|' read -r round what ours theirs <<<"$row"
    ours_rps="${ours%% *}"; theirs_rps="${theirs%% *}"
    ratio="$(awk -v a="$ours_rps" -v b="$theirs_rps" 'BEGIN {printf "%.2f", (b > 0) ? a / b : 0}')"
    met="$(awk -v r="$ratio" 'BEGIN {print (r >= 4) ? "yes" : "no"}')"
    printf '| %5s | %-5s | %12s | %12s | %6sx | %-10s | %-4s |\n' "$round" "$what" "$ours_rps" "$theirs_rps" "$ratio" ">=4x" "$met"
    [ $first -eq 1 ] || printf ',' >>"$json"
    first=0
    printf '\n    {"round": %s, "what": "%s", "ours_rps": %s, "peer_rps": %s, "ratio": %s}' "$round" "$what" "$ours_rps" "$theirs_rps" "$ratio" >>"$json"
  done
fi
printf '\n  ]\n}\n' >>"$json"

printf '\n%s; wrk -t1 -c%s -d%s after a %s warm-up (orders: %s); Release, Production; %s products, %s orders of history.\n' "$machine" "$CONNECTIONS" "$DURATION" "$WARMUP" "$ORDERS_WARMUP" "$PRODUCTS" "$HISTORY"
printf 'Pages with the store cookie; orders: cash on delivery, distinct Idempotency-Keys, the light load at %s connections; PostgreSQL with fsync on.\n' "$LIGHT_CONNECTIONS"
printf 'errors = non-2xx or socket errors; CPU ms = the app'"'"'s CPU per request (wrk, the kernel and PostgreSQL take the rest of the cores). The same figures: %s\n' "$json"
