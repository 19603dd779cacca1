"""Encryption at rest through boto3: StartStreamEncryption / StopStreamEncryption, what the
files on disk hold, and reading everything back across the switches and a restart."""

import glob
import os
import unittest

from sluice_server import SluiceServer, kinesis_client
from test_kinesis import wait_active
from test_resharding import TripWriter, assert_read_matches_acked, read_in_lineage_order

CONFIG = """
kinesis:
  state_change_delay_ms: 50
"""
KEY = "alias/aws/kinesis"


def disk_bytes(server):
    """Every byte of every file the server keeps: segments, indexes, the write-ahead log
    (which has the newest records before their segment files do), the metadata."""
    data = b""
    for path in glob.glob(os.path.join(server.data_dir, "data", "**"), recursive=True):
        if os.path.isfile(path):
            with open(path, "rb") as f:
                data += f.read()
    return data


class EncryptionTest(unittest.TestCase):
    def setUp(self):
        self.server = SluiceServer(CONFIG)
        self.server.__enter__()
        self.kinesis = kinesis_client(self.server.endpoint)

    def tearDown(self):
        self.kinesis.close()
        self.server.__exit__(None, None, None)

    def create(self, name):
        self.kinesis.create_stream(StreamName=name, ShardCount=2)
        return wait_active(self.kinesis, name)

    def test_an_unencrypted_stream_reads_back_and_stores_plaintext(self):
        summary = self.create("plain")
        self.assertEqual(summary["EncryptionType"], "NONE")
        writer = TripWriter("plain", 300)
        writer.write(self.kinesis, 300)
        read, _ = read_in_lineage_order(self.kinesis, "plain")
        assert_read_matches_acked(self, read, writer.acked)
        self.assertTrue(writer.acked[0][1] in disk_bytes(self.server))

    def test_records_written_under_a_key_are_sealed_on_disk_and_all_read_back(self):
        self.create("sealed")
        writer = TripWriter("sealed", 900)
        writer.write(self.kinesis, 300)
        before = list(writer.acked)

        self.kinesis.start_stream_encryption(StreamName="sealed", EncryptionType="KMS",
                                             KeyId=KEY)
        summary = wait_active(self.kinesis, "sealed")
        self.assertEqual((summary["EncryptionType"], summary["KeyId"]), ("KMS", KEY))
        response = self.kinesis.put_record(StreamName="sealed", Data=b"probe", PartitionKey="p")
        self.assertEqual(response["EncryptionType"], "KMS")
        writer.write(self.kinesis, 300)
        sealed = writer.acked[len(before):]

        disk = disk_bytes(self.server)
        self.assertTrue(before[0][1] in disk, "records from before the switch are stored as written")
        plain_keys = {key for key, _, _, _ in before}
        for key, data, _, _ in sealed:
            self.assertFalse(data in disk, f"sealed record {key} is on disk in plaintext")
            if key not in plain_keys:
                self.assertFalse(key.encode() in disk, f"partition key {key} is on disk")

        self.kinesis.stop_stream_encryption(StreamName="sealed", EncryptionType="KMS", KeyId=KEY)
        summary = wait_active(self.kinesis, "sealed")
        self.assertEqual(summary["EncryptionType"], "NONE")
        writer.write(self.kinesis, 300)

        self.server.stop()
        self.server.start()
        kinesis = kinesis_client(self.server.endpoint)
        read, _ = read_in_lineage_order(kinesis, "sealed")
        read = [(shard, record) for shard, record in read if record["Data"] != b"probe"]
        assert_read_matches_acked(self, read, writer.acked)
        sealed_data = {data for _, data, _, _ in sealed}
        for _, record in read:
            expected = "KMS" if record["Data"] in sealed_data else None
            self.assertEqual(record.get("EncryptionType"), expected)
        kinesis.close()

    def test_refuses_unknown_keys_and_encryption_type_none(self):
        self.create("refusals")
        with self.assertRaises(self.kinesis.exceptions.KMSNotFoundException):
            self.kinesis.start_stream_encryption(StreamName="refusals", EncryptionType="KMS",
                                                 KeyId="alias/not-there")
        with self.assertRaises(self.kinesis.exceptions.InvalidArgumentException):
            self.kinesis.start_stream_encryption(StreamName="refusals", EncryptionType="NONE",
                                                 KeyId=KEY)
        summary = self.kinesis.describe_stream_summary(StreamName="refusals")
        self.assertEqual(summary["StreamDescriptionSummary"]["StreamStatus"], "ACTIVE")
        self.assertEqual(summary["StreamDescriptionSummary"]["EncryptionType"], "NONE")


if __name__ == "__main__":
    unittest.main()
