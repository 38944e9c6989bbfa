// The storage: @vercel/cosmosdb-server's own HTTP server, unchanged, on an ephemeral port of
// 127.0.0.1 inside this process. The HTTPS front forwards what the storage does well (databases,
// containers, point CRUD, patch, queries scoped to one partition key) and keeps what it lacks
// (change feed, partition key ranges, per-range queries, faults) for itself.

import http from "node:http";
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);
const { createHttpServer } = require("@vercel/cosmosdb-server");

export class Backend {
  static async start() {
    const backend = new Backend();
    await backend.#listen();
    return backend;
  }

  async #listen() {
    this.server = createHttpServer({ keepAlive: true });
    await new Promise((resolve, reject) => {
      this.server.once("error", reject);
      this.server.listen(0, "127.0.0.1", resolve);
    });
    this.port = this.server.address().port;
    this.agent = new http.Agent({ keepAlive: true, maxSockets: 32 });
  }

  /** Drops every database by starting a fresh storage (used by POST /_test/reset). */
  async restart() {
    await this.close();
    await this.#listen();
  }

  async close() {
    this.agent?.destroy();
    await new Promise((resolve) => this.server.close(() => resolve()));
    this.server.closeAllConnections?.();
  }

  /**
   * Sends one request to the storage and buffers the answer: { status, headers, body (Buffer) }.
   * `headers` are the client's, minus hop-by-hop ones.
   */
  forward(method, url, headers, body) {
    const outgoing = { ...headers };
    delete outgoing.connection;
    delete outgoing["keep-alive"];
    delete outgoing["transfer-encoding"];
    if (body && body.length) {
      outgoing["content-length"] = String(body.length);
    } else {
      delete outgoing["content-length"];
    }
    return new Promise((resolve, reject) => {
      const request = http.request(
        { host: "127.0.0.1", port: this.port, method, path: url, headers: outgoing, agent: this.agent },
        (response) => {
          const chunks = [];
          response.on("data", (chunk) => chunks.push(chunk));
          response.on("end", () =>
            resolve({ status: response.statusCode, headers: response.headers, body: Buffer.concat(chunks) })
          );
          response.on("error", reject);
        }
      );
      request.on("error", reject);
      request.end(body && body.length ? body : undefined);
    });
  }

  async getJson(path) {
    const answer = await this.forward("GET", path, { "x-ms-version": "2018-12-31" });
    return { status: answer.status, json: answer.body.length ? JSON.parse(answer.body.toString("utf8")) : undefined };
  }
}
