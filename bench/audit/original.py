"""The original project's path in bench/audit: a kafka-python 2.0.2 consumer (the version the
original used, pinned in test/requirements.txt) decoding every record with json, as its
consumers and DAG did; exits non-zero unless it decoded N records.

    python original.py BROKERS TOPIC N
"""

import json
import sys

import kafka
from kafka import KafkaConsumer

if kafka.__version__ != "2.0.2":
    sys.exit(f"kafka-python {kafka.__version__} in .cache/py; the original's path is 2.0.2 (test/requirements.txt)")
brokers, topic, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
consumer = KafkaConsumer(
    topic,
    bootstrap_servers=brokers,
    auto_offset_reset="earliest",
    enable_auto_commit=False,
    group_id=None,
    consumer_timeout_ms=30000,
    value_deserializer=lambda v: json.loads(v.decode("utf-8")),
)
count = 0
for record in consumer:
    count += 1
    if count >= n:
        break
if count != n:
    sys.exit(f"read {count} records, expected {n}")
