#!/usr/bin/env python3
"""Side-by-side no-op throughput of Atlas builds, interleaved so that a noisy machine hurts each alike.

Usage: bench/scripts/compare-throughput.py ROUNDS NAME=REPO[::EXTRA BENCH ARGS] ...
  e.g. bench/scripts/compare-throughput.py 3 before=/work/baseline after=. 'after, ratio 0=.::--trace-ratio 0'
Each REPO must have a Release build of bench/Atlas.Bench and Atlas.AppHost
(dotnet build -c Release bench/Atlas.Bench Atlas.AppHost). Every round runs each build once, in
order, with --jobs 3000 --latency-jobs 20 (set ATLAS_COMPARE_ARGS to change); the table gives the
median of the rounds for end-to-end throughput and for each CPU-per-job row.
"""
import os, re, statistics, subprocess, sys

rounds = int(sys.argv[1])
builds = []
for spec in sys.argv[2:]:
    name, _, rest = spec.partition("=")
    repo, _, extra = rest.partition("::")
    builds.append((name, os.path.abspath(repo), extra.split()))
common = os.environ.get("ATLAS_COMPARE_ARGS", "--jobs 3000 --latency-jobs 20").split()

results = {name: {} for name, _, _ in builds}
for r in range(rounds):
    for name, repo, extra in builds:
        out = subprocess.run(["dotnet", "bench/Atlas.Bench/bin/Release/net10.0/Atlas.Bench.dll", *common, *extra],
                             cwd=repo, capture_output=True, text=True, timeout=600).stdout
        for label, value in re.findall(r"^\| (end-to-end throughput|end-to-end / raw spawn|raw spawn|CPU per job: [^|]+?)\s*(?:\([^)]*\))?\s*\|\s*([\d.]+)", out, re.M):
            results[name].setdefault(label.strip(), []).append(float(value))
        e2e = results[name].get("end-to-end throughput", ["?"])[-1]
        print(f"round {r + 1}: {name}: {e2e} jobs/s", flush=True)

labels = []
for name in results:
    labels += [l for l in results[name] if l not in labels]
print()
print("| measure (median of %d rounds) | %s |" % (rounds, " | ".join(results)))
print("|---|%s" % ("---|" * len(results)))
for label in labels:
    cells = [("%.2f" % statistics.median(results[n][label])) if label in results[n] else "–" for n in results]
    print(f"| {label} | {' | '.join(cells)} |")
