// Cross-check of the SnapshotService MongoDB wire-protocol test server with a client we did not write: the
// official Node.js driver. Usage: node crosscheck.mjs "mongodb://127.0.0.1:PORT/?replicaSet=rs0"
// Exits 0 when every answer matches what a real replica-set primary gives; otherwise prints the mismatch to
// stderr and exits 1. It only ever connects to the address it is given (the test passes a loopback one).
import assert from 'node:assert/strict';
import { MongoClient, MongoServerError } from 'mongodb';

const uri = process.argv[2];
if (!uri) {
  console.error('usage: node crosscheck.mjs <connection string>');
  process.exit(2);
}

// A hung server must fail the check, not the test run.
setTimeout(() => {
  console.error('crosscheck timed out after 60 s');
  process.exit(3);
}, 60_000).unref();

const client = new MongoClient(uri, { serverSelectionTimeoutMS: 10_000, maxPoolSize: 4 });

async function nextEvents(stream, count) {
  const events = [];
  while (events.length < count) {
    events.push(await stream.next());
  }
  return events;
}

async function main() {
  await client.connect();
  const hello = await client.db('admin').command({ hello: 1 });
  assert.equal(hello.setName, 'rs0', 'hello names the replica set');
  assert.equal(hello.isWritablePrimary, true, 'hello reports a writable primary');

  const db = client.db('crosscheck');
  const items = db.collection('items');
  await items.drop().catch(() => {});

  // Change streams open lazily in the Node driver: tryNext() sends the aggregate before any write.
  const stream = items.watch([], { fullDocument: 'updateLookup', maxAwaitTimeMS: 100 });
  assert.equal(await stream.tryNext(), null, 'a new stream starts empty');

  // Writes.
  const inserted = await items.insertOne({ _id: 1, name: 'apple', qty: 1 });
  assert.equal(inserted.insertedId, 1);
  const many = await items.insertMany([{ _id: 2, name: 'pear' }, { _id: 3, name: 'fig' }]);
  assert.equal(many.insertedCount, 2);
  const updated = await items.updateOne({ _id: 1 }, { $set: { name: 'apricot' }, $inc: { qty: 2 } });
  assert.equal(updated.matchedCount, 1);
  assert.equal(updated.modifiedCount, 1);
  const replaced = await items.replaceOne({ _id: 2 }, { name: 'plum', price: 1.5 });
  assert.equal(replaced.modifiedCount, 1);
  const deleted = await items.deleteOne({ _id: 3 });
  assert.equal(deleted.deletedCount, 1);
  const upserted = await items.updateOne({ _id: 4 }, { $set: { name: 'kiwi' } }, { upsert: true });
  assert.equal(upserted.upsertedId, 4);
  await assert.rejects(items.insertOne({ _id: 1 }), (e) => e instanceof MongoServerError && e.code === 11000, 'duplicate _id is rejected');

  // Reads.
  const all = await items.find({}).sort({ _id: 1 }).toArray();
  assert.deepEqual(all, [
    { _id: 1, name: 'apricot', qty: 3 },
    { _id: 2, name: 'plum', price: 1.5 },
    { _id: 4, name: 'kiwi' },
  ]);
  const batched = await items.find({}, { batchSize: 1 }).sort({ _id: -1 }).toArray();
  assert.deepEqual(batched.map((d) => d._id), [4, 2, 1], 'getMore continues a find in batches');
  const range = await items.find({ _id: { $gte: 2, $lt: 4 } }).toArray();
  assert.deepEqual(range.map((d) => d._id), [2]);
  assert.equal(await items.countDocuments({}), 3);
  assert.deepEqual(await items.findOne({ name: 'plum' }), { _id: 2, name: 'plum', price: 1.5 });

  // Change events, in order, with the shapes a real server sends.
  const events = await nextEvents(stream, 7);
  assert.deepEqual(events.map((e) => e.operationType), ['insert', 'insert', 'insert', 'update', 'replace', 'delete', 'insert']);
  assert.deepEqual(events.map((e) => e.documentKey._id), [1, 2, 3, 1, 2, 3, 4]);
  assert.deepEqual(events[0].fullDocument, { _id: 1, name: 'apple', qty: 1 });
  assert.deepEqual(events[3].updateDescription.updatedFields, { name: 'apricot', qty: 3 });
  assert.deepEqual(events[3].fullDocument, { _id: 1, name: 'apricot', qty: 3 }, 'updateLookup returns the current document');
  assert.deepEqual(events[5].ns, { db: 'crosscheck', coll: 'items' });
  for (let i = 1; i < events.length; i++) {
    assert.ok(events[i].clusterTime.greaterThan(events[i - 1].clusterTime), 'cluster times increase');
    assert.ok(events[i]._id._data > events[i - 1]._id._data, 'resume tokens sort in oplog order');
  }
  await stream.close();

  // Resume after the third event: the stream continues with the fourth, without gap or repeat.
  const resumed = items.watch([], { resumeAfter: events[2]._id, maxAwaitTimeMS: 100 });
  const afterResume = await nextEvents(resumed, 4);
  assert.deepEqual(afterResume.map((e) => [e.operationType, e.documentKey._id]), [['update', 1], ['replace', 2], ['delete', 3], ['insert', 4]]);
  await resumed.close();

  // startAtOperationTime includes the event at that time.
  const fromTime = items.watch([], { startAtOperationTime: events[5].clusterTime, maxAwaitTimeMS: 100 });
  assert.deepEqual((await nextEvents(fromTime, 1)).map((e) => e.operationType), ['delete']);
  await fromTime.close();

  // Unknown commands fail as on a real server.
  await assert.rejects(db.command({ frobnicate: 1 }), (e) => e instanceof MongoServerError && e.code === 59 && e.codeName === 'CommandNotFound');

  console.log('crosscheck: all checks passed');
}

try {
  await main();
  await client.close();
  process.exit(0);
} catch (error) {
  console.error(error?.stack ?? String(error));
  await client.close().catch(() => {});
  process.exit(1);
}
