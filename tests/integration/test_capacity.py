"""Capacity: on-demand auto-scaling, provisioned throughput limits, UpdateMaxRecordSize and
UpdateStreamMode."""

import re
import time
import unittest

from sluice_server import ServerTestCase, SluiceServer, kinesis_call, kinesis_client
from test_kinesis import wait_active
from test_resharding import (THROTTLED, TripWriter, assert_lineage_consistent,
                             assert_read_matches_acked, get_records_retrying, is_open,
                             list_all_shards, read_in_lineage_order, shard_id,
                             trim_horizon_iterator)

ON_DEMAND_CONFIG = """
kinesis:
  state_change_delay_ms: 50
  on_demand:
    shard_write_records_per_sec: 200
    window_ms: 2000
    interval_ms: 500
    scale_down_cooldown_ms: 3000
    min_shards: 4
    max_shards: 64
"""
CONFIG = """
kinesis:
  state_change_delay_ms: 50
"""
UNLIMITED_CONFIG = CONFIG + "  enforce_limits: false\n"
MIB = 1 << 20


def arn(name):
    return f"arn:aws:kinesis:us-east-1:000000000000:stream/{name}"


def metric(server, name, **labels):
    """Values of metric `name` whose labels include `labels`: [(labels dict, value)]."""
    _, text = server.get("/metrics")
    found = []
    for line in text.splitlines():
        match = re.fullmatch(re.escape(name) + r"\{(.*)\} (\S+)", line)
        if not match:
            continue
        have = dict(re.findall(r'(\w+)="([^"]*)"', match.group(1)))
        if all(have.get(k) == v for k, v in labels.items()):
            found.append((have, float(match.group(2))))
    return found


def open_count(kinesis, name):
    return sum(1 for s in list_all_shards(kinesis, name) if is_open(s))


def summary(endpoint, name):
    status, body = kinesis_call(endpoint, "DescribeStreamSummary", {"StreamName": name})
    assert status == 200, body
    return body["StreamDescriptionSummary"]


class OnDemandScalingTest(unittest.TestCase):
    def test_on_demand_stream_grows_under_load_and_shrinks_after(self):
        with SluiceServer(ON_DEMAND_CONFIG) as server:
            kinesis = kinesis_client(server.endpoint)
            kinesis.create_stream(StreamName="rush", StreamModeDetails={"StreamMode": "ON_DEMAND"})
            self.assertEqual(wait_active(kinesis, "rush")["OpenShardCount"], 4)
            writer = TripWriter("rush", trip_count=80_000, batch_size=300)
            writer.start(server.endpoint, rate=1500, max_seconds=14)
            peak, rates = 4, []
            try:
                deadline = time.monotonic() + 10
                while time.monotonic() < deadline and peak <= 4:
                    time.sleep(0.25)
                    peak = max(peak, open_count(kinesis, "rush"))
                time.sleep(1)  # more load: the new shards get a sampling interval's rate
                peak = max(peak, open_count(kinesis, "rush"))
                rates = metric(server, "sluice_kinesis_shard_write_records_per_second",
                               stream="rush")
            finally:
                writer.stop()
            self.assertEqual(writer.failures, [])
            self.assertEqual(dict(writer.error_codes), {}, "an on-demand stream throttled")
            self.assertGreater(peak, 4, f"no split in 10 s at {len(writer.acked)} records")
            written_per_s = len(writer.acked) / writer.elapsed_s
            self.assertGreater(written_per_s, 1000, "the writer fell too far behind its pace")
            # The metric's per-shard rates add up to about the writer's pace.
            self.assertLess(abs(sum(value for _, value in rates) - written_per_s),
                            written_per_s / 2, rates)

            # Idle: adjacent cold pairs are merged back down to min_shards.
            deadline = time.monotonic() + 15
            count = open_count(kinesis, "rush")
            while time.monotonic() < deadline and count > 4:
                time.sleep(0.25)
                count = open_count(kinesis, "rush")
            self.assertEqual(count, 4, f"{count} open shards 15 s after the load (peak {peak})")
            self.assertEqual(metric(server, "sluice_kinesis_open_shards", stream="rush"),
                             [({"stream": "rush"}, 4.0)])
            shards = list_all_shards(kinesis, "rush")
            self.assertTrue(any("AdjacentParentShardId" in s for s in shards))
            assert_lineage_consistent(self, shards)
            read, _ = read_in_lineage_order(kinesis, "rush")
            assert_read_matches_acked(self, read, writer.acked)

    def test_scaling_stays_within_the_account_shard_limit(self):
        with SluiceServer(ON_DEMAND_CONFIG + "  shard_limit: 7\n") as server:
            kinesis = kinesis_client(server.endpoint)
            kinesis.create_stream(StreamName="capped", StreamModeDetails={"StreamMode": "ON_DEMAND"})
            wait_active(kinesis, "capped")
            writer = TripWriter("capped", trip_count=20_000, batch_size=300)
            writer.start(server.endpoint, rate=1500, max_seconds=8)
            counts = []
            try:
                deadline = time.monotonic() + 8
                while time.monotonic() < deadline:
                    time.sleep(0.25)
                    counts.append(open_count(kinesis, "capped"))
            finally:
                writer.stop()
            self.assertEqual(writer.failures, [])
            self.assertGreater(max(counts), 4, "the stream never split")
            self.assertLessEqual(max(counts), 7, counts)
            read, _ = read_in_lineage_order(kinesis, "capped")
            assert_read_matches_acked(self, read, writer.acked)


class ThrottlingTest(ServerTestCase):
    CONFIG = CONFIG

    def test_a_shard_refuses_records_past_1000_a_second_and_stores_the_rest(self):
        self.kinesis.create_stream(StreamName="narrow", ShardCount=1)
        wait_active(self.kinesis, "narrow")
        writer = TripWriter("narrow", trip_count=40_000, batch_size=500, retry=False)
        writer.start(self.server.endpoint, rate=3000, max_seconds=2)
        writer.wait(2)
        self.assertEqual(writer.failures, [])
        self.assertEqual(set(writer.error_codes), {THROTTLED})
        self.assertEqual(len(writer.refused), writer.error_codes[THROTTLED])
        self.assertGreater(len(writer.refused), 500)
        # One second's worth in the bucket plus 1000 a second: about 3000 in 2 s.
        self.assertLessEqual(len(writer.acked), 1000 + 1000 * writer.elapsed_s + 50)
        self.assertGreater(len(writer.acked), 1000)
        read, _ = read_in_lineage_order(self.kinesis, "narrow")
        assert_read_matches_acked(self, read, writer.acked)

    def test_put_record_past_one_mib_a_second_is_throttled(self):
        self.kinesis.create_stream(StreamName="heavy", ShardCount=1)
        wait_active(self.kinesis, "heavy")
        data = b"t" * (256 * 1024)
        stored, throttled = 0, 0
        start = time.monotonic()
        while time.monotonic() - start < 1.5:
            try:
                self.kinesis.put_record(StreamName="heavy", Data=data, PartitionKey="k")
                stored += 1
            except self.kinesis.exceptions.ProvisionedThroughputExceededException:
                throttled += 1
        elapsed = time.monotonic() - start
        self.assertGreater(throttled, 0)
        # 1 MiB in the bucket, 1 MiB a second, and one record charged after the fact.
        self.assertLessEqual(stored * len(data), MIB + MIB * elapsed + len(data))
        records = []
        iterator = trim_horizon_iterator(self.kinesis, "heavy", shard_id(0))
        deadline = time.monotonic() + 20
        while len(records) < stored and time.monotonic() < deadline:
            page = get_records_retrying(self.kinesis, iterator, deadline)
            records.extend(page["Records"])
            iterator = page["NextShardIterator"]
        self.assertEqual(len(records), stored)

    def test_more_than_five_get_records_a_second_are_throttled(self):
        self.kinesis.create_stream(StreamName="reads", ShardCount=1)
        wait_active(self.kinesis, "reads")
        self.kinesis.put_record(StreamName="reads", Data=b"x", PartitionKey="k")
        iterator = trim_horizon_iterator(self.kinesis, "reads", shard_id(0))
        time.sleep(1.1)  # the read bucket is full
        served = 0
        start = time.monotonic()
        with self.assertRaises(self.kinesis.exceptions.ProvisionedThroughputExceededException):
            for _ in range(10):
                iterator = self.kinesis.get_records(ShardIterator=iterator,
                                                    Limit=1)["NextShardIterator"]
                served += 1
        elapsed = time.monotonic() - start
        self.assertLess(elapsed, 1)
        self.assertGreaterEqual(served, 5)
        self.assertLessEqual(served, 5 + int(5 * elapsed) + 1)
        time.sleep(0.5)  # refilled: reads go on from the same iterator
        self.kinesis.get_records(ShardIterator=iterator)


class UnlimitedTest(unittest.TestCase):
    def test_without_enforced_limits_nothing_is_throttled(self):
        with SluiceServer(UNLIMITED_CONFIG) as server:
            kinesis = kinesis_client(server.endpoint)
            kinesis.create_stream(StreamName="open", ShardCount=1)
            wait_active(kinesis, "open")
            writer = TripWriter("open", trip_count=40_000, batch_size=500, retry=False)
            writer.start(server.endpoint, rate=3000, max_seconds=2)
            writer.wait(2)
            self.assertEqual(writer.failures, [])
            self.assertEqual(dict(writer.error_codes), {})
            self.assertGreater(len(writer.acked), 1000 + 1000 * writer.elapsed_s + 200,
                               "the writer was too slow to exceed the usual quota")
            iterator = trim_horizon_iterator(kinesis, "open", shard_id(0))
            for _ in range(12):
                iterator = kinesis.get_records(ShardIterator=iterator,
                                               Limit=100)["NextShardIterator"]
            read, _ = read_in_lineage_order(kinesis, "open")
            assert_read_matches_acked(self, read, writer.acked)


class StreamSettingsTest(ServerTestCase):
    CONFIG = CONFIG


    def test_update_max_record_size_admits_larger_records(self):
        self.kinesis.create_stream(StreamName="big", ShardCount=1)
        wait_active(self.kinesis, "big")
        endpoint = self.server.endpoint
        self.assertEqual(summary(endpoint, "big")["MaxRecordSizeInKiB"], 1024)
        record = bytes(range(256)) * (8 * 1024)  # 2 MiB
        message = self.assertError("ValidationException", self.kinesis.put_record,
                                   StreamName="big", Data=record, PartitionKey="k")
        self.assertIn("Member must have length less than or equal to 1048576", message)

        status, body = kinesis_call(endpoint, "UpdateMaxRecordSize",
                                    {"StreamARN": arn("big"), "MaxRecordSizeInKiB": 4096})
        self.assertEqual((status, body), (200, {}))
        wait_active(self.kinesis, "big")
        self.assertEqual(summary(endpoint, "big")["MaxRecordSizeInKiB"], 4096)
        put = self.kinesis.put_record(StreamName="big", Data=record, PartitionKey="k")
        iterator = trim_horizon_iterator(self.kinesis, "big", shard_id(0))
        page = self.kinesis.get_records(ShardIterator=iterator)
        self.assertEqual([(r["SequenceNumber"], r["Data"]) for r in page["Records"]],
                         [(put["SequenceNumber"], record)])
        message = self.assertError("ValidationException", self.kinesis.put_record,
                                   StreamName="big", Data=b"x" * (4 * MIB + 1), PartitionKey="k")
        self.assertIn("Member must have length less than or equal to 4194304", message)

        for kib in (1023, 10241, 0):
            status, body = kinesis_call(endpoint, "UpdateMaxRecordSize",
                                        {"StreamName": "big", "MaxRecordSizeInKiB": kib})
            self.assertEqual((status, body.get("__type")), (400, "ValidationException"), kib)
        status, body = kinesis_call(endpoint, "UpdateMaxRecordSize", {"StreamName": "big"})
        self.assertEqual((status, body.get("__type")), (400, "ValidationException"))
        status, body = kinesis_call(endpoint, "UpdateMaxRecordSize",
                                    {"StreamName": "absent", "MaxRecordSizeInKiB": 2048})
        self.assertEqual((status, body.get("__type")), (400, "ResourceNotFoundException"))
        self.assertEqual(summary(endpoint, "big")["MaxRecordSizeInKiB"], 4096)

        # Back down by name: 2 MiB is refused again.
        status, _ = kinesis_call(endpoint, "UpdateMaxRecordSize",
                                 {"StreamName": "big", "MaxRecordSizeInKiB": 1024})
        self.assertEqual(status, 200)
        wait_active(self.kinesis, "big")
        self.assertEqual(summary(endpoint, "big")["MaxRecordSizeInKiB"], 1024)
        self.assertError("ValidationException", self.kinesis.put_record,
                         StreamName="big", Data=record, PartitionKey="k")

    def test_update_stream_mode_round_trip(self):
        self.kinesis.create_stream(StreamName="modal", ShardCount=2)
        wait_active(self.kinesis, "modal")

        def mode():
            return self.kinesis.describe_stream_summary(StreamName="modal")[
                "StreamDescriptionSummary"]["StreamModeDetails"]["StreamMode"]

        self.assertEqual(mode(), "PROVISIONED")
        self.kinesis.update_stream_mode(StreamARN=arn("modal"),
                                        StreamModeDetails={"StreamMode": "ON_DEMAND"})
        self.assertEqual(wait_active(self.kinesis, "modal")["StreamModeDetails"]["StreamMode"],
                         "ON_DEMAND")
        self.assertEqual(mode(), "ON_DEMAND")
        self.assertError("ValidationException", self.kinesis.split_shard, StreamName="modal",
                         ShardToSplit=shard_id(0), NewStartingHashKey="1000")
        self.assertError("ValidationException", self.kinesis.update_shard_count,
                         StreamName="modal", TargetShardCount=3, ScalingType="UNIFORM_SCALING")
        self.assertError("ResourceNotFoundException", self.kinesis.update_stream_mode,
                         StreamARN=arn("absent"), StreamModeDetails={"StreamMode": "ON_DEMAND"})

        self.kinesis.update_stream_mode(StreamARN=arn("modal"),
                                        StreamModeDetails={"StreamMode": "PROVISIONED"})
        wait_active(self.kinesis, "modal")
        self.assertEqual(mode(), "PROVISIONED")
        # Two switches in 24 hours are all AWS allows.
        message = self.assertError("LimitExceededException", self.kinesis.update_stream_mode,
                                   StreamARN=arn("modal"),
                                   StreamModeDetails={"StreamMode": "ON_DEMAND"})
        self.assertIn("rolling 24-hour period", message)
        self.kinesis.split_shard(StreamName="modal", ShardToSplit=shard_id(0),
                                 NewStartingHashKey="1000")
        self.assertEqual(wait_active(self.kinesis, "modal")["OpenShardCount"], 3)


if __name__ == "__main__":
    unittest.main()
