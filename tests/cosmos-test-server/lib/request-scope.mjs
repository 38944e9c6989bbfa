// Which documents a feed or query request is about, from its headers, as a predicate on change-log
// entries: one partition key (x-ms-documentdb-partitionkey), one partition key range
// (x-ms-documentdb-partitionkeyrangeid, "id" or "collectionRid,id"), optionally narrowed to an EPK
// sub-range (x-ms-start-epk / x-ms-end-epk, which the SDKs send for a feed range smaller than a
// physical range), or the whole container. A range that was split answers 410/1002.

import { boundaryToBigInt } from "./hash.mjs";

export class RangeGoneError extends Error {
  constructor(id) {
    super(`Partition key range ${id} is gone (it was split); re-read /pkranges.`);
    this.rangeId = id;
  }
}

export class BadRequestError extends Error {}

function parsePartitionKeyHeader(header) {
  let parsed;
  try {
    parsed = JSON.parse(header);
  } catch {
    throw new BadRequestError(`x-ms-documentdb-partitionkey is not JSON: ${header}`);
  }
  if (!Array.isArray(parsed) || parsed.length !== 1) {
    throw new BadRequestError(`x-ms-documentdb-partitionkey must hold one value for a single-path key: ${header}`);
  }
  // [{}] is how the SDKs spell "no partition key value" (PartitionKey.None).
  const [value] = parsed;
  return value !== null && typeof value === "object" ? undefined : value;
}

export function rangeIdFromHeader(headers) {
  const header = headers["x-ms-documentdb-partitionkeyrangeid"];
  if (!header) {
    return undefined;
  }
  const parts = String(header).split(",");
  return parts[parts.length - 1].trim();
}

/** Returns { matches(entry), describe } for the request, or throws RangeGoneError/BadRequestError. */
export function requestScope(headers, state) {
  const partitionKeyHeader = headers["x-ms-documentdb-partitionkey"];
  if (partitionKeyHeader) {
    const value = parsePartitionKeyHeader(partitionKeyHeader);
    const wanted = JSON.stringify(value ?? null);
    return { matches: (entry) => JSON.stringify(entry.partitionKey ?? null) === wanted, partitionKey: value };
  }
  let min = 0n;
  let max = boundaryToBigInt("FF");
  const rangeId = rangeIdFromHeader(headers);
  if (rangeId !== undefined) {
    if (state.ranges.isGone(rangeId)) {
      throw new RangeGoneError(rangeId);
    }
    const range = state.ranges.find(rangeId);
    if (!range) {
      throw new BadRequestError(`No partition key range ${rangeId} in this container.`);
    }
    min = range.min;
    max = range.max;
  }
  if (headers["x-ms-start-epk"] !== undefined) {
    const start = boundaryToBigInt(String(headers["x-ms-start-epk"]));
    min = start > min ? start : min;
  }
  if (headers["x-ms-end-epk"] !== undefined) {
    const end = boundaryToBigInt(String(headers["x-ms-end-epk"]));
    max = end < max ? end : max;
  }
  return { matches: (entry) => entry.epkValue >= min && entry.epkValue < max, rangeId };
}
