#!/usr/bin/env bash
# The real-GPU check (issue 12): on a machine with an NVIDIA GPU and its driver, start Redis, one
# master and one worker on the process runtime (GPUs found by nvidia-smi, nothing declared),
# submit a `--gpus 1` job that prints what it sees, and print the node's detected GPUs and the
# job's log. The job must see exactly one device: `nvidia-smi -L` lists one GPU, and
# CUDA_VISIBLE_DEVICES is the id placement assigned.
#
#   bash eng/gpu-check.sh            # builds Debug first; everything on free loopback ports
#
# Needs: the .NET SDK, redis-server, nvidia-smi. Stops everything it started when it ends.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

say() { echo "[gpu-check] $*"; }
command -v nvidia-smi >/dev/null || { say "no nvidia-smi on this machine: nothing to check"; exit 2; }
command -v redis-server >/dev/null || { say "redis-server is missing (apt-get install redis-server)"; exit 2; }

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
data="$(mktemp -d /tmp/atlas-gpu-check-XXXXXX)"
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
}
trap cleanup EXIT

say "nvidia-smi on this machine:"
nvidia-smi --query-gpu=index,uuid,name,memory.total --format=csv,noheader,nounits

say "building"
dotnet build Atlas.Master -v q -nologo >/dev/null
dotnet build Atlas.Worker -v q -nologo >/dev/null
dotnet build Atlas.Cli -v q -nologo >/dev/null

redis_port="$(free_port)"; master_port="$(free_port)"; worker_port="$(free_port)"
mkdir -p "$data/shared" "$data/redis"
redis-server --port "$redis_port" --bind 127.0.0.1 --dir "$data/redis" --save '' --appendonly no >"$data/redis.log" 2>&1 &
pids+=($!)

export ConnectionStrings__redis="127.0.0.1:$redis_port" Atlas__SharedRoot="$data/shared" Atlas__Cluster="gpu-check"
ASPNETCORE_URLS="http://127.0.0.1:$master_port" Atlas__Master__Name=master OTEL_SERVICE_NAME=master \
  dotnet Atlas.Master/bin/Debug/net10.0/Atlas.Master.dll >"$data/master.log" 2>&1 &
pids+=($!)
ASPNETCORE_URLS="http://127.0.0.1:$worker_port" HOST_ADDRESS="http://127.0.0.1:$worker_port" OTEL_SERVICE_NAME=gpu-worker \
  Atlas__Worker__Name=gpu-worker Atlas__Worker__Slots=2 Atlas__Worker__Runtime=process \
  dotnet Atlas.Worker/bin/Debug/net10.0/Atlas.Worker.dll >"$data/worker.log" 2>&1 &
pids+=($!)

atlas() { ATLAS_URL="http://127.0.0.1:$master_port" HOME="$data" dotnet Atlas.Cli/bin/Debug/net10.0/Atlas.Cli.dll "$@"; }

say "waiting for the worker to register"
for _ in $(seq 1 120); do
  atlas nodes --output json 2>/dev/null | grep -q '"gpu-worker"' && break
  sleep 0.5
done

say "the node as Atlas sees it (atlas nodes):"
atlas nodes
atlas nodes --output json | python3 -c 'import json,sys; [print(n["name"], "GPUs:", json.dumps(n["gpus"])) for n in json.load(sys.stdin)]'

mkdir -p "$data/project"
id="$(atlas submit --gpus 1 "$data/project" -- /bin/sh -c 'nvidia-smi -L; echo CUDA_VISIBLE_DEVICES=$CUDA_VISIBLE_DEVICES')"
say "submitted job $id"
for _ in $(seq 1 240); do
  state="$(atlas status "$id" --output json | python3 -c 'import json,sys; print(json.load(sys.stdin)["state"])')"
  case "$state" in succeeded|failed|cancelled) break ;; esac
  sleep 0.5
done
say "job $id ended $state; its record:"
atlas status "$id" --output json | python3 -c 'import json,sys; j=json.load(sys.stdin); print("node:", j.get("node"), "gpuIds:", j.get("gpuIds"), "reason:", j.get("reason"))'
say "its log (stdout, then stderr):"
cat "$data/shared/jobs/$id/logs/stdout.log"
cat "$data/shared/jobs/$id/logs/stderr.log" 2>/dev/null || true
say "the worker's resource line:"
grep -m1 "has GPUs" "$data/worker.log" || tail -20 "$data/worker.log"
[ "$state" = succeeded ]
