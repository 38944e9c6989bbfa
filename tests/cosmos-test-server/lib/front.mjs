// The HTTPS front every client talks to. It serves the control API (/_test/...), injects faults,
// answers change feed reads, /pkranges and document queries itself, serialises document writes per
// container (so the LSN order is the order the storage applied them) and records each one in the
// container's change log, and forwards everything else to the storage unchanged.

import https from "node:https";
import { randomUUID } from "node:crypto";
import { ChangeLog, documentKey } from "./change-log.mjs";
import { ChangeFeedError, readChangeFeed } from "./change-feed.mjs";
import { Faults } from "./faults.mjs";
import { PartitionKeyRanges } from "./ranges.mjs";
import { queryPlan, runQuery } from "./queries.mjs";
import { BadRequestError, RangeGoneError, rangeIdFromHeader } from "./request-scope.mjs";

const COLLECTION = /^\/dbs\/([^/]+)\/colls\/([^/]+)(\/.*)?$/;
const DOCUMENT = /^\/docs\/([^/]+)$/;

const isTrue = (value) => String(value ?? "").toLowerCase() === "true";

function normalisePath(url) {
  let path = new URL(url, "https://front").pathname;
  while (path.startsWith("//")) {
    path = path.slice(1);
  }
  while (path.length > 1 && path.endsWith("/")) {
    path = path.slice(0, -1);
  }
  return path;
}

function readBody(req) {
  return new Promise((resolve, reject) => {
    const chunks = [];
    req.on("data", (chunk) => chunks.push(chunk));
    req.on("end", () => resolve(Buffer.concat(chunks)));
    req.on("error", reject);
  });
}

export class Front {
  constructor(backend, options) {
    this.backend = backend;
    this.options = options;
    this.faults = new Faults();
    this.#resetState();
  }

  /** Counts answers by "status" or "status/substatus", so tests can prove a path was taken (e.g. 410/1002). */
  #count(res) {
    const substatus = res.getHeader("x-ms-substatus");
    const key = substatus && substatus !== "0" ? `${res.statusCode}/${substatus}` : String(res.statusCode);
    this.answers.set(key, (this.answers.get(key) ?? 0) + 1);
  }

  #resetState() {
    this.containers = new Map();
    this.pathToRid = new Map();
    this.answers = new Map();
    this.partitionKeyRanges = this.options.partitionKeyRanges;
    this.allVersionsAllowed = this.options.allVersionsAllowed;
  }

  listen(port, tls) {
    this.server = https.createServer({ ...tls, keepAlive: true }, (req, res) => {
      this.#handle(req, res).catch((error) => {
        console.error(error);
        if (!res.headersSent) {
          this.#json(res, 500, { code: "InternalServerError", message: String(error.message ?? error) });
        } else {
          res.destroy();
        }
      });
    });
    return new Promise((resolve, reject) => {
      this.server.once("error", reject);
      this.server.listen(port, "127.0.0.1", () => resolve(this.server.address().port));
    });
  }

  async close() {
    this.server.closeAllConnections?.();
    await new Promise((resolve) => this.server.close(() => resolve()));
  }

  #json(res, status, body, headers = {}) {
    const text = body === undefined ? "" : JSON.stringify(body);
    const all = {
      "content-type": "application/json",
      "x-ms-activity-id": randomUUID(),
      "x-ms-request-charge": "1",
      ...headers,
      "content-length": Buffer.byteLength(text)
    };
    // setHeader (not writeHead's argument) keeps them readable for the answer counts.
    for (const [name, value] of Object.entries(all)) {
      res.setHeader(name, value);
    }
    res.writeHead(status);
    res.end(text);
  }

  #error(res, status, code, message, headers = {}) {
    this.#json(res, status, { code, message }, headers);
  }

  async #handle(req, res) {
    const path = normalisePath(req.url);
    if (path.startsWith("/_test/")) {
      return this.#control(req, res, path);
    }
    res.on("finish", () => {
      this.#count(res);
      if (this.options.trace) {
        // One line per request on stderr (--trace): method, path, range header, status.
        const range = req.headers["x-ms-documentdb-partitionkeyrangeid"] ?? "-";
        const start = req.headers["if-none-match"] ?? "-";
        console.error(`${req.method} ${path} range=${range} if-none-match=${start} a-im=${req.headers["a-im"] ?? "-"} -> ${res.statusCode}`);
      }
    });
    const collection = COLLECTION.exec(path);
    const rest = collection?.[3] ?? "";
    const isQuery = req.method === "POST" && (isTrue(req.headers["x-ms-documentdb-isquery"]) || req.headers["content-type"] === "application/query+json");
    const isFeed = req.method === "GET" && rest === "/docs" && req.headers["a-im"] !== undefined;
    const isDocumentWrite = collection && !isQuery && (rest === "/docs" ? req.method === "POST" : DOCUMENT.test(rest) && req.method !== "GET");
    const scope = isFeed ? "feed" : isQuery ? "query" : isDocumentWrite ? "write" : "read";
    const fault = this.faults.take(scope);
    if (fault) {
      return this.#fail(req, res, fault);
    }
    const body = await readBody(req);
    if (path === "/" && req.method === "GET") {
      return this.#accountMetadata(req, res, body);
    }
    if (!collection) {
      return this.#forward(req, res, body);
    }
    const [, dbRef, collRef] = collection;
    const decodedDb = decodeURIComponent(dbRef);
    const decodedColl = decodeURIComponent(collRef);
    if (rest === "" && req.method === "DELETE") {
      this.#forgetContainer(decodedDb, decodedColl);
      return this.#forward(req, res, body);
    }
    const isPointRead = req.method === "GET" && DOCUMENT.test(rest);
    if (rest === "/pkranges" || isFeed || isQuery || isDocumentWrite || isPointRead) {
      const state = await this.#container(decodedDb, decodedColl);
      if (!state) {
        return this.#error(res, 404, "NotFound", `Container dbs/${decodedDb}/colls/${decodedColl} does not exist.`);
      }
      try {
        const rangeId = rangeIdFromHeader(req.headers);
        if (rangeId !== undefined && state.ranges.isGone(rangeId)) {
          throw new RangeGoneError(rangeId);
        }
        if (rest === "/pkranges") {
          return this.#partitionKeyRanges(req, res, state);
        }
        if (isFeed) {
          return this.#changeFeed(req, res, state);
        }
        if (isQuery) {
          return this.#query(req, res, state, body);
        }
        if (isPointRead) {
          return this.#pointRead(req, res, state, rest, body);
        }
        return await this.#documentWrite(req, res, state, rest, body);
      } catch (error) {
        if (error instanceof RangeGoneError) {
          return this.#error(res, 410, "Gone", error.message, { "x-ms-substatus": "1002" });
        }
        if (error instanceof BadRequestError) {
          return this.#error(res, 400, "BadRequest", error.message);
        }
        if (error instanceof ChangeFeedError) {
          return this.#error(res, error.status, error.code, error.message);
        }
        throw error;
      }
    }
    if (rest === "" && req.method === "GET") {
      return this.#forward(req, res, body, (json) => {
        if (json?.partitionKey && json.partitionKey.version === undefined) {
          json.partitionKey.version = 2;
        }
        return json;
      });
    }
    return this.#forward(req, res, body);
  }

  #fail(req, res, fault) {
    if (fault.kind === "drop") {
      // Like a connection reset by a load balancer: no status, the client sees a socket error.
      req.socket.destroy();
      return undefined;
    }
    if (fault.kind === "429") {
      return this.#error(res, 429, "429", "Request rate is large. More Request Units may be needed, so no changes were made. Please retry this request later.", {
        "x-ms-retry-after-ms": String(fault.retryAfterMs),
        "x-ms-substatus": "3200"
      });
    }
    return this.#error(res, 503, "ServiceUnavailable", "Service is currently unavailable (injected by the test server).", {
      "x-ms-substatus": "0"
    });
  }

  /** Forwards to the storage; `rewrite(json)` may adjust a JSON answer. */
  async #forward(req, res, body, rewrite) {
    const answer = await this.backend.forward(req.method, req.url, req.headers, body);
    let payload = answer.body;
    if (rewrite && answer.status < 300 && payload.length) {
      payload = Buffer.from(JSON.stringify(rewrite(JSON.parse(payload.toString("utf8")))), "utf8");
    }
    const headers = { ...answer.headers };
    delete headers.connection;
    delete headers["keep-alive"];
    delete headers["transfer-encoding"];
    headers["content-length"] = String(payload.length);
    res.writeHead(answer.status, headers);
    res.end(payload);
    return answer;
  }

  /** The account document, naming this front as the only read and write location. */
  async #accountMetadata(req, res, body) {
    const self = `https://${req.headers.host}/`;
    return this.#forward(req, res, body, (json) => ({
      ...json,
      writableLocations: [{ name: "South Central US", databaseAccountEndpoint: self }],
      readableLocations: [{ name: "South Central US", databaseAccountEndpoint: self }]
    }));
  }

  async #container(dbRef, collRef) {
    const pathKey = `${dbRef}/${collRef}`;
    const known = this.pathToRid.get(pathKey);
    if (known && this.containers.has(known)) {
      return this.containers.get(known);
    }
    const { status, json } = await this.backend.getJson(`/dbs/${encodeURIComponent(dbRef)}/colls/${encodeURIComponent(collRef)}`);
    if (status !== 200 || !json) {
      return undefined;
    }
    let state = this.containers.get(json._rid);
    if (!state) {
      const paths = json.partitionKey?.paths ?? [];
      state = {
        rid: json._rid,
        db: dbRef,
        id: json.id,
        log: new ChangeLog(paths[0]),
        ranges: new PartitionKeyRanges(this.partitionKeyRanges),
        writes: Promise.resolve()
      };
      this.containers.set(json._rid, state);
    }
    this.pathToRid.set(pathKey, json._rid);
    return state;
  }

  #forgetContainer(dbRef, collRef) {
    const rid = this.pathToRid.get(`${dbRef}/${collRef}`);
    for (const [key, value] of this.pathToRid) {
      if (value === rid || key === `${dbRef}/${collRef}`) {
        this.pathToRid.delete(key);
      }
    }
    if (rid) {
      this.containers.delete(rid);
    }
  }

  #partitionKeyRanges(req, res, state) {
    const ifNoneMatch = req.headers["if-none-match"];
    const since = ifNoneMatch && ifNoneMatch !== "*" ? Number.parseInt(String(ifNoneMatch).replace(/"/g, ""), 10) || 0 : 0;
    const etag = `"${state.ranges.version}"`;
    if (ifNoneMatch === "*" || (ifNoneMatch && since >= state.ranges.version)) {
      res.writeHead(304, { etag, "x-ms-activity-id": randomUUID(), "content-length": "0" });
      return res.end();
    }
    // An incremental read (If-None-Match: old etag) gets the ranges created since, with their
    // parents, which is how the SDKs learn of a split; a plain read gets every live range.
    const ranges = state.ranges.live.filter((range) => range.createdVersion > since);
    const resources = ranges.map((range) => PartitionKeyRanges.toResource(range, state.rid));
    return this.#json(res, 200, { _rid: state.rid, PartitionKeyRanges: resources, _count: resources.length }, {
      etag,
      "x-ms-item-count": String(resources.length)
    });
  }

  #changeFeed(req, res, state) {
    const page = readChangeFeed(state, req.headers, { allVersionsAllowed: this.allVersionsAllowed });
    const headers = { etag: page.etag, lsn: String(page.lastLsn), "x-ms-item-count": String(page.items.length) };
    if (page.status === 304) {
      res.writeHead(304, { ...headers, "x-ms-activity-id": randomUUID(), "x-ms-request-charge": "1", "content-length": "0" });
      return res.end();
    }
    return this.#json(res, 200, { _rid: state.rid, Documents: page.items, _count: page.items.length }, headers);
  }

  #query(req, res, state, body) {
    let parsed;
    try {
      parsed = JSON.parse(body.toString("utf8"));
    } catch {
      throw new BadRequestError("The query body is not JSON.");
    }
    if (isTrue(req.headers["x-ms-cosmos-is-query-plan-request"])) {
      return this.#json(res, 200, queryPlan(req.headers, parsed));
    }
    const page = runQuery(state, req.headers, parsed);
    const headers = { "x-ms-item-count": String(page.items.length) };
    if (page.continuation) {
      headers["x-ms-continuation"] = page.continuation;
    }
    return this.#json(res, 200, { _rid: state.rid, Documents: page.items, _count: page.items.length }, headers);
  }

  /**
   * A point read. The storage fails with 500 on a missing document read with a partition key
   * header, so a miss is answered here from the change log (which holds every live document).
   */
  #pointRead(req, res, state, rest, body) {
    const id = decodeURIComponent(DOCUMENT.exec(rest)[1]);
    const header = req.headers["x-ms-documentdb-partitionkey"];
    if (header) {
      const parsed = JSON.parse(header)[0];
      const value = parsed !== null && typeof parsed === "object" ? undefined : parsed;
      if (!state.log.current.has(documentKey(value, id))) {
        return this.#error(res, 404, "NotFound", "Entity with the specified id does not exist in the system.");
      }
    }
    return this.#forward(req, res, body);
  }

  /** Applies a write through the storage, one at a time per container, and records it. */
  #documentWrite(req, res, state, rest, body) {
    if (isTrue(req.headers["x-ms-cosmos-is-batch-request"]) && body[0] !== 0x5b) {
      // The .NET SDK's TransactionalBatch and bulk mode send HybridRow (binary), which the storage
      // cannot read; only JSON batches (the Node SDK's) are understood.
      throw new BadRequestError(
        "The Cosmos test server does not support the .NET SDK's TransactionalBatch or AllowBulkExecution (HybridRow wire format); use individual point operations."
      );
    }
    const run = async () => {
      const answer = await this.#forward(req, res, body);
      if (answer.status >= 300) {
        return;
      }
      const document = DOCUMENT.exec(rest);
      if (req.method === "DELETE" && document) {
        const header = req.headers["x-ms-documentdb-partitionkey"];
        const parsed = header ? JSON.parse(header)[0] : undefined;
        state.log.recordDelete(parsed !== null && typeof parsed === "object" ? undefined : parsed, decodeURIComponent(document[1]));
        return;
      }
      if (isTrue(req.headers["x-ms-cosmos-is-batch-request"])) {
        this.#recordBatch(state, body, answer);
        return;
      }
      state.log.recordWrite(JSON.parse(answer.body.toString("utf8")));
    };
    const done = state.writes.then(run, run);
    state.writes = done.catch(() => undefined);
    return done;
  }

  /** A JSON batch (the Node SDK's bulk/batch): record each successful operation. */
  #recordBatch(state, body, answer) {
    const operations = JSON.parse(body.toString("utf8"));
    const results = JSON.parse(answer.body.toString("utf8"));
    operations.forEach((operation, index) => {
      const result = results[index];
      if (!result || result.statusCode >= 300) {
        return;
      }
      if (operation.operationType === "Delete") {
        const pk = operation.partitionKey ? JSON.parse(operation.partitionKey)[0] : undefined;
        state.log.recordDelete(pk, operation.id);
      } else if (result.resourceBody && operation.operationType !== "Read") {
        state.log.recordWrite(result.resourceBody);
      }
    });
  }

  /**
   * Splits range `input.range` of one container ({ database, container }) or, without them, of
   * every known container where that range is live (tests usually have one container).
   */
  async #split(input) {
    const rangeId = String(input.range ?? "");
    let states;
    if (input.database !== undefined || input.container !== undefined) {
      const state = await this.#container(String(input.database), String(input.container));
      if (!state) {
        throw new Error(`No container ${input.database}/${input.container}.`);
      }
      states = [state];
    } else {
      states = [...this.containers.values()].filter((state) => state.ranges.find(rangeId));
      if (states.length === 0) {
        throw new Error(`No container has a live partition key range ${rangeId}.`);
      }
    }
    return {
      parent: rangeId,
      containers: states.map((state) => ({
        container: `${state.db}/${state.id}`,
        children: state.ranges.split(rangeId).map((range) => PartitionKeyRanges.toResource(range, state.rid))
      }))
    };
  }

  async #control(req, res, path) {
    const body = await readBody(req);
    let input = {};
    if (body.length) {
      try {
        input = JSON.parse(body.toString("utf8"));
      } catch {
        return this.#error(res, 400, "BadRequest", "Control requests take a JSON body.");
      }
    }
    try {
      if (path === "/_test/faults" && req.method === "POST") {
        for (const spec of Array.isArray(input) ? input : [input]) {
          this.faults.add(spec);
        }
        return this.#json(res, 200, this.faults.describe());
      }
      if (path === "/_test/faults" && req.method === "GET") {
        return this.#json(res, 200, this.faults.describe());
      }
      if (path === "/_test/faults" && req.method === "DELETE") {
        this.faults.clear();
        return this.#json(res, 200, this.faults.describe());
      }
      if (path === "/_test/stats" && req.method === "GET") {
        return this.#json(res, 200, { answers: Object.fromEntries(this.answers), faults: this.faults.describe().injected });
      }
      if (path === "/_test/split" && req.method === "POST") {
        return this.#json(res, 200, await this.#split(input));
      }
      if (path === "/_test/config" && req.method === "POST") {
        if (input.partitionKeyRanges !== undefined) {
          new PartitionKeyRanges(Number(input.partitionKeyRanges));
          this.partitionKeyRanges = Number(input.partitionKeyRanges);
        }
        if (input.allVersionsAndDeletes !== undefined) {
          this.allVersionsAllowed = Boolean(input.allVersionsAndDeletes);
        }
        return this.#json(res, 200, { partitionKeyRanges: this.partitionKeyRanges, allVersionsAndDeletes: this.allVersionsAllowed });
      }
      if (path === "/_test/reset" && req.method === "POST") {
        this.faults.clear();
        await this.backend.restart();
        this.#resetState();
        return this.#json(res, 200, { reset: true });
      }
      const info = /^\/_test\/containers\/([^/]+)\/([^/]+)$/.exec(path);
      if (info && req.method === "GET") {
        const state = await this.#container(decodeURIComponent(info[1]), decodeURIComponent(info[2]));
        if (!state) {
          return this.#error(res, 404, "NotFound", "No such container.");
        }
        return this.#json(res, 200, {
          rid: state.rid,
          lastLsn: state.log.lastLsn,
          documents: state.log.current.size,
          ranges: state.ranges.live.map((range) => PartitionKeyRanges.toResource(range, state.rid)),
          goneRanges: [...state.ranges.gone.keys()]
        });
      }
      return this.#error(res, 404, "NotFound", `Unknown control request ${req.method} ${path}.`);
    } catch (error) {
      return this.#error(res, 400, "BadRequest", String(error.message ?? error));
    }
  }
}
