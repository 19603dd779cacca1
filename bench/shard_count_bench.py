#!/usr/bin/python3
"""PutRecords throughput by shard count: how much a stream's write rate depends on how many
shards a request's records spread over (what an on-demand stream's scaling does to it).

For each shard count N (and each durability policy asked for), starts sluice
(`kinesis.enforce_limits: false`), creates a provisioned stream of N shards and runs
`kinesis_load put` (500 x 100 B records per PutRecords, 16 connections) against it. With
several rounds the configurations take turns, so that a slow spell of the host does not
fall on one of them; the table gives each one's mean and its runs. Comparing `sync` with
`none` shows how much of a shard count's cost is the durable write. Usage:
bench/shard_count_bench.py [--seconds S] [--shards 4,16,64,256] [--durability sync,none]
                           [--rounds R]"""

import argparse

import kinesis_bench as kb


def put_rate(shards, durability, seconds):
    def workloads(port):
        kb.create_stream(port, "s", shards=shards)
        return kb.load("put", port, "s", "--seconds", str(seconds))

    figures = kb.run_server(
        f"sluice-{shards}-shards-{durability}",
        lambda port, data_dir: kb.start_sluice(port, data_dir, kb.durability_config(durability)),
        workloads)
    return float(figures["records_per_s"])


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=5)
    parser.add_argument("--shards", default="4,16,64,256")
    parser.add_argument("--durability", default="sync")
    parser.add_argument("--rounds", type=int, default=1)
    args = parser.parse_args()
    configs = [(int(n), d) for d in args.durability.split(",") for n in args.shards.split(",")]
    runs = {config: [] for config in configs}
    for _ in range(args.rounds):
        for shards, durability in configs:
            runs[(shards, durability)].append(put_rate(shards, durability, args.seconds))
    means = {config: sum(rates) / len(rates) for config, rates in runs.items()}
    print("\n| shards | durability | PutRecords 500 x 100 B, records/s (mean) | runs |")
    print("| --- | --- | --- | --- |")
    for (shards, durability), mean in means.items():
        each = ", ".join(f"{rate / 1e6:.2f} M" for rate in runs[(shards, durability)])
        print(f"| {shards} | {durability} | {mean:,.0f} | {each} |")
    print(" ".join(f"put100_rps_{shards}_shards_{durability}={mean:.2f}"
                   for (shards, durability), mean in means.items()))


if __name__ == "__main__":
    main()
