"""Resharding: SplitShard, MergeShards and UpdateShardCount under load, the lineage they
leave (ListShards, GetRecords' ChildShards), their errors, and a restart after a split.

The helpers here (TripWriter, read_in_lineage_order, assert_read_matches_acked, ...) are
shared with test_capacity."""

import collections
import json
import threading
import time
import unittest

from sluice_server import ServerTestCase, SluiceServer, kinesis_client
from taxi_trips import taxi_trips
from test_kinesis import wait_active

CONFIG = """
kinesis:
  state_change_delay_ms: 50
"""
MAX_HASH_KEY = 2**128 - 1
THROTTLED = "ProvisionedThroughputExceededException"
DRAIN_S = 10  # how long a stopping writer retries refused records
PACE_S = 0.05  # how often a background writer sends what has come due


def shard_id(index):
    return f"shardId-{index:012d}"


def hash_range(shard):
    keys = shard["HashKeyRange"]
    return int(keys["StartingHashKey"]), int(keys["EndingHashKey"])


def is_open(shard):
    return "EndingSequenceNumber" not in shard["SequenceNumberRange"]


def list_all_shards(kinesis, name, **kwargs):
    """Every shard ListShards reports for `name`, following NextToken."""
    page = kinesis.list_shards(StreamName=name, **kwargs)
    shards = list(page["Shards"])
    while page.get("NextToken"):
        page = kinesis.list_shards(NextToken=page["NextToken"])
        shards.extend(page["Shards"])
    return shards


def open_shards(kinesis, name):
    """The open shards of `name` (no EndingSequenceNumber), in hash key order."""
    return sorted((s for s in list_all_shards(kinesis, name) if is_open(s)), key=hash_range)


def trim_horizon_iterator(kinesis, name, shard):
    return kinesis.get_shard_iterator(StreamName=name, ShardId=shard,
                                      ShardIteratorType="TRIM_HORIZON")["ShardIterator"]


def get_records_retrying(kinesis, iterator, deadline, limit=5000):
    """GetRecords, waiting out ProvisionedThroughputExceededException until `deadline`."""
    while True:
        try:
            return kinesis.get_records(ShardIterator=iterator, Limit=limit)
        except kinesis.exceptions.ProvisionedThroughputExceededException:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)


def read_whole_shard(kinesis, name, shard, deadline):
    """All records of `shard` from TRIM_HORIZON: (records, ChildShards or None).

    A closed shard is read until GetRecords stops giving a NextShardIterator, and its last
    page's ChildShards are returned; an open one until it is caught up (None)."""
    iterator = trim_horizon_iterator(kinesis, name, shard)
    records = []
    while True:
        if time.monotonic() > deadline:
            raise AssertionError(f"reading {shard} of {name} did not finish")
        page = get_records_retrying(kinesis, iterator, deadline)
        records.extend(page["Records"])
        if "NextShardIterator" not in page:
            return records, page.get("ChildShards", [])
        if not page["Records"] and page["MillisBehindLatest"] == 0:
            return records, None
        iterator = page["NextShardIterator"]


def read_in_lineage_order(kinesis, name, timeout_s=60):
    """Every record of the stream, parents before children: ([(shard id, record)], children).

    Starts from the listed shards none of whose parents is listed, and follows GetRecords'
    ChildShards; a merged child is read once both its parents are. `children` maps each
    closed shard to the ChildShards its last GetRecords gave. Fails if a listed shard is
    never reached."""
    deadline = time.monotonic() + timeout_s
    shards = list_all_shards(kinesis, name)
    listed = {s["ShardId"] for s in shards}
    queue = collections.deque(
        s["ShardId"] for s in shards
        if not {s.get("ParentShardId"), s.get("AdjacentParentShardId")} & listed)
    done, queued, read, children = [], set(queue), [], {}
    while queue:
        shard = queue.popleft()
        records, child_shards = read_whole_shard(kinesis, name, shard, deadline)
        read.extend((shard, record) for record in records)
        done.append(shard)
        if child_shards is None:
            continue
        children[shard] = child_shards
        for child in child_shards:
            if child["ShardId"] not in queued and set(child["ParentShards"]) <= set(done):
                queued.add(child["ShardId"])
                queue.append(child["ShardId"])
    if set(done) != listed:
        raise AssertionError(f"shards never reached through ChildShards: "
                             f"{sorted(listed - set(done))}; read {done}")
    return read, children


class TripWriter:
    """Writes taxi trips with PutRecords and keeps exactly what was acknowledged.

    Each record's data is a trip's JSON with "keySeq", a counter per partition key (the trip
    id). A batch holds at most one record per key and refused records go first into the next
    batch, so each key's records are acknowledged in counter order even when retried. With
    retry=False refused records are dropped instead.

    Synchronous (write) or from a background thread (start/stop), paced at `rate`."""

    def __init__(self, stream, trip_count, seed=2026, batch_size=250, retry=True):
        self.stream = stream
        self.batch_size = batch_size
        self.retry = retry
        self._source = iter(taxi_trips(trip_count, seed))
        self._counters = collections.Counter()
        self._generated = 0
        self._pending = []  # (order, key, data), not yet acknowledged, oldest first
        self.acked = []  # (key, data, sequence number, shard id), in acknowledgement order
        self.refused = []  # (key, data, error code): records given up on (retry=False)
        self.error_codes = collections.Counter()  # per-record ErrorCodes seen
        self.failures = []  # call-level errors: the test should fail
        self.calls = 0
        self.elapsed_s = 0.0
        self._stop = threading.Event()
        self._thread = None

    def _take(self, count):
        for _ in range(count):
            trip = next(self._source, None)
            if trip is None:
                return
            key, data = trip
            data = data[:-1] + b',"keySeq":%d}' % self._counters[key]
            self._counters[key] += 1
            self._pending.append((self._generated, key, data))
            self._generated += 1

    def _put_once(self, kinesis):
        batch, later, keys = [], [], set()
        for item in self._pending:
            if len(batch) < self.batch_size and item[1] not in keys:
                batch.append(item)
            else:
                later.append(item)
            keys.add(item[1])
        result = kinesis.put_records(StreamName=self.stream, Records=[
            {"Data": data, "PartitionKey": key} for _, key, data in batch])
        self.calls += 1
        failed = []
        for item, outcome in zip(batch, result["Records"]):
            if "ErrorCode" in outcome:
                self.error_codes[outcome["ErrorCode"]] += 1
                if self.retry:
                    failed.append(item)
                else:
                    self.refused.append((item[1], item[2], outcome["ErrorCode"]))
            else:
                self.acked.append((item[1], item[2], outcome["SequenceNumber"],
                                   outcome["ShardId"]))
        refused = sum(1 for r in result["Records"] if "ErrorCode" in r)
        if len(result["Records"]) != len(batch) or result["FailedRecordCount"] != refused:
            self.failures.append(f"inconsistent PutRecords response: {result}")
        self._pending = sorted(failed + later)
        return len(failed)

    def write(self, kinesis, count, timeout_s=10):
        """Writes `count` more trips now, retrying refused ones until acknowledged."""
        self._take(count)
        deadline = time.monotonic() + timeout_s
        while self._pending and time.monotonic() < deadline:
            if self._put_once(kinesis):
                time.sleep(0.05)
        if self._pending:
            raise AssertionError(f"{len(self._pending)} records not acknowledged in {timeout_s} s")

    def start(self, endpoint, rate, max_seconds):
        """Writes about `rate` trips a second from a thread until stop() or `max_seconds`."""
        self._thread = threading.Thread(target=self._run, args=(endpoint, rate, max_seconds),
                                        daemon=True)
        self._thread.start()

    def stop(self):
        """Stops taking new trips, lets refused ones be retried for a while, and joins."""
        self._stop.set()
        self.wait(0)

    def wait(self, max_seconds):
        """Joins the thread, which stops by itself after its `max_seconds`."""
        self._thread.join(max_seconds + DRAIN_S + 15)
        if self._thread.is_alive():
            raise AssertionError("writer thread did not stop")

    def _run(self, endpoint, rate, max_seconds):
        kinesis = kinesis_client(endpoint)
        start = time.monotonic()
        first = self._generated
        drain_deadline = None
        try:
            while True:
                now = time.monotonic()
                if drain_deadline is None and (self._stop.is_set() or now - start > max_seconds):
                    drain_deadline = now + DRAIN_S
                if drain_deadline is None:
                    due = int(rate * (now - start)) - (self._generated - first)
                    self._take(max(0, min(due, 4 * self.batch_size - len(self._pending))))
                if not self._pending:
                    if drain_deadline is not None:
                        break
                elif drain_deadline is not None and now > drain_deadline:
                    self.failures.append(f"{len(self._pending)} records never acknowledged")
                    break
                else:
                    refused = self._put_once(kinesis)
                    if not refused and len(self._pending) >= self.batch_size:
                        continue  # behind the pace: send the next full batch now
                time.sleep(PACE_S)
        except Exception as error:  # noqa: BLE001 — reported through `failures`
            self.failures.append(repr(error))
        finally:
            self.elapsed_s = time.monotonic() - start
            kinesis.close()


def assert_read_matches_acked(test, read, acked):
    """`read` ([(shard id, record)] in lineage order) holds every acknowledged record exactly
    once, byte-identical, with the sequence number and shard PutRecords gave, in
    acknowledgement order per partition key, and nothing else."""
    expected = {data: (key, sequence, shard) for key, data, sequence, shard in acked}
    test.assertEqual(len(expected), len(acked), "the writer produced duplicate data")
    counts = collections.Counter(record["Data"] for _, record in read)
    duplicated = [data for data, n in counts.items() if n > 1]
    test.assertEqual(duplicated[:3], [], f"{len(duplicated)} records read more than once")
    missing = [data for data in expected if data not in counts]
    extra = [data for data in counts if data not in expected]
    test.assertEqual((len(missing), missing[:3]), (0, []), "acknowledged records not read")
    test.assertEqual((len(extra), extra[:3]), (0, []), "records read that were never acknowledged")
    by_key = collections.defaultdict(list)
    last_sequence = {}
    for shard, record in read:
        key, sequence, put_shard = expected[record["Data"]]
        test.assertEqual((record["PartitionKey"], record["SequenceNumber"], shard),
                         (key, sequence, put_shard), record["Data"])
        test.assertGreater(int(sequence), last_sequence.get(shard, -1), shard)
        last_sequence[shard] = int(sequence)
        by_key[key].append(json.loads(record["Data"])["keySeq"])
    acked_by_key = collections.defaultdict(list)
    for key, data, _, _ in acked:
        acked_by_key[key].append(json.loads(data)["keySeq"])
    out_of_order = [key for key in acked_by_key if by_key[key] != acked_by_key[key]]
    test.assertEqual(out_of_order[:3], [], f"{len(out_of_order)} keys read out of order, e.g. " +
                     "; ".join(f"{k}: read {by_key[k]} acked {acked_by_key[k]}"
                               for k in out_of_order[:2]))


def assert_lineage_consistent(test, shards):
    """The shape every ListShards answer must have after splits and merges."""
    by_id = {s["ShardId"]: s for s in shards}
    children = collections.defaultdict(list)
    for shard in shards:
        for field in ("ParentShardId", "AdjacentParentShardId"):
            if field in shard and shard[field] in by_id:
                children[shard[field]].append(shard)
    for shard in shards:
        name = shard["ShardId"]
        numbers = shard["SequenceNumberRange"]
        if not is_open(shard):
            test.assertGreaterEqual(int(numbers["EndingSequenceNumber"]),
                                    int(numbers["StartingSequenceNumber"]), name)
            kids = children[name]
            splits = [k for k in kids if "AdjacentParentShardId" not in k]
            if splits:
                test.assertEqual(len(kids), 2, f"{name} split into {kids}")
                ranges = sorted(hash_range(k) for k in splits)
                test.assertEqual(ranges[0][0], hash_range(shard)[0], name)
                test.assertEqual(ranges[0][1] + 1, ranges[1][0], name)
                test.assertEqual(ranges[1][1], hash_range(shard)[1], name)
            else:
                test.assertEqual(len(kids), 1, f"closed {name} has children {kids}")
        if "AdjacentParentShardId" in shard:
            parent = by_id[shard["ParentShardId"]]
            adjacent = by_id[shard["AdjacentParentShardId"]]
            test.assertFalse(is_open(parent) or is_open(adjacent), name)
            low, high = sorted([hash_range(parent), hash_range(adjacent)])
            test.assertEqual(low[1] + 1, high[0], f"{name}: parents not adjacent")
            test.assertEqual(hash_range(shard), (low[0], high[1]), name)
        elif "ParentShardId" in shard and shard["ParentShardId"] in by_id:
            test.assertFalse(is_open(by_id[shard["ParentShardId"]]), name)
    assert_tiles_key_space(test, [s for s in shards if is_open(s)])


def assert_tiles_key_space(test, shards):
    ranges = sorted(hash_range(s) for s in shards)
    test.assertEqual(ranges[0][0], 0, ranges)
    test.assertEqual(ranges[-1][1], MAX_HASH_KEY, ranges)
    for before, after in zip(ranges, ranges[1:]):
        test.assertEqual(before[1] + 1, after[0], ranges)


class ReshardingTest(ServerTestCase):
    CONFIG = CONFIG

    def create(self, name, shards):
        self.kinesis.create_stream(StreamName=name, ShardCount=shards)
        return wait_active(self.kinesis, name)

    def test_resharding_under_load_keeps_every_record_once_and_in_order(self):
        self.create("busy", shards=2)
        writer = TripWriter("busy", trip_count=40_000)
        # Half the key space takes 1500 records a second, past one shard's 1000: the writer
        # retries refused records throughout.
        writer.start(self.server.endpoint, rate=3000, max_seconds=30)
        try:
            time.sleep(1)
            first = open_shards(self.kinesis, "busy")[0]
            low, high = hash_range(first)
            self.kinesis.split_shard(StreamName="busy", ShardToSplit=first["ShardId"],
                                     NewStartingHashKey=str(low + (high - low) // 3))
            wait_active(self.kinesis, "busy")
            time.sleep(0.7)
            pair = open_shards(self.kinesis, "busy")[:2]
            self.kinesis.merge_shards(StreamName="busy", ShardToMerge=pair[0]["ShardId"],
                                      AdjacentShardToMerge=pair[1]["ShardId"])
            wait_active(self.kinesis, "busy")
            time.sleep(0.7)
            scaled = self.kinesis.update_shard_count(StreamName="busy", TargetShardCount=3,
                                                     ScalingType="UNIFORM_SCALING")
            self.assertEqual((scaled["CurrentShardCount"], scaled["TargetShardCount"]), (2, 3))
            self.assertEqual(wait_active(self.kinesis, "busy")["OpenShardCount"], 3)
            time.sleep(0.7)
        finally:
            writer.stop()
        self.assertEqual(writer.failures, [])
        self.assertLessEqual(set(writer.error_codes), {THROTTLED})
        self.assertGreater(len(writer.acked), 2000)
        shards = list_all_shards(self.kinesis, "busy")
        assert_lineage_consistent(self, shards)
        # Every generation took records: the split parent, its children (merged later), the
        # merge's child and the final shards.
        written_to = {shard for _, _, _, shard in writer.acked}
        merged = [s for s in shards if s.get("AdjacentParentShardId") == pair[1]["ShardId"]]
        self.assertEqual(len(merged), 1)
        generations = {first["ShardId"], pair[0]["ShardId"], pair[1]["ShardId"],
                       merged[0]["ShardId"]} | {s["ShardId"] for s in shards if is_open(s)}
        self.assertLessEqual(generations, written_to)
        read, _ = read_in_lineage_order(self.kinesis, "busy")
        assert_read_matches_acked(self, read, writer.acked)

    def test_lineage_after_split_merge_and_update_shard_count(self):
        self.create("shape", shards=2)
        zero, one = shard_id(0), shard_id(1)
        mid = 2**127  # shard 0 holds [0, 2^127 - 1]
        quarter = 2**126

        def put(hash_key, data):
            return self.kinesis.put_record(StreamName="shape", Data=data, PartitionKey="k",
                                           ExplicitHashKey=str(hash_key))

        before = [put(5, b"a%d" % i) for i in range(3)]
        self.assertEqual({p["ShardId"] for p in before}, {zero})

        self.kinesis.split_shard(StreamName="shape", ShardToSplit=zero,
                                 NewStartingHashKey=str(quarter))
        wait_active(self.kinesis, "shape")
        shards = {s["ShardId"]: s for s in list_all_shards(self.kinesis, "shape")}
        self.assertEqual(sorted(shards), [shard_id(i) for i in range(4)])
        self.assertFalse(is_open(shards[zero]))
        self.assertGreaterEqual(int(shards[zero]["SequenceNumberRange"]["EndingSequenceNumber"]),
                                int(before[-1]["SequenceNumber"]))
        self.assertTrue(is_open(shards[one]))
        self.assertEqual((shards[shard_id(2)]["ParentShardId"], hash_range(shards[shard_id(2)])),
                         (zero, (0, quarter - 1)))
        self.assertEqual((shards[shard_id(3)]["ParentShardId"], hash_range(shards[shard_id(3)])),
                         (zero, (quarter, mid - 1)))
        self.assertNotIn("AdjacentParentShardId", shards[shard_id(2)])
        assert_lineage_consistent(self, list(shards.values()))
        # New records for shard 0's keys go to its children; shard 0 stays readable and ends
        # with ChildShards instead of a NextShardIterator.
        self.assertEqual(put(5, b"b")["ShardId"], shard_id(2))
        self.assertEqual(put(quarter, b"c")["ShardId"], shard_id(3))
        records, child_shards = read_whole_shard(self.kinesis, "shape", zero,
                                                 time.monotonic() + 10)
        self.assertEqual([r["Data"] for r in records], [b"a0", b"a1", b"a2"])
        self.assertEqual([r["SequenceNumber"] for r in records],
                         [p["SequenceNumber"] for p in before])
        self.assertEqual(child_shards, [
            {"ShardId": shard_id(2), "ParentShards": [zero],
             "HashKeyRange": {"StartingHashKey": "0", "EndingHashKey": str(quarter - 1)}},
            {"ShardId": shard_id(3), "ParentShards": [zero],
             "HashKeyRange": {"StartingHashKey": str(quarter), "EndingHashKey": str(mid - 1)}}])
        at_record = self.kinesis.get_shard_iterator(
            StreamName="shape", ShardId=zero, ShardIteratorType="AT_SEQUENCE_NUMBER",
            StartingSequenceNumber=before[1]["SequenceNumber"])["ShardIterator"]
        page = self.kinesis.get_records(ShardIterator=at_record)
        self.assertEqual([r["Data"] for r in page["Records"]], [b"a1", b"a2"])

        self.kinesis.merge_shards(StreamName="shape", ShardToMerge=shard_id(2),
                                  AdjacentShardToMerge=shard_id(3))
        wait_active(self.kinesis, "shape")
        shards = {s["ShardId"]: s for s in list_all_shards(self.kinesis, "shape")}
        merged = shards[shard_id(4)]
        self.assertEqual((merged["ParentShardId"], merged["AdjacentParentShardId"]),
                         (shard_id(2), shard_id(3)))
        self.assertEqual(hash_range(merged), (0, mid - 1))
        self.assertFalse(is_open(shards[shard_id(2)]) or is_open(shards[shard_id(3)]))
        assert_lineage_consistent(self, list(shards.values()))
        for parent, data in ((shard_id(2), b"b"), (shard_id(3), b"c")):
            records, child_shards = read_whole_shard(self.kinesis, "shape", parent,
                                                     time.monotonic() + 10)
            self.assertEqual([r["Data"] for r in records], [data])
            self.assertEqual(len(child_shards), 1)
            self.assertEqual(child_shards[0]["ShardId"], shard_id(4))
            self.assertEqual(sorted(child_shards[0]["ParentShards"]), [shard_id(2), shard_id(3)])
            self.assertEqual(child_shards[0]["HashKeyRange"],
                             {"StartingHashKey": "0", "EndingHashKey": str(mid - 1)})

        self.kinesis.update_shard_count(StreamName="shape", TargetShardCount=3,
                                        ScalingType="UNIFORM_SCALING")
        self.assertEqual(wait_active(self.kinesis, "shape")["OpenShardCount"], 3)
        shards = list_all_shards(self.kinesis, "shape")
        assert_lineage_consistent(self, shards)
        latest = self.kinesis.list_shards(StreamName="shape",
                                          ShardFilter={"Type": "AT_LATEST"})["Shards"]
        self.assertEqual(sorted(s["ShardId"] for s in latest),
                         sorted(s["ShardId"] for s in shards if is_open(s)))
        self.assertTrue(all(is_open(s) for s in latest))
        self.assertEqual(len(latest), 3)
        for shard in latest:  # uniform: each open shard holds about a third of the key space
            low, high = hash_range(shard)
            self.assertAlmostEqual((high - low + 1) / 2**128, 1 / 3, places=6)
        everything = self.kinesis.list_shards(StreamName="shape",
                                              ShardFilter={"Type": "FROM_TRIM_HORIZON"})
        self.assertEqual(len(everything["Shards"]), len(shards))

    def test_time_shard_filters_list_the_shards_open_at_that_time(self):
        # AWS: AT_TRIM_HORIZON lists the shards open at the trim horizon, AT_TIMESTAMP those
        # open at the timestamp, FROM_TIMESTAMP the open ones and those closed since then.
        self.create("filters", shards=2)
        self.kinesis.split_shard(StreamName="filters", ShardToSplit=shard_id(0),
                                 NewStartingHashKey=str(2**126))
        wait_active(self.kinesis, "filters")
        time.sleep(1.2)  # botocore sends whole seconds
        between = time.time()
        time.sleep(1.2)
        self.kinesis.merge_shards(StreamName="filters", ShardToMerge=shard_id(2),
                                  AdjacentShardToMerge=shard_id(3))
        wait_active(self.kinesis, "filters")
        cases = [({"Type": "AT_LATEST"}, [1, 4]),
                 ({"Type": "FROM_TRIM_HORIZON"}, [0, 1, 2, 3, 4]),
                 ({"Type": "AT_TIMESTAMP", "Timestamp": between}, [1, 2, 3]),
                 ({"Type": "FROM_TIMESTAMP", "Timestamp": between}, [1, 2, 3, 4]),
                 ({"Type": "AT_TRIM_HORIZON"}, [0, 1])]
        for shard_filter, expected in cases:
            with self.subTest(shard_filter["Type"]):
                shards = self.kinesis.list_shards(StreamName="filters",
                                                  ShardFilter=shard_filter)["Shards"]
                self.assertEqual(sorted(s["ShardId"] for s in shards),
                                 [shard_id(i) for i in expected])


    def test_reshard_errors(self):
        self.create("errs", shards=3)
        split, merge = self.kinesis.split_shard, self.kinesis.merge_shards
        self.assertError("ResourceNotFoundException", split, StreamName="errs",
                         ShardToSplit=shard_id(9), NewStartingHashKey="5")
        self.assertError("ResourceNotFoundException", merge, StreamName="errs",
                         ShardToMerge=shard_id(0), AdjacentShardToMerge=shard_id(9))
        self.assertError("ResourceNotFoundException", split, StreamName="absent",
                         ShardToSplit=shard_id(0), NewStartingHashKey="5")
        self.assertError("InvalidArgumentException", merge, StreamName="errs",
                         ShardToMerge=shard_id(0), AdjacentShardToMerge=shard_id(2))
        self.assertError("InvalidArgumentException", merge, StreamName="errs",
                         ShardToMerge=shard_id(0), AdjacentShardToMerge=shard_id(0))
        # NewStartingHashKey must fall strictly inside the shard's range.
        self.assertError("InvalidArgumentException", split, StreamName="errs",
                         ShardToSplit=shard_id(0), NewStartingHashKey="0")
        self.assertError("InvalidArgumentException", split, StreamName="errs",
                         ShardToSplit=shard_id(0), NewStartingHashKey=str(MAX_HASH_KEY))
        update = self.kinesis.update_shard_count
        self.assertError("LimitExceededException", update, StreamName="errs",
                         TargetShardCount=7, ScalingType="UNIFORM_SCALING")
        self.assertError("LimitExceededException", update, StreamName="errs",
                         TargetShardCount=1, ScalingType="UNIFORM_SCALING")
        self.assertEqual(wait_active(self.kinesis, "errs")["OpenShardCount"], 3)

        self.kinesis.split_shard(StreamName="errs", ShardToSplit=shard_id(0),
                                 NewStartingHashKey="1000")
        wait_active(self.kinesis, "errs")
        message = self.assertError("InvalidArgumentException", split, StreamName="errs",
                                   ShardToSplit=shard_id(0), NewStartingHashKey="5")
        self.assertIn("has already been merged or split", message)
        message = self.assertError("InvalidArgumentException", merge, StreamName="errs",
                                   ShardToMerge=shard_id(0), AdjacentShardToMerge=shard_id(1))
        self.assertIn("has already been merged or split", message)
        message = self.assertError("InvalidArgumentException", merge, StreamName="errs",
                                   ShardToMerge=shard_id(4), AdjacentShardToMerge=shard_id(0))
        self.assertIn("has already been merged or split", message)
        # 4 open shards now: 8 is the most UpdateShardCount allows, 2 the fewest.
        self.assertError("LimitExceededException", update, StreamName="errs",
                         TargetShardCount=9, ScalingType="UNIFORM_SCALING")
        self.assertEqual(len(open_shards(self.kinesis, "errs")), 4)

        self.kinesis.create_stream(StreamName="errs-od",
                                   StreamModeDetails={"StreamMode": "ON_DEMAND"})
        wait_active(self.kinesis, "errs-od")
        self.assertError("ValidationException", split, StreamName="errs-od",
                         ShardToSplit=shard_id(0), NewStartingHashKey="1000")
        self.assertError("ValidationException", merge, StreamName="errs-od",
                         ShardToMerge=shard_id(0), AdjacentShardToMerge=shard_id(1))
        self.assertError("ValidationException", update, StreamName="errs-od",
                         TargetShardCount=5, ScalingType="UNIFORM_SCALING")
        self.assertEqual(len(list_all_shards(self.kinesis, "errs-od")), 4)


class UpdatingStateTest(unittest.TestCase):
    """A stream is UPDATING for state_change_delay_ms after a change; changes then wait."""

    def test_changes_to_an_updating_stream_are_refused_with_resource_in_use(self):
        with SluiceServer("kinesis:\n  state_change_delay_ms: 1500\n") as server:
            kinesis = kinesis_client(server.endpoint)
            kinesis.create_stream(StreamName="slow", ShardCount=2)
            wait_active(kinesis, "slow", timeout_s=10)
            kinesis.split_shard(StreamName="slow", ShardToSplit=shard_id(0),
                                NewStartingHashKey="1000")
            summary = kinesis.describe_stream_summary(StreamName="slow")["StreamDescriptionSummary"]
            self.assertEqual((summary["StreamStatus"], summary["OpenShardCount"]), ("UPDATING", 2))
            # Writes and reads go on while the stream updates.
            put = kinesis.put_record(StreamName="slow", Data=b"x", PartitionKey="k",
                                     ExplicitHashKey="5")
            self.assertEqual(put["ShardId"], shard_id(0))
            calls = [
                lambda: kinesis.split_shard(StreamName="slow", ShardToSplit=shard_id(1),
                                            NewStartingHashKey=str(2**127 + 5)),
                lambda: kinesis.merge_shards(StreamName="slow", ShardToMerge=shard_id(0),
                                             AdjacentShardToMerge=shard_id(1)),
                lambda: kinesis.update_shard_count(StreamName="slow", TargetShardCount=3,
                                                   ScalingType="UNIFORM_SCALING"),
                lambda: kinesis.update_stream_mode(
                    StreamARN="arn:aws:kinesis:us-east-1:000000000000:stream/slow",
                    StreamModeDetails={"StreamMode": "ON_DEMAND"}),
            ]
            for call in calls:
                with self.assertRaises(kinesis.exceptions.ResourceInUseException):
                    call()
            still = kinesis.describe_stream_summary(StreamName="slow")["StreamDescriptionSummary"]
            self.assertEqual(still["StreamStatus"], "UPDATING")
            self.assertEqual(wait_active(kinesis, "slow")["OpenShardCount"], 3)
            self.assertEqual(len(list_all_shards(kinesis, "slow")), 4)


class RestartTest(unittest.TestCase):
    def test_lineage_and_records_survive_a_restart_after_a_split(self):
        server = SluiceServer(CONFIG)
        with server:
            kinesis = kinesis_client(server.endpoint)
            kinesis.create_stream(StreamName="durable", ShardCount=2)
            wait_active(kinesis, "durable")
            writer = TripWriter("durable", trip_count=4000)
            writer.write(kinesis, 800)
            kinesis.split_shard(StreamName="durable", ShardToSplit=shard_id(1),
                                NewStartingHashKey=str(3 * 2**126))
            wait_active(kinesis, "durable")
            writer.write(kinesis, 800)
            before = list_all_shards(kinesis, "durable")
            self.assertEqual(len(before), 4)

            self.assertEqual(server.stop(), 0)
            server.start()
            kinesis = kinesis_client(server.endpoint)
            self.assertEqual(wait_active(kinesis, "durable")["OpenShardCount"], 3)
            self.assertEqual(list_all_shards(kinesis, "durable"), before)
            writer.write(kinesis, 800)
            self.assertTrue({shard for _, _, _, shard in writer.acked[1600:]}
                            <= {shard_id(0), shard_id(2), shard_id(3)})
            # Shard numbering goes on after the restart.
            kinesis.split_shard(StreamName="durable", ShardToSplit=shard_id(0),
                                NewStartingHashKey=str(2**126))
            wait_active(kinesis, "durable")
            after = list_all_shards(kinesis, "durable")
            self.assertEqual([s["ShardId"] for s in after], [shard_id(i) for i in range(6)])
            self.assertEqual({s.get("ParentShardId") for s in after[4:]}, {shard_id(0)})
            assert_lineage_consistent(self, after)
            read, children = read_in_lineage_order(kinesis, "durable")
            self.assertEqual(sorted(children), [shard_id(0), shard_id(1)])
            assert_read_matches_acked(self, read, writer.acked)

    def test_a_split_accepted_before_a_restart_is_still_carried_out(self):
        # AWS answers SplitShard at once and always finishes it; a restart while the stream
        # is UPDATING must not drop the accepted split.
        server = SluiceServer("kinesis:\n  state_change_delay_ms: 2000\n")
        with server:
            kinesis = kinesis_client(server.endpoint)
            kinesis.create_stream(StreamName="pending", ShardCount=2)
            wait_active(kinesis, "pending")
            kinesis.split_shard(StreamName="pending", ShardToSplit=shard_id(0),
                                NewStartingHashKey="1000")
            self.assertEqual(kinesis.describe_stream_summary(StreamName="pending")[
                "StreamDescriptionSummary"]["StreamStatus"], "UPDATING")
            self.assertEqual(server.stop(), 0)
            server.start()
            kinesis = kinesis_client(server.endpoint)
            deadline = time.monotonic() + 10
            while time.monotonic() < deadline and len(open_shards(kinesis, "pending")) != 3:
                time.sleep(0.1)
            self.assertEqual(wait_active(kinesis, "pending")["OpenShardCount"], 3)
            assert_lineage_consistent(self, list_all_shards(kinesis, "pending"))


if __name__ == "__main__":
    unittest.main()
