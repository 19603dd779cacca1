#!/usr/bin/python3
"""PutRecords throughput by shard count: how much a stream's write rate depends on how many
shards a request's records spread over (what an on-demand stream's scaling does to it).

For each shard count N, starts sluice (`sync` durability, `kinesis.enforce_limits: false`),
creates a provisioned stream of N shards and runs `kinesis_load put` (500 x 100 B records
per PutRecords, 16 connections) against it. Usage:
bench/shard_count_bench.py [--seconds S] [--shards 4,16,64,256]"""

import argparse
import shutil
import signal
import tempfile

import kinesis_bench as kb


def put_rate(shards, seconds):
    port = kb.free_port()
    data_dir = tempfile.mkdtemp(prefix="sluice-shards-bench-")
    process = kb.start_sluice(port, data_dir)
    try:
        kb.wait_port(port)
        kb.create_stream(port, "s", shards=shards)
        return float(kb.load("put", port, "s", "--seconds", str(seconds))["records_per_s"])
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=30)
        shutil.rmtree(data_dir, ignore_errors=True)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=5)
    parser.add_argument("--shards", default="4,16,64,256")
    args = parser.parse_args()
    rates = {int(n): put_rate(int(n), args.seconds) for n in args.shards.split(",")}
    print("\n| shards | PutRecords 500 x 100 B, records/s |\n| --- | --- |")
    for shards, rate in rates.items():
        print(f"| {shards} | {rate:,.0f} |")
    print(" ".join(f"put100_rps_{shards}_shards={rate:.2f}" for shards, rate in rates.items()))


if __name__ == "__main__":
    main()
