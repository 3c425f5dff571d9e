#!/usr/bin/env bash
# The README's quick start, end to end on the embedded default: `npm start` with no DATABASE_URL (PGlite in a
# fresh data dir), the replay command sends the Shopify samples, and the summary answers the figures of the
# hand calculation in test/integration/fixtures-replay.test.ts.
set -euo pipefail
cd "$(dirname "$0")/.."
data=$(mktemp -d)
port=$(( 20000 + RANDOM % 20000 ))
log="$data/server.log"
# Its own process group, so that stopping it stops npm and the node process npm started.
env -u DATABASE_URL -u SHOPSIGHT_ADMIN_TOKEN SHOPSIGHT_DATA_DIR="$data" PORT="$port" LOG_LEVEL=warn \
  setsid npm start >"$log" 2>&1 &
server=$!
cleanup() {
  local status=$?
  kill -TERM -- "-$server" 2>/dev/null || true
  wait "$server" 2>/dev/null || true
  rm -rf "$data"
  exit "$status"
}
trap cleanup EXIT
for _ in $(seq 1 120); do curl -sf "http://127.0.0.1:$port/healthz" >/dev/null && break; sleep 0.5; done
curl -sf "http://127.0.0.1:$port/healthz" >/dev/null || { cat "$log"; exit 1; }
grep -q "generated an admin token" "$log" || { echo "the admin token was not printed at first start"; exit 1; }
SHOPSIGHT_DATA_DIR="$data" PORT="$port" npm run --silent replay -- --dir test/fixtures/shopify --create-tenant --secret smoke-secret
token=$(cat "$data/admin-token")
tenant=$(curl -sf -H "authorization: Bearer $token" "http://127.0.0.1:$port/api/v1/tenants" | node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>console.log(JSON.parse(s).tenants[0].id))')
for _ in $(seq 1 60); do
  summary=$(curl -sf -H "authorization: Bearer $token" "http://127.0.0.1:$port/api/v1/tenants/$tenant/analytics/summary?from=2000-01-01&to=2026-01-01")
  echo "$summary" | grep -q '"netSales":"800.73"' && break
  sleep 0.5
done
echo "$summary"
echo "$summary" | grep -q '"orders":4' && echo "$summary" | grep -q '"netSales":"800.73"' && echo "$summary" | grep -q '"totalSales":"818.21"' \
  || { echo "embedded summary does not match the hand calculation"; cat "$log"; exit 1; }
# The dashboard: the app's page at / and at a deep link (the SPA fallback), an API 404 still JSON.
curl -sf "http://127.0.0.1:$port/" | grep -q '<div id="root">' || { echo "/ does not serve the dashboard"; exit 1; }
curl -sf "http://127.0.0.1:$port/stores/$tenant?range=last_7_days" | grep -q '<div id="root">' \
  || { echo "a dashboard deep link does not serve the app"; exit 1; }
echo "embedded end to end: ok"
