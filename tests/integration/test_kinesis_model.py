"""Request validation against the Kinesis API model that Debian's botocore ships.

For every implemented operation and every input member with a constraint in the model
(required, length, pattern, enum, range), a request that breaks only that constraint must
be refused with ValidationException naming the member as AWS does ("at 'streamName'")."""

import glob
import json
import re
import unittest

from sluice_server import SluiceServer, kinesis_call as call

IMPLEMENTED = [
    "CreateStream", "DeleteStream", "DescribeStream", "DescribeStreamSummary", "ListStreams",
    "ListShards", "PutRecord", "PutRecords", "GetShardIterator", "GetRecords",
    "IncreaseStreamRetentionPeriod", "DecreaseStreamRetentionPeriod", "AddTagsToStream",
    "RemoveTagsFromStream", "ListTagsForStream", "DescribeLimits", "SplitShard", "MergeShards",
    "UpdateShardCount", "UpdateStreamMode", "StartStreamEncryption", "StopStreamEncryption",
]
LARGEST_STRING_TRIED = 100_000


def load_model():
    path = glob.glob("/usr/lib/python3/dist-packages/botocore/data/kinesis/*/service-2.json")[0]
    with open(path) as f:
        return json.load(f)


def lower_camel(name):
    return name[0].lower() + name[1:]


def violations(member, shape):
    """(value, expected constraint text) pairs that each break one constraint of `shape`."""
    kind = shape["type"]
    cases = []
    if kind == "string" and "enum" in shape:
        cases.append(("NOT_AN_ENUM_VALUE", "Member must satisfy enum value set"))
    elif kind == "string":
        if shape.get("min", 0) >= 1:
            cases.append(("", f"Member must have length greater than or equal to {shape['min']}"))
        if "max" in shape and shape["max"] < LARGEST_STRING_TRIED:
            cases.append(("a" * (shape["max"] + 1),
                          f"Member must have length less than or equal to {shape['max']}"))
        if "pattern" in shape:
            for candidate in ("!!", "-1", " "):
                if not re.fullmatch(shape["pattern"], candidate):
                    cases.append((candidate, "Member must satisfy regular expression pattern: "
                                  + shape["pattern"]))
                    break
    elif kind in ("integer", "long"):
        if "min" in shape:
            cases.append((shape["min"] - 1,
                          f"Member must have value greater than or equal to {shape['min']}"))
        if "max" in shape:
            cases.append((shape["max"] + 1,
                          f"Member must have value less than or equal to {shape['max']}"))
    return cases


class KinesisModelTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.model = load_model()
        cls.server = SluiceServer().__enter__()

    @classmethod
    def tearDownClass(cls):
        cls.server.__exit__(None, None, None)

    def input_members(self, operation):
        shapes = self.model["shapes"]
        input_ref = self.model["operations"][operation].get("input")
        if not input_ref:
            return {}, []
        shape = shapes[input_ref["shape"]]
        members = {name: shapes[ref["shape"]] for name, ref in shape["members"].items()}
        return members, shape.get("required", [])

    def assertRefused(self, operation, body, member, constraint):
        status, answer = call(self.server.endpoint, operation, body)
        context = f"{operation} {json.dumps(body)[:200]}"
        self.assertEqual(status, 400, context)
        self.assertEqual(answer.get("__type"), "ValidationException", f"{context}: {answer}")
        self.assertRegex(answer["message"], r"^\d+ validation errors? detected: ", context)
        self.assertIn(f"at '{lower_camel(member)}' failed to satisfy constraint: {constraint}",
                      answer["message"], context)

    def test_every_implemented_operation_is_in_the_model(self):
        for operation in IMPLEMENTED:
            self.assertIn(operation, self.model["operations"])

    def test_missing_required_members_are_named(self):
        checked = 0
        for operation in IMPLEMENTED:
            _, required = self.input_members(operation)
            for member in required:
                with self.subTest(operation=operation, member=member):
                    self.assertRefused(operation, {}, member, "Member must not be null")
                    checked += 1
        self.assertGreater(checked, 15)

    def test_every_member_constraint_is_enforced(self):
        checked = 0
        for operation in IMPLEMENTED:
            members, _ = self.input_members(operation)
            for member, shape in members.items():
                for value, constraint in violations(member, shape):
                    with self.subTest(operation=operation, member=member, value=str(value)[:20]):
                        self.assertRefused(operation, {member: value}, member, constraint)
                        checked += 1
        self.assertGreater(checked, 40)

    def test_list_length_constraints(self):
        records = [{"Data": "eA==", "PartitionKey": "k"}] * 501
        self.assertRefused("PutRecords", {"StreamName": "s", "Records": records}, "Records",
                           "Member must have length less than or equal to 500")
        self.assertRefused("PutRecords", {"StreamName": "s", "Records": []}, "Records",
                           "Member must have length greater than or equal to 1")
        self.assertRefused("RemoveTagsFromStream", {"StreamName": "s", "TagKeys": ["k"] * 51},
                           "TagKeys", "Member must have length less than or equal to 50")
        self.assertRefused("AddTagsToStream", {"StreamName": "s", "Tags": {}}, "Tags",
                           "Member must have length greater than or equal to 1")


if __name__ == "__main__":
    unittest.main()
