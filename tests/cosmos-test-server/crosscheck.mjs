#!/usr/bin/env node
// Cross-check with a client we did not write: the @azure/cosmos Node SDK reads the change feed of
// the server at ENDPOINT through the pull model, per feed range, and this script asserts what a
// real account answers. Usage: node crosscheck.mjs ENDPOINT [KEY]. Exit 0 = every check held;
// otherwise the failed check is on stderr. It creates (and deletes) its own database.
// TLS: the test server's certificate is self-signed; the caller sets NODE_TLS_REJECT_UNAUTHORIZED=0
// for this process only.

import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import https from "node:https";
import { ChangeFeedMode, ChangeFeedStartFrom, CosmosClient, StatusCodes } from "@azure/cosmos";

const EMULATOR_KEY = "C2y6yDjf5/R+ob0N8A7Cgv30VRDJIWEHLM+4QDU5DE2nQ9nDuVTqobD4b8mGGyPMbIZnqyMsEcaGQy67XIw/Jw==";
const [endpoint, key = EMULATOR_KEY] = process.argv.slice(2);
if (!endpoint) {
  console.error("usage: node crosscheck.mjs ENDPOINT [KEY]");
  process.exit(2);
}

// The SDK's own V2 hashing, to check that each document sits in the feed range the SDK computes
// for its partition key. It is not exported, so it is loaded from the package's files.
async function sdkHash() {
  try {
    const module = await import(new URL("./node_modules/@azure/cosmos/dist/esm/utils/hashing/v2.js", import.meta.url));
    return (value) => module.hashV2PartitionKey([value]);
  } catch (error) {
    throw new Error(`cannot load @azure/cosmos hashing (run npm ci in tests/cosmos-test-server): ${error.message}`);
  }
}

/** A test-server control request (POST JSON, or GET without a body); throws on a non-2xx answer. */
function control(base, path, body) {
  return new Promise((resolve, reject) => {
    const method = body === undefined ? "GET" : "POST";
    const request = https.request(new URL(path, base), { method, headers: { "content-type": "application/json" } }, (response) => {
      const chunks = [];
      response.on("data", (chunk) => chunks.push(chunk));
      response.on("end", () => {
        const text = Buffer.concat(chunks).toString("utf8");
        if (response.statusCode >= 300) {
          reject(new Error(`${path} answered ${response.statusCode}: ${text}`));
        } else {
          resolve(JSON.parse(text));
        }
      });
    });
    request.on("error", reject);
    request.end(body === undefined ? undefined : JSON.stringify(body));
  });
}

const inRange = (epk, range) =>
  (range.minInclusive === "" || epk >= range.minInclusive) && (range.maxExclusive === "FF" || epk < range.maxExclusive);

/** Reads a pull-model iterator until 304; returns { items, pages, token }. */
async function drain(iterator, maxItemCount) {
  const items = [];
  let pages = 0;
  for (;;) {
    const response = await iterator.readNext();
    if (response.statusCode === StatusCodes.NotModified) {
      return { items, pages, token: response.continuationToken };
    }
    assert.equal(response.statusCode, StatusCodes.Ok, "a change feed page is 200 or 304");
    assert.ok(response.result.length > 0, "a 200 page holds at least one item");
    assert.ok(response.result.length <= maxItemCount, `a page holds at most maxItemCount (${maxItemCount}) items`);
    items.push(...response.result);
    pages += 1;
  }
}

const client = new CosmosClient({ endpoint, key, connectionPolicy: { enableEndpointDiscovery: false } });
const databaseId = `crosscheck-${randomUUID()}`;
const { database } = await client.databases.create({ id: databaseId });
try {
  const { container } = await database.containers.create({
    id: "items",
    partitionKey: { paths: ["/pk"], version: 2 }
  });
  const hash = await sdkHash();
  const ids = Array.from({ length: 40 }, (_, i) => `doc-${i}`);
  for (const id of ids) {
    await container.items.create({ id, pk: `pk-${id}`, value: 0 });
  }

  const ranges = await container.getFeedRanges();
  assert.ok(ranges.length >= 1, "the container has at least one feed range");
  const page = 7;
  const seen = new Map();
  const tokens = [];
  for (const range of ranges) {
    const iterator = container.items.getChangeFeedIterator({
      changeFeedStartFrom: ChangeFeedStartFrom.Beginning(range),
      maxItemCount: page
    });
    const { items, token } = await drain(iterator, page);
    for (const item of items) {
      assert.ok(!seen.has(item.id), `${item.id} appears in one feed range only`);
      assert.ok(typeof item._lsn === "number", "change feed items carry _lsn");
      assert.ok(inRange(hash(item.pk), range), `${item.id} is in the feed range the SDK hashes its key to`);
      seen.set(item.id, item);
    }
    tokens.push(token);
  }
  assert.deepEqual([...seen.keys()].sort(), [...ids].sort(), "the feed ranges together hold every document once");

  // Nothing new: every range answers 304 when resumed from its continuation.
  for (const token of tokens) {
    const iterator = container.items.getChangeFeedIterator({ changeFeedStartFrom: ChangeFeedStartFrom.Continuation(token) });
    const response = await iterator.readNext();
    assert.equal(response.statusCode, StatusCodes.NotModified, "an idle feed answers 304");
  }

  // New writes, an update (twice) and a delete after the read: the next reads show each changed
  // document once, in its latest version, and never the delete.
  await container.items.create({ id: "new-1", pk: "pk-new-1", value: 1 });
  await container.items.upsert({ id: "doc-3", pk: "pk-doc-3", value: 1 });
  await container.items.upsert({ id: "doc-3", pk: "pk-doc-3", value: 2 });
  await container.item("doc-5", "pk-doc-5").delete();
  const changed = [];
  for (const token of tokens) {
    const iterator = container.items.getChangeFeedIterator({ changeFeedStartFrom: ChangeFeedStartFrom.Continuation(token) });
    changed.push(...(await drain(iterator, 100)).items);
  }
  assert.deepEqual(changed.map((item) => item.id).sort(), ["doc-3", "new-1"], "only changed documents follow, once each");
  assert.equal(changed.find((item) => item.id === "doc-3").value, 2, "the latest version of an updated document");

  // LSNs grow with every write.
  const lsnOf3 = changed.find((item) => item.id === "doc-3")._lsn;
  assert.ok(lsnOf3 > seen.get("doc-3")._lsn, "an update has a higher _lsn");

  // Whole container from now: nothing until the next write.
  const fromNow = container.items.getChangeFeedIterator({ changeFeedStartFrom: ChangeFeedStartFrom.Now() });
  assert.equal((await fromNow.readNext()).statusCode, StatusCodes.NotModified, "start from now sees nothing old");
  await container.items.create({ id: "new-2", pk: "pk-new-2", value: 1 });
  const afterNow = await drain(fromNow, 100);
  assert.deepEqual(afterNow.items.map((item) => item.id), ["new-2"], "start from now sees the next write");

  // One partition key's feed holds that key's documents only.
  const byKey = container.items.getChangeFeedIterator({ changeFeedStartFrom: ChangeFeedStartFrom.Beginning("pk-doc-7") });
  const keyItems = (await drain(byKey, 100)).items;
  assert.deepEqual(keyItems.map((item) => item.id), ["doc-7"], "a partition key's feed holds its documents only");

  // All versions and deletes (only where the account has the mode; CROSSCHECK_ALL_VERSIONS=1).
  if (process.env.CROSSCHECK_ALL_VERSIONS === "1") {
    const allVersions = container.items.getChangeFeedIterator({
      changeFeedStartFrom: ChangeFeedStartFrom.Now(),
      changeFeedMode: ChangeFeedMode.AllVersionsAndDeletes
    });
    assert.equal((await allVersions.readNext()).statusCode, StatusCodes.NotModified, "all versions from now sees nothing old");
    await container.items.create({ id: "av", pk: "pk-av", value: 1 });
    await container.items.upsert({ id: "av", pk: "pk-av", value: 2 });
    await container.item("av", "pk-av").delete();
    const versions = (await drain(allVersions, 100)).items;
    assert.deepEqual(versions.map((v) => v.metadata.operationType), ["create", "replace", "delete"], "every version and the delete");
    assert.equal(versions[1].current.value, 2, "a replace carries its current image");
    assert.equal(versions[2].metadata.previousImageLSN, versions[1].metadata.lsn, "a delete names the LSN it replaced");
  }

  // A split (test server only; CROSSCHECK_SPLIT=1): the parent's continuations go on in its
  // children with nothing lost and nothing repeated.
  if (process.env.CROSSCHECK_SPLIT === "1") {
    const before = [];
    for (const range of await container.getFeedRanges()) {
      const iterator = container.items.getChangeFeedIterator({ changeFeedStartFrom: ChangeFeedStartFrom.Beginning(range) });
      before.push((await drain(iterator, 1000)).token);
    }
    await control(endpoint, "/_test/split", { database: databaseId, container: "items", range: "0" });
    const added = Array.from({ length: 20 }, (_, i) => `split-${i}`);
    for (const id of added) {
      await container.items.create({ id, pk: `pk-${id}`, value: 0 });
    }
    const after = [];
    for (const token of before) {
      const iterator = container.items.getChangeFeedIterator({ changeFeedStartFrom: ChangeFeedStartFrom.Continuation(token) });
      after.push(...(await drain(iterator, 1000)).items.map((item) => item.id));
    }
    assert.deepEqual(after.sort(), [...added].sort(), "after a split the feed continues with exactly the new writes");
    assert.equal((await container.getFeedRanges()).length, ranges.length + 1, "a split adds one feed range");
    const stats = await control(endpoint, "/_test/stats");
    assert.ok((stats.answers["410/1002"] ?? 0) >= 1, "the SDK met the split parent as gone (410/1002) and moved on");
  }

  console.log(`crosscheck passed: ${ranges.length} feed range(s), ${ids.length} documents`);
} finally {
  await database.delete().catch(() => undefined);
}
