#!/usr/bin/env bash
# The test command (README: `bash eng/test.sh`). On a fresh Debian machine with only the .NET SDK
# it installs what the tests need (as root), starts a Docker Engine when none answers, builds the
# local test image without pulling anything, runs every test, and ends with one line:
# `N passed, N failed`.
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

image="${ATLAS_TEST_IMAGE:-atlas-test/busybox:latest}"
results="TestResults"

say() { echo "[test.sh] $*"; }

install_missing() {
  local missing=()
  command -v redis-server >/dev/null || missing+=(redis-server)
  { command -v dockerd >/dev/null && command -v docker >/dev/null; } || missing+=(docker.io)
  [ -x /bin/busybox ] || missing+=(busybox-static)
  [ -x /usr/bin/chromium ] || missing+=(chromium)
  { command -v node >/dev/null && command -v npm >/dev/null; } || missing+=(nodejs npm)
  command -v aws >/dev/null || missing+=(awscli)
  command -v cfn-lint >/dev/null || missing+=(python3-venv)
  # The deploy tests: docker-compose up of the published file, systemd-analyze verify of the units.
  command -v docker-compose >/dev/null || missing+=(docker-compose)
  command -v systemd-analyze >/dev/null || missing+=(systemd)
  command -v python3 >/dev/null || missing+=(python3) # jobs that use atlas_job.py
  [ ${#missing[@]} -eq 0 ] && return 0
  if [ "$(id -u)" -ne 0 ]; then
    say "missing: ${missing[*]} — install them (sudo apt-get install ${missing[*]}); the tests that need them fail in CI and are skipped locally"
    return 0
  fi
  say "installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq && apt-get install -y -qq "${missing[@]}" >/dev/null
  install_cfn_lint
}

# cfn-lint (the EC2 template tests) is not a Debian package: a venv of its own from PyPI.
install_cfn_lint() {
  command -v cfn-lint >/dev/null && return 0
  say "installing cfn-lint"
  python3 -m venv /opt/cfn-lint && /opt/cfn-lint/bin/pip install -q cfn-lint && ln -sf /opt/cfn-lint/bin/cfn-lint /usr/local/bin/cfn-lint
}

start_docker() {
  command -v docker >/dev/null || return 0
  docker info >/dev/null 2>&1 && return 0
  if [ "$(id -u)" -ne 0 ] || ! command -v dockerd >/dev/null; then
    say "no Docker Engine answers and this user cannot start one"
    return 0
  fi
  local log="${TMPDIR:-/tmp}/atlas-dockerd.log"
  say "starting dockerd (log: $log)"
  nohup dockerd >"$log" 2>&1 &
  for _ in $(seq 1 60); do
    docker info >/dev/null 2>&1 && return 0
    sleep 0.5
  done
  say "dockerd did not answer within 30 s; see $log"
}

build_test_image() {
  docker info >/dev/null 2>&1 || return 0
  docker image inspect "$image" >/dev/null 2>&1 && return 0
  [ -x /bin/busybox ] || { say "no /bin/busybox: cannot build $image"; return 0; }
  say "building $image from the static busybox (nothing is pulled)"
  local rootfs
  rootfs="$(mktemp -d)"
  mkdir -p "$rootfs/bin" "$rootfs/tmp"
  cp /bin/busybox "$rootfs/bin/busybox"
  for applet in $(/bin/busybox --list); do
    # A link named busybox would replace the binary itself.
    [ "$applet" = busybox ] || ln -sf busybox "$rootfs/bin/$applet"
  done
  tar -C "$rootfs" -c . | docker import --change 'ENV PATH=/bin' - "$image" >/dev/null
  rm -rf "$rootfs"
}

# The login tests run a real OpenID Connect provider: npm oidc-provider 9 (tests/oidc-provider),
# which needs Node.js 20.19 or newer (it prefers 22 LTS). Debian 12's own nodejs is 18: then a
# Node 22 is installed from the npm registry's node-linux-<arch> package (the binary ships inside
# the package) into a cache folder and put first on PATH for this run.
node_is_recent() {
  command -v node >/dev/null &&
    node -e 'const [a, b] = process.versions.node.split(".").map(Number); process.exit(a > 20 || (a === 20 && b >= 19) ? 0 : 1)'
}

prepare_oidc_provider() {
  if ! command -v npm >/dev/null; then
    say "no npm: the login tests fail in CI and are skipped locally"
    return 0
  fi
  if ! node_is_recent; then
    local arch cache
    case "$(uname -m)" in x86_64) arch=x64 ;; aarch64) arch=arm64 ;; *) arch="" ;; esac
    cache="${XDG_CACHE_HOME:-$HOME/.cache}/atlas/node22"
    if [ -n "$arch" ] && [ ! -x "$cache/node_modules/node-linux-$arch/bin/node" ]; then
      say "node is missing or older than 20.19: installing node-linux-$arch@22 from npm into $cache"
      npm install --prefix "$cache" --no-audit --no-fund --loglevel=error "node-linux-$arch@22" >/dev/null ||
        say "could not install node-linux-$arch@22"
    fi
    [ -n "$arch" ] && export PATH="$cache/node_modules/node-linux-$arch/bin:$PATH"
  fi
  if ! node_is_recent; then
    say "no Node.js 20.19 or newer: the login tests will fail"
    return 0
  fi
  say "installing the test OIDC provider's packages (npm ci, node $(node --version))"
  (cd tests/oidc-provider && npm ci --no-audit --no-fund --loglevel=error) || say "npm ci failed in tests/oidc-provider"
}

install_missing
start_docker
build_test_image
prepare_oidc_provider

rm -rf "$results"
say "building"
dotnet build Atlas.sln -nologo -v quiet || { echo "0 passed, 1 failed"; exit 1; }
say "testing"
dotnet test Atlas.sln --no-build -nologo \
  --logger "trx" --results-directory "$results" \
  --blame-hang-timeout 15m
status=$?

# Totals from the TRX files: <Counters total=".." executed=".." passed=".." failed=".." ...>
passed=0
failed=0
found=0
for trx in "$results"/*.trx; do
  [ -e "$trx" ] || continue
  found=1
  counters="$(grep -o '<Counters [^>]*>' "$trx" | head -n 1)"
  p="$(sed -n 's/.* passed="\([0-9]*\)".*/\1/p' <<<"$counters")"
  f="$(sed -n 's/.* failed="\([0-9]*\)".*/\1/p' <<<"$counters")"
  passed=$((passed + ${p:-0}))
  failed=$((failed + ${f:-0}))
done
if [ "$found" -eq 0 ]; then
  say "no test results were written"
  failed=$((failed + 1))
  [ "$status" -ne 0 ] || status=1
fi
echo "$passed passed, $failed failed"
exit "$status"
