"""The librdkafka floor of bench/audit (what `kcat -C -e > /dev/null` did): reads every record of
TOPIC from the beginning, in batches, and drops them; exits non-zero unless it saw N records.

    python librdkafka_consume.py BROKERS TOPIC N
"""

import sys
import uuid

from confluent_kafka import Consumer

brokers, topic, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
consumer = Consumer(
    {
        "bootstrap.servers": brokers,
        "group.id": f"bench-audit-{uuid.uuid4()}",
        "auto.offset.reset": "earliest",
        "enable.auto.commit": False,
        "enable.partition.eof": False,
    }
)
consumer.subscribe([topic])
count = 0
idle = 0
while count < n and idle < 30:
    batch = consumer.consume(num_messages=10000, timeout=1.0)
    idle = 0 if batch else idle + 1
    count += sum(1 for m in batch if m.error() is None)
consumer.close()
if count != n:
    sys.exit(f"read {count} records, expected {n}")
