#!/usr/bin/env bash
# Command 2: installs what is missing, makes sure MariaDB, Redis and Chromium are there,
# then runs lint, typecheck and every test (each package through lerna), and prints one total.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
bash scripts/ensure-services.sh redis mariadb chromium s3 nginx

echo "[test] lint";       npm run --silent lint
echo "[test] typecheck";  npm run --silent typecheck
echo "[test] build admin"; npm run --silent build -w @dreamloom/admin >/dev/null

report_dir=$(mktemp -d)
status=0
# --no-sort: packages' tests do not depend on each other's, so one failing package must not skip the
# ones that import it (with the topological order, a bots failure skipped the whole tests package).
VITEST_REPORT_DIR="$report_dir" npx lerna run test --concurrency 1 --stream --no-progress --no-bail --no-sort || status=$?
node scripts/summarise-tests.mjs "$report_dir" || status=1
rm -rf "$report_dir"
exit $status
