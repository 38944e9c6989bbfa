#!/usr/bin/env node
// Cosmos DB gateway test server: node server.mjs --port PORT [--ranges N] [--no-all-versions] [--trace]
// Listens on https://127.0.0.1:PORT only and prints one line "listening https://127.0.0.1:PORT"
// when ready. TLS uses @vercel/cosmosdb-server's bundled self-signed certificate unless
// --cert/--key name other PEM files. Makes no outbound connection.

import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { Backend } from "./lib/backend.mjs";
import { Front } from "./lib/front.mjs";

function parseArguments(argv) {
  const args = { port: 0, ranges: 1, allVersions: true, trace: false, cert: undefined, key: undefined };
  for (let i = 0; i < argv.length; i += 1) {
    const name = argv[i];
    const value = () => {
      if (i + 1 >= argv.length) {
        throw new Error(`${name} needs a value`);
      }
      return argv[++i];
    };
    switch (name) {
      case "--port":
        args.port = Number.parseInt(value(), 10);
        break;
      case "--ranges":
        args.ranges = Number.parseInt(value(), 10);
        break;
      case "--trace":
        args.trace = true;
        break;
      case "--no-all-versions":
        args.allVersions = false;
        break;
      case "--cert":
        args.cert = value();
        break;
      case "--key":
        args.key = value();
        break;
      default:
        throw new Error(`unknown argument ${name}; usage: server.mjs --port PORT [--ranges N] [--no-all-versions] [--trace] [--cert PEM --key PEM]`);
    }
  }
  if (!Number.isInteger(args.port) || args.port < 0 || args.port > 65535) {
    throw new Error("--port must be a TCP port (0 picks a free one)");
  }
  return args;
}

function bundledCertificate() {
  const require = createRequire(import.meta.url);
  const packageDir = dirname(require.resolve("@vercel/cosmosdb-server/package.json"));
  return { cert: readFileSync(join(packageDir, "cert.pem")), key: readFileSync(join(packageDir, "key.pem")) };
}

const args = parseArguments(process.argv.slice(2));
const tls = args.cert ? { cert: readFileSync(args.cert), key: readFileSync(args.key) } : bundledCertificate();
const backend = await Backend.start();
const front = new Front(backend, { partitionKeyRanges: args.ranges, allVersionsAllowed: args.allVersions, trace: args.trace });
const port = await front.listen(args.port, tls);
console.log(`listening https://127.0.0.1:${port}`);

const stop = async () => {
  await front.close();
  await backend.close();
  process.exit(0);
};
process.on("SIGTERM", stop);
process.on("SIGINT", stop);
