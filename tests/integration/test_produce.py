"""`sluice gen-trips` -> `sluice produce` -> `sluice serve`, read back with boto3 and an
independent deaggregator: every good trip exactly once, every bad row in the rejects file."""

import csv
import json
import os
import re
import shutil
import subprocess
import tempfile
import unittest

from kpl_records import user_records
from sluice_server import ServerTestCase
from test_kinesis import wait_active
from test_resharding import read_in_lineage_order

SLUICE_BIN = os.environ.get("SLUICE_BIN", "build/release/sluice")
CONFIG = """
kinesis:
  state_change_delay_ms: 50
"""
SUMMARY = re.compile(r"^produce: (\d+) rows in [0-9.]+ s: (\d+) put to (\S+), (\d+) failed, "
                     r"(\d+) malformed \((.+)\)$")
SHARD_LINE = re.compile(r"^  (shardId-\d+): (\d+) records$")


def run(*args, timeout_s=180):
    return subprocess.run([SLUICE_BIN, *args], capture_output=True, text=True,
                          timeout=timeout_s)


class ProduceTest(ServerTestCase):
    CONFIG = CONFIG

    def setUp(self):
        self.folder = tempfile.mkdtemp(prefix="sluice-produce-")
        self.addCleanup(shutil.rmtree, self.folder, ignore_errors=True)
        self.csv = os.path.join(self.folder, "trips.csv")
        generated = run("gen-trips", "--rows", "20000", "--seed", "7", "--bad-share", "0.01",
                        "--out", self.csv)
        self.assertEqual(generated.returncode, 0, generated.stderr)

    def produce(self, stream, *extra):
        return run("produce", "--endpoint", self.server.endpoint, "--stream", stream, "--unsigned",
                   *extra, self.csv)

    def test_every_good_trip_arrives_once_and_every_bad_row_is_rejected(self):
        self.kinesis.create_stream(StreamName="trips", StreamModeDetails={"StreamMode": "ON_DEMAND"})
        wait_active(self.kinesis, "trips")
        produced = self.produce("trips")
        self.assertEqual(produced.returncode, 3, produced.stderr)  # rows were rejected
        lines = produced.stdout.splitlines()
        summary = SUMMARY.match(lines[0])
        self.assertIsNotNone(summary, produced.stdout)
        rows, put, stream, failed, malformed, rejects_path = summary.groups()
        self.assertEqual((int(rows), stream, int(failed)), (20000, "trips", 0))
        self.assertEqual(int(put) + int(malformed), 20000)
        self.assertGreater(int(malformed), 0)
        per_shard = [SHARD_LINE.match(line) for line in lines[1:]]
        self.assertTrue(all(per_shard), produced.stdout)
        self.assertEqual(sum(int(m.group(2)) for m in per_shard), int(put))

        with open(rejects_path, newline="") as f:
            rejects = list(csv.DictReader(f))
        self.assertEqual(len(rejects), int(malformed))
        self.assertTrue(all(r["error"] for r in rejects))
        rejected_lines = {int(r["line"]) for r in rejects}
        with open(self.csv, newline="") as f:
            raw = f.read().split("\n")
        expected = {}
        for number, line in enumerate(raw[1:], start=2):
            if line and number not in rejected_lines:
                expected[line.split(",", 1)[0]] = line
        self.assertEqual({r["row"] for r in rejects}, {raw[n - 1] for n in rejected_lines})

        read, _ = read_in_lineage_order(self.kinesis, "trips")
        trips = [(key, json.loads(data)) for _, record in read
                 for key, data in user_records(record["Data"], record["PartitionKey"])]
        ids = [trip["id"] for _, trip in trips]
        self.assertEqual(len(ids), len(set(ids)), "a trip arrived twice")
        self.assertEqual(set(ids), set(expected))
        for key, trip in trips[:200]:
            self.assertEqual(key, trip["id"])
            self.assertEqual(trip["source"], "trips.csv")
            self.assertEqual(set(trip), {
                "id", "vendorId", "pickupDate", "dropoffDate", "passengerCount",
                "pickupLongitude", "pickupLatitude", "dropoffLongitude", "dropoffLatitude",
                "storeAndFwdFlag", "gcDistance", "tripDuration", "googleDistance",
                "googleDuration", "source"})

    def test_a_file_without_malformed_rows_succeeds(self):
        clean = os.path.join(self.folder, "clean.csv")
        generated = run("gen-trips", "--rows", "500", "--seed", "8", "--bad-share", "0",
                        "--out", clean)
        self.assertEqual(generated.returncode, 0, generated.stderr)
        self.kinesis.create_stream(StreamName="clean", ShardCount=1)
        wait_active(self.kinesis, "clean")
        produced = run("produce", "--endpoint", self.server.endpoint, "--stream", "clean",
                       "--unsigned", clean)
        self.assertEqual(produced.returncode, 0, produced.stderr)
        self.assertRegex(produced.stdout, r"500 put to clean, 0 failed, 0 malformed")

    def test_records_that_cannot_be_put_are_reported_and_fail_the_run(self):
        produced = self.produce("no-such-stream", "--no-aggregation")
        self.assertEqual(produced.returncode, 1)
        self.assertIn("ResourceNotFoundException", produced.stderr)
        self.assertRegex(produced.stderr, r"line \d+: trip id\d+ failed: ")


if __name__ == "__main__":
    unittest.main()
