"""Report metrics, params, tags and artifacts from an Atlas job.

One file, standard library only. Copy it next to your code (Atlas puts a copy in every job's
working directory). Each call appends one JSON line to the file named by ATLAS_METRICS_FILE,
which the worker reads as it grows; outside Atlas (no ATLAS_METRICS_FILE) the calls print the
line to stdout after "@@atlas ", the line format the worker also reads, so a script runs the
same on a laptop.

    import atlas_job
    atlas_job.log_param("lr", 0.001)
    atlas_job.log_metric("loss", 0.31, step=120)
    atlas_job.set_tag("stage", "baseline")
    atlas_job.save_artifact("model.pt")   # a path under ATLAS_OUTPUT_DIR
"""

import json
import math
import os
import sys
import threading

__all__ = ["log_metric", "log_param", "log_params", "set_tag", "save_artifact", "output_dir"]

STDOUT_PREFIX = "@@atlas "
_lock = threading.Lock()


def output_dir():
    """The folder to save artifacts in: ATLAS_OUTPUT_DIR, or ./outputs outside Atlas."""
    path = os.environ.get("ATLAS_OUTPUT_DIR") or os.path.join(os.getcwd(), "outputs")
    os.makedirs(path, exist_ok=True)
    return path


def _write(record):
    line = json.dumps(record, allow_nan=False, separators=(",", ":"))
    target = os.environ.get("ATLAS_METRICS_FILE")
    with _lock:
        if target:
            # One write of a whole line, appended: the worker never sees half a record.
            with open(target, "a", encoding="utf-8") as f:
                f.write(line + "\n")
        else:
            sys.stdout.write(STDOUT_PREFIX + line + "\n")
            sys.stdout.flush()


def log_metric(key, value, step=None):
    """Record one value of a metric, optionally at a step (a whole number >= 0)."""
    value = float(value)
    if not math.isfinite(value):
        raise ValueError("atlas_job.log_metric: %r is not a finite number" % (value,))
    record = {"metric": str(key), "value": value}
    if step is not None:
        record["step"] = int(step)
    _write(record)


def log_param(key, value):
    """Record a parameter of the run (shown as text)."""
    _write({"param": str(key), "value": value if isinstance(value, (int, float, bool, str)) else str(value)})


def log_params(params):
    """Record several parameters from a dict."""
    for key, value in dict(params).items():
        log_param(key, value)


def set_tag(key, value):
    """Tag the run (for filtering and comparing)."""
    _write({"tag": str(key), "value": str(value)})


def save_artifact(path):
    """Declare a file under ATLAS_OUTPUT_DIR as an artifact of the run (relative to it, or absolute inside it)."""
    _write({"artifact": os.fspath(path)})
