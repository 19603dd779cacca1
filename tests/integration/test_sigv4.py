"""SigV4 at the front door, against signatures that botocore computes."""

import datetime
import http.client
import json
import os
import unittest
from unittest import mock

import boto3
import botocore.auth
import botocore.awsrequest
import botocore.config
import botocore.credentials
import botocore.exceptions

from sluice_server import SluiceServer

KEY_ID = "AKIDSLUICETEST"
SECRET = "sluice/secret/key+for/tests"
CONFIG = f"""
access_keys:
  - access_key_id: {KEY_ID}
    secret_access_key: {SECRET}
"""
TARGET = "Kinesis_20131202.ListStreams"


def signed_request(endpoint, body='{"Limit": 5}', key_id=KEY_ID, secret=SECRET,
                   region="us-east-1", service="kinesis"):
    """A botocore-signed AWS JSON request: (headers dict, body bytes)."""
    request = botocore.awsrequest.AWSRequest(
        method="POST", url=endpoint + "/", data=body.encode(),
        headers={"X-Amz-Target": TARGET, "Content-Type": "application/x-amz-json-1.1"})
    credentials = botocore.credentials.Credentials(key_id, secret)
    botocore.auth.SigV4Auth(credentials, service, region).add_auth(request)
    return dict(request.headers.items()), request.body


def send(server, headers, body):
    """(status, __type) of one raw request; __type is None on success."""
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
    try:
        connection.request("POST", "/", body=body, headers=headers)
        response = connection.getresponse()
        return response.status, json.loads(response.read()).get("__type")
    finally:
        connection.close()


class SigV4Test(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.server = SluiceServer(CONFIG).__enter__()

    @classmethod
    def tearDownClass(cls):
        cls.server.__exit__(None, None, None)

    def assertAccepted(self, headers, body):
        self.assertEqual(send(self.server, headers, body)[0], 200)

    def test_accepts_a_botocore_signed_request(self):
        self.assertAccepted(*signed_request(self.server.endpoint))

    def test_refuses_a_tampered_copy_of_the_body(self):
        headers, body = signed_request(self.server.endpoint)
        self.assertEqual(send(self.server, headers, body.replace(b"5", b"6")),
                         (400, "InvalidSignatureException"))

    def test_refuses_a_tampered_signed_header(self):
        headers, body = signed_request(self.server.endpoint)
        headers["X-Amz-Target"] = "Kinesis_20131202.DeleteStream"
        self.assertEqual(send(self.server, headers, body), (400, "InvalidSignatureException"))

    def test_refuses_a_wrong_secret(self):
        headers, body = signed_request(self.server.endpoint, secret="not-the-secret")
        self.assertEqual(send(self.server, headers, body), (400, "InvalidSignatureException"))

    def test_refuses_an_unknown_access_key(self):
        headers, body = signed_request(self.server.endpoint, key_id="AKIDNOBODY")
        self.assertEqual(send(self.server, headers, body), (400, "UnrecognizedClientException"))

    def test_refuses_an_unsigned_request(self):
        self.assertEqual(send(self.server, {"X-Amz-Target": TARGET,
                                            "Content-Type": "application/x-amz-json-1.1"}, b"{}"),
                         (403, "MissingAuthenticationTokenException"))

    def test_refuses_a_malformed_authorization(self):
        headers, body = signed_request(self.server.endpoint)
        headers["Authorization"] = headers["Authorization"].split(", Signature=")[0]
        self.assertEqual(send(self.server, headers, body), (400, "IncompleteSignatureException"))

    def test_refuses_a_signature_older_than_fifteen_minutes(self):
        old = datetime.datetime.utcnow() - datetime.timedelta(minutes=20)
        with mock.patch("botocore.auth.datetime") as fake:
            fake.datetime.utcnow.return_value = old
            fake.datetime.strptime = datetime.datetime.strptime
            headers, body = signed_request(self.server.endpoint)
        self.assertEqual(send(self.server, headers, body), (400, "InvalidSignatureException"))

    def test_refuses_another_region(self):
        headers, body = signed_request(self.server.endpoint, region="eu-west-1")
        self.assertEqual(send(self.server, headers, body), (400, "InvalidSignatureException"))

    def test_boto3_with_the_right_keys_passes_authentication(self):
        kinesis = boto3.client("kinesis", endpoint_url=self.server.endpoint,
                               region_name="us-east-1", aws_access_key_id=KEY_ID,
                               aws_secret_access_key=SECRET,
                               config=botocore.config.Config(retries={"max_attempts": 0}))
        self.assertEqual(kinesis.list_streams()["StreamNames"], [])

    def test_health_needs_no_signature(self):
        self.assertEqual(self.server.get("/health")[0], 200)

    def test_keys_are_not_announced_as_open(self):
        self.assertNotIn("running OPEN", self.server.logs())


class KeyFileTest(unittest.TestCase):
    def test_keys_from_the_data_folder_file_are_enforced(self):
        server = SluiceServer()
        os.makedirs(os.path.join(server.data_dir, "data"))
        with open(os.path.join(server.data_dir, "data", "access-keys.yaml"), "w") as f:
            f.write(f"- access_key_id: {KEY_ID}\n  secret_access_key: {SECRET}\n")
        with server:
            self.assertEqual(send(server, {"X-Amz-Target": TARGET,
                                           "Content-Type": "application/x-amz-json-1.1"}, b"{}"),
                             (403, "MissingAuthenticationTokenException"))
            self.assertEqual(send(server, *signed_request(server.endpoint)), (200, None))


if __name__ == "__main__":
    unittest.main()
