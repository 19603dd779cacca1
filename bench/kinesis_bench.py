#!/usr/bin/python3
"""End-to-end Kinesis API benchmark: sluice and kinesalite side by side, same client load.

Runs build/release/bench/kinesis_load against each server on 127.0.0.1:
  put100   PutRecords of 500 x 100-byte records, 16 connections      (records/s)
  put1k    PutRecords of 500 x 1 KiB records, 16 connections         (payload MB/s)
  get      GetRecords reading everything back, one reader per shard  (records/s)
  latency  put -> visible through GetRecords at half the put100 rate (p50/p99 ms; sluice),
           after the earlier phases' data is written back (sync), and before it how
           often the machine's CPUs stall (a spinning probe per CPU counts the gaps over
           1 ms: on a VM, moments the host does not run the vCPU, which every p99 pays)
and samples each server's RSS during the load. These run on provisioned 4-shard streams;
sluice runs with its default `sync` durability and `kinesis.enforce_limits: false` (the
shard quotas would cap a 4-shard stream at 4,000 records/s; kinesalite enforces none);
kinesalite (npm, pinned below, installed into third_party/node) keeps its data in memory.
Then, on a second sluice with the default configuration (limits on):
  ondemand PutRecords of 500 x 100 B into an ON_DEMAND stream that starts with 4 shards:
           a warm-up while the stream scales, then the measured run (records/s, and the
           open shard count the stream settled at)
Usage: bench/kinesis_bench.py [--seconds S] [--skip-kinesalite]"""

import argparse
import http.client
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SLUICE = os.path.join(ROOT, "build/release/sluice")
LOAD = os.path.join(ROOT, "build/release/bench/kinesis_load")
NODE_DIR = os.path.join(ROOT, "third_party/node")
KINESALITE = "kinesalite@3.3.3"
SHARDS = 4
BENCH_CONFIG = "kinesis:\n  enforce_limits: false\n"


def durability_config(durability):
    """BENCH_CONFIG with `durability` (sync, interval, none) as the storage policy."""
    return BENCH_CONFIG + f"storage:\n  durability: {durability}\n"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def call(port, operation, body):
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    connection.request("POST", "/", body=json.dumps(body), headers={
        "X-Amz-Target": f"Kinesis_20131202.{operation}",
        "Content-Type": "application/x-amz-json-1.1", "X-Amz-Date": "20260101T000000Z",
        "Authorization": "AWS4-HMAC-SHA256 Credential=AKIDBENCH/20260101/us-east-1/kinesis/"
                         "aws4_request, SignedHeaders=host;x-amz-date, Signature=0000"})
    response = connection.getresponse()
    payload = response.read()
    connection.close()
    return response.status, json.loads(payload or b"{}")


def wait_port(port, deadline_s=15):
    deadline = time.monotonic() + deadline_s
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.02)
    raise RuntimeError(f"nothing listens on {port}")


def create_stream(port, name, on_demand=False, shards=SHARDS):
    request = {"StreamName": name}
    if on_demand:
        request["StreamModeDetails"] = {"StreamMode": "ON_DEMAND"}
    else:
        request["ShardCount"] = shards
    status, body = call(port, "CreateStream", request)
    if status != 200:
        raise RuntimeError(f"CreateStream failed: {body}")
    for _ in range(500):
        _, body = call(port, "DescribeStreamSummary", {"StreamName": name})
        if body.get("StreamDescriptionSummary", {}).get("StreamStatus") == "ACTIVE":
            return
        time.sleep(0.02)
    raise RuntimeError("stream did not become ACTIVE")


class RssSampler:
    """Samples a process's RSS every 100 ms; `peak_mib` is the largest seen."""

    def __init__(self, pid):
        self.pid, self.peak_mib, self._stop = pid, 0.0, threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self):
        while not self._stop.is_set():
            try:
                with open(f"/proc/{self.pid}/status") as f:
                    for line in f:
                        if line.startswith("VmRSS:"):
                            self.peak_mib = max(self.peak_mib, int(line.split()[1]) / 1024)
            except OSError:
                return
            time.sleep(0.1)

    def stop(self):
        self._stop.set()
        self._thread.join()


def load(mode, port, stream, *extra):
    result = subprocess.run([LOAD, mode, "--port", str(port), "--stream", stream, *extra],
                            capture_output=True, text=True, timeout=600)
    print("   ", result.stdout.strip().splitlines()[0] if result.stdout else result.stderr)
    last = result.stdout.strip().splitlines()[-1]
    return dict(pair.split("=", 1) for pair in last.split())


def open_shard_count(port, name):
    _, body = call(port, "DescribeStreamSummary", {"StreamName": name})
    return body["StreamDescriptionSummary"]["OpenShardCount"]


def start_sluice(port, data_dir, config=BENCH_CONFIG):
    config_path = os.path.join(data_dir, "config.yaml")
    with open(config_path, "w") as f:
        f.write(config)
    return subprocess.Popen([SLUICE, "serve", "--listen", f"127.0.0.1:{port}", "--data-dir",
                             os.path.join(data_dir, "data"), "--config", config_path,
                             "--log-level", "warn"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def start_sluice_defaults(port, data_dir):
    return start_sluice(port, data_dir, config="")


def start_kinesalite(port, _data_dir):
    binary = os.path.join(NODE_DIR, "node_modules/.bin/kinesalite")
    if not os.path.exists(binary):
        os.makedirs(NODE_DIR, exist_ok=True)
        subprocess.run(["npm", "install", "--no-audit", "--no-fund", "--prefix", NODE_DIR,
                        KINESALITE], check=True, capture_output=True)
    return subprocess.Popen(["node", binary, "--host", "127.0.0.1", "--port", str(port),
                             "--createStreamMs", "0", "--shardLimit", "100"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def settle():
    """Waits until the kernel has written back what the phases before wrote (gigabytes),
    so that the next phase measures its own load, not the disk catching up with theirs."""
    os.sync()


STALL_PROBE = """
import os, sys, time
os.sched_setaffinity(0, {int(sys.argv[1])})
end = time.perf_counter_ns() + int(float(sys.argv[2]) * 1e9)
last, gaps, longest = time.perf_counter_ns(), 0, 0
while last < end:
    now = time.perf_counter_ns()
    if now - last > 1_000_000: gaps += 1
    longest, last = max(longest, now - last), now
print(gaps, longest)
"""


def cpu_stalls(seconds=2.0):
    """Spins on every CPU at once for `seconds`: gaps over 1 ms per CPU-second, and the
    longest gap in ms."""
    probes = [subprocess.Popen([sys.executable, "-c", STALL_PROBE, str(cpu), str(seconds)],
                               stdout=subprocess.PIPE, text=True)
              for cpu in sorted(os.sched_getaffinity(0))]
    results = [tuple(int(v) for v in probe.communicate()[0].split()) for probe in probes]
    return (sum(gaps for gaps, _ in results) / (seconds * len(results)),
            max(longest for _, longest in results) / 1e6)


def run_on_demand(port, seconds):
    """The put100 load on an ON_DEMAND stream: warm up while it scales, then measure."""
    settle()
    create_stream(port, "ondemand", on_demand=True)
    load("put", port, "ondemand", "--seconds", str(max(12.0, seconds)))
    put = load("put", port, "ondemand", "--seconds", str(seconds))
    return {"ondemand_put100_rps": float(put["records_per_s"]),
            "ondemand_shards": float(open_shard_count(port, "ondemand"))}


def run_workloads(port, seconds, latency):
    figures = {}
    create_stream(port, "small")
    put = load("put", port, "small", "--seconds", str(seconds))
    figures["put100_rps"] = float(put["records_per_s"])
    get = load("get", port, "small", "--shards", str(SHARDS), "--connections", str(SHARDS))
    figures["get_rps"] = float(get["records_per_s"])
    settle()
    create_stream(port, "large")
    put1k = load("put", port, "large", "--record-bytes", "1024", "--seconds", str(seconds))
    figures["put1k_mbps"] = float(put1k["payload_mb_per_s"])
    if latency:
        settle()
        figures["stalls_per_cpu_s"], figures["stall_max_ms"] = cpu_stalls()
        create_stream(port, "latency")
        half = figures["put100_rps"] / 2
        lat = load("latency", port, "latency", "--shards", str(SHARDS), "--rate",
                   str(int(half)), "--seconds", str(seconds), "--connections", "8")
        figures["latency_rate"] = float(lat["put_rate"])
        figures["p50_ms"], figures["p99_ms"] = float(lat["p50_ms"]), float(lat["p99_ms"])
    return figures


def run_server(name, start, workloads):
    port = free_port()
    data_dir = tempfile.mkdtemp(prefix=f"{name}-bench-")
    process = start(port, data_dir)
    try:
        wait_port(port)
        print(f"== {name}")
        sampler = RssSampler(process.pid)
        figures = workloads(port)
        sampler.stop()
        figures["rss_mib"] = sampler.peak_mib
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
        shutil.rmtree(data_dir, ignore_errors=True)
    return figures


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=8)
    parser.add_argument("--skip-kinesalite", action="store_true")
    args = parser.parse_args()
    sluice = run_server("sluice", start_sluice,
                        lambda port: run_workloads(port, args.seconds, latency=True))
    on_demand = run_server("sluice (defaults, on-demand)", start_sluice_defaults,
                           lambda port: run_on_demand(port, args.seconds))
    sluice.update({k: v for k, v in on_demand.items() if k != "rss_mib"})
    sluice["ondemand_rss_mib"] = on_demand["rss_mib"]
    kinesalite = ({} if args.skip_kinesalite else
                  run_server("kinesalite", start_kinesalite,
                             lambda port: run_workloads(port, min(args.seconds, 5), False)))
    print("\n| workload | sluice | kinesalite | ratio |\n| --- | --- | --- | --- |")
    for key, label in (("put100_rps", "PutRecords 500 x 100 B, records/s"),
                       ("put1k_mbps", "PutRecords 500 x 1 KiB, payload MB/s"),
                       ("get_rps", "GetRecords, records/s"), ("rss_mib", "peak RSS, MiB")):
        other = kinesalite.get(key)
        ratio = f"{sluice[key] / other:.1f}x" if other else "-"
        print(f"| {label} | {sluice[key]:,.1f} | {other:,.1f} | {ratio} |" if other else
              f"| {label} | {sluice[key]:,.1f} | - | - |")
    print(f"put->visible at {sluice['latency_rate']:,.0f} records/s: p50 {sluice['p50_ms']} ms, "
          f"p99 {sluice['p99_ms']} ms (the CPUs stalled over 1 ms "
          f"{sluice['stalls_per_cpu_s']:.1f} times per CPU-second just before; longest "
          f"{sluice['stall_max_ms']:.2f} ms)")
    print(f"on-demand stream (4 shards at start): {sluice['ondemand_put100_rps']:,.0f} records/s "
          f"after scaling to {sluice['ondemand_shards']:.0f} open shards")
    pairs = {f"sluice_{k}": v for k, v in sluice.items()}
    pairs.update({f"kinesalite_{k}": v for k, v in kinesalite.items()})
    if kinesalite:
        pairs["put100_vs_kinesalite"] = sluice["put100_rps"] / kinesalite["put100_rps"]
    print(" ".join(f"{k}={v:.2f}" if isinstance(v, float) else f"{k}={v}"
                   for k, v in pairs.items()))


if __name__ == "__main__":
    main()
