// The partition key ranges of one container: the EPK space [0, 2^126) cut into N equal ranges at
// creation, ids "0".."N-1" like a real account. A split replaces a live range with two children
// (new ids, `parents` listing the ancestry) and remembers the parent as gone, so requests naming it
// get 410/1002 PartitionKeyRangeGone and the SDK re-reads /pkranges. `version` grows with every
// split; it is the /pkranges feed's etag, so the SDK's incremental refresh (If-None-Match with the
// old etag) gets exactly the ranges created since.

import { EPK_SPACE, bigIntToBoundary, boundaryToBigInt } from "./hash.mjs";

export class PartitionKeyRanges {
  constructor(count) {
    if (!Number.isInteger(count) || count < 1 || count > 64) {
      throw new Error(`partition key range count must be 1..64, not ${count}`);
    }
    this.version = 1;
    this.nextId = count;
    this.live = [];
    this.gone = new Map();
    for (let i = 0; i < count; i += 1) {
      this.live.push({
        id: String(i),
        min: (EPK_SPACE * BigInt(i)) / BigInt(count),
        max: (EPK_SPACE * BigInt(i + 1)) / BigInt(count),
        parents: [],
        createdVersion: 1
      });
    }
  }

  find(id) {
    return this.live.find((range) => range.id === id);
  }

  isGone(id) {
    return this.gone.has(id);
  }

  /** The live range holding an EPK (hex string). */
  rangeOfEpk(epk) {
    const value = boundaryToBigInt(epk);
    return this.live.find((range) => range.min <= value && value < range.max);
  }

  /** Splits a live range at its midpoint into two children; returns them. */
  split(id) {
    const index = this.live.findIndex((range) => range.id === id);
    if (index < 0) {
      throw new Error(this.gone.has(id) ? `range ${id} was already split` : `no partition key range ${id}`);
    }
    const parent = this.live[index];
    if (parent.max - parent.min < 2n) {
      throw new Error(`range ${id} is too small to split`);
    }
    this.version += 1;
    const middle = parent.min + (parent.max - parent.min) / 2n;
    const parents = [...parent.parents, parent.id];
    const left = { id: String(this.nextId++), min: parent.min, max: middle, parents, createdVersion: this.version };
    const right = { id: String(this.nextId++), min: middle, max: parent.max, parents, createdVersion: this.version };
    this.live.splice(index, 1, left, right);
    this.gone.set(parent.id, [left.id, right.id]);
    return [left, right];
  }

  /** A range as the /pkranges feed shows it. */
  static toResource(range, collectionRid) {
    return {
      id: range.id,
      _rid: `${collectionRid}#${range.id}`,
      _self: `dbs/x/colls/${collectionRid}/pkranges/${range.id}/`,
      _etag: `"${range.createdVersion}"`,
      minInclusive: bigIntToBoundary(range.min),
      maxExclusive: bigIntToBoundary(range.max),
      ridPrefix: Number(range.id),
      throughputFraction: 1,
      status: "online",
      parents: range.parents,
      _ts: Math.floor(Date.now() / 1000)
    };
  }
}
