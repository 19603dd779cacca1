"""Kinesis Data Streams through boto3 and the AWS CLI: streams, records, iterators, errors."""

import base64
import json
import os
import subprocess
import threading
import time
import unittest

from sluice_server import ServerTestCase, SluiceServer, kinesis_call as raw_call, kinesis_client
from taxi_trips import taxi_trips

CONFIG = """
kinesis:
  state_change_delay_ms: 50
"""
CLIENT_ENV = {"AWS_ACCESS_KEY_ID": "AKIDTEST", "AWS_SECRET_ACCESS_KEY": "secret",
              "AWS_DEFAULT_REGION": "us-east-1"}




def wait_active(kinesis, name, timeout_s=10):
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        summary = kinesis.describe_stream_summary(StreamName=name)["StreamDescriptionSummary"]
        if summary["StreamStatus"] == "ACTIVE":
            return summary
        time.sleep(0.02)
    raise AssertionError(f"stream {name} did not become ACTIVE")


def wait_gone(kinesis, name, timeout_s=10):
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        try:
            kinesis.describe_stream_summary(StreamName=name)
        except kinesis.exceptions.ResourceNotFoundException:
            return
        time.sleep(0.02)
    raise AssertionError(f"stream {name} was not deleted")


def read_shard(kinesis, iterator, records, until_empty=True):
    """Reads from `iterator` until caught up; appends records; returns the last iterator."""
    while iterator:
        page = kinesis.get_records(ShardIterator=iterator, Limit=10000)
        records.extend(page["Records"])
        iterator = page.get("NextShardIterator")
        if until_empty and not page["Records"] and page["MillisBehindLatest"] == 0:
            break
    return iterator


class KinesisTest(ServerTestCase):
    CONFIG = CONFIG

    def create(self, name, shards=1):
        self.kinesis.create_stream(StreamName=name, ShardCount=shards)
        return wait_active(self.kinesis, name)


    def test_stream_lifecycle(self):
        self.kinesis.create_stream(StreamName="life", ShardCount=2)
        first = self.kinesis.describe_stream(StreamName="life")["StreamDescription"]
        self.assertIn(first["StreamStatus"], ("CREATING", "ACTIVE"))
        summary = wait_active(self.kinesis, "life")
        self.assertEqual(summary["OpenShardCount"], 2)
        self.assertEqual(summary["RetentionPeriodHours"], 24)
        self.assertEqual(summary["StreamARN"],
                         "arn:aws:kinesis:us-east-1:000000000000:stream/life")
        self.assertEqual(summary["StreamModeDetails"]["StreamMode"], "PROVISIONED")
        self.assertIn("life", self.kinesis.list_streams()["StreamNames"])
        self.kinesis.delete_stream(StreamName="life")
        wait_gone(self.kinesis, "life")
        self.assertNotIn("life", self.kinesis.list_streams()["StreamNames"])

    def test_describe_stream_pages_shards(self):
        self.create("paged", shards=5)
        page = self.kinesis.describe_stream(StreamName="paged", Limit=2)["StreamDescription"]
        self.assertEqual([s["ShardId"] for s in page["Shards"]],
                         ["shardId-000000000000", "shardId-000000000001"])
        self.assertTrue(page["HasMoreShards"])
        rest = self.kinesis.describe_stream(StreamName="paged",
                                            ExclusiveStartShardId="shardId-000000000001")
        self.assertEqual(len(rest["StreamDescription"]["Shards"]), 3)
        self.assertFalse(rest["StreamDescription"]["HasMoreShards"])
        shard = page["Shards"][0]
        self.assertEqual(shard["HashKeyRange"]["StartingHashKey"], "0")
        self.assertEqual(len(shard["SequenceNumberRange"]["StartingSequenceNumber"]), 56)

    def test_list_shards_pages_with_next_token(self):
        self.create("shards", shards=5)
        first = self.kinesis.list_shards(StreamName="shards", MaxResults=2)
        self.assertEqual(len(first["Shards"]), 2)
        second = self.kinesis.list_shards(NextToken=first["NextToken"], MaxResults=10)
        self.assertEqual([s["ShardId"] for s in second["Shards"]],
                         [f"shardId-00000000000{i}" for i in range(2, 5)])
        self.assertNotIn("NextToken", second)
        after = self.kinesis.list_shards(StreamName="shards",
                                         ShardFilter={"Type": "AFTER_SHARD_ID",
                                                      "ShardId": "shardId-000000000003"})
        self.assertEqual([s["ShardId"] for s in after["Shards"]], ["shardId-000000000004"])
        self.assertError("InvalidArgumentException", self.kinesis.list_shards,
                         StreamName="shards", NextToken=first["NextToken"])

    def test_list_streams_pages(self):
        for name in ("list-a", "list-b", "list-c"):
            self.kinesis.create_stream(StreamName=name, ShardCount=1)
        names = self.kinesis.list_streams(ExclusiveStartStreamName="list-a", Limit=1)
        self.assertEqual(names["StreamNames"], ["list-b"])
        self.assertTrue(names["HasMoreStreams"])
        # Debian's botocore predates ListStreams' NextToken: page with raw requests.
        status, names = raw_call(self.server.endpoint, "ListStreams",
                                 {"ExclusiveStartStreamName": "list-a", "Limit": 1})
        status, body = raw_call(self.server.endpoint, "ListStreams",
                                {"NextToken": names["NextToken"], "Limit": 1})
        self.assertEqual(status, 200)
        self.assertEqual(body["StreamNames"], ["list-c"])
        self.assertEqual(body["StreamSummaries"][0]["StreamName"], "list-c")

    def test_put_record_and_every_iterator_type(self):
        self.create("iters")
        put = [self.kinesis.put_record(StreamName="iters", Data=f"r{i}".encode(),
                                       PartitionKey="k") for i in range(3)]
        self.assertTrue(all(p["ShardId"] == "shardId-000000000000" for p in put))
        self.assertLess(put[0]["SequenceNumber"], put[1]["SequenceNumber"])
        shard = "shardId-000000000000"

        def first(**kwargs):
            iterator = self.kinesis.get_shard_iterator(StreamName="iters", ShardId=shard,
                                                       **kwargs)["ShardIterator"]
            records = self.kinesis.get_records(ShardIterator=iterator)["Records"]
            return records[0]["Data"] if records else None

        self.assertEqual(first(ShardIteratorType="TRIM_HORIZON"), b"r0")
        self.assertIsNone(first(ShardIteratorType="LATEST"))
        self.assertEqual(first(ShardIteratorType="AT_SEQUENCE_NUMBER",
                               StartingSequenceNumber=put[1]["SequenceNumber"]), b"r1")
        self.assertEqual(first(ShardIteratorType="AFTER_SEQUENCE_NUMBER",
                               StartingSequenceNumber=put[1]["SequenceNumber"]), b"r2")
        self.assertEqual(first(ShardIteratorType="AT_TIMESTAMP", Timestamp=0), b"r0")
        time.sleep(1.1)  # botocore sends whole seconds: step past the second of the puts
        self.assertIsNone(first(ShardIteratorType="AT_TIMESTAMP", Timestamp=time.time()))
        latest = self.kinesis.get_shard_iterator(StreamName="iters", ShardId=shard,
                                                 ShardIteratorType="LATEST")["ShardIterator"]
        self.kinesis.put_record(StreamName="iters", Data=b"after", PartitionKey="k")
        records = self.kinesis.get_records(ShardIterator=latest)["Records"]
        self.assertEqual([r["Data"] for r in records], [b"after"])
        self.assertEqual(records[0]["PartitionKey"], "k")
        self.assertLess(abs(records[0]["ApproximateArrivalTimestamp"].timestamp() - time.time()), 60)

    def test_explicit_hash_key_picks_the_shard(self):
        self.create("explicit", shards=2)
        low = self.kinesis.put_record(StreamName="explicit", Data=b"x", PartitionKey="k",
                                      ExplicitHashKey="0")
        high = self.kinesis.put_record(StreamName="explicit", Data=b"x", PartitionKey="k",
                                       ExplicitHashKey=str(2**128 - 1))
        self.assertEqual(low["ShardId"], "shardId-000000000000")
        self.assertEqual(high["ShardId"], "shardId-000000000001")
        self.assertError("InvalidArgumentException", self.kinesis.put_record, StreamName="explicit",
                         Data=b"x", PartitionKey="k", ExplicitHashKey=str(2**128))

    def test_errors_on_missing_streams_and_shards(self):
        self.assertIn("not found", self.assertError(
            "ResourceNotFoundException", self.kinesis.describe_stream, StreamName="absent"))
        self.assertError("ResourceNotFoundException", self.kinesis.put_record,
                         StreamName="absent", Data=b"x", PartitionKey="k")
        self.create("errs")
        self.assertError("ResourceInUseException", self.kinesis.create_stream,
                         StreamName="errs", ShardCount=1)
        self.assertError("ResourceNotFoundException", self.kinesis.get_shard_iterator,
                         StreamName="errs", ShardId="shardId-000000000009",
                         ShardIteratorType="TRIM_HORIZON")
        self.assertError("InvalidArgumentException", self.kinesis.get_shard_iterator,
                         StreamName="errs", ShardId="shardId-000000000000",
                         ShardIteratorType="AT_SEQUENCE_NUMBER")
        self.assertError("InvalidArgumentException", self.kinesis.get_shard_iterator,
                         StreamName="errs", ShardId="shardId-000000000000",
                         ShardIteratorType="AT_SEQUENCE_NUMBER", StartingSequenceNumber="12345")
        self.assertError("InvalidArgumentException", self.kinesis.get_shard_iterator,
                         StreamName="errs", ShardId="shardId-000000000000",
                         ShardIteratorType="AT_TIMESTAMP", Timestamp=time.time() + 3600)

    def test_record_limits_use_validation_wording(self):
        self.create("limits")
        message = self.assertError("ValidationException", self.kinesis.put_record,
                                   StreamName="limits", Data=b"x" * (1024 * 1024 + 1),
                                   PartitionKey="k")
        self.assertTrue(message.startswith("1 validation error detected: Value"), message)
        self.assertIn("at 'data' failed to satisfy constraint: Member must have length less than "
                      "or equal to 1048576", message)
        message = self.assertError("ValidationException", self.kinesis.put_record,
                                   StreamName="limits", Data=b"x", PartitionKey="k" * 257)
        self.assertIn("at 'partitionKey' failed to satisfy constraint: Member must have length "
                      "less than or equal to 256", message)
        status, body = raw_call(self.server.endpoint, "PutRecord",
                                {"StreamName": "limits", "Data": "eA==", "PartitionKey": ""})
        self.assertEqual((status, body["__type"]), (400, "ValidationException"))
        self.assertIn("Member must have length greater than or equal to 1", body["message"])
        message = self.assertError(
            "ValidationException", self.kinesis.put_records, StreamName="limits",
            Records=[{"Data": b"x", "PartitionKey": "k"}] * 501)
        self.assertIn("at 'records' failed to satisfy constraint: Member must have length less "
                      "than or equal to 500", message)
        status, body = raw_call(self.server.endpoint, "PutRecords", {
            "StreamName": "limits",
            "Records": [{"Data": "eA==", "PartitionKey": "k"}, {"Data": "eA==", "PartitionKey": ""}]})
        self.assertEqual(body["__type"], "ValidationException")
        self.assertIn("at 'records.2.member.partitionKey'", body["message"])
        self.assertError("InvalidArgumentException", self.kinesis.put_records, StreamName="limits",
                         Records=[{"Data": b"x" * (1024 * 1024 - 10), "PartitionKey": "k"}] * 11)
        self.assertError("ValidationException", self.kinesis.get_records, ShardIterator="x",
                         Limit=10001)
        message = self.assertError("ValidationException", self.kinesis.describe_stream,
                                   StreamName="bad name!")
        self.assertIn("Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+", message)
        self.assertError("ValidationException", self.kinesis.create_stream, StreamName="x" * 129,
                         ShardCount=1)
        status, body = raw_call(self.server.endpoint, "CreateStream",
                                {"StreamName": "zero", "ShardCount": 0})
        self.assertEqual(body["__type"], "ValidationException")
        self.assertIn("Value '0' at 'shardCount' failed to satisfy constraint: Member must have "
                      "value greater than or equal to 1", body["message"])

    def test_put_records_reports_every_record(self):
        self.create("batch", shards=3)
        records = [{"Data": f"d{i}".encode(), "PartitionKey": f"p{i}"} for i in range(500)]
        result = self.kinesis.put_records(StreamName="batch", Records=records)
        self.assertEqual(result["FailedRecordCount"], 0)
        self.assertEqual(len(result["Records"]), 500)
        self.assertTrue(all(r["ShardId"].startswith("shardId-") and len(r["SequenceNumber"]) == 56
                            for r in result["Records"]))
        self.assertEqual(len({r["ShardId"] for r in result["Records"]}), 3)
        # Each result names the shard and sequence number the record is read back with.
        put = {records[i]["Data"]: (r["ShardId"], r["SequenceNumber"])
               for i, r in enumerate(result["Records"])}
        read = {}
        for shard in {r["ShardId"] for r in result["Records"]}:
            iterator = self.kinesis.get_shard_iterator(
                StreamName="batch", ShardId=shard,
                ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
            for record in self.kinesis.get_records(ShardIterator=iterator, Limit=10000)["Records"]:
                read[record["Data"]] = (shard, record["SequenceNumber"])
        self.assertEqual(read, put)

    def test_retention_period(self):
        self.create("retain")
        self.kinesis.increase_stream_retention_period(StreamName="retain", RetentionPeriodHours=72)
        self.assertEqual(self.kinesis.describe_stream_summary(StreamName="retain")[
            "StreamDescriptionSummary"]["RetentionPeriodHours"], 72)
        self.assertError("InvalidArgumentException", self.kinesis.increase_stream_retention_period,
                         StreamName="retain", RetentionPeriodHours=48)
        self.assertError("InvalidArgumentException", self.kinesis.decrease_stream_retention_period,
                         StreamName="retain", RetentionPeriodHours=23)
        self.assertError("InvalidArgumentException", self.kinesis.increase_stream_retention_period,
                         StreamName="retain", RetentionPeriodHours=8761)
        self.kinesis.decrease_stream_retention_period(StreamName="retain", RetentionPeriodHours=24)

    def test_iterator_errors(self):
        self.create("itererr")
        iterator = self.kinesis.get_shard_iterator(
            StreamName="itererr", ShardId="shardId-000000000000",
            ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
        tampered = iterator[:-6] + ("AAAA" if iterator[-6:-2] != "AAAA" else "BBBB") + iterator[-2:]
        self.assertError("InvalidArgumentException", self.kinesis.get_records,
                         ShardIterator=tampered)
        self.assertError("InvalidArgumentException", self.kinesis.get_records,
                         ShardIterator="not-an-iterator")

    def test_tags(self):
        self.create("tagged")
        self.kinesis.add_tags_to_stream(StreamName="tagged", Tags={"team": "taxi", "env": "dev"})
        tags = self.kinesis.list_tags_for_stream(StreamName="tagged")
        self.assertEqual({t["Key"]: t["Value"] for t in tags["Tags"]},
                         {"team": "taxi", "env": "dev"})
        self.assertFalse(tags["HasMoreTags"])
        page = self.kinesis.list_tags_for_stream(StreamName="tagged", Limit=1)
        self.assertEqual(len(page["Tags"]), 1)
        self.assertTrue(page["HasMoreTags"])
        self.kinesis.remove_tags_from_stream(StreamName="tagged", TagKeys=["env"])
        arn = "arn:aws:kinesis:us-east-1:000000000000:stream/tagged"
        status, _ = raw_call(self.server.endpoint, "TagResource",
                             {"ResourceARN": arn, "Tags": {"owner": "ops"}})
        self.assertEqual(status, 200)
        status, body = raw_call(self.server.endpoint, "ListTagsForResource", {"ResourceARN": arn})
        self.assertEqual({t["Key"] for t in body["Tags"]}, {"team", "owner"})
        status, _ = raw_call(self.server.endpoint, "UntagResource",
                             {"ResourceARN": arn, "TagKeys": ["team"]})
        status, body = raw_call(self.server.endpoint, "ListTagsForResource", {"ResourceARN": arn})
        self.assertEqual([t["Key"] for t in body["Tags"]], ["owner"])

    def test_stream_arn_is_accepted_where_aws_accepts_it(self):
        self.create("byarn")
        arn = "arn:aws:kinesis:us-east-1:000000000000:stream/byarn"
        status, body = raw_call(self.server.endpoint, "DescribeStreamSummary", {"StreamARN": arn})
        self.assertEqual((status, body["StreamDescriptionSummary"]["StreamName"]), (200, "byarn"))
        status, body = raw_call(self.server.endpoint, "PutRecord",
                                {"StreamARN": arn, "Data": base64.b64encode(b"a").decode(),
                                 "PartitionKey": "k"})
        self.assertEqual(status, 200)
        status, body = raw_call(self.server.endpoint, "ListShards", {"StreamARN": arn})
        self.assertEqual(len(body["Shards"]), 1)
        other = "arn:aws:kinesis:eu-west-1:000000000000:stream/byarn"
        status, body = raw_call(self.server.endpoint, "DescribeStreamSummary", {"StreamARN": other})
        self.assertEqual((status, body["__type"]), (400, "ResourceNotFoundException"))
        status, body = raw_call(self.server.endpoint, "DescribeStreamSummary", {})
        self.assertEqual((status, body["__type"]), (400, "ValidationException"))

    def test_describe_limits(self):
        limits = self.kinesis.describe_limits()
        self.assertGreater(limits["ShardLimit"], 0)
        self.assertGreaterEqual(limits["OpenShardCount"], 0)

    def test_aws_cli_round_trip(self):
        env = {**os.environ, **CLIENT_ENV}

        def aws(*args):
            result = subprocess.run(["aws", "kinesis", *args, "--endpoint-url",
                                     self.server.endpoint, "--output", "json"],
                                    env=env, capture_output=True, text=True, timeout=120)
            self.assertEqual(result.returncode, 0, result.stderr)
            return json.loads(result.stdout) if result.stdout.strip() else {}

        aws("create-stream", "--stream-name", "cli", "--shard-count", "1")
        wait_active(self.kinesis, "cli")
        # Debian's AWS CLI is version 1: --data is sent as given (then base64-encoded).
        put = aws("put-record", "--stream-name", "cli", "--partition-key", "k",
                  "--data", "from the cli")
        self.assertEqual(put["ShardId"], "shardId-000000000000")
        iterator = aws("get-shard-iterator", "--stream-name", "cli", "--shard-id",
                       "shardId-000000000000", "--shard-iterator-type",
                       "TRIM_HORIZON")["ShardIterator"]
        records = aws("get-records", "--shard-iterator", iterator)["Records"]
        self.assertEqual(base64.b64decode(records[0]["Data"]), b"from the cli")
        self.assertIn("cli", aws("list-streams")["StreamNames"])
        aws("delete-stream", "--stream-name", "cli")


class TaxiRoundTripTest(unittest.TestCase):
    """10,000 taxi trips into an ON_DEMAND stream, read back across a restart."""

    def test_every_trip_exactly_once_in_order_per_key_across_a_restart(self):
        trips = taxi_trips(10_000)
        server = SluiceServer(CONFIG)
        with server:
            kinesis = kinesis_client(server.endpoint)
            kinesis.create_stream(StreamName="taxi-trips",
                                  StreamModeDetails={"StreamMode": "ON_DEMAND"})
            wait_active(kinesis, "taxi-trips")
            for start in range(0, len(trips), 500):
                batch = [{"Data": data, "PartitionKey": trip_id}
                         for trip_id, data in trips[start:start + 500]]
                result = kinesis.put_records(StreamName="taxi-trips", Records=batch)
                self.assertEqual(result["FailedRecordCount"], 0)
            shards = [s["ShardId"] for s in kinesis.list_shards(StreamName="taxi-trips")["Shards"]]
            self.assertEqual(len(shards), 4)
            records, iterators = [], {}
            for shard in shards:
                iterator = kinesis.get_shard_iterator(StreamName="taxi-trips", ShardId=shard,
                                                      ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
                page = kinesis.get_records(ShardIterator=iterator, Limit=1000)
                records.extend((shard, r) for r in page["Records"])
                iterators[shard] = page["NextShardIterator"]

            # Restart in the middle of the read; the saved iterators stay valid.
            self.assertEqual(server.stop(), 0)
            server.start()
            kinesis = kinesis_client(server.endpoint)
            for shard, iterator in iterators.items():
                rest = []
                read_shard(kinesis, iterator, rest)
                records.extend((shard, r) for r in rest)

        self.assertEqual(len(records), len(trips))
        expected = {data: trip_id for trip_id, data in trips}
        self.assertEqual(sorted(r["Data"] for _, r in records), sorted(expected))
        by_key = {}
        for shard, record in records:
            self.assertEqual(record["PartitionKey"], expected[record["Data"]])
            by_key.setdefault(record["PartitionKey"], []).append((shard, record))
        for key, items in by_key.items():
            self.assertEqual(len({shard for shard, _ in items}), 1, key)
            sequence = [json.loads(r["Data"])["seq"] for _, r in items]
            self.assertEqual(sequence, sorted(sequence), key)


class KillNineTest(unittest.TestCase):
    """kill -9 under write load, then restart: every acknowledged record is there."""

    def test_no_acknowledged_record_is_lost(self):
        server = SluiceServer(CONFIG)
        with server:
            kinesis = kinesis_client(server.endpoint)
            kinesis.create_stream(StreamName="kill", ShardCount=16)
            wait_active(kinesis, "kill")
            acknowledged = {}  # (shard, sequence number) -> data
            stop = threading.Event()

            def write(writer):
                client = kinesis_client(server.endpoint)
                for batch in range(1_000_000):
                    records = [{"Data": f"{writer}-{batch}-{i}".encode(), "PartitionKey": f"k{i}"}
                               for i in range(100)]
                    try:
                        result = client.put_records(StreamName="kill", Records=records)
                    except Exception:  # the server is gone
                        client.close()
                        return
                    for record, outcome in zip(records, result["Records"]):
                        if "SequenceNumber" in outcome:
                            acknowledged[(outcome["ShardId"], outcome["SequenceNumber"])] = \
                                record["Data"]
                    if stop.is_set():
                        client.close()
                        return

            writers = [threading.Thread(target=write, args=(w,)) for w in range(3)]
            for thread in writers:
                thread.start()
            time.sleep(1.5)
            server.process.kill()
            server.process.wait()
            stop.set()
            for thread in writers:
                thread.join()
            server.stop()
            kinesis.close()
            self.assertGreater(len(acknowledged), 1000)

            server.start()
            kinesis = kinesis_client(server.endpoint)
            stored = {}
            for shard in kinesis.list_shards(StreamName="kill")["Shards"]:
                iterator = kinesis.get_shard_iterator(
                    StreamName="kill", ShardId=shard["ShardId"],
                    ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
                records = []
                read_shard(kinesis, iterator, records)
                for record in records:
                    stored[(shard["ShardId"], record["SequenceNumber"])] = record["Data"]
            missing = [key for key in acknowledged if stored.get(key) != acknowledged[key]]
            self.assertEqual(missing, [])
            result = kinesis.put_records(StreamName="kill",
                                         Records=[{"Data": b"after", "PartitionKey": "k"}])
            self.assertEqual(result["FailedRecordCount"], 0)
            kinesis.close()


class ExpiredIteratorTest(unittest.TestCase):
    def test_an_old_iterator_is_expired(self):
        config = CONFIG + "  shard_iterator_lifetime_ms: 300\n"
        with SluiceServer(config) as server:
            kinesis = kinesis_client(server.endpoint)
            kinesis.create_stream(StreamName="short", ShardCount=1)
            wait_active(kinesis, "short")
            iterator = kinesis.get_shard_iterator(StreamName="short", ShardId="shardId-000000000000",
                                                  ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
            time.sleep(0.5)
            with self.assertRaises(kinesis.exceptions.ExpiredIteratorException):
                kinesis.get_records(ShardIterator=iterator)


class DemoTest(unittest.TestCase):
    def test_demo_creates_the_taxi_stream_once(self):
        server = SluiceServer(CONFIG, command="demo")
        with server:
            kinesis = kinesis_client(server.endpoint)
            summary = wait_active(kinesis, "taxi-trips")
            self.assertEqual(summary["StreamModeDetails"]["StreamMode"], "ON_DEMAND")
            self.assertEqual(summary["OpenShardCount"], 4)
            kinesis.put_record(StreamName="taxi-trips", Data=b"{}", PartitionKey="id1")
            self.assertEqual(server.stop(), 0)
            server.start()  # a second start keeps the stream and its record
            kinesis = kinesis_client(server.endpoint)
            self.assertEqual(wait_active(kinesis, "taxi-trips")["OpenShardCount"], 4)
            self.assertNotIn("creating the demo stream", server.logs())


class CreatingStateTest(unittest.TestCase):
    def test_a_creating_stream_refuses_data_and_changes(self):
        with SluiceServer("kinesis:\n  state_change_delay_ms: 3000\n") as server:
            kinesis = kinesis_client(server.endpoint)
            kinesis.create_stream(StreamName="slow", ShardCount=1)
            summary = kinesis.describe_stream_summary(StreamName="slow")
            self.assertEqual(summary["StreamDescriptionSummary"]["StreamStatus"], "CREATING")
            with self.assertRaises(kinesis.exceptions.ResourceNotFoundException):
                kinesis.put_record(StreamName="slow", Data=b"x", PartitionKey="k")
            with self.assertRaises(kinesis.exceptions.ResourceInUseException):
                kinesis.increase_stream_retention_period(StreamName="slow",
                                                         RetentionPeriodHours=48)
            with self.assertRaises(kinesis.exceptions.ResourceInUseException):
                kinesis.delete_stream(StreamName="slow")


if __name__ == "__main__":
    unittest.main()
