/**
 * kafkajs decodes every record's offset and timestamp through its BigInt-backed Long: it parses
 * the batch's first offset and first timestamp from strings again for every record, builds the
 * timestamp delta from a varlong one 7-bit group at a time, adds, and prints the sums back to
 * strings. That arithmetic was a third of a fetch's CPU time (bench/audit's fetch line).
 *
 * Offsets and timestamps are far below 2^53, so those Longs are made as SmallLongs instead: the
 * value held as a number, the BigInt made only if something asks for `.value`. Every other Long
 * operation goes through kafkajs's own code on that BigInt, and the number paths (add, compare,
 * toString) give what the BigInt ones would, falling back to them the moment a value leaves the
 * safe range. So every consumer, producer and admin gets exactly kafkajs's results, only sooner;
 * lib/kafka/small-long.test.ts holds decoded record batches to kafkajs's own.
 */
// @ts-expect-error kafkajs's internals carry no types
import KafkaDecoder from "kafkajs/src/protocol/decoder.js";
// @ts-expect-error kafkajs's internals carry no types
import KafkaLong from "kafkajs/src/utils/long.js";

interface Long {
  readonly value: bigint;
  add(addend: unknown): Long;
  greaterThanOrEqual(other: unknown): boolean;
  toString(): string;
}

interface LongClass {
  prototype: Long;
  fromValue(value: unknown): Long;
  isLong(value: unknown): boolean;
}

interface Decoder {
  buffer: Buffer;
  offset: number;
  readVarLong(): Long;
}

const Long = KafkaLong as LongClass;
const DecoderPrototype = (KafkaDecoder as { prototype: Decoder }).prototype;

interface Small extends Long {
  n: number;
  big: bigint | undefined;
}

/** A Long holding a safe integer; `value` (the BigInt every kafkajs method uses) is made on demand. */
const SmallLong = function (this: Small, n: number) {
  this.n = n;
  this.big = undefined;
} as unknown as { new (n: number): Small; prototype: Small };

SmallLong.prototype = Object.create(Long.prototype, {
  constructor: { value: SmallLong },
  value: {
    get(this: Small) {
      if (this.big === undefined) this.big = BigInt(this.n);
      return this.big;
    },
  },
  toString: {
    value(this: Small) {
      return String(this.n);
    },
  },
  greaterThanOrEqual: {
    value(this: Small, other: unknown) {
      if (isSmall(other)) return this.n >= other.n;
      return Long.prototype.greaterThanOrEqual.call(this, other);
    },
  },
});

const isSmall = (value: unknown): value is Small => value instanceof SmallLong;

/** What kafkajs's Long.fromString accepts and means by a plain decimal: BigInt(text) === BigInt(Number(text)). */
const DECIMAL = /^-?\d{1,16}$/;

const original = {
  fromValue: Long.fromValue,
  isLong: Long.isLong,
  add: Long.prototype.add,
  readVarLong: DecoderPrototype.readVarLong,
};

let installed = false;

/** Installs the SmallLong paths into kafkajs (once); returns what puts kafkajs's own back (for tests). */
export function useSmallLongs(): () => void {
  if (!installed) {
    installed = true;
    install();
  }
  return uninstall;
}

function install(): void {
  // The record decoder asks for the batch's first offset and first timestamp for every record:
  // the same two strings, so the last two answers are kept (a Long is never changed in place).
  let [text1, long1, text2, long2]: [unknown, Small | undefined, unknown, Small | undefined] = [
    undefined,
    undefined,
    undefined,
    undefined,
  ];
  Long.fromValue = function (this: LongClass, value: unknown): Long {
    if (typeof value === "string") {
      if (value === text1 && long1 !== undefined) return long1;
      if (value === text2 && long2 !== undefined) return long2;
      if (DECIMAL.test(value)) {
        const n = Number(value) + 0; // "-0" is 0n
        if (Number.isSafeInteger(n)) {
          const small = new SmallLong(n);
          [text2, long2, text1, long1] = [text1, long1, value, small];
          return small;
        }
      }
    } else if (typeof value === "number" && Number.isSafeInteger(value)) {
      return new SmallLong(value + 0);
    } else if (isSmall(value)) {
      return new SmallLong(value.n);
    }
    return original.fromValue.call(this, value);
  };
  Long.isLong = (value: unknown) => isSmall(value) || original.isLong.call(Long, value);
  Long.prototype.add = function (this: Long, addend: unknown): Long {
    if (isSmall(this)) {
      const other = typeof addend === "number" ? addend : isSmall(addend) ? addend.n : undefined;
      if (other !== undefined && Number.isSafeInteger(other)) {
        const sum = this.n + other;
        if (Number.isSafeInteger(sum)) return new SmallLong(sum + 0);
      }
    }
    return original.add.call(this, addend);
  };
  // Up to 7 bytes (49 bits) a zigzag varlong is exact in a number; longer ones are kafkajs's.
  DecoderPrototype.readVarLong = function (this: Decoder): Long {
    const buffer = this.buffer;
    let at = this.offset;
    let zigzag = 0;
    let scale = 1;
    for (let i = 0; i < 7; i++) {
      const byte = buffer[at++];
      if (byte === undefined) break;
      zigzag += (byte & 0x7f) * scale;
      if (byte < 0x80) {
        this.offset = at;
        return new SmallLong(zigzag % 2 === 0 ? zigzag / 2 : -(zigzag + 1) / 2);
      }
      scale *= 128;
    }
    return original.readVarLong.call(this);
  };
}

function uninstall(): void {
  if (!installed) return;
  installed = false;
  Long.fromValue = original.fromValue;
  Long.isLong = original.isLong;
  Long.prototype.add = original.add;
  DecoderPrototype.readVarLong = original.readVarLong;
}
