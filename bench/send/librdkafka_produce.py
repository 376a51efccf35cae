"""The librdkafka reference of bench/send (what `kcat -P` did): every stdin line one record, acks=all.

    python librdkafka_produce.py BROKERS TOPIC < lines
"""

import sys

from confluent_kafka import Producer

producer = Producer({"bootstrap.servers": sys.argv[1], "acks": "all", "linger.ms": 5})
failures = []


def delivered(error, _message):
    if error is not None:
        failures.append(error)


for line in sys.stdin.buffer:
    value = line.rstrip(b"\n")
    while True:
        try:
            producer.produce(sys.argv[2], value, on_delivery=delivered)
            break
        except BufferError:
            producer.poll(0.1)
    producer.poll(0)
if producer.flush(60) != 0 or failures:
    sys.exit(f"not acknowledged: {failures[:1] or 'flush timed out'}")
