// Effective partition key (EPK) of a partition key value, as Cosmos DB's hash partitioning V2
// computes it: MurmurHash3 x64 128-bit (seed 0) over the value's binary encoding, bytes reversed,
// the top two bits cleared, uppercase hex (32 digits). Written here from the published algorithm,
// so the ranges this server serves agree with the ranges the SDKs compute for a partition key
// (FeedRange.FromPartitionKey, IsFeedRangePartOfAsync). crosscheck.mjs checks it against the
// Node SDK's own hashing.

const MASK64 = (1n << 64n) - 1n;
const C1 = 0x87c37b91114253d5n;
const C2 = 0x4cf5ad432745937fn;

const mul = (a, b) => (a * b) & MASK64;
const add = (a, b) => (a + b) & MASK64;
const rotl = (x, r) => ((x << BigInt(r)) | (x >> BigInt(64 - r))) & MASK64;

function fmix(k) {
  k ^= k >> 33n;
  k = mul(k, 0xff51afd7ed558ccdn);
  k ^= k >> 33n;
  k = mul(k, 0xc4ceb9fe1a85ec53n);
  k ^= k >> 33n;
  return k;
}

function readUInt64LE(bytes, offset) {
  let value = 0n;
  for (let i = 7; i >= 0; i -= 1) {
    value = (value << 8n) | BigInt(bytes[offset + i]);
  }
  return value;
}

/** MurmurHash3 x64 128 of bytes; returns [h1, h2] as BigInts. */
export function murmur3x64x128(bytes, seed = 0n) {
  let h1 = seed;
  let h2 = seed;
  const blocks = Math.floor(bytes.length / 16);
  for (let i = 0; i < blocks; i += 1) {
    let k1 = readUInt64LE(bytes, i * 16);
    let k2 = readUInt64LE(bytes, i * 16 + 8);
    k1 = mul(rotl(mul(k1, C1), 31), C2);
    h1 ^= k1;
    h1 = add(mul(add(rotl(h1, 27), h2), 5n), 0x52dce729n);
    k2 = mul(rotl(mul(k2, C2), 33), C1);
    h2 ^= k2;
    h2 = add(mul(add(rotl(h2, 31), h1), 5n), 0x38495ab5n);
  }
  const tail = blocks * 16;
  const rest = bytes.length - tail;
  let k1 = 0n;
  let k2 = 0n;
  for (let j = rest - 1; j >= 8; j -= 1) {
    k2 ^= BigInt(bytes[tail + j]) << BigInt((j - 8) * 8);
  }
  if (rest > 8) {
    h2 ^= mul(rotl(mul(k2, C2), 33), C1);
  }
  for (let j = Math.min(rest, 8) - 1; j >= 0; j -= 1) {
    k1 ^= BigInt(bytes[tail + j]) << BigInt(j * 8);
  }
  if (rest > 0) {
    h1 ^= mul(rotl(mul(k1, C1), 31), C2);
  }
  const length = BigInt(bytes.length);
  h1 ^= length;
  h2 ^= length;
  h1 = add(h1, h2);
  h2 = add(h2, h1);
  h1 = fmix(h1);
  h2 = fmix(h2);
  h1 = add(h1, h2);
  h2 = add(h2, h1);
  return [h1, h2];
}

/** The V2 binary encoding of one partition key component (type marker, then the value). */
function encodeComponent(value) {
  if (value === undefined) {
    return Buffer.from([0x00]);
  }
  if (value === null) {
    return Buffer.from([0x01]);
  }
  if (value === false) {
    return Buffer.from([0x02]);
  }
  if (value === true) {
    return Buffer.from([0x03]);
  }
  if (typeof value === "number") {
    const buffer = Buffer.alloc(9);
    buffer[0] = 0x05;
    buffer.writeDoubleLE(value, 1);
    return buffer;
  }
  if (typeof value === "string") {
    return Buffer.concat([Buffer.from([0x08]), Buffer.from(value, "utf8"), Buffer.from([0xff])]);
  }
  throw new Error(`A partition key must be a string, number, boolean or null, not ${JSON.stringify(value)}.`);
}

const hex64 = (value) => value.toString(16).toUpperCase().padStart(16, "0");

/** The EPK (32 uppercase hex digits) of a single-path partition key value. */
export function effectivePartitionKey(value) {
  const [h1, h2] = murmur3x64x128(encodeComponent(value));
  // The 128-bit hash is laid out little-endian (h1 then h2) and reversed: h2 big-endian first.
  const high = h2 & ~(0xc0n << 56n);
  return hex64(high) + hex64(h1);
}

/** The exclusive upper bound of every EPK (V2 clears the top two bits): 2^126. */
export const EPK_SPACE = 1n << 126n;

/** An EPK range boundary: "" is the start, "FF" the end, anything else 32 hex digits. */
export function boundaryToBigInt(boundary) {
  if (boundary === "") {
    return 0n;
  }
  if (boundary === "FF") {
    return EPK_SPACE;
  }
  return BigInt(`0x${boundary}`);
}

export function bigIntToBoundary(value) {
  if (value <= 0n) {
    return "";
  }
  if (value >= EPK_SPACE) {
    return "FF";
  }
  return value.toString(16).toUpperCase().padStart(32, "0");
}
