/** Reads records back with kafkajs through a throwaway consumer group, deleted afterwards. */
import { connectKafka, type KafkaMessage } from "../../lib/kafka/index.ts";
import { uniqueName } from "./broker.ts";

/** The first `count` records of `topic` (read_committed), in the order they arrive. */
export async function consumeMessages(
  brokers: string,
  topic: string,
  count: number,
): Promise<KafkaMessage[]> {
  const kafka = connectKafka({ brokers: [brokers], clientId: "dchat-test", ssl: false });
  const groupId = uniqueName("test-read");
  const consumer = kafka.consumer({ groupId, maxWaitTimeInMs: 100 });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  const messages: KafkaMessage[] = [];
  await new Promise<void>((done) => {
    consumer.run({
      eachMessage: async ({ message }) => {
        messages.push(message);
        if (messages.length === count) done();
      },
    });
  });
  await consumer.disconnect();
  const admin = kafka.admin();
  await admin.connect();
  await admin.deleteGroups([groupId]);
  await admin.disconnect();
  return messages;
}
