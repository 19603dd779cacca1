"""Starts `sluice serve` on 127.0.0.1 with a free port and a temporary data folder."""

import json
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import urllib.error
import unittest
import urllib.request

import boto3
import botocore.config
import botocore.exceptions

SLUICE_BIN = os.environ.get("SLUICE_BIN", "build/release/sluice")
START_TIMEOUT_S = 10


class SluiceServer:
    """A server process for one test class; use as a context manager."""

    def __init__(self, config_yaml="", extra_args=(), command="serve"):
        self.data_dir = tempfile.mkdtemp(prefix="sluice-it-")
        self.config_path = os.path.join(self.data_dir, "config.yaml")
        with open(self.config_path, "w") as f:
            f.write(config_yaml)
        self.extra_args = list(extra_args)
        self.command = command
        self.process = None
        self.port = None
        self.log_path = os.path.join(self.data_dir, "server.log")

    def __enter__(self):
        self.start()
        return self

    def __exit__(self, exc_type, *exc):
        try:
            try:
                code = self.stop()
            except subprocess.TimeoutExpired:
                if exc_type is None:
                    raise
                return  # the test's own failure is the one to report
            # A clean stop exits 0; anything else (a sanitizer's report, a crash in shutdown)
            # fails the test, unless the test killed the server itself or already failed.
            if exc_type is None and code not in (0, None, -signal.SIGKILL):
                raise AssertionError(f"sluice exited with status {code}:\n{self.logs()[-6000:]}")
        finally:
            shutil.rmtree(self.data_dir, ignore_errors=True)

    @property
    def endpoint(self):
        return f"http://127.0.0.1:{self.port}"

    def start(self):
        self.log = open(self.log_path, "w")
        self.process = subprocess.Popen(
            [SLUICE_BIN, self.command, "--listen", "127.0.0.1:0",
             "--data-dir", os.path.join(self.data_dir, "data"),
             "--config", self.config_path, *self.extra_args],
            stdout=subprocess.PIPE, stderr=self.log, text=True)
        deadline = time.monotonic() + START_TIMEOUT_S
        while time.monotonic() < deadline:
            line = self.process.stdout.readline()
            if not line:
                break
            if "listening on http://" in line:
                self.port = int(line.strip().rsplit(":", 1)[1])
                return
        raise RuntimeError("sluice did not start: " + self.logs())

    def stop(self, timeout=15):
        """SIGTERM, then wait; returns the exit code."""
        if self.process is None:
            return None
        try:
            if self.process.poll() is None:
                self.process.send_signal(signal.SIGTERM)
                self.process.wait(timeout=timeout)
            return self.process.returncode
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
            raise
        finally:
            self.process.stdout.close()
            self.log.close()

    def alive(self):
        return self.process.poll() is None

    def logs(self):
        with open(self.log_path) as f:
            return f.read()

    def get(self, path):
        with urllib.request.urlopen(self.endpoint + path, timeout=5) as response:
            return response.status, response.read().decode()

    def connect(self, timeout=5):
        return socket.create_connection(("127.0.0.1", self.port), timeout=timeout)


def read_http_response(sock):
    """Reads one HTTP/1.1 response (Content-Length framed) from a socket.

    Returns (status, headers dict with lower-case names, body bytes); (None, {}, b"") if the
    peer closed before sending anything."""
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(65536)
        if not chunk:
            return None, {}, b""
        data += chunk
    head, body = data.split(b"\r\n\r\n", 1)
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split(" ")[1])
    headers = {}
    for line in lines[1:]:
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    length = int(headers.get("content-length", "0"))
    while len(body) < length:
        chunk = sock.recv(65536)
        if not chunk:
            break
        body += chunk
    return status, headers, body


def aws_json_request(target, body, extra_headers=""):
    body_bytes = body.encode() if isinstance(body, str) else body
    return (f"POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Amz-Target: {target}\r\n"
            f"Content-Type: application/x-amz-json-1.1\r\nContent-Length: {len(body_bytes)}\r\n"
            f"{extra_headers}\r\n").encode() + body_bytes


def kinesis_call(endpoint, operation, body):
    """An unsigned Kinesis JSON request (for servers running open, and for shapes newer
    than Debian's botocore): (status, parsed body)."""
    request = urllib.request.Request(
        endpoint + "/", data=json.dumps(body).encode(), method="POST",
        headers={"X-Amz-Target": f"Kinesis_20131202.{operation}",
                 "Content-Type": "application/x-amz-json-1.1"})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, json.loads(response.read() or b"{}")
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())

def kinesis_client(endpoint):
    return boto3.client("kinesis", endpoint_url=endpoint, region_name="us-east-1",
                        aws_access_key_id="AKIDTEST", aws_secret_access_key="secret",
                        config=botocore.config.Config(retries={"max_attempts": 0}))


class ServerTestCase(unittest.TestCase):
    """Test classes sharing one server (started with the class's CONFIG) and a boto3
    Kinesis client; the server must exit cleanly at the end."""

    CONFIG = ""

    @classmethod
    def setUpClass(cls):
        cls.server = SluiceServer(cls.CONFIG).__enter__()
        cls.kinesis = kinesis_client(cls.server.endpoint)

    @classmethod
    def tearDownClass(cls):
        cls.server.__exit__(None, None, None)

    def assertError(self, code, call, *args, **kwargs):
        """Asserts that call(*args, **kwargs) fails with the AWS error `code`; its message."""
        with self.assertRaises(botocore.exceptions.ClientError) as caught:
            call(*args, **kwargs)
        self.assertEqual(caught.exception.response["Error"]["Code"], code,
                         caught.exception.response["Error"])
        return caught.exception.response["Error"]["Message"]
