"""Fills bench/audit's topic: line i of the payload file (one record value a line) goes to
partition i % PARTITIONS, uncompressed, in order; exits non-zero unless every record is acknowledged.

    python produce.py BROKERS TOPIC PARTITIONS < payload
"""

import sys

from confluent_kafka import Producer

brokers, topic, partitions = sys.argv[1], sys.argv[2], int(sys.argv[3])
producer = Producer(
    {
        "bootstrap.servers": brokers,
        "acks": "all",
        "compression.type": "none",
        "linger.ms": 50,
        "batch.num.messages": 10000,
        "queue.buffering.max.messages": 500000,
    }
)
failures = []


def delivered(error, _message):
    if error is not None:
        failures.append(error)


for i, line in enumerate(sys.stdin.buffer):
    value = line.rstrip(b"\n")
    while True:
        try:
            producer.produce(topic, value, partition=i % partitions, on_delivery=delivered)
            break
        except BufferError:
            producer.poll(0.1)
    if i % 1000 == 0:
        producer.poll(0)
if producer.flush(120) != 0 or failures:
    sys.exit(f"not acknowledged: {failures[:1] or 'flush timed out'}")
