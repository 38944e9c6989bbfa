// The change feed pull model as the gateway serves it: GET .../docs with an A-IM header.
//   A-IM: Incremental Feed   -> LatestVersion: each document's latest version once, deletes never.
//   A-IM: Full-Fidelity Feed -> AllVersionsAndDeletes: every write, deletes included, wrapped as
//                               { current, previous?, metadata } (wire format 2021-09-15).
// Start points: no If-None-Match = beginning; If-None-Match: * = now; If-None-Match: "<lsn>" =
// continue after that LSN (the etag of an earlier answer); If-Modified-Since = from that time.
// The answer's etag is the continuation; 304 Not Modified (no body) only when nothing in the
// requested scope is newer than the start point.

import { requestScope } from "./request-scope.mjs";

const DEFAULT_PAGE = 100;

export class ChangeFeedError extends Error {
  constructor(status, code, message) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

function parseLsn(etag) {
  const value = Number.parseInt(String(etag).replace(/^W\//, "").replace(/"/g, ""), 10);
  if (!Number.isSafeInteger(value) || value < 0) {
    throw new ChangeFeedError(400, "BadRequest", `Invalid change feed continuation (If-None-Match): ${etag}`);
  }
  return value;
}

function pageSize(headers) {
  const value = Number.parseInt(headers["x-ms-max-item-count"] ?? "", 10);
  return Number.isInteger(value) && value > 0 ? value : DEFAULT_PAGE;
}

function partitionKeyObject(state, value) {
  const name = (state.log.partitionKeyPath ?? "").split("/").filter(Boolean).join(".");
  return name ? { [name]: value ?? null } : {};
}

function asAllVersionsItem(state, entry) {
  const metadata = {
    crts: entry.timestamp,
    lsn: entry.lsn,
    operationType: entry.operationType,
    previousImageLSN: entry.previousLsn,
    timeToLiveExpired: false
  };
  if (entry.operationType === "delete") {
    // A real account names the deleted item in the metadata and has no current image.
    metadata.id = entry.id;
    metadata.partitionKey = partitionKeyObject(state, entry.partitionKey);
    return { current: {}, metadata, previous: { ...entry.previousDocument, _lsn: entry.previousLsn } };
  }
  return { current: { ...entry.document, _lsn: entry.lsn }, metadata };
}

/**
 * Reads one page. Returns { status: 200 | 304, etag, items, lastLsn }.
 * `options.allVersionsAllowed` false = an account without continuous backup.
 */
export function readChangeFeed(state, headers, options) {
  const mode = String(headers["a-im"] ?? "").toLowerCase();
  const allVersions = mode === "full-fidelity feed";
  if (!allVersions && mode !== "incremental feed") {
    throw new ChangeFeedError(400, "BadRequest", `Unsupported A-IM header: ${headers["a-im"]}`);
  }
  if (allVersions && !options.allVersionsAllowed) {
    // What a real account answers when the mode is not enabled on it (continuous backup is its
    // prerequisite): 400 with this message.
    throw new ChangeFeedError(
      400,
      "BadRequest",
      "Change Feed 'All Versions and Deletes' mode must be enabled. (Test server started with --no-all-versions: like an account without continuous backup and the mode enabled.)"
    );
  }
  const scope = requestScope(headers, state);
  const log = state.log;
  const ifNoneMatch = headers["if-none-match"];
  let after;
  if (ifNoneMatch === "*") {
    return { status: 304, etag: `"${log.lastLsn}"`, items: [], lastLsn: log.lastLsn };
  } else if (ifNoneMatch) {
    after = parseLsn(ifNoneMatch);
  } else if (headers["if-modified-since"]) {
    const time = Date.parse(headers["if-modified-since"]);
    if (Number.isNaN(time)) {
      throw new ChangeFeedError(400, "BadRequest", `Invalid If-Modified-Since: ${headers["if-modified-since"]}`);
    }
    after = log.lsnBeforeTime(Math.floor(time / 1000));
  } else if (allVersions) {
    throw new ChangeFeedError(
      400,
      "BadRequest",
      "AllVersionsAndDeletes change feed supports only start from now or from a continuation, not from the beginning or a point in time."
    );
  } else {
    after = 0;
  }
  if (allVersions && headers["if-modified-since"] && !ifNoneMatch) {
    throw new ChangeFeedError(400, "BadRequest", "AllVersionsAndDeletes change feed does not support start from a point in time.");
  }
  const limit = pageSize(headers);
  const items = [];
  let lastReturned = after;
  for (let i = log.firstIndexAfter(after); i < log.entries.length && items.length < limit; i += 1) {
    const entry = log.entries[i];
    if (!scope.matches(entry)) {
      continue;
    }
    if (!allVersions && (entry.operationType === "delete" || !log.isLatest(entry))) {
      continue;
    }
    items.push(allVersions ? asAllVersionsItem(state, entry) : { ...entry.document, _lsn: entry.lsn });
    lastReturned = entry.lsn;
  }
  if (items.length === 0) {
    // Nothing in scope after `after` up to lastLsn: continuing from lastLsn skips nothing.
    return { status: 304, etag: `"${Math.max(after, log.lastLsn)}"`, items, lastLsn: log.lastLsn };
  }
  // A full page continues after its last item; a short page scanned everything up to lastLsn.
  const continueAfter = items.length >= limit ? lastReturned : log.lastLsn;
  return { status: 200, etag: `"${continueAfter}"`, items, lastLsn: log.lastLsn };
}
