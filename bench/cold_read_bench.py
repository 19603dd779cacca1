#!/usr/bin/python3
"""Put -> visible latency of a live stream while a consumer catches up from the disk on
another: what a GetRecords that misses the page cache costs everyone else.

Starts sluice (`sync` durability, `kinesis.enforce_limits: false`), fills a 4-shard stream
"cold" with PutRecords of 500 x 100 B for --fill seconds, writes it back and drops its
segment files from the page cache (posix_fadvise DONTNEED, file by file). Then, at once:
  latency  `kinesis_load latency` on a 4-shard stream "live" at --rate records/s
  cold     `kinesis_load get` reading "cold" from TRIM_HORIZON, one reader per shard, each
           pausing --pause-ms between calls (a consumer within AWS's 5 calls/s per shard
           waits 200 ms; 0 reads as fast as it can)
and prints the live stream's put -> visible p50/p99 and the cold read's rate; a run of the
latency load alone (the same rate, before the cold read) gives the baseline.
Usage: bench/cold_read_bench.py [--rate R] [--seconds S] [--fill S] [--pause-ms MS]
                               [--sluice PATH]"""

import argparse
import os
import threading

import kinesis_bench as kb


def drop_cached_pages(data_dir):
    os.sync()
    for folder, _, names in os.walk(os.path.join(data_dir, "data", "streams")):
        for name in names:
            fd = os.open(os.path.join(folder, name), os.O_RDONLY)
            try:
                os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)
            finally:
                os.close(fd)


def latency(port, rate, seconds):
    return kb.load("latency", port, "live", "--shards", str(kb.SHARDS), "--rate", str(rate),
                   "--seconds", str(seconds), "--connections", "8")


def workloads(port, data_dir, args):
    kb.create_stream(port, "cold")
    kb.create_stream(port, "live")
    kb.load("put", port, "cold", "--seconds", str(args.fill))
    drop_cached_pages(data_dir)
    alone = latency(port, args.rate, args.seconds)
    cold = {}
    reader = threading.Thread(target=lambda: cold.update(
        kb.load("get", port, "cold", "--shards", str(kb.SHARDS), "--connections",
                str(kb.SHARDS), "--pause-ms", str(args.pause_ms))))
    reader.start()
    mixed = latency(port, args.rate, args.seconds)
    reader.join()
    return {"alone": alone, "mixed": mixed, "cold": cold}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--rate", type=int, default=300_000)
    parser.add_argument("--seconds", type=float, default=8)
    parser.add_argument("--fill", type=float, default=4)
    parser.add_argument("--pause-ms", type=float, default=100)
    parser.add_argument("--sluice", default=kb.SLUICE)
    args = parser.parse_args()
    kb.SLUICE = args.sluice
    data_dirs = []  # the server's, which the workloads need to drop its files' pages

    def start(port, data_dir):
        data_dirs.append(data_dir)
        return kb.start_sluice(port, data_dir)

    figures = kb.run_server("sluice", start, lambda port: workloads(port, data_dirs[0], args))
    alone, mixed, cold = figures["alone"], figures["mixed"], figures["cold"]
    print(f"live stream at {float(mixed['put_rate']):,.0f} records/s: put->visible p50 "
          f"{alone['p50_ms']} / p99 {alone['p99_ms']} ms alone, p50 {mixed['p50_ms']} / p99 "
          f"{mixed['p99_ms']} ms beside a cold read of {float(cold['records_per_s']):,.0f} "
          f"records/s")
    print(f"alone_p50_ms={alone['p50_ms']} alone_p99_ms={alone['p99_ms']} "
          f"mixed_p50_ms={mixed['p50_ms']} mixed_p99_ms={mixed['p99_ms']} "
          f"cold_get_rps={cold['records_per_s']} live_rate={mixed['put_rate']} "
          f"rss_mib={figures['rss_mib']:.2f}")


if __name__ == "__main__":
    main()
