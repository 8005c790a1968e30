#!/usr/bin/env python3
"""Counts the spans and traces the Aspire dashboard holds, by service, scope and span name, and how
many of each are roots: the figure "spans and traces per job" in docs/BENCHMARKS.md.

Usage: bench/scripts/spans-per-job.py DASHBOARD_URL
Start the AppHost (process runtime, dashboard unsecured), submit N no-op jobs, wait for them to
end, run this, and divide by N.
"""
import collections, json, sys, urllib.request

data = json.load(urllib.request.urlopen(sys.argv[1].rstrip("/") + "/api/telemetry/traces?limit=100000"))["data"]
count, roots, traces = collections.Counter(), collections.Counter(), set()
for resource in data["resourceSpans"]:
    service = next((a["value"].get("stringValue") for a in resource["resource"]["attributes"] if a["key"] == "service.name"), "?")
    for scope in resource["scopeSpans"]:
        for span in scope["spans"]:
            key = (service, scope["scope"]["name"], span["name"])
            count[key] += 1
            traces.add(span["traceId"])
            if not span.get("parentSpanId"):
                roots[key] += 1
print(f"{sum(count.values())} spans in {len(traces)} traces")
print("spans  roots  service / scope / name")
for key, n in count.most_common():
    print(f"{n:5}  {roots[key]:5}  {' / '.join(key)}")
