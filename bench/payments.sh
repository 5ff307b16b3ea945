#!/usr/bin/env bash
# Load-tests payments against a Release publish on 127.0.0.1 with the embedded sandbox PSP, over SQLite
# and then over a throwaway PostgreSQL cluster:
#   1. webhook ingest: POST /v1/webhooks/psp with Stripe-signed events, each with its own event id,
#      about payments that exist (requires_action / succeeded: the first of each applies, the rest
#      are stored and change nothing, as late events do);
#   2. payment initiation: POST /v1/payments for fresh card orders (one payment per order), which
#      calls the sandbox over HTTP through Stripe.net; and the sandbox alone, to separate its share;
#   3. the capture at the end of a pick: orders paid on the sandbox's page (their totals held), picked by staff
#      (every other one a line short) with POST /v1/ops/orders/{id}/pick, and the time from each pick to its card
#      charged (the outbox asks the sandbox to capture; its answer charges the order), read from the orders' timelines.
# Prints one table.
#   bench/payments.sh               # 10 s per run
#   DURATION=20s bench/payments.sh
set -euo pipefail
cd "$(dirname "$0")/.."
DURATION="${DURATION:-10s}"
PAY_DURATION="${PAY_DURATION:-4s}" # each payment needs its own order: a run must not use up its orders
WEBHOOK_CONNECTIONS="${WEBHOOK_CONNECTIONS:-8}"
PAY_CONNECTIONS="${PAY_CONNECTIONS:-2}"
PICK_DURATION="${PICK_DURATION:-2s}" # each pick needs its own paid order: a run must not use up its orders
PICK_CONNECTIONS="${PICK_CONNECTIONS:-4}"
PICK_ORDERS="${PICK_ORDERS:-1050}" # 1,000 for the burst (2 s at up to 500/s: never a pick twice), 50 picked one at a time
ORDERS="${ORDERS:-6500}"
PORT="${PORT:-5097}"
URL="http://127.0.0.1:$PORT"
SECRET="whsec_bench_only"
export QC_SANDBOX_KEY="sk_test_bench_only"
source bench/lib.sh
bench_setup payments wrk sqlite3 python3 postgresql
app_env=(Payments__Sandbox__DataPath="$work/psp-sandbox.db" Payments__Stripe__WebhookSecret="$SECRET" Payments__Sandbox__ApiKey="$QC_SANDBOX_KEY")

rows=()
measure() { # label: the app is running with its stock topped up
  local token
  token="$(shopper_token)"

  echo "  placing $ORDERS card orders to pay…"
  python3 bench/payments_setup.py orders "$URL" "$token" "$((ORDERS + PICK_ORDERS))" "$work/orders.txt"
  head -n 500 "$work/orders.txt" >"$work/webhook-orders.txt"
  sed -n '501,800p' "$work/orders.txt" >"$work/pay-orders-warmup.txt"
  sed -n '801,3500p' "$work/orders.txt" >"$work/pay-orders.txt"
  sed -n "3501,${ORDERS}p" "$work/orders.txt" >"$work/pay-orders-saturated.txt"
  sed -n "$((ORDERS + 1)),\$p" "$work/orders.txt" >"$work/pick-orders.txt"
  python3 bench/payments_setup.py intents "$URL" "$token" "$work/webhook-orders.txt" 500 "$work/intents.txt"

  echo "  webhook ingest…"
  export QC_EVENTS="$work/events.txt"
  fresh_events() { python3 bench/payments_setup.py events "$SECRET" "$work/intents.txt" 100000 "$QC_EVENTS"; } # new ids, signed now
  fresh_events
  wrk -t1 -c4 -d2s -s bench/webhooks.lua "$URL" >/dev/null # warm-up: JIT, pools
  fresh_events
  rows+=("$1|POST /v1/webhooks/psp (signed, distinct ids)|$WEBHOOK_CONNECTIONS|$(run_wrk bench/webhooks.lua "$WEBHOOK_CONNECTIONS")")
  fresh_events
  rows+=("$1|  the same, saturated|32|$(run_wrk bench/webhooks.lua 32)")

  echo "  payment initiation…"
  export QC_TOKEN="$token" QC_ORDERS="$work/pay-orders.txt"
  QC_ORDERS="$work/pay-orders-warmup.txt" wrk -t1 -c2 -d1s -s bench/payments.lua "$URL" >/dev/null # warm-up: JIT, the Stripe.net client
  rows+=("$1|POST /v1/payments (app + sandbox PSP)|$PAY_CONNECTIONS|$(run_wrk bench/payments.lua "$PAY_CONNECTIONS" "$PAY_DURATION")")
  rows+=("$1|  the sandbox PSP alone|$PAY_CONNECTIONS|$(QC_SANDBOX=1 run_wrk bench/payments.lua "$PAY_CONNECTIONS" "$PAY_DURATION")")
  rows+=("$1|POST /v1/payments, saturated|8|$(QC_ORDERS="$work/pay-orders-saturated.txt" run_wrk bench/payments.lua 8 "$PAY_DURATION")")

  echo "  the pick's capture ($PICK_ORDERS orders paid on the sandbox's page first)…"
  local admin
  admin="$(admin_token)"
  python3 bench/payments_setup.py picks "$URL" "$token" "$admin" "$work/pick-orders.txt" "$work/picks.txt"
  head -n -50 "$work/picks.txt" >"$work/picks-burst.txt"
  tail -n 50 "$work/picks.txt" >"$work/picks-paced.txt"
  rows+=("$1|  pick to card charged, one pick at a time|1|$(python3 bench/payments_setup.py paced "$URL" "$admin" "$work/picks-paced.txt" | awk '/^RESULT/ {print $2, $3, $4, $5, $6}')")
  rows+=("$1|POST /v1/ops/orders/{id}/pick (money held: capture asked)|$PICK_CONNECTIONS|$(QC_ADMIN="$admin" QC_PICKS="$work/picks-burst.txt" run_wrk bench/picks.lua "$PICK_CONNECTIONS" "$PICK_DURATION")")
  rows+=("$1|  pick to card charged, after that burst (the outbox's pace)|-|$(python3 bench/payments_setup.py charged "$URL" "$admin" "$work/picks-burst.txt" | awk '/^RESULT/ {print $2, $3, $4, $5, $6}')")
}

echo "SQLite…"
start_app Sqlite "" "${app_env[@]}"
sqlite3 "$work/qcommerce.db" "UPDATE Stock SET OnHand = Reserved + 10000000;"
measure SQLite
stop_app Sqlite
rm -f "$work/psp-sandbox.db"* # each provider meets a fresh sandbox

echo "PostgreSQL…"
start_postgres
start_app Postgres "$PG_CS" "${app_env[@]}"
"${PSQL[@]}" -c 'UPDATE "Stock" SET "OnHand" = "Reserved" + 10000000' >/dev/null
measure PostgreSQL
stop_app Postgres

printf '\n| %-10s | %-46s | %11s | %9s | %8s | %8s | %8s | %8s |\n' "database" "endpoint" "connections" "req/s" "p50 ms" "p95 ms" "p99 ms" "errors"
printf '|%s|%s|%s|%s|%s|%s|%s|%s|\n' "------------" "------------------------------------------------" "-------------" "-----------" "----------" "----------" "----------" "----------"
for row in "${rows[@]}"; do
  IFS='|' read -r db what conns result <<<"$row"
  read -r rps p50 p95 p99 errors <<<"$result"
  printf '| %-10s | %-46s | %11s | %9s | %8s | %8s | %8s | %8s |\n' "$db" "$what" "$conns" "$rps" "$p50" "$p95" "$p99" "$errors"
done
printf '\nwrk -t1 -d%s (payments -d%s) on %s cores shared by wrk, the app and its sandbox PSP; Release; PostgreSQL with fsync on; the sandbox PSP keeps its own SQLite file either way. errors = non-2xx or socket errors.\n' "$DURATION" "$PAY_DURATION" "$(nproc)"
printf 'Payment initiation includes the sandbox PSP (in the same process, over HTTP); the app overhead is the first row minus the second.\n'
