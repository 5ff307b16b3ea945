#!/usr/bin/env bash
# Runs the order-money property tests (QCommerce.Tests/Ordering/OrderMoneyPropertyTests.cs) for longer than CI does:
# random sequences of staff, shopper and PSP actions on paid orders, and pairs of staff actions at once, on SQLite and
# on a throwaway PostgreSQL cluster, each checked against the money model after every step. A failure prints the
# shortest sequence CsCheck found and the seed that replays it.
#   bench/money.sh                  # 10 minutes for the sequences, 5 for the pairs, each provider
#   SECONDS_EACH=1800 bench/money.sh
#   CsCheck_Seed=… bench/money.sh   # replays one failure
set -euo pipefail
cd "$(dirname "$0")/.."
SECONDS_EACH="${SECONDS_EACH:-600}"
PG="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)"
[ -x "$PG/initdb" ] || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null; PG="$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)"; }
dir="$(mktemp -d /tmp/qcommerce-money.XXXXXX)"; chmod 755 "$dir"
install -d -o postgres -g postgres -m 700 "$dir/data"; install -d -o postgres -g postgres "$dir/sock"
port=55700; while (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; do port=$((port + 1)); done
trap 'runuser -u postgres -- "$PG/pg_ctl" -D "$dir/data" -m fast stop >/dev/null 2>&1 || true; rm -rf "$dir"' EXIT
runuser -u postgres -- "$PG/initdb" -D "$dir/data" -A trust -U postgres >/dev/null
runuser -u postgres -- "$PG/pg_ctl" -D "$dir/data" -l "$dir/data/server.log" -w \
  -o "-p $port -k $dir/sock -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=300" start >/dev/null
export QC_TEST_POSTGRES="Host=127.0.0.1;Port=$port;Username=postgres;Include Error Detail=true"
dotnet build QCommerce.Tests -c Release --nologo -v quiet
QC_PROPERTY_SECONDS="$SECONDS_EACH" dotnet test QCommerce.Tests -c Release --no-build --nologo \
  --filter "FullyQualifiedName~OrderMoneyPropertyTests" --logger "console;verbosity=normal" 2>&1 \
  | grep -E "iterations|^\s+(Passed|Failed) QCommerce|Set seed|no order of|after |Total tests|Passed:|Failed:" || true
