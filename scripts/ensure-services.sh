#!/usr/bin/env bash
# Makes sure the services Dreamloom needs are reachable: use a running one; else start the
# installed server; else install it with apt-get (root on Debian/Ubuntu); else stop and say what to install.
# Usage: scripts/ensure-services.sh redis [mariadb] [chromium] [s3] [nginx]
set -euo pipefail

say() { printf '\033[1;34m[services]\033[0m %s\n' "$*"; }
die() { printf '\033[1;31m[services]\033[0m %s\n' "$*" >&2; exit 1; }

port_open() { (exec 3<>"/dev/tcp/$1/$2") 2>/dev/null && exec 3>&- 3<&-; }

wait_port() { # host port seconds
  for _ in $(seq 1 "$3"); do port_open "$1" "$2" && return 0; sleep 1; done
  return 1
}

apt_install() { # packages...
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    say "installing $* with apt-get"
    if [ -z "${DREAMLOOM_APT_UPDATED:-}" ]; then apt-get update -qq >/dev/null || true; export DREAMLOOM_APT_UPDATED=1; fi
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
  else
    return 1
  fi
}

ensure_redis() {
  local url="${REDIS_URL:-redis://127.0.0.1:6379}"
  local hostport="${url#*://}"; hostport="${hostport##*@}"; hostport="${hostport%%/*}"
  local host="${hostport%%:*}" port="${hostport##*:}"
  [ "$port" = "$host" ] && port=6379
  if port_open "$host" "$port"; then say "redis reachable at $host:$port"; return; fi
  case "$host" in 127.0.0.1|localhost) ;; *) die "Redis at $host:$port is not reachable; start it or set REDIS_URL";; esac
  if ! command -v redis-server >/dev/null 2>&1; then
    apt_install redis-server || die "Redis is not installed. Install it (Debian/Ubuntu: sudo apt-get install -y redis-server; macOS: brew install redis) or set REDIS_URL."
  fi
  say "starting redis-server on $port"
  mkdir -p /tmp/dreamloom-redis
  redis-server --daemonize yes --bind 127.0.0.1 --port "$port" --save "" --appendonly no --dir /tmp/dreamloom-redis \
    --logfile /tmp/dreamloom-redis/redis.log >/dev/null
  wait_port "$host" "$port" 20 || die "redis-server did not come up; see /tmp/dreamloom-redis/redis.log"
}

ensure_mariadb() {
  if port_open 127.0.0.1 3306; then say "mariadb reachable at 127.0.0.1:3306"
  else
    if [ ! -x /usr/sbin/mariadbd ] && [ ! -x /usr/sbin/mysqld ]; then
      apt_install mariadb-server || die "MariaDB is not installed. Install it (Debian/Ubuntu: sudo apt-get install -y mariadb-server) or set TEST_MYSQL_URL."
    fi
    local daemon=/usr/sbin/mariadbd; [ -x "$daemon" ] || daemon=/usr/sbin/mysqld
    mkdir -p /run/mysqld && chown mysql:mysql /run/mysqld 2>/dev/null || true
    if [ ! -d /var/lib/mysql/mysql ]; then
      say "initialising the MariaDB data directory"
      (mariadb-install-db --user=mysql >/dev/null 2>&1 || mysql_install_db --user=mysql >/dev/null 2>&1) || true
    fi
    say "starting MariaDB"
    start-stop-daemon --start --oknodo --background --exec "$daemon" -- --user=mysql >/dev/null 2>&1 \
      || ("$daemon" --user=mysql >/tmp/dreamloom-mariadb.log 2>&1 &)
    wait_port 127.0.0.1 3306 60 || die "MariaDB did not come up on 127.0.0.1:3306"
  fi
  # Tests connect as root with an empty password over TCP and need the `test` database.
  if command -v mariadb >/dev/null 2>&1; then
    mariadb -h127.0.0.1 -uroot -e "CREATE DATABASE IF NOT EXISTS test" 2>/dev/null \
      || mariadb -uroot -e "ALTER USER 'root'@'localhost' IDENTIFIED VIA mysql_native_password USING PASSWORD(''); CREATE DATABASE IF NOT EXISTS test" 2>/dev/null \
      || say "could not prepare root@127.0.0.1 with an empty password; set TEST_MYSQL_URL if tests cannot connect"
  fi
}

ensure_chromium() {
  if [ -x "${CHROMIUM_PATH:-/usr/bin/chromium}" ]; then
    say "chromium present"
  else
    apt_install chromium || die "Chromium is needed for the browser tests. Install it (Debian: sudo apt-get install -y chromium) or set CHROMIUM_PATH."
  fi
  # A CJK font, checked on its own: the admin layout test measures the Chinese pages, whose widths are
  # only right with real CJK glyphs (a chromium installed without it once failed that test).
  if fc-list :lang=zh 2>/dev/null | grep -q .; then say "CJK font present"; return; fi
  apt_install fonts-noto-cjk || say "no CJK font (Debian: fonts-noto-cjk): the Chinese admin layout checks will fail"
}

# The S3-protocol server of the storage tests is s3rver, an npm dev dependency of tests/ (MinIO has no
# Debian package): each test file starts its own on 127.0.0.1 with a temp directory and stops it.
# Here we only make sure it is installed, so a missing `npm ci` fails with this message, not mid-test.
ensure_s3() {
  if (cd "$(dirname "$0")/../tests" && node -e "require.resolve('s3rver')" >/dev/null 2>&1); then say "s3rver installed (tests start it)"; return; fi
  say "installing s3rver with npm ci"
  (cd "$(dirname "$0")/.." && npm ci --no-audit --no-fund >/dev/null) || die "s3rver is missing; run npm ci"
}

# nginx is the load balancer of `npm run cluster` and tests/cluster.test.ts. Only the binary is
# needed: each of them runs its own nginx in the foreground with a generated config in a temp
# directory, so the system service is never started (and a running one is left alone).
ensure_nginx() {
  if command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ]; then say "nginx installed (the cluster starts its own)"; return; fi
  # Debian's package starts the system service after installing; policy-rc.d (exit 101) tells
  # invoke-rc.d not to, and is removed again unless it was there before.
  local policy=/usr/sbin/policy-rc.d made_policy=
  if [ "$(id -u)" = 0 ] && [ ! -e "$policy" ]; then printf '#!/bin/sh\nexit 101\n' >"$policy" && chmod +x "$policy" && made_policy=1; fi
  local installed=0
  apt_install nginx && installed=1
  [ -n "$made_policy" ] && rm -f "$policy"
  [ "$installed" = 1 ] || die "nginx is needed by npm run cluster and the cluster test. Install it (Debian/Ubuntu: sudo apt-get install -y nginx; macOS: brew install nginx)."
}

for service in "$@"; do
  case "$service" in
    redis) ensure_redis ;;
    mariadb) ensure_mariadb ;;
    chromium) ensure_chromium ;;
    s3) ensure_s3 ;;
    nginx) ensure_nginx ;;
    *) die "unknown service $service" ;;
  esac
done
