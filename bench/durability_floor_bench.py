#!/usr/bin/python3
"""How much of put -> visible is the durable write: the latency load with the default `sync`
durability and with `none`, at several rates, beside the disk's own write + fdatasync.

For each rate (--rates) and durability (none, sync): a fresh sluice (`kinesis.enforce_limits:
false`), a 4-shard stream and `kinesis_load latency` at that rate for --seconds: put ->
visible p50/p99 and the PutRecords call's p50/p99. Then the disk alone: --probe-count writes
of --probe-bytes, each followed by fdatasync, to a file written in full beforehand, one every
--probe-gap-ms (what the write-ahead log does at about 100,000 records/s), in the folder
the servers' data went to. With `none` nothing waits for the disk, so the difference is the
price of durability on this machine, and the disk probe is its floor.
Usage: bench/durability_floor_bench.py [--rates 100000,300000,600000] [--seconds S]
                                       [--probe-bytes B] [--probe-gap-ms MS] [--probe-count N]"""

import argparse
import os
import tempfile
import time

import kinesis_bench as kb


def latency_at(rate, durability, seconds):
    config = kb.durability_config(durability)

    def workloads(port):
        kb.create_stream(port, "latency")
        return kb.load("latency", port, "latency", "--shards", str(kb.SHARDS), "--rate",
                       str(rate), "--seconds", str(seconds), "--connections", "8")

    return kb.run_server(f"sluice-{durability}-{rate}",
                         lambda port, data_dir: kb.start_sluice(port, data_dir, config),
                         workloads)


def percentile(values, p):
    ordered = sorted(values)
    return ordered[int(p * (len(ordered) - 1))]


def disk_sync_ms(size, gap_ms, count):
    """p50 and p99 of a write of `size` bytes plus fdatasync, in ms."""
    with tempfile.TemporaryDirectory() as folder:
        fd = os.open(os.path.join(folder, "probe"), os.O_RDWR | os.O_CREAT, 0o644)
        try:
            os.write(fd, bytes(size * count))  # written, not sparse: the syncs find no
            os.fsync(fd)                       # allocation to make durable
            block, times = b"x" * size, []
            for i in range(count):
                os.pwrite(fd, block, i * size)
                start = time.perf_counter()
                os.fdatasync(fd)
                times.append((time.perf_counter() - start) * 1e3)
                time.sleep(gap_ms / 1e3)
        finally:
            os.close(fd)
    return percentile(times, 0.50), percentile(times, 0.99)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--rates", default="100000,300000,600000")
    parser.add_argument("--seconds", type=float, default=8)
    parser.add_argument("--probe-bytes", type=int, default=64 << 10)
    parser.add_argument("--probe-gap-ms", type=float, default=6)
    parser.add_argument("--probe-count", type=int, default=1000)
    args = parser.parse_args()
    figures = {}
    print("| records/s | durability | put -> visible p50 / p99, ms | PutRecords call p50 / p99, ms |")
    print("| --- | --- | --- | --- |")
    rows = []
    for rate in (int(r) for r in args.rates.split(",")):
        for durability in ("none", "sync"):
            lat = latency_at(rate, durability, args.seconds)
            rows.append(f"| {float(lat['put_rate']):,.0f} | {durability} | {lat['p50_ms']} / "
                        f"{lat['p99_ms']} | {lat['put_call_p50_ms']} / {lat['put_call_p99_ms']} |")
            key = f"{durability}_{rate // 1000}k"
            figures[f"{key}_p50_ms"] = float(lat["p50_ms"])
            figures[f"{key}_p99_ms"] = float(lat["p99_ms"])
    print("\n".join(rows))
    kb.settle()  # the disk alone: not while it writes back what the servers wrote
    p50, p99 = disk_sync_ms(args.probe_bytes, args.probe_gap_ms, args.probe_count)
    print(f"disk alone: write of {args.probe_bytes:,} B + fdatasync every {args.probe_gap_ms} ms: "
          f"p50 {p50:.2f} ms, p99 {p99:.2f} ms")
    figures["disk_sync_p50_ms"], figures["disk_sync_p99_ms"] = p50, p99
    print(" ".join(f"{k}={v:.2f}" for k, v in figures.items()))


if __name__ == "__main__":
    main()
