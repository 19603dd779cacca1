"""Deterministic NYC taxi-trip JSON records for tests (no outside dataset)."""

import json
import random


def taxi_trips(count, seed=2026):
    """`count` (trip_id, json_bytes) pairs; some trip ids repeat, to test per-key order."""
    rng = random.Random(seed)
    trips = []
    for i in range(count):
        trip_id = f"id{rng.randrange(count // 4 or 1):07d}"
        pickup_ms = 1_451_606_400_000 + i * 1_500
        trip = {
            "id": trip_id,
            "seq": i,
            "vendorId": rng.choice([1, 2]),
            "pickupDate": pickup_ms,
            "dropoffDate": pickup_ms + rng.randrange(60_000, 3_600_000),
            "passengerCount": rng.randrange(1, 7),
            "pickupLongitude": round(rng.uniform(-74.05, -73.75), 6),
            "pickupLatitude": round(rng.uniform(40.58, 40.90), 6),
            "dropoffLongitude": round(rng.uniform(-74.05, -73.75), 6),
            "dropoffLatitude": round(rng.uniform(40.58, 40.90), 6),
            "storeAndFwdFlag": rng.choice(["Y", "N"]),
            "tripDuration": rng.randrange(60, 3600),
        }
        trips.append((trip_id, json.dumps(trip, separators=(",", ":")).encode()))
    return trips
