/** Reads a topic back through dchat's own reader (lib/kafka's range reader, read_committed). */
import { openAdmin, openKafka, readRanges, type StreamRecord } from "../../lib/kafka/index.ts";

/** Every committed record of `topic`, from the log start to its end now, partition by partition. */
export async function consumeMessages(brokers: string, topic: string): Promise<StreamRecord[]> {
  const client = openKafka({ brokers: [brokers], clientId: "dchat-test", ssl: false });
  const admin = await openAdmin(client);
  const marks = await admin.watermarks(topic).finally(() => admin.close());
  const read: StreamRecord[] = [];
  await readRanges(
    client,
    marks.map((m) => ({ topic, partition: m.partition, from: m.low, to: m.high })),
    { records: (_topic, _partition, records) => void read.push(...records) },
    { purpose: "test-read" },
  );
  return read;
}
