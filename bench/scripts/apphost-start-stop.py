#!/usr/bin/env python3
"""Times the built AppHost of a checkout: start until its banner says the cluster is up, then
SIGINT (Ctrl+C) until the AppHost and every process of its cluster are gone.

usage: bench/scripts/apphost-start-stop.py REPO [CONFIGURATION] [RUNS]
Runs the AppHost binary of REPO (process runtime, 2 workers) on free ports and a temp data
folder, RUNS times (default 3), and prints one line per run. The cluster's processes are the
ones whose environment or command line names the data folder, plus DCP (--monitor PID).
"""
import os, signal, socket, subprocess, sys, tempfile, time

repo = os.path.abspath(sys.argv[1])
config = sys.argv[2] if len(sys.argv) > 2 else "Release"
runs = int(sys.argv[3]) if len(sys.argv) > 3 else 3
binary = os.path.join(repo, "Atlas.AppHost", "bin", config, "net10.0", "Atlas.AppHost")

def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]

def cluster_processes(data, apphost):
    found = []
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            env = open(f"/proc/{pid}/environ", "rb").read()
            cmd = open(f"/proc/{pid}/cmdline", "rb").read().replace(b"\0", b" ").decode()
        except OSError:
            continue
        if int(pid) != apphost and (data.encode() in env or data in cmd or f"--monitor {apphost}" in cmd):
            found.append(pid)
    return found

for run in range(1, runs + 1):
    data = tempfile.mkdtemp(prefix="atlas-startstop-")
    env = dict(os.environ)
    env.update({
        "DOTNET_ENVIRONMENT": "Development",
        "ASPNETCORE_URLS": f"http://localhost:{free_port()}",
        "ASPIRE_DASHBOARD_OTLP_ENDPOINT_URL": f"http://localhost:{free_port()}",
        "ASPIRE_RESOURCE_SERVICE_ENDPOINT_URL": f"http://localhost:{free_port()}",
        "ASPIRE_ALLOW_UNSECURED_TRANSPORT": "true",
        "ASPIRE_DASHBOARD_UNSECURED_ALLOW_ANONYMOUS": "true",
    })
    log_path = os.path.join(data, "apphost.log")
    with open(log_path, "w") as log:
        started = time.time()
        apphost = subprocess.Popen([binary, "--runtime", "process", "--workers", "2", "--data", data,
                                    "--port", str(free_port()), "--redis-port", str(free_port()), "--dashboard-port", str(free_port())],
                                   cwd=os.path.join(repo, "Atlas.AppHost"), env=env, stdout=log, stderr=subprocess.STDOUT)
        while "Ctrl+C stops everything" not in open(log_path).read():
            if apphost.poll() is not None or time.time() - started > 120:
                sys.exit(f"run {run}: the AppHost did not come up; see {log_path}")
            time.sleep(0.05)
        up = time.time() - started
        time.sleep(2)
        stopping = time.time()
        apphost.send_signal(signal.SIGINT)
        while apphost.poll() is None or cluster_processes(data, apphost.pid):
            if time.time() - stopping > 60:
                break
            time.sleep(0.05)
        down = time.time() - stopping
    left = cluster_processes(data, apphost.pid)
    print(f"run {run}: up in {up:.1f} s, everything stopped {down:.1f} s after SIGINT, exit code {apphost.returncode}, processes left {len(left)}")
