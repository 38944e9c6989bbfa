// Document queries, answered from the change log's current documents (the same documents the
// storage holds), scoped by partition key, partition key range or EPK sub-range (request-scope.mjs),
// evaluated with @zeit/cosmosdb-query (the storage's own query engine).
//
// Supported: plain SELECT/WHERE projections over any scope with continuation (pages follow creation
// order, so documents written during a scan never shift the cursor); TOP n; ORDER BY one property of
// the document alias (`SELECT * FROM c ... ORDER BY c.x [ASC|DESC]`) across ranges via the query
// plan's rewritten query, which the SDK merges. Not supported across ranges (400 with a message):
// aggregates, GROUP BY, DISTINCT, OFFSET/LIMIT, ORDER BY on projections or several properties.

import { createRequire } from "node:module";
import { effectivePartitionKey } from "./hash.mjs";
import { BadRequestError, requestScope } from "./request-scope.mjs";

const require = createRequire(import.meta.url);
const parseQuery = require("@zeit/cosmosdb-query").default;

const AGGREGATE = /\b(COUNT|SUM|MIN|MAX|AVG)\s*\(/i;
const ORDER_BY_PLACEHOLDER = "{documentdb-formattableorderbyquery-filter}";
const SIMPLE_ORDER_BY =
  /^\s*SELECT\s+\*\s+FROM\s+(\w+)(?:\s+WHERE\s+([\s\S]+?))?\s+ORDER\s+BY\s+(\1(?:\.\w+)+)(?:\s+(ASC|DESC))?\s*$/i;

function compile(text) {
  try {
    return parseQuery(text);
  } catch (error) {
    throw new BadRequestError(`Syntax error in query: ${error.message}`);
  }
}

function unsupported(text) {
  if (AGGREGATE.test(text) || /\bGROUP\s+BY\b/i.test(text)) {
    return "aggregates and GROUP BY";
  }
  if (/\bDISTINCT\b/i.test(text)) {
    return "DISTINCT";
  }
  if (/\bOFFSET\b/i.test(text)) {
    return "OFFSET/LIMIT";
  }
  return undefined;
}

/** The gateway's query plan (x-ms-cosmos-is-query-plan-request), which the SDKs ask for first. */
export function queryPlan(headers, body) {
  const text = String(body.query ?? "");
  const query = compile(text);
  const feature = unsupported(text);
  if (feature) {
    throw new BadRequestError(`The Cosmos test server does not plan queries with ${feature}.`);
  }
  const ast = query.ast.body;
  const queryInfo = {
    distinctType: "None",
    top: ast.top ? ast.top.value?.value ?? ast.top.value ?? null : null,
    offset: null,
    limit: null,
    orderBy: [],
    orderByExpressions: [],
    groupByExpressions: [],
    groupByAliases: [],
    aggregates: [],
    groupByAliasToAggregateType: {},
    rewrittenQuery: "",
    hasSelectValue: Boolean(ast.select?.value),
    dCountInfo: null,
    hasNonStreamingOrderBy: false
  };
  if (ast.orderBy) {
    const match = SIMPLE_ORDER_BY.exec(text);
    if (!match || ast.orderBy.length > 1) {
      throw new BadRequestError(
        "The Cosmos test server supports ORDER BY only as `SELECT * FROM c [WHERE ...] ORDER BY c.<property> [ASC|DESC]`."
      );
    }
    const [, alias, where, expression, direction] = match;
    queryInfo.orderBy = [direction && direction.toUpperCase() === "DESC" ? "Descending" : "Ascending"];
    queryInfo.orderByExpressions = [expression];
    const filter = where ? `(${where}) AND (${ORDER_BY_PLACEHOLDER})` : `(${ORDER_BY_PLACEHOLDER})`;
    queryInfo.rewrittenQuery =
      `SELECT ${alias}._rid, [{"item": ${expression}}] AS orderByItems, ${alias} AS payload ` +
      `FROM ${alias} WHERE ${filter} ORDER BY ${expression}${direction ? ` ${direction}` : ""}`;
  }
  let queryRanges = [{ min: "", max: "FF", isMinInclusive: true, isMaxInclusive: false }];
  if (headers["x-ms-documentdb-partitionkey"]) {
    const [value] = JSON.parse(headers["x-ms-documentdb-partitionkey"]);
    const epk = effectivePartitionKey(value !== null && typeof value === "object" ? undefined : value);
    queryRanges = [{ min: epk, max: epk, isMinInclusive: true, isMaxInclusive: true }];
  }
  return { partitionedQueryExecutionInfoVersion: 2, queryInfo, queryRanges };
}

function pageSize(headers) {
  const value = Number.parseInt(headers["x-ms-max-item-count"] ?? "", 10);
  return Number.isInteger(value) && value > 0 ? value : 100;
}

/** Runs one page of a query: { items, continuation (string or undefined) }. */
export function runQuery(state, headers, body) {
  const text = String(body.query ?? "");
  const parameters = Array.isArray(body.parameters) ? body.parameters : [];
  const scope = requestScope(headers, state);
  const query = compile(text);
  const entries = [...state.log.current.values()].filter(scope.matches).sort((a, b) => a.createSeq - b.createSeq);
  const limit = pageSize(headers);
  const continuationHeader = headers["x-ms-continuation"];
  const ast = query.ast.body;
  const streaming = !ast.orderBy && !ast.top && !unsupported(text);
  if (streaming) {
    // One document at a time, so the continuation can name the last document's creation sequence.
    const after = continuationHeader ? Number(JSON.parse(continuationHeader).afterSeq) : 0;
    const items = [];
    let lastSeq = after;
    let more = false;
    for (const entry of entries) {
      if (entry.createSeq <= after) {
        continue;
      }
      if (items.length >= limit) {
        more = true;
        break;
      }
      items.push(...query.exec([entry.document], { parameters }).result);
      lastSeq = entry.createSeq;
    }
    return { items, continuation: more ? JSON.stringify({ afterSeq: lastSeq }) : undefined };
  }
  const result = query.exec(
    entries.map((entry) => entry.document),
    { parameters, maxItemCount: limit, continuation: continuationHeader ? JSON.parse(continuationHeader) : undefined }
  );
  return { items: result.result, continuation: result.continuation ? JSON.stringify(result.continuation) : undefined };
}
