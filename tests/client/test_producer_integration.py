"""The producer library against the real server: 20,000 records with aggregation, signed
with SigV4, read back with boto3 and de-aggregated; each must arrive exactly once."""

import base64
import collections
import json
import os
import subprocess
import sys
import time
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "integration"))

from sluice_server import SluiceServer, kinesis_client  # noqa: E402

PRODUCER_TOOL = os.environ.get("SLUICE_PRODUCER_TOOL", "build/release/tests/client/producer_tool")
KEY_ID = "AKIDTEST"
SECRET = "secret"
CONFIG = f"""
kinesis:
  state_change_delay_ms: 50
access_keys:
  - access_key_id: {KEY_ID}
    secret_access_key: {SECRET}
"""
COUNT = 20000


def wait_active(kinesis, name, timeout_s=10):
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        summary = kinesis.describe_stream_summary(StreamName=name)["StreamDescriptionSummary"]
        if summary["StreamStatus"] == "ACTIVE":
            return
        time.sleep(0.02)
    raise AssertionError(f"stream {name} did not become ACTIVE")


def read_stream(kinesis, name):
    """Every Kinesis record of every shard: [(shard id, partition key, data bytes)]."""
    records = []
    for shard in kinesis.list_shards(StreamName=name)["Shards"]:
        iterator = kinesis.get_shard_iterator(StreamName=name, ShardId=shard["ShardId"],
                                              ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
        while iterator:
            page = kinesis.get_records(ShardIterator=iterator, Limit=10000)
            for record in page["Records"]:
                records.append((shard["ShardId"], record["PartitionKey"], record["Data"]))
            iterator = page.get("NextShardIterator")
            if not page["Records"] and page["MillisBehindLatest"] == 0:
                break
    return records


def deaggregate(kinesis_records):
    """User records [(partition key, data)] of the Kinesis records, through the library's
    Deaggregate (producer_tool deaggregate)."""
    lines = "".join(
        base64.b64encode(key.encode()).decode() + " " + base64.b64encode(data).decode() + "\n"
        for _, key, data in kinesis_records)
    output = subprocess.run([PRODUCER_TOOL, "deaggregate"], input=lines, capture_output=True,
                            text=True, check=True, timeout=60).stdout
    users = []
    for line in output.splitlines():
        key, data = line.split(" ")
        users.append((base64.b64decode(key).decode(), base64.b64decode(data).decode()))
    return users


class ProducerIntegrationTest(unittest.TestCase):
    def test_twenty_thousand_aggregated_records_arrive_exactly_once(self):
        with SluiceServer(CONFIG) as server:
            kinesis = kinesis_client(server.endpoint)
            kinesis.create_stream(StreamName="produced", ShardCount=4)
            wait_active(kinesis, "produced")
            env = dict(os.environ, AWS_ACCESS_KEY_ID=KEY_ID, AWS_SECRET_ACCESS_KEY=SECRET)
            run = subprocess.run(
                [PRODUCER_TOOL, "produce", "--endpoint", server.endpoint, "--stream", "produced",
                 "--count", str(COUNT)],
                capture_output=True, text=True, env=env, timeout=120)
            self.assertEqual(run.returncode, 0, run.stdout + run.stderr)
            summary = json.loads(run.stdout)
            self.assertEqual(summary["succeeded"], COUNT)
            self.assertEqual(summary["failed"], 0)

            kinesis_records = read_stream(kinesis, "produced")
            # Aggregated: far fewer Kinesis records than user records.
            self.assertLess(len(kinesis_records), COUNT // 20)
            self.assertEqual(len(kinesis_records), summary["kinesis_records"])
            users = deaggregate(kinesis_records)
            counts = collections.Counter(data for _, data in users)
            expected = {f"record-{i}-" + "x" * (i % 50) for i in range(COUNT)}
            self.assertEqual(set(counts), expected)
            self.assertEqual([d for d, n in counts.items() if n != 1], [])
            for key, data in users:
                self.assertEqual(key, "pk-" + data.split("-")[1])


if __name__ == "__main__":
    unittest.main()
