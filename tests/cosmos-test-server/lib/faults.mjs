// Injected faults, consumed by the requests they match (never by control requests).
// A fault: { kind: "429" | "503" | "drop", count?: N, rate?: 0..1, retryAfterMs?: ms, on?: scope }.
// `count` faults the next N matching requests; `rate` faults that fraction of matching requests
// until reset (with `count` too, at most N of them). Scope `on`: "any" (default), "feed" (change
// feed reads), "query", "read" (other GETs, including metadata), "write" (document writes).

const KINDS = new Set(["429", "503", "drop"]);
const SCOPES = new Set(["any", "feed", "query", "read", "write"]);

export class Faults {
  constructor() {
    this.pending = [];
    this.injected = { 429: 0, 503: 0, drop: 0 };
  }

  add(spec) {
    const kind = String(spec.kind ?? "");
    if (!KINDS.has(kind)) {
      throw new Error(`fault kind must be one of 429, 503, drop (got ${JSON.stringify(spec.kind)})`);
    }
    const on = spec.on ?? "any";
    if (!SCOPES.has(on)) {
      throw new Error(`fault scope 'on' must be one of ${[...SCOPES].join(", ")}`);
    }
    const count = spec.count === undefined ? (spec.rate === undefined ? 1 : Infinity) : Number(spec.count);
    const rate = spec.rate === undefined ? 1 : Number(spec.rate);
    if (!(count >= 0) || !(rate >= 0 && rate <= 1)) {
      throw new Error("fault count must be >= 0 and rate within 0..1");
    }
    this.pending.push({ kind, on, remaining: count, rate, retryAfterMs: Number(spec.retryAfterMs ?? 100) });
  }

  /** The fault this request gets, if any (and counts it down). */
  take(scope) {
    for (const fault of this.pending) {
      if (fault.remaining <= 0 || (fault.on !== "any" && fault.on !== scope)) {
        continue;
      }
      if (fault.rate < 1 && Math.random() >= fault.rate) {
        continue;
      }
      fault.remaining -= 1;
      this.injected[fault.kind] += 1;
      this.pending = this.pending.filter((f) => f.remaining > 0);
      return fault;
    }
    return undefined;
  }

  clear() {
    this.pending = [];
  }

  describe() {
    return {
      pending: this.pending.map((f) => ({ ...f, remaining: Number.isFinite(f.remaining) ? f.remaining : "unbounded" })),
      injected: this.injected
    };
  }
}
