"""An independent Kafka client for the tests: confluent-kafka (librdkafka, the engine inside kcat).

One command per run, its arguments as a JSON object on stdin, its answer as JSON on stdout:
  read      {brokers, topic, committed}     every record from the beginning to the current end
                                            (read_committed: to the last stable offset)
  produce   {brokers, topic, values, partition?, key?}   values as base64; waits for every ack
  metadata  {brokers, topic}                partitions and replication factor (0 when absent)
  groups    {brokers, prefix?, client?}     the ids of the consumer groups (starting with prefix;
                                            with client: only those with a member of that client id)
  original-produce {brokers, topic, records}  the original DoubleChat clients' producer: kafka-python
                                            with json.dumps as value serializer, one record each
  original-consume {brokers, topic, count}  the original clients' consumer: kafka-python from the
                                            earliest offset, json.loads of each value
Errors go to stderr with exit status 1.
"""

import base64
import json
import sys

from confluent_kafka import OFFSET_BEGINNING, Consumer, KafkaError, Producer, TopicPartition
from confluent_kafka.admin import AdminClient


def b64(data):
    return None if data is None else base64.b64encode(data).decode("ascii")


def metadata(args):
    consumer = Consumer({"bootstrap.servers": args["brokers"], "group.id": "dchat-test-client"})
    try:
        topics = consumer.list_topics(args["topic"], timeout=20).topics
        topic = topics.get(args["topic"])
        if topic is None or topic.error is not None:
            return {"partitions": 0, "replicationFactor": 0}
        replicas = [len(p.replicas) for p in topic.partitions.values()]
        return {"partitions": len(topic.partitions), "replicationFactor": min(replicas, default=0)}
    finally:
        consumer.close()


def groups(args):
    admin = AdminClient({"bootstrap.servers": args["brokers"]})
    listed = admin.list_consumer_groups(request_timeout=20).result()
    ids = sorted(g.group_id for g in listed.valid if g.group_id.startswith(args.get("prefix", "")))
    if args.get("client") is None or not ids:
        return ids
    described = admin.describe_consumer_groups(ids, request_timeout=20)
    return [
        group_id
        for group_id, future in described.items()
        if any(member.client_id == args["client"] for member in future.result().members)
    ]


def read(args):
    consumer = Consumer(
        {
            "bootstrap.servers": args["brokers"],
            "group.id": "dchat-test-client",
            "enable.auto.commit": False,
            "enable.partition.eof": True,
            "isolation.level": "read_committed" if args.get("committed") else "read_uncommitted",
        }
    )
    try:
        topic = consumer.list_topics(args["topic"], timeout=20).topics.get(args["topic"])
        if topic is None or topic.error is not None:
            raise SystemExit(f"topic {args['topic']} does not exist")
        partitions = sorted(topic.partitions)
        consumer.assign([TopicPartition(args["topic"], p, OFFSET_BEGINNING) for p in partitions])
        pending = set(partitions)
        records = []
        while pending:
            message = consumer.poll(20)
            if message is None:
                raise SystemExit(f"no end of partitions {sorted(pending)} of {args['topic']} within 20 s")
            if message.error():
                if message.error().code() == KafkaError._PARTITION_EOF:
                    pending.discard(message.partition())
                    continue
                raise SystemExit(str(message.error()))
            records.append(
                {
                    "partition": message.partition(),
                    "offset": message.offset(),
                    "key": b64(message.key()),
                    "value": b64(message.value()),
                    "headers": [[k, b64(v)] for k, v in (message.headers() or [])],
                    "timestamp": message.timestamp()[1],
                }
            )
        records.sort(key=lambda r: (r["partition"], r["offset"]))
        return records
    finally:
        consumer.close()


def produce(args):
    producer = Producer({"bootstrap.servers": args["brokers"], "acks": "all", "enable.idempotence": True})
    failures = []

    def delivered(error, _message):
        if error is not None:
            failures.append(str(error))

    options = {}
    if args.get("partition") is not None:
        options["partition"] = args["partition"]
    if args.get("key") is not None:
        options["key"] = args["key"].encode("utf-8")
    for value in args["values"]:
        producer.produce(args["topic"], base64.b64decode(value), on_delivery=delivered, **options)
    if producer.flush(30) != 0:
        raise SystemExit("records not acknowledged within 30 s")
    if failures:
        raise SystemExit(f"not acknowledged: {failures[0]}")
    return {"produced": len(args["values"])}


def original_produce(args):
    # As the original chat client wrote: KafkaProducer(value_serializer=json.dumps(v).encode()).
    from kafka import KafkaProducer

    producer = KafkaProducer(
        bootstrap_servers=args["brokers"], value_serializer=lambda v: json.dumps(v).encode("utf-8")
    )
    for record in args["records"]:
        producer.send(args["topic"], record).get(timeout=30)
    producer.close()
    return {"produced": len(args["records"])}


def original_consume(args):
    from kafka import KafkaConsumer

    consumer = KafkaConsumer(
        args["topic"],
        bootstrap_servers=args["brokers"],
        auto_offset_reset="earliest",
        consumer_timeout_ms=20000,
        value_deserializer=lambda b: json.loads(b.decode("utf-8")),
    )
    values = []
    for message in consumer:
        values.append(message.value)
        if len(values) == args["count"]:
            break
    consumer.close()
    return values


def main():
    command = sys.argv[1]
    args = json.load(sys.stdin)
    commands = {
        "read": read,
        "produce": produce,
        "metadata": metadata,
        "groups": groups,
        "original-produce": original_produce,
        "original-consume": original_consume,
    }
    answer = commands[command](args)
    json.dump(answer, sys.stdout)


if __name__ == "__main__":
    main()
