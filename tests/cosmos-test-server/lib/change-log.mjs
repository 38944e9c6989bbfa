// Every document write of one container, in the order the storage applied it, each with an LSN
// (one counter per container, starting at 1). The change feed reads this log: LatestVersion skips
// deletes and every version a later write superseded; AllVersionsAndDeletes returns all of it.
// `current` maps document key -> its latest live version, which is also what per-range queries scan
// (the storage behind us holds the same documents; every write goes through here).

import { boundaryToBigInt, effectivePartitionKey } from "./hash.mjs";

export const documentKey = (partitionKeyValue, id) => `${JSON.stringify(partitionKeyValue ?? null)}\u0000${id}`;

export class ChangeLog {
  constructor(partitionKeyPath) {
    this.partitionKeyPath = partitionKeyPath;
    this.lastLsn = 0;
    this.entries = [];
    this.current = new Map();
    this.createSeq = 0;
  }

  partitionKeyOf(document) {
    if (!this.partitionKeyPath) {
      return undefined;
    }
    let value = document;
    for (const part of this.partitionKeyPath.split("/").filter(Boolean)) {
      value = value == null ? undefined : value[part];
    }
    return value;
  }

  /** Records a create or replace of `document` (the body the storage answered with). */
  recordWrite(document) {
    const partitionKey = this.partitionKeyOf(document);
    const key = documentKey(partitionKey, document.id);
    const previous = this.current.get(key);
    const epk = previous ? previous.epk : effectivePartitionKey(partitionKey);
    const entry = {
      lsn: ++this.lastLsn,
      key,
      id: document.id,
      partitionKey,
      epk,
      epkValue: boundaryToBigInt(epk),
      operationType: previous ? "replace" : "create",
      previousLsn: previous ? previous.lsn : 0,
      timestamp: typeof document._ts === "number" ? document._ts : Math.floor(Date.now() / 1000),
      document,
      // Scans page by creation order, so a document updated during a scan keeps its place.
      createSeq: previous ? previous.createSeq : ++this.createSeq
    };
    this.entries.push(entry);
    this.current.set(key, entry);
    return entry;
  }

  /** Records a delete of the document (partitionKey, id), if it exists. */
  recordDelete(partitionKey, id) {
    const key = documentKey(partitionKey, id);
    const previous = this.current.get(key);
    if (!previous) {
      return undefined;
    }
    const entry = {
      lsn: ++this.lastLsn,
      key,
      id,
      partitionKey,
      epk: previous.epk,
      epkValue: previous.epkValue,
      operationType: "delete",
      previousLsn: previous.lsn,
      timestamp: Math.floor(Date.now() / 1000),
      document: undefined,
      previousDocument: previous.document
    };
    this.entries.push(entry);
    this.current.delete(key);
    return entry;
  }

  /** Index of the first entry with lsn > afterLsn (entries are sorted by lsn). */
  firstIndexAfter(afterLsn) {
    let low = 0;
    let high = this.entries.length;
    while (low < high) {
      const middle = (low + high) >> 1;
      if (this.entries[middle].lsn <= afterLsn) {
        low = middle + 1;
      } else {
        high = middle;
      }
    }
    return low;
  }

  /** The LSN just before the first write at or after `seconds` (If-Modified-Since start). */
  lsnBeforeTime(seconds) {
    const first = this.entries.find((entry) => entry.timestamp >= seconds);
    return first ? first.lsn - 1 : this.lastLsn;
  }

  isLatest(entry) {
    return this.current.get(entry.key) === entry;
  }
}
