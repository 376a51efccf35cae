/**
 * kafkajs decodes a fetched record by slicing it out, wrapping the slice in a Decoder, and going
 * through its Long and header machinery for every field; after the SmallLongs (small-long.ts)
 * that was still most of a fetch's CPU time. This decodes the records of an uncompressed batch in
 * one pass over the response, into the very objects kafkajs makes (same fields, same order, the
 * batch's context shared, key and value views of the response), and hands everything else to
 * kafkajs's own code: compressed batches, legacy message sets, records with headers, offsets or
 * timestamps past 2^53, and any record whose bytes do not add up to its length.
 *
 * The seam is the Fetch v11 response's `decode` (the version kafkajs speaks to Kafka ≥ 2.3): its
 * response module is a shared object the request table reads on every fetch, while the record
 * decoders inside it are bound at load. lib/kafka/fetch-records.test.ts holds the result to
 * kafkajs's own decode of arbitrary responses.
 */
// @ts-expect-error kafkajs's internals carry no types
import { KafkaJSError, KafkaJSPartialMessageError } from "kafkajs/src/errors.js";
// @ts-expect-error kafkajs's internals carry no types
import KafkaDecoder from "kafkajs/src/protocol/decoder.js";
// @ts-expect-error kafkajs's internals carry no types
import decodeMessageSet from "kafkajs/src/protocol/messageSet/decoder.js";
// @ts-expect-error kafkajs's internals carry no types
import decodeRecord from "kafkajs/src/protocol/recordBatch/record/v0/decoder.js";
// @ts-expect-error kafkajs's internals carry no types
import decodeRecordBatch from "kafkajs/src/protocol/recordBatch/v0/decoder.js";
// @ts-expect-error kafkajs's internals carry no types
import fetchV11 from "kafkajs/src/protocol/requests/fetch/v11/response.js";

interface Decoder {
  buffer: Buffer;
  offset: number;
  readInt8(): number;
  readInt16(): number;
  readInt32(): number;
  readInt64(): { toString(): string };
  readString(): string | null;
  readVarInt(): number;
  readVarIntBytes(): Buffer | null;
  canReadBytes(length: number): boolean;
  readBytes(length: number): Buffer;
  slice(length: number): Decoder;
  forward(length: number): void;
  readArray<T>(reader: (decoder: Decoder) => T): T[];
  readArrayAsync<T>(reader: (decoder: Decoder) => Promise<T>): Promise<T[]>;
}
const Decoder = KafkaDecoder as new (buffer: Buffer) => Decoder;

type Context = Record<string, unknown> & {
  firstOffset: string;
  firstTimestamp: string;
  maxTimestamp: string;
  timestampType: number;
  isControlBatch: boolean;
  magicByte: number;
};

const MAGIC_OFFSET = 16;
const RECORD_BATCH_OVERHEAD = 49;
const RECORD_BATCH_MAGIC = 2;
const COMPRESSION_MASK = 0x07;
const TIMESTAMP_TYPE_FLAG_MASK = 0x8;
const TRANSACTIONAL_FLAG_MASK = 0x10;
const CONTROL_FLAG_MASK = 0x20;
const LOG_APPEND_TIME = 1;
const CREATE_TIME = 0;

/**
 * Reads a record's fields within [at, end): each read gives NaN (or undefined for bytes) where
 * kafkajs's own arithmetic might differ or the field would cross the end.
 */
class FieldReader {
  at = 0;
  end = 0;
  constructor(readonly buffer: Buffer) {}

  /** A zigzag varint of up to 4 bytes (kafkajs's 32-bit shifts are exact there). */
  varint(): number {
    let result = 0;
    for (let shift = 0; shift < 28 && this.at < this.end; shift += 7) {
      const byte = this.buffer[this.at++] as number;
      result += (byte & 0x7f) << shift;
      if (byte < 0x80) return (result >>> 1) ^ -(result & 1);
    }
    return Number.NaN;
  }

  /** A zigzag varlong of up to 7 bytes (exact in a number). */
  varlong(): number {
    let zigzag = 0;
    let scale = 1;
    for (let i = 0; i < 7 && this.at < this.end; i++) {
      const byte = this.buffer[this.at++] as number;
      zigzag += (byte & 0x7f) * scale;
      if (byte < 0x80) return zigzag % 2 === 0 ? zigzag / 2 : -(zigzag + 1) / 2;
      scale *= 128;
    }
    return Number.NaN;
  }

  /** Length-prefixed bytes, a view of the response as kafkajs's slice is; null for length -1. */
  bytes(): Buffer | null | undefined {
    const length = this.varint();
    if (length === -1) return null;
    if (!(length >= 0) || this.at + length > this.end) return undefined;
    this.at += length;
    return this.buffer.subarray(this.at - length, this.at);
  }
}

const safe = (text: string): number | undefined => {
  const n = Number(text);
  return Number.isSafeInteger(n) && String(n) === text ? n : undefined;
};

/**
 * One record as kafkajs's record decoder makes it, from the reader's position (its length
 * varint); undefined where this is not sure to give kafkajs's answer (kafkajs then decodes it).
 */
function fastRecord(
  reader: FieldReader,
  context: Context,
  firstOffset: number,
  firstTimestamp: number | undefined,
): object | undefined {
  const length = reader.varint();
  if (!(length > 0) || reader.at + length > reader.end) return undefined;
  const recordEnd = reader.at + length;
  const batchEnd = reader.end;
  reader.end = recordEnd;
  const attributes = reader.buffer.readInt8(reader.at++);
  const timestampDelta = reader.varlong();
  const offsetDelta = reader.varint();
  const key = reader.bytes();
  const value = key === undefined ? undefined : reader.bytes();
  const headers = reader.varint();
  reader.end = batchEnd;
  // Headers (and bytes past a record's own fields) are left to kafkajs.
  if (
    value === undefined ||
    Number.isNaN(offsetDelta) ||
    (headers !== 0 && headers !== -1) ||
    reader.at !== recordEnd
  ) {
    return undefined;
  }
  let timestamp = context.maxTimestamp;
  if (context.timestampType !== LOG_APPEND_TIME || !context.maxTimestamp) {
    const sum = (firstTimestamp ?? Number.NaN) + timestampDelta;
    if (!Number.isSafeInteger(sum)) return undefined;
    timestamp = String(sum + 0);
  } else if (Number.isNaN(timestampDelta)) {
    return undefined;
  }
  const offset = firstOffset + offsetDelta;
  if (!Number.isSafeInteger(offset)) return undefined;
  return {
    magicByte: context.magicByte,
    attributes,
    timestamp,
    offset: String(offset + 0),
    key,
    value,
    headers: {},
    isControlRecord: context.isControlBatch,
    batchContext: context,
  };
}

/** kafkajs's record batch decoder (recordBatch/v0/decoder.js), its record loop done by fastRecord. */
async function recordBatch(fetchDecoder: Decoder): Promise<{ records: object[] }> {
  const batchStart = fetchDecoder.offset;
  const firstOffset = fetchDecoder.readInt64().toString();
  const length = fetchDecoder.readInt32();
  const decoder = fetchDecoder.slice(length);
  fetchDecoder.forward(length);
  if (decoder.buffer.byteLength < length) {
    throw new KafkaJSPartialMessageError(
      `Tried to decode a partial record batch: remainingBytes(${decoder.buffer.byteLength}) < recordBatchLength(${length})`,
    );
  }
  const partitionLeaderEpoch = decoder.readInt32();
  const magicByte = decoder.readInt8();
  decoder.readInt32(); // CRC, which kafkajs does not check either
  const attributes = decoder.readInt16();
  const firstOffsetNumber = safe(firstOffset);
  if ((attributes & COMPRESSION_MASK) !== 0 || firstOffsetNumber === undefined) {
    fetchDecoder.offset = batchStart;
    return decodeRecordBatch(fetchDecoder);
  }
  const lastOffsetDelta = decoder.readInt32();
  const firstTimestamp = decoder.readInt64().toString();
  const maxTimestamp = decoder.readInt64().toString();
  const producerId = decoder.readInt64().toString();
  const producerEpoch = decoder.readInt16();
  const firstSequence = decoder.readInt32();
  const recordContext = {
    firstOffset,
    firstTimestamp,
    partitionLeaderEpoch,
    inTransaction: (attributes & TRANSACTIONAL_FLAG_MASK) > 0,
    isControlBatch: (attributes & CONTROL_FLAG_MASK) > 0,
    lastOffsetDelta,
    producerId,
    producerEpoch,
    firstSequence,
    maxTimestamp,
    timestampType: (attributes & TIMESTAMP_TYPE_FLAG_MASK) > 0 ? LOG_APPEND_TIME : CREATE_TIME,
  };
  const context: Context = { ...recordContext, magicByte };
  const count = decoder.readInt32();
  const records: object[] = new Array(count === -1 ? 0 : count);
  const reader = new FieldReader(decoder.buffer);
  reader.end = decoder.buffer.byteLength;
  const firstTimestampNumber = safe(firstTimestamp);
  for (let i = 0; i < records.length; i++) {
    reader.at = decoder.offset;
    const fast = fastRecord(reader, context, firstOffsetNumber, firstTimestampNumber);
    if (fast !== undefined) {
      records[i] = fast;
      decoder.offset = reader.at;
    } else {
      records[i] = decodeRecord(new Decoder(decoder.readVarIntBytes() as Buffer), context);
    }
  }
  return { ...recordContext, records };
}

/** kafkajs's fetch/v4/decodeMessages.js with recordBatch for its batch decoder. */
async function decodeMessages(decoder: Decoder): Promise<object[]> {
  const messagesSize = decoder.readInt32();
  if (messagesSize <= 0 || !decoder.canReadBytes(messagesSize)) return [];
  const messagesBuffer = decoder.readBytes(messagesSize);
  const messagesDecoder = new Decoder(messagesBuffer);
  if (messagesBuffer.slice(MAGIC_OFFSET).readInt8(0) !== RECORD_BATCH_MAGIC) {
    return decodeMessageSet(messagesDecoder, messagesSize);
  }
  const records: object[] = [];
  while (messagesDecoder.canReadBytes(RECORD_BATCH_OVERHEAD)) {
    try {
      const batch = await recordBatch(messagesDecoder);
      for (const record of batch.records) records.push(record);
    } catch (error) {
      // The last batch of a response may be cut short by the fetch's byte limit.
      if ((error as Error).name === "KafkaJSPartialMessageError") break;
      throw error;
    }
  }
  return records;
}

/** kafkajs's fetch/v11/response.js decode, with decodeMessages above. */
async function decodeFetchV11(rawData: Buffer): Promise<object> {
  const decoder = new Decoder(rawData);
  const clientSideThrottleTime = decoder.readInt32();
  const errorCode = decoder.readInt16();
  const sessionId = decoder.readInt32();
  const responses = await decoder.readArrayAsync(async (topic) => ({
    topicName: topic.readString(),
    partitions: await topic.readArrayAsync(async (partition) => ({
      partition: partition.readInt32(),
      errorCode: partition.readInt16(),
      highWatermark: partition.readInt64().toString(),
      lastStableOffset: partition.readInt64().toString(),
      lastStartOffset: partition.readInt64().toString(),
      abortedTransactions: partition.readArray((aborted) => ({
        producerId: aborted.readInt64().toString(),
        firstOffset: aborted.readInt64().toString(),
      })),
      preferredReadReplica: partition.readInt32(),
      messages: await decodeMessages(partition),
    })),
  }));
  return { throttleTime: 0, clientSideThrottleTime, errorCode, sessionId, responses };
}

const response = fetchV11 as { decode: (rawData: Buffer) => Promise<object> };
const original = response.decode;

let installed = false;
let bounded = false;

/**
 * kafkajs reads a record's header count, then that many headers, whose varints read as 0 past
 * the record's end: a damaged count (up to 2^31) keeps its decoder busy for minutes, allocating,
 * with the event loop starved (the property test in fetch-records.test.ts found one, seed
 * 202717600). Every element of such an array takes at least one byte, so a count past the bytes
 * left is refused as a malformed record instead. Kept for kafkajs's own decoding too.
 */
function boundVarIntArrays(): void {
  const prototype = (
    KafkaDecoder as { prototype: { readVarIntArray(this: Decoder, reader: unknown): unknown[] } }
  ).prototype;
  const readVarIntArray = prototype.readVarIntArray;
  prototype.readVarIntArray = function (this: Decoder, reader: unknown) {
    const at = this.offset;
    const length = this.readVarInt();
    this.offset = at;
    if (length > this.buffer.length - at)
      throw new KafkaJSError(`malformed record: ${length} entries in ${this.buffer.length - at} bytes`, {
        retriable: false,
      });
    return readVarIntArray.call(this, reader);
  };
}

/** Installs the record fast path into kafkajs's Fetch v11 decoding (once); returns what puts kafkajs's own back (for tests). */
export function decodeFetchedRecordsFast(): () => void {
  if (!bounded) {
    bounded = true;
    boundVarIntArrays();
  }
  if (!installed) {
    installed = true;
    response.decode = decodeFetchV11;
  }
  return () => {
    installed = false;
    response.decode = original;
  };
}
