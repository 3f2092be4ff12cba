#!/usr/bin/env bash
# Command 1: installs dependencies, makes sure Redis is reachable, writes a local .env with fresh
# secrets on first run, builds what changed (compiled JavaScript of every process, the admin), then
# starts sandbox + server + worker (+ bots when their tokens are set) on the embedded defaults
# (SQLite under data/), as production runs them: plain node, no TypeScript loader.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
[ -f .env ] && set -a && . ./.env && set +a
bash scripts/ensure-services.sh redis

if [ ! -f .env ]; then
  echo "[quickstart] writing .env with fresh SECRET_KEY and BOT_API_TOKEN (keep it private)"
  {
    echo "# Written by scripts/quickstart.sh; see .env.example for every variable."
    echo "SECRET_KEY=$(node -e 'console.log(require("crypto").randomBytes(32).toString("hex"))')"
    echo "BOT_API_TOKEN=$(node -e 'console.log(require("crypto").randomBytes(24).toString("hex"))')"
    echo "NANOBANANA_ANONYMOUS=true"
  } > .env
fi

# tsc -b is incremental: a second quickstart with no source changed compiles nothing.
echo "[quickstart] compiling the server, worker, bots, sandbox and launcher"
npx tsc -b scripts/launcher
if [ ! -f admin/dist/index.html ] || [ -n "$(find admin/src admin/index.html -newer admin/dist/index.html -print -quit 2>/dev/null)" ]; then
  echo "[quickstart] building the admin"
  npm run --silent build -w @dreamloom/admin >/dev/null
fi
exec npm start
