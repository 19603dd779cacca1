"""Malformed input never crashes the server, never affects other clients, and gets an
AWS-format error where an answer is possible."""

import json
import random
import socket
import threading
import time
import unittest

from sluice_server import SluiceServer, aws_json_request, read_http_response

MAX_BODY = 65536
MAX_HEADER = 8192
READ_TIMEOUT_S = 0.5
IDLE_TIMEOUT_S = 1.5
CONFIG = f"""
http:
  max_body_bytes: {MAX_BODY}
  max_header_bytes: {MAX_HEADER}
  read_timeout_ms: {int(READ_TIMEOUT_S * 1000)}
  idle_timeout_ms: {int(IDLE_TIMEOUT_S * 1000)}
"""
TARGET = "Kinesis_20131202.ListStreams"


def error_type(body):
    return json.loads(body)["__type"]


def wait_closed(sock, within_s):
    """True if the peer closes the connection (EOF or reset) within the time given."""
    sock.settimeout(within_s)
    try:
        while sock.recv(65536):
            pass
        return True
    except ConnectionResetError:
        return True
    except socket.timeout:
        return False


class MalformedInputTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.server = SluiceServer(CONFIG).__enter__()

    @classmethod
    def tearDownClass(cls):
        alive = cls.server.alive()
        code = cls.server.stop()
        cls.server.__exit__(None, None, None)
        assert alive and code == 0, f"server died or exited with {code}"

    def tearDown(self):
        self.assertTrue(self.server.alive(), "the server crashed")
        self.assertEqual(self.server.get("/health")[0], 200)

    def exchange(self, payload):
        with self.server.connect() as sock:
            sock.sendall(payload)
            return read_http_response(sock)

    def test_garbage_bytes_get_a_400_or_a_close(self):
        rng = random.Random(7)
        for _ in range(20):
            garbage = bytes(rng.randrange(256) for _ in range(rng.randrange(1, 2000)))
            with self.server.connect() as sock:
                sock.sendall(garbage + b"\r\n\r\n")
                sock.settimeout(3)
                try:
                    status, _, body = read_http_response(sock)
                except (ConnectionResetError, socket.timeout):
                    continue
                if status is not None:
                    self.assertEqual(status, 400)
                    self.assertEqual(error_type(body), "SerializationException")

    def test_a_malformed_request_line_is_a_serialization_error(self):
        status, headers, body = self.exchange(b"NOT AN HTTP REQUEST\r\n\r\n")
        self.assertEqual(status, 400)
        self.assertEqual(error_type(body), "SerializationException")
        self.assertIn("Malformed HTTP request", json.loads(body)["message"])
        self.assertEqual(headers["content-type"], "application/x-amz-json-1.1")

    def test_an_invalid_content_length_is_a_serialization_error(self):
        status, _, body = self.exchange(
            f"POST / HTTP/1.1\r\nHost: x\r\nX-Amz-Target: {TARGET}\r\n"
            "Content-Length: 12abc\r\n\r\n{}".encode())
        self.assertEqual(status, 400)
        self.assertEqual(error_type(body), "SerializationException")

    def test_invalid_json_is_a_serialization_error(self):
        for body in [b"{", b"{\"Limit\": }", b"\x00\x01\x02", b"[]", b"{}}"]:
            status, _, answer = self.exchange(aws_json_request(TARGET, body))
            self.assertEqual((status, error_type(answer)), (400, "SerializationException"), body)

    def test_invalid_utf8_is_a_serialization_error(self):
        status, _, body = self.exchange(aws_json_request(TARGET, b'{"StreamName": "\xff\xfe"}'))
        self.assertEqual((status, error_type(body)), (400, "SerializationException"))

    def test_a_wrong_content_type_is_a_serialization_error(self):
        payload = (f"POST / HTTP/1.1\r\nHost: x\r\nX-Amz-Target: {TARGET}\r\n"
                   "Content-Type: text/xml\r\nContent-Length: 2\r\n\r\n{}").encode()
        status, _, body = self.exchange(payload)
        self.assertEqual((status, error_type(body)), (400, "SerializationException"))

    def test_huge_headers_get_431_and_a_close(self):
        payload = (f"POST / HTTP/1.1\r\nHost: x\r\nX-Big: {'a' * (MAX_HEADER * 4)}\r\n"
                   "Content-Length: 2\r\n\r\n{}").encode()
        with self.server.connect() as sock:
            sock.sendall(payload)
            status, headers, body = read_http_response(sock)
            self.assertEqual(status, 431)
            self.assertEqual(error_type(body), "RequestHeaderFieldsTooLargeException")
            self.assertEqual(headers.get("connection"), "close")
            self.assertTrue(wait_closed(sock, 5))

    def test_a_body_past_the_limit_gets_413_and_a_clean_close(self):
        body = b'{"Data": "' + b"x" * (MAX_BODY * 4) + b'"}'
        with self.server.connect() as sock:
            sock.sendall(aws_json_request(TARGET, body))
            status, headers, answer = read_http_response(sock)
            self.assertEqual(status, 413)
            self.assertEqual(error_type(answer), "RequestEntityTooLargeException")
            self.assertEqual(headers.get("connection"), "close")
            sock.settimeout(5)
            self.assertEqual(sock.recv(1), b"")  # an orderly close, not a reset

    def test_a_chunked_body_past_the_limit_gets_413(self):
        chunk = b"x" * 8192
        with self.server.connect() as sock:
            sock.sendall(f"POST / HTTP/1.1\r\nHost: x\r\nX-Amz-Target: {TARGET}\r\n"
                         "Content-Type: application/x-amz-json-1.1\r\n"
                         "Transfer-Encoding: chunked\r\n\r\n".encode())
            try:
                for _ in range(MAX_BODY // len(chunk) + 4):
                    sock.sendall(f"{len(chunk):x}\r\n".encode() + chunk + b"\r\n")
            except (BrokenPipeError, ConnectionResetError):
                pass
            status, _, answer = read_http_response(sock)
            self.assertEqual((status, error_type(answer)), (413, "RequestEntityTooLargeException"))

    def test_a_stalled_half_request_is_dropped_without_affecting_others(self):
        with self.server.connect() as stalled:
            stalled.sendall(b"POST / HTTP/1.1\r\nHost: x\r\nContent-Le")
            started = time.monotonic()
            for _ in range(50):  # others are served while it stalls
                status, _, _ = self.exchange(aws_json_request(TARGET, "{}"))
                self.assertEqual(status, 200)
            self.assertTrue(wait_closed(stalled, READ_TIMEOUT_S + 5))
            self.assertLess(time.monotonic() - started, READ_TIMEOUT_S + 5)

    def test_an_idle_connection_is_closed_after_the_idle_timeout(self):
        with self.server.connect() as idle:
            started = time.monotonic()
            self.assertTrue(wait_closed(idle, IDLE_TIMEOUT_S + 5))
            self.assertGreaterEqual(time.monotonic() - started, IDLE_TIMEOUT_S * 0.9)

    def test_a_truncated_body_then_close_costs_nothing(self):
        for _ in range(20):
            with self.server.connect() as sock:
                sock.sendall(aws_json_request(TARGET, "{" + " " * 100 + "}")[:-50])

    def test_abrupt_resets_mid_request_cost_nothing(self):
        for _ in range(20):
            sock = self.server.connect()
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
            sock.sendall(aws_json_request(TARGET, "{}")[:30])
            sock.close()

    def test_mutated_requests_never_crash_the_server(self):
        rng = random.Random(42)
        valid = aws_json_request(TARGET, '{"Limit": 10, "ExclusiveStartStreamName": "t"}')
        for _ in range(300):
            mutated = bytearray(valid)
            for _ in range(rng.randrange(1, 8)):
                position = rng.randrange(len(mutated))
                choice = rng.randrange(3)
                if choice == 0:
                    mutated[position] = rng.randrange(256)
                elif choice == 1:
                    del mutated[position]
                else:
                    mutated.insert(position, rng.randrange(256))
            with self.server.connect(timeout=3) as sock:
                try:
                    sock.sendall(bytes(mutated))
                    sock.shutdown(socket.SHUT_WR)
                    read_http_response(sock)
                except (ConnectionResetError, socket.timeout, BrokenPipeError):
                    pass

    def test_many_concurrent_bad_clients_do_not_block_a_good_one(self):
        def bad_client():
            with self.server.connect() as sock:
                sock.sendall(b"POST / HTTP/1.1\r\n")
                time.sleep(READ_TIMEOUT_S / 2)
        threads = [threading.Thread(target=bad_client) for _ in range(50)]
        for thread in threads:
            thread.start()
        status, _, _ = self.exchange(aws_json_request(TARGET, "{}"))
        self.assertEqual(status, 200)
        for thread in threads:
            thread.join()


if __name__ == "__main__":
    unittest.main()
