#!/usr/bin/env bash
# Support's customer search at scale: seeds CUSTOMERS (100,000) shopper accounts with names, e-mails and phones beside the
# demo shop, then measures GET /v1/ops/customers?q= for a common part of a name ("ana": many matches, the first 25 kept),
# a rare part of an e-mail, the last digits of a phone, an order id, and a text nobody has (every account looked at), at
# low concurrency so the figures are server time. SQLite (the accounts are read: no index answers '%ana%'), then a
# throwaway PostgreSQL (trigram indexes).
#   bench/customers.sh                   # CUSTOMERS=100000 DURATION=10s CONNECTIONS=2
#   PROVIDERS=Sqlite CUSTOMERS=20000 bench/customers.sh
set -euo pipefail
cd "$(dirname "$0")/.."
DURATION="${DURATION:-10s}"
CONNECTIONS="${CONNECTIONS:-2}"
CUSTOMERS="${CUSTOMERS:-100000}"
PROVIDERS="${PROVIDERS:-Sqlite Postgres}"
PORT="${PORT:-5098}"
URL="http://127.0.0.1:$PORT"
source bench/lib.sh
bench_setup customers wrk sqlite3 postgresql

first_names=(Ana Bruno Carla Diana Emil Fatima Gabriel Hana Ivan Julia Kofi Lena Marco Nadia Omar Priya Quinn Rosa Sven Tariq)
last_names=(Lima Okafor Schmidt Tanaka Rossi Nguyen Kowalski Haddad Silva Moreau Brennan Costa Dubois Eriksen Fischer Garcia Ivanova Jensen Khan Larsen)
sql_list() { printf "'%s'," "$@" | sed 's/,$//'; }        # 'Ana','Bruno',…
json_list() { printf '['; printf '"%s",' "$@" | sed 's/,$//'; printf ']'; }
firsts="$(sql_list "${first_names[@]}")"
lasts="$(sql_list "${last_names[@]}")"

seed_sqlite() {
  sqlite3 "$work/qcommerce.db" <<SQL
PRAGMA busy_timeout = 10000;
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < $CUSTOMERS),
  f(name, k) AS (SELECT value, key FROM json_each('$(json_list "${first_names[@]}")')),
  l(name, k) AS (SELECT value, key FROM json_each('$(json_list "${last_names[@]}")')),
  people AS (SELECT i, (SELECT name FROM f WHERE k = i % 20) AS first, (SELECT name FROM l WHERE k = (i / 20) % 20) AS last FROM n)
INSERT INTO AspNetUsers (Id, DisplayName, CreatedAtUtc, UserName, NormalizedUserName, Email, NormalizedEmail, EmailConfirmed, SecurityStamp,
  ConcurrencyStamp, PhoneNumber, PhoneNumberConfirmed, TwoFactorEnabled, LockoutEnabled, AccessFailedCount)
SELECT lower(hex(randomblob(16))), first || ' ' || last, '2026-01-01 00:00:00', e, upper(e), e, upper(e), 1, hex(randomblob(16)), hex(randomblob(16)),
  '+1212' || printf('%07d', i), 0, 0, 1, 0
FROM (SELECT i, first, last, lower(first) || '.' || lower(last) || '.' || i || '@example.com' AS e FROM people);
SQL
}

seed_postgres() {
  "${PSQL[@]}" -c "INSERT INTO \"AspNetUsers\" (\"Id\", \"DisplayName\", \"CreatedAtUtc\", \"UserName\", \"NormalizedUserName\", \"Email\", \"NormalizedEmail\",
      \"EmailConfirmed\", \"SecurityStamp\", \"ConcurrencyStamp\", \"PhoneNumber\", \"PhoneNumberConfirmed\", \"TwoFactorEnabled\", \"LockoutEnabled\", \"AccessFailedCount\")
    SELECT md5(random()::text || i), p.first || ' ' || p.last, '2026-01-01', p.e, upper(p.e), p.e, upper(p.e), true, md5(random()::text), md5(random()::text),
      '+1212' || lpad(i::text, 7, '0'), false, false, true, 0
    FROM (SELECT i, (ARRAY[$firsts])[1 + i % 20] AS first, (ARRAY[$lasts])[1 + (i / 20) % 20] AS last,
            lower((ARRAY[$firsts])[1 + i % 20] || '.' || (ARRAY[$lasts])[1 + (i / 20) % 20] || '.' || i || '@example.com') AS e
          FROM generate_series(1, $CUSTOMERS) i) p;
    ANALYZE \"AspNetUsers\";" >/dev/null
}

searches=(
  "part of a name (many)|ana"
  "part of an e-mail (one)|dubois.4242@"
  "last digits of a phone|0042424"
  "an order id|o_1500"
  "nobody has it|zqxv"
)

rows=()
for provider in $PROVIDERS; do
  cs=""
  if [ "$provider" = Postgres ]; then start_postgres; cs="$PG_CS"; fi
  start_app "$provider" "$cs" Database__DemoOrders=2000
  echo "$provider: seeding $CUSTOMERS customers…"
  if [ "$provider" = Postgres ]; then seed_postgres; else seed_sqlite; fi
  export QC_TOKEN; QC_TOKEN="$(admin_token)"
  for search in "${searches[@]}"; do
    label="${search%%|*}"; q="${search#*|}"
    export QC_PATH="/v1/ops/customers?q=$(python3 -c 'import sys, urllib.parse; print(urllib.parse.quote(sys.argv[1]))' "$q")"
    found=$(curl -fs -H "Authorization: Bearer $QC_TOKEN" "$URL$QC_PATH" | python3 -c 'import json, sys; d = json.load(sys.stdin); print(len(d["items"]), "+" if d["more"] else "")')
    wrk -t1 -c1 -d2s -s bench/ops.lua "$URL" >/dev/null # warm-up
    rows+=("$provider|$label|$q|$found|$(run_wrk bench/ops.lua "$CONNECTIONS")")
  done
  stop_app "$provider"
done

echo
printf '%-9s %-26s %-14s %7s %9s %9s %9s %9s %7s\n' provider search q found req/s p50_ms p95_ms p99_ms errors
for row in "${rows[@]}"; do
  IFS='|' read -r provider label q found result <<<"$row"
  read -r rps p50 p95 p99 errors <<<"$result"
  printf '%-9s %-26s %-14s %7s %9s %9s %9s %9s %7s\n' "$provider" "$label" "$q" "$found" "$rps" "$p50" "$p95" "$p99" "$errors"
done
