"""The HTTP front door through real clients: curl-like requests, boto3 and the AWS CLI."""

import os
import re
import subprocess
import time
import unittest

import boto3
import botocore.config
import botocore.exceptions

from sluice_server import SluiceServer, aws_json_request, read_http_response

CLIENT_ENV = {"AWS_ACCESS_KEY_ID": "AKIDTEST", "AWS_SECRET_ACCESS_KEY": "secret",
              "AWS_DEFAULT_REGION": "us-east-1"}
UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$")


def kinesis_client(endpoint):
    return boto3.client("kinesis", endpoint_url=endpoint, region_name="us-east-1",
                        aws_access_key_id="AKIDTEST", aws_secret_access_key="secret",
                        config=botocore.config.Config(retries={"max_attempts": 0}))


class FrontDoorTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.server = SluiceServer().__enter__()

    @classmethod
    def tearDownClass(cls):
        code = cls.server.stop()
        cls.server.__exit__(None, None, None)
        assert code == 0, f"server exited with {code}"

    def test_health_answers_ok(self):
        status, body = self.server.get("/health")
        self.assertEqual(status, 200)
        self.assertEqual(body, '{"status":"ok"}')

    def test_metrics_are_prometheus_text(self):
        with self.server.connect() as sock:
            sock.sendall(aws_json_request("Kinesis_20131202.Teleport", "{}"))
            read_http_response(sock)
        status, text = self.server.get("/metrics")
        self.assertEqual(status, 200)
        self.assertIn("# TYPE sluice_requests_total counter", text)
        self.assertIn("# TYPE sluice_request_duration_seconds histogram", text)
        counted = re.search(r'sluice_requests_total\{service="Kinesis_20131202",'
                            r'operation="unknown",outcome="client_error"\} (\d+)', text)
        self.assertIsNotNone(counted)
        self.assertGreaterEqual(int(counted.group(1)), 1)
        self.assertRegex(text, r"\nsluice_open_connections \d+\n")
        rss = re.search(r"\nprocess_resident_memory_bytes (\d+)\n", text)
        self.assertGreater(int(rss.group(1)), 0)

    def test_boto3_gets_a_clean_aws_error_for_an_unimplemented_operation(self):
        kinesis = kinesis_client(self.server.endpoint)
        with self.assertRaises(botocore.exceptions.ClientError) as caught:
            kinesis.list_stream_consumers(
                StreamARN="arn:aws:kinesis:us-east-1:000000000000:stream/x")
        error = caught.exception.response
        self.assertEqual(error["Error"]["Code"], "UnknownOperationException")
        self.assertEqual(error["ResponseMetadata"]["HTTPStatusCode"], 400)
        self.assertRegex(error["ResponseMetadata"]["RequestId"], UUID)

    def test_aws_cli_gets_a_clean_answer(self):
        result = subprocess.run(
            ["aws", "kinesis", "list-streams", "--endpoint-url", self.server.endpoint],
            env={**os.environ, **CLIENT_ENV}, capture_output=True, text=True, timeout=120)
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertIn('"StreamNames": []', result.stdout)

    def test_aws_cli_gets_a_clean_aws_error(self):
        result = subprocess.run(
            ["aws", "kinesis", "describe-stream", "--stream-name", "absent", "--endpoint-url",
             self.server.endpoint],
            env={**os.environ, **CLIENT_ENV}, capture_output=True, text=True, timeout=120)
        self.assertNotEqual(result.returncode, 0)
        self.assertIn("An error occurred (ResourceNotFoundException) when calling the "
                      "DescribeStream operation", result.stderr)
        self.assertNotIn("Traceback", result.stderr)

    def test_keep_alive_serves_many_requests_on_one_connection(self):
        with self.server.connect() as sock:
            for _ in range(20):
                sock.sendall(aws_json_request("Kinesis_20131202.Teleport", "{}"))
                status, headers, body = read_http_response(sock)
                self.assertEqual(status, 400)
                self.assertIn(b"UnknownOperationException", body)
                self.assertEqual(headers["content-type"], "application/x-amz-json-1.1")
                self.assertRegex(headers["x-amzn-requestid"], UUID)

    def test_unknown_service_target_is_unknown_operation(self):
        with self.server.connect() as sock:
            sock.sendall(aws_json_request("Nothing_2020.Do", "{}"))
            status, _, body = read_http_response(sock)
        self.assertEqual(status, 400)
        self.assertIn(b'"__type":"UnknownOperationException"', body)

    def test_open_mode_is_announced_at_start(self):
        self.assertIn("running OPEN", self.server.logs())


class DataFolderTest(unittest.TestCase):
    def test_a_second_server_on_the_same_data_folder_refuses_to_start(self):
        with SluiceServer() as first:
            second = subprocess.run(
                [os.environ.get("SLUICE_BIN", "build/release/sluice"), "serve", "--listen",
                 "127.0.0.1:0", "--data-dir", os.path.join(first.data_dir, "data")],
                capture_output=True, text=True, timeout=30)
            self.assertEqual(second.returncode, 1)
            self.assertIn("is in use by another sluice process", second.stderr)
            self.assertEqual(first.get("/health")[0], 200)


class ShutdownTest(unittest.TestCase):
    def test_sigterm_finishes_an_in_flight_request_then_exits_zero(self):
        with SluiceServer() as server:
            with server.connect() as sock:
                request = aws_json_request("Kinesis_20131202.Teleport", "{}" + " " * 8)
                sock.sendall(request[:-5])
                time.sleep(0.2)
                server.process.send_signal(15)
                time.sleep(0.2)
                self.assertTrue(server.alive(), "server quit with a request in flight")
                sock.sendall(request[-5:])
                status, headers, body = read_http_response(sock)
                self.assertEqual(status, 400)
                self.assertIn(b"UnknownOperationException", body)
                self.assertEqual(headers.get("connection"), "close")
            self.assertEqual(server.process.wait(timeout=10), 0)

    def test_sigterm_closes_idle_connections_and_exits_promptly(self):
        with SluiceServer() as server:
            with server.connect() as sock:
                sock.sendall(aws_json_request("Kinesis_20131202.Teleport", "{}"))
                read_http_response(sock)
                started = time.monotonic()
                self.assertEqual(server.stop(), 0)
                self.assertLess(time.monotonic() - started, 5)
                self.assertEqual(sock.recv(1), b"")


if __name__ == "__main__":
    unittest.main()
