#!/usr/bin/env bash
# Load-tests placing orders: POST /v1/orders with three lines, a new Idempotency-Key each time and
# stock topped up so every order can succeed, against a Release publish on 127.0.0.1, first over
# SQLite, then over a throwaway PostgreSQL cluster. Each provider is measured at full load
# (CONNECTIONS) and at a lighter load (LIGHT_CONNECTIONS, about half the throughput, where p95 is
# what a shopper feels), with baskets of random SKUs; then once more with every order on the same
# three SKUs ("hot"), which serialises on those stock rows. Prints one table.
#   bench/orders.sh                 # 15 s per run
#   DURATION=30s bench/orders.sh
set -euo pipefail
cd "$(dirname "$0")/.."
need=()
command -v wrk >/dev/null 2>&1 || need+=(wrk)
command -v sqlite3 >/dev/null 2>&1 || need+=(sqlite3)
ls -d /usr/lib/postgresql/*/bin >/dev/null 2>&1 || need+=(postgresql)
if [ ${#need[@]} -gt 0 ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null; fi

DURATION="${DURATION:-15s}"
CONNECTIONS="${CONNECTIONS:-32}"
LIGHT_CONNECTIONS="${LIGHT_CONNECTIONS:-2}"
PORT="${PORT:-5098}"
URL="http://127.0.0.1:$PORT"
app_dir="artifacts/bench-app"
work="$(mktemp -d /tmp/qcommerce-bench-orders.XXXXXX)"
chmod 755 "$work"
PG="$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)"
app_pid=""
cleanup() {
  [ -n "$app_pid" ] && { kill "$app_pid" 2>/dev/null || true; wait "$app_pid" 2>/dev/null || true; }
  [ -d "$work/pg/data" ] && runuser -u postgres -- "$PG/pg_ctl" -D "$work/pg/data" -m fast stop >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT

echo "Publishing a Release build…"
dotnet publish QCommerce.Web -c Release -o "$app_dir" --nologo -v quiet >/dev/null

start_app() { # provider connection-string
  ASPNETCORE_ENVIRONMENT=Production ASPNETCORE_URLS="$URL" Database__Provider="$1" \
    ConnectionStrings__Sqlite="Data Source=$work/qcommerce.db" ConnectionStrings__Postgres="$2" \
    Admin__Password="Bench-Passw0rd!" Logging__LogLevel__Default=Warning \
    dotnet "$app_dir/QCommerce.Web.dll" >"$work/app-$1.log" 2>&1 &
  app_pid=$!
  until curl -fs -o /dev/null "$URL/health/ready"; do
    kill -0 "$app_pid" 2>/dev/null || { cat "$work/app-$1.log"; exit 1; }
    sleep 0.1
  done
}

stop_app() { kill "$app_pid"; wait "$app_pid" 2>/dev/null || true; app_pid=""; }

shopper_token() {
  local email="bench-$RANDOM$RANDOM@example.com"
  curl -fs -X POST "$URL/v1/auth/register" -H 'content-type: application/json' -d "{\"email\":\"$email\",\"password\":\"Bench-Passw0rd!\"}" >/dev/null
  curl -fs -X POST "$URL/v1/auth/login" -H 'content-type: application/json' -d "{\"email\":\"$email\",\"password\":\"Bench-Passw0rd!\"}" \
    | sed -E 's/.*"accessToken":"([^"]+)".*/\1/'
}

run_wrk() { # connections [hot] -> "rps p50 p95 p99 errors"
  QC_HOT="${2:-0}" wrk -t1 -c"$1" -d"$DURATION" -s bench/orders.lua "$URL" | awk '/^RESULT/ {print $2, $3, $4, $5, $6}'
}

rows=()
measure() { # provider label
  export QC_TOKEN QC_STORE=st_1 QC_ZIP=10013 QC_SKU_COUNT=200
  QC_TOKEN="$(shopper_token)"
  wrk -t1 -c8 -d3s -s bench/orders.lua "$URL" >/dev/null # warm-up: JIT, pools
  local full light hot
  full="$(run_wrk "$CONNECTIONS")"
  light="$(run_wrk "$LIGHT_CONNECTIONS")"
  hot="$(run_wrk "$CONNECTIONS" 1)"
  rows+=("$1|$CONNECTIONS|$full" "$1|$LIGHT_CONNECTIONS|$light" "$1 hot|$CONNECTIONS|$hot")
}

echo "SQLite…"
start_app Sqlite ""
sqlite3 "$work/qcommerce.db" "UPDATE Stock SET OnHand = 10000000, Reserved = 0;"
measure SQLite
stop_app

echo "PostgreSQL…"
install -d -o postgres -g postgres -m 700 "$work/pg/data"
install -d -o postgres -g postgres "$work/pg/sock"
pg_port=55600
while (exec 3<>"/dev/tcp/127.0.0.1/$pg_port") 2>/dev/null; do pg_port=$((pg_port + 1)); done
runuser -u postgres -- "$PG/initdb" -D "$work/pg/data" -A trust -U postgres >/dev/null
runuser -u postgres -- "$PG/pg_ctl" -D "$work/pg/data" -l "$work/pg/data/server.log" -w \
  -o "-p $pg_port -k $work/pg/sock -c listen_addresses=127.0.0.1 -c max_connections=200" start >/dev/null
runuser -u postgres -- psql -q -h 127.0.0.1 -p "$pg_port" -U postgres -c "CREATE DATABASE qcommerce" >/dev/null
start_app Postgres "Host=127.0.0.1;Port=$pg_port;Username=postgres;Database=qcommerce"
runuser -u postgres -- psql -q -h 127.0.0.1 -p "$pg_port" -U postgres -d qcommerce -c 'UPDATE "Stock" SET "OnHand" = 10000000, "Reserved" = 0' >/dev/null
measure PostgreSQL
stop_app

printf '\n| %-15s | %11s | %9s | %8s | %8s | %8s | %8s |\n' "database" "connections" "orders/s" "p50 ms" "p95 ms" "p99 ms" "errors"
printf '|%s|%s|%s|%s|%s|%s|%s|\n' "-----------------" "-------------" "-----------" "----------" "----------" "----------" "----------"
for row in "${rows[@]}"; do
  IFS='|' read -r db conns result <<<"$row"
  read -r rps p50 p95 p99 errors <<<"$result"
  printf '| %-15s | %11s | %9s | %8s | %8s | %8s | %8s |\n' "$db" "$conns" "$rps" "$p50" "$p95" "$p99" "$errors"
done
printf '\nPOST /v1/orders, 3 lines (4 units), cash on delivery, distinct Idempotency-Keys; wrk -t1 -d%s on %s cores; Release.\n' "$DURATION" "$(nproc)"
printf 'PostgreSQL runs with fsync on (the default); errors = non-2xx or socket errors.\n'
