#!/usr/bin/python3
"""Time to first request and idle memory of `sluice serve`.

Starts the server RUNS times on a free port with a fresh data folder, measures the wall
time from exec to the first successful GET /health, then lets it idle and reads its RSS.
Usage: bench/startup_bench.py [path/to/sluice] [runs]"""

import http.client
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time

SLUICE = sys.argv[1] if len(sys.argv) > 1 else "build/release/sluice"
RUNS = int(sys.argv[2]) if len(sys.argv) > 2 else 20
IDLE_S = 1.0


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def rss_kib(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def first_health(port, deadline):
    while time.monotonic() < deadline:
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=1)
            connection.request("GET", "/health")
            if connection.getresponse().status == 200:
                return True
        except OSError:
            time.sleep(0.0005)
        finally:
            connection.close()
    return False


def one_run():
    data_dir = tempfile.mkdtemp(prefix="sluice-startup-")
    port = free_port()
    started = time.monotonic()
    process = subprocess.Popen([SLUICE, "serve", "--listen", f"127.0.0.1:{port}",
                                "--data-dir", data_dir, "--log-level", "error"],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        if not first_health(port, started + 10):
            raise RuntimeError("server did not answer /health")
        startup_ms = (time.monotonic() - started) * 1000
        time.sleep(IDLE_S)
        return startup_ms, rss_kib(process.pid) / 1024
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=10)
        shutil.rmtree(data_dir, ignore_errors=True)


def main():
    results = [one_run() for _ in range(RUNS)]
    startups = sorted(r[0] for r in results)
    rss = [r[1] for r in results]
    p50 = statistics.median(startups)
    worst = startups[-1]
    print(f"runs: {RUNS}")
    print(f"time to first request: median {p50:.1f} ms, max {worst:.1f} ms")
    print(f"idle RSS after {IDLE_S:.0f} s: median {statistics.median(rss):.1f} MiB, "
          f"max {max(rss):.1f} MiB")
    print(f"startup_ms_p50={p50:.1f} startup_ms_max={worst:.1f} "
          f"idle_rss_mib={statistics.median(rss):.1f} idle_rss_mib_max={max(rss):.1f}")


if __name__ == "__main__":
    main()
