#!/usr/bin/env bash
# Times `atlas deploy aws up --dry-run` (the template printed, nothing touched) per deployment
# type, beside `atlas --help` (the CLI's own start) in the same run, RUNS times each.
# usage: bench/scripts/deploy-dry-run.sh [CONFIGURATION] [RUNS] [WORKERS]
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
config="${1:-Release}"; runs="${2:-10}"; workers="${3:-10}"
cli="Atlas.Cli/bin/$config/net10.0/Atlas.Cli"
[ -x "$cli" ] || { echo "build it first: dotnet build Atlas.Cli -c $config" >&2; exit 1; }

median_ms() { # command...: the median wall time of $runs runs, in ms
  local times=()
  for _ in $(seq "$runs"); do
    local start end
    start=$(date +%s%N); "$@" >/dev/null 2>&1; end=$(date +%s%N)
    times+=($(( (end - start) / 1000000 )))
  done
  printf '%s\n' "${times[@]}" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)] " ms (min " a[1] ", max " a[NR] ")"}'
}

printf '%-36s%s\n' "atlas --help:" "$(median_ms "$cli" --help)"
for type in simple vpc efs secure; do
  printf '%-36s%s\n' "up --dry-run $type ($workers workers):" \
    "$(median_ms "$cli" deploy aws up --cluster-id bench --dry-run --deployment-type "$type" --workers "$workers")"
done
