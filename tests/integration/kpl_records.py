"""Reading KPL aggregated records (docs/formats/kpl-aggregated-record.md) in
Python, independently of sluice's C++ code: magic, protobuf AggregatedRecord, MD5."""

import hashlib

MAGIC = b"\xf3\x89\x9a\xc2"


def _varint(data, at):
    value, shift = 0, 0
    while True:
        byte = data[at]
        at += 1
        value |= (byte & 0x7F) << shift
        if byte < 0x80:
            return value, at
        shift += 7


def _fields(message):
    """(field number, wire type, value) of a protobuf message; bytes for length-delimited."""
    at = 0
    while at < len(message):
        key, at = _varint(message, at)
        number, wire = key >> 3, key & 7
        if wire == 0:
            value, at = _varint(message, at)
        elif wire == 2:
            length, at = _varint(message, at)
            value, at = message[at:at + length], at + length
        else:
            raise ValueError(f"unexpected wire type {wire}")
        yield number, wire, value


def user_records(data, partition_key):
    """The user records of one Kinesis record: [(partition key, data)]; a record that is
    not an aggregate (no magic, too short, or a digest mismatch) is one user record."""
    body = data[len(MAGIC):-16]
    if (not data.startswith(MAGIC) or len(data) <= len(MAGIC) + 16
            or hashlib.md5(body).digest() != data[-16:]):
        return [(partition_key, data)]
    keys, records = [], []
    for number, _, value in _fields(body):
        if number == 1:
            keys.append(value.decode())
        elif number == 3:
            fields = {n: v for n, _, v in _fields(value)}
            records.append((fields[1], fields[3]))
    return [(keys[index], record) for index, record in records]
