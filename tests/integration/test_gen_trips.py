"""`sluice gen-trips` end to end: the file it writes, checked by an independent reading of
the rules in docs/formats/taxi-trips.md."""

import csv
import datetime
import math
import os
import re
import shutil
import subprocess
import tempfile
import unittest

SLUICE_BIN = os.environ.get("SLUICE_BIN", "build/release/sluice")
HEADER = ("id,vendor_id,pickup_datetime,dropoff_datetime,passenger_count,pickup_longitude,"
          "pickup_latitude,dropoff_longitude,dropoff_latitude,store_and_fwd_flag,gc_distance,"
          "trip_duration,google_distance,google_duration")
SUMMARY = re.compile(r"^gen-trips: wrote (\d+) rows \((\d+) malformed\) to (.+): (\d+) bytes "
                     r"in [0-9.]+ s$")
INTEGER = re.compile(r"^-?[0-9]+$")
NUMBER = re.compile(r"^-?[0-9]*\.?[0-9]+(e[-+]?[0-9]+)?$")
DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$")
NYC_BOX = (-74.2591, -73.7004, 40.4774, 40.9176)  # min/max longitude, min/max latitude


def gen_trips(*args, timeout_s=120):
    return subprocess.run([SLUICE_BIN, "gen-trips", *args], capture_output=True, text=True,
                          timeout=timeout_s)


def parse_time(text):
    if not DATETIME.match(text):
        raise ValueError(text)
    return datetime.datetime.strptime(text, "%Y-%m-%d %H:%M:%S")


def number(text, low=-math.inf, high=math.inf):
    if not NUMBER.match(text) or not low <= float(text) <= high:
        raise ValueError(text)
    return float(text)


def integer(text, low, high):
    if not INTEGER.match(text) or not low <= int(text) <= high:
        raise ValueError(text)
    return int(text)


def haversine_km(lat1, lon1, lat2, lon2):
    p1, p2 = math.radians(lat1), math.radians(lat2)
    a = (math.sin((p2 - p1) / 2) ** 2
         + math.cos(p1) * math.cos(p2) * math.sin(math.radians(lon2 - lon1) / 2) ** 2)
    return 2 * 6371.0 * math.asin(math.sqrt(a))


def check_row(line):
    """The trip as a dict if `line` is a valid row, else raises ValueError."""
    if '"' in line:  # generated good rows are never quoted
        raise ValueError("quote")
    f = line.split(",")
    if len(f) != 14 or not f[0]:
        raise ValueError("columns or id")
    integer(f[1], 1, 99)
    pickup, dropoff = parse_time(f[2]), parse_time(f[3])
    duration = integer(f[11], 0, 10**9)
    if dropoff < pickup or (dropoff - pickup).total_seconds() != duration:
        raise ValueError("times")
    integer(f[4], 0, 9)
    lon1, lat1 = number(f[5], -180, 180), number(f[6], -90, 90)
    lon2, lat2 = number(f[7], -180, 180), number(f[8], -90, 90)
    if f[9] not in ("Y", "N"):
        raise ValueError("flag")
    gc = number(f[10], 0)
    if (f[12] == "") != (f[13] == ""):
        raise ValueError("google pair")
    if f[12]:
        number(f[12], 0)
        integer(f[13], 0, 10**9)
    return {"id": f[0], "pickup": pickup, "points": (lon1, lat1, lon2, lat2), "gc": gc}


class GenTripsTest(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="sluice-gen-trips-")

    def tearDown(self):
        shutil.rmtree(self.dir, ignore_errors=True)

    def path(self, name):
        return os.path.join(self.dir, name)

    def generate(self, name, rows, seed, *extra):
        result = gen_trips("--rows", str(rows), "--seed", str(seed), "--out", self.path(name),
                           *extra)
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertEqual(result.stderr, "")
        lines = result.stdout.splitlines()
        self.assertEqual(len(lines), 1, result.stdout)
        match = SUMMARY.match(lines[0])
        self.assertIsNotNone(match, lines[0])
        self.assertEqual(int(match.group(1)), rows)
        self.assertEqual(match.group(3), self.path(name))
        self.assertEqual(int(match.group(4)), os.path.getsize(self.path(name)))
        return int(match.group(2))

    def test_writes_valid_trips_with_the_share_of_bad_rows_asked(self):
        rows = 20000
        malformed = self.generate("trips.csv", rows, 42, "--bad-share", "0.05")
        self.assertGreater(malformed, 800)  # 1000 expected, deviation about 31
        self.assertLess(malformed, 1200)
        self.assertEqual(os.listdir(self.dir), ["trips.csv"])
        with open(self.path("trips.csv"), newline="") as f:
            text = f.read()
        self.assertTrue(text.endswith("\n"))
        lines = text.split("\n")[:-1]
        self.assertEqual(lines[0], HEADER)
        self.assertEqual(len(lines), rows + 1)
        good, rejected = [], 0
        for line in lines[1:]:
            try:
                good.append(check_row(line))
            except ValueError:
                rejected += 1
        self.assertEqual(rejected, malformed)
        ids = [trip["id"] for trip in good]
        self.assertEqual(len(set(ids)), len(ids))
        for trip in good:
            lon1, lat1, lon2, lat2 = trip["points"]
            for lon, lat in ((lon1, lat1), (lon2, lat2)):
                self.assertTrue(NYC_BOX[0] <= lon <= NYC_BOX[1] and NYC_BOX[2] <= lat <= NYC_BOX[3])
            self.assertAlmostEqual(trip["gc"], haversine_km(lat1, lon1, lat2, lon2), delta=0.0006)
        pickups = [trip["pickup"] for trip in good]
        self.assertGreaterEqual(min(pickups), datetime.datetime(2016, 1, 1))
        self.assertGreater(max(pickups) - min(pickups), datetime.timedelta(hours=5))
        # Python's own CSV reader sees the same columns in the header and every good row.
        with open(self.path("trips.csv"), newline="") as f:
            reader = csv.reader(f)
            self.assertEqual(next(reader), HEADER.split(","))
            read_ids = {fields[0] for fields in reader if len(fields) == 14}
        self.assertTrue(set(ids) <= read_ids)

    def test_same_seed_same_bytes_other_seed_other_bytes(self):
        self.generate("a.csv", 3000, 7)
        self.generate("b.csv", 3000, 7)
        self.generate("c.csv", 3000, 8)
        with open(self.path("a.csv"), "rb") as a, open(self.path("b.csv"), "rb") as b, \
                open(self.path("c.csv"), "rb") as c:
            first, second, other = a.read(), b.read(), c.read()
        self.assertEqual(first, second)
        self.assertNotEqual(first, other)

    def test_bad_share_defaults_to_one_percent_and_zero_gives_clean_files(self):
        malformed = self.generate("default.csv", 20000, 3)
        self.assertGreater(malformed, 100)
        self.assertLess(malformed, 300)
        self.assertEqual(self.generate("clean.csv", 5000, 3, "--bad-share", "0"), 0)
        with open(self.path("clean.csv")) as f:
            for line in f.read().splitlines()[1:]:
                check_row(line)

    def test_replaces_an_existing_file(self):
        with open(self.path("trips.csv"), "w") as f:
            f.write("stale\n" * 1000)
        self.generate("trips.csv", 10, 1)
        with open(self.path("trips.csv")) as f:
            lines = f.read().splitlines()
        self.assertEqual(lines[0], HEADER)
        self.assertEqual(len(lines), 11)
        self.assertEqual(os.listdir(self.dir), ["trips.csv"])

    def test_refuses_bad_arguments_and_writes_nothing(self):
        for args in (["--rows", "10", "--seed", "1", "--out", self.path("x.csv"),
                      "--bad-share", "1.5"],
                     ["--rows", "10", "--out", self.path("x.csv")],
                     ["--rows", "ten", "--seed", "1", "--out", self.path("x.csv")],
                     ["--rows", "10", "--seed", "1"],
                     # Once wrapped into 2^64 - 5 rows by CLI11's unsigned conversion.
                     ["--rows", "-5", "--seed", "1", "--out", self.path("x.csv")],
                     ["--rows", "18446744073709551616", "--seed", "1", "--out",
                      self.path("x.csv")],
                     ["--rows", "10", "--seed", "-1", "--out", self.path("x.csv")]):
            result = gen_trips(*args, timeout_s=10)
            self.assertNotEqual(result.returncode, 0, args)
            self.assertEqual(result.stdout, "", args)
            self.assertNotEqual(result.stderr, "", args)
        self.assertEqual(os.listdir(self.dir), [])

    def test_reports_a_missing_folder(self):
        result = gen_trips("--rows", "10", "--seed", "1", "--out", self.path("no/such/x.csv"))
        self.assertEqual(result.returncode, 1)
        self.assertIn("cannot create", result.stderr)
        self.assertIn("No such file or directory", result.stderr)
        self.assertEqual(os.listdir(self.dir), [])


if __name__ == "__main__":
    unittest.main()
