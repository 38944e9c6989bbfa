// The operator page: reads this host's JSON API (gRPC JSON transcoding) and renders sources,
// drift over time, snapshots and schedules. No framework and no build step: the file is served as
// written. Every value from the API is written with textContent or SVG attributes, never as HTML,
// so a source id or a failure reason can never inject markup. The page's Content-Security-Policy
// allows only same-origin scripts, styles and requests.
"use strict";

(function () {
  const REFRESH_MS = 5000;
  const KEY_STORAGE = "snapshotservice.apiKey";
  const SVG_NS = "http://www.w3.org/2000/svg";
  const REPORTS_IN_CHART = 200;
  const REPORTS_IN_TABLE = 20;

  // State labels carry a symbol and a word, so state never depends on colour alone.
  const STATES = {
    SOURCE_STATE_STARTING: { label: "Starting", symbol: "…", tone: "info" },
    SOURCE_STATE_RUNNING: { label: "Running", symbol: "✓", tone: "ok" },
    SOURCE_STATE_PAUSED: { label: "Paused", symbol: "Ⅱ", tone: "muted" },
    SOURCE_STATE_FAILED: { label: "Failed", symbol: "✕", tone: "bad" },
    SOURCE_STATE_INVALIDATED: { label: "Invalidated", symbol: "⊘", tone: "bad" },
    SOURCE_STATE_DEGRADED: { label: "Degraded", symbol: "⚠", tone: "warn" },
    SOURCE_STATE_UNSPECIFIED: { label: "Unknown", symbol: "?", tone: "muted" },
  };

  // One series per drift category plus the total; each has its own marker shape (and dash) as
  // well as a colour (Okabe-Ito palette, readable with common colour-vision deficiencies). The
  // chart plots confirmed drift only: keys still different once capture had passed a re-read of
  // them. Keys resolved in flight and unsettled keys are not drift; they are shown beside it.
  const SERIES = [
    { id: "total", label: "Confirmed drift (total)", colour: "#000000", marker: "circle", dash: "" },
    { id: "missing_in_export", label: "Missing in export", colour: "#0072B2", marker: "square", dash: "6 3" },
    { id: "extra_in_export", label: "Extra in export", colour: "#D55E00", marker: "triangle", dash: "2 3" },
    { id: "content_mismatch", label: "Content mismatch", colour: "#009E73", marker: "diamond", dash: "8 3 2 3" },
    { id: "version_regression", label: "Version regression", colour: "#CC79A7", marker: "cross", dash: "1 2" },
  ];

  const $ = (id) => document.getElementById(id);
  let selectedSource = sourceFromHash();
  let lastSources = null;
  let timer = null;

  class ApiError extends Error {
    constructor(status, message) {
      super(message);
      this.status = status;
    }
  }

  // ---- API ---------------------------------------------------------------------------------

  async function api(path) {
    const headers = { Accept: "application/json" };
    const key = sessionStorage.getItem(KEY_STORAGE);
    if (key) {
      headers.Authorization = "ApiKey " + key;
    }
    let response;
    try {
      response = await fetch(path, { headers: headers, cache: "no-store", credentials: "same-origin" });
    } catch (e) {
      throw new ApiError(0, "Cannot reach the API (" + path + "): " + e.message + ". Is the host running?");
    }
    if (response.ok) {
      return response.json();
    }
    let detail = "";
    try {
      const body = await response.json();
      detail = body && body.message ? body.message : "";
    } catch (e) {
      detail = "";
    }
    throw new ApiError(response.status, describeFailure(response.status, path, detail));
  }

  function describeFailure(status, path, detail) {
    const suffix = detail ? " The API said: " + detail : "";
    if (status === 401) {
      return "401 Unauthorized: the API requires authentication. Enter an API key above." + suffix;
    }
    if (status === 403) {
      return "403 Forbidden: this API key may not read " + path + " (it needs the reader role)." + suffix;
    }
    if (status === 404) {
      return "404 Not found: " + path + "." + suffix;
    }
    if (status === 503) {
      return "503 Unavailable: the service cannot answer " + path + " right now." + suffix;
    }
    return "HTTP " + status + " from " + path + "." + suffix;
  }

  const enc = encodeURIComponent;

  // ---- Refresh loop ------------------------------------------------------------------------

  async function refresh() {
    const errors = [];
    let sources = null;
    try {
      const list = await api("/v1/sources");
      sources = list.sources || [];
      lastSources = sources;
      renderSources(sources);
    } catch (e) {
      errors.push(e.message);
      if (lastSources === null) {
        $("sources-body").replaceChildren(el("tr", {}, el("td", { colspan: "11", class: "empty" }, "No data yet: see the error above.")));
      }
    }

    if (sources !== null) {
      if (sources.length === 0) {
        selectedSource = null;
      } else if (!sources.some((s) => s.sourceId === selectedSource)) {
        selectedSource = sources[0].sourceId;
      }
      markSelectedRow();
      if (selectedSource) {
        await refreshDetail(selectedSource, errors);
      } else {
        $("source-detail").hidden = true;
      }
    }

    renderErrors(errors);
    const now = new Date();
    $("refresh-status").textContent = (errors.length ? "Refresh had errors at " : "Updated at ")
      + formatTime(now.toISOString()) + " UTC; next refresh in " + REFRESH_MS / 1000 + " s.";
    document.documentElement.dataset.refreshed = now.toISOString();
    if (errors.length === 0) {
      document.documentElement.dataset.loaded = "true";
    }
  }

  async function refreshDetail(sourceId, errors) {
    const base = "/v1/sources/" + enc(sourceId);
    const [reports, snapshots, schedules] = await Promise.allSettled([
      api(base + "/driftReports?pageSize=" + REPORTS_IN_CHART),
      api(base + "/snapshots?pageSize=50"),
      api(base + "/schedules"),
    ]);
    if (sourceId !== selectedSource) {
      return;
    }
    $("source-detail").hidden = false;
    $("detail-source-id").textContent = sourceId;
    const source = (lastSources || []).find((s) => s.sourceId === sourceId);
    $("detail-description").textContent = source ? source.kind + (source.description ? ": " + source.description : "") : "";
    if (reports.status === "fulfilled") {
      const list = reports.value.reports || [];
      renderDriftChart(sourceId, list);
      renderDriftTable(list.slice(0, REPORTS_IN_TABLE));
    } else {
      errors.push(reports.reason.message);
    }
    if (snapshots.status === "fulfilled") {
      renderSnapshots(snapshots.value.snapshots || []);
    } else {
      errors.push(snapshots.reason.message);
    }
    if (schedules.status === "fulfilled") {
      renderSchedules(schedules.value.schedules || []);
    } else {
      errors.push(schedules.reason.message);
    }
  }

  function scheduleRefresh(delay) {
    if (timer !== null) {
      clearTimeout(timer);
    }
    timer = setTimeout(async () => {
      timer = null;
      try {
        await refresh();
      } finally {
        if (timer === null) {
          scheduleRefresh(REFRESH_MS);
        }
      }
    }, delay);
  }

  // ---- Rendering: sources ------------------------------------------------------------------

  function renderSources(sources) {
    const body = $("sources-body");
    const rows = sources.map((s) => {
      const state = STATES[s.state] || { label: String(s.state), symbol: "?", tone: "muted" };
      const link = el("a", { href: "#source=" + enc(s.sourceId) }, s.sourceId);
      const stateCell = el("td", { class: "state state-" + state.tone, "data-state": s.state || "" },
        el("span", { class: "symbol", "aria-hidden": "true" }, state.symbol), " " + state.label);
      const notes = [];
      if (s.failureReason) {
        notes.push(s.failureReason);
      }
      if (s.backfill) {
        notes.push("Backfill: " + s.backfill);
      }
      const latest = (s.recentEvents || [])[0];
      if (latest) {
        notes.push(formatTime(latest.time) + " " + latest.kind + (latest.message ? ": " + latest.message : ""));
      }
      return el("tr", { "data-source-id": s.sourceId },
        el("th", { scope: "row", class: "nowrap" }, link),
        el("td", {}, s.kind || ""),
        stateCell,
        el("td", { class: "num" }, formatCount(s.committedSeq)),
        el("td", { class: "num" }, formatNumber(s.changesPerSecond, 1)),
        secondsCell(s.lagSeconds, s.lagBudgetSeconds),
        secondsCell(s.positionAgeSeconds, s.lagBudgetSeconds),
        el("td", { class: "num" }, formatSeconds(s.lagBudgetSeconds)),
        headroomCell(s.historyHeadroomSeconds),
        el("td", { class: "nowrap" }, formatTime(s.lastCommitTime)),
        el("td", { class: "notes" }, notes.join(" · ")));
    });
    if (rows.length === 0) {
      rows.push(el("tr", {}, el("td", { colspan: "11", class: "empty" }, "No sources are configured.")));
    }
    body.replaceChildren(...rows);
  }

  // Over budget is said in words ("over budget"), not only by colour.
  function secondsCell(value, budget) {
    const over = typeof value === "number" && typeof budget === "number" && budget > 0 && value > budget;
    const cell = el("td", { class: "num" + (over ? " over-budget" : "") }, formatSeconds(value));
    if (over) {
      cell.append(el("span", { class: "flag" }, " (over budget)"));
    }
    return cell;
  }

  function headroomCell(value) {
    if (typeof value !== "number") {
      return el("td", { class: "num muted", title: "Not reported for this kind of source" }, "n/a");
    }
    const low = value < 3600;
    const cell = el("td", { class: "num" + (low ? " over-budget" : "") }, formatSeconds(value));
    if (low) {
      cell.append(el("span", { class: "flag" }, " (under 1 h)"));
    }
    return cell;
  }

  function markSelectedRow() {
    for (const row of $("sources-body").querySelectorAll("tr[data-source-id]")) {
      if (row.dataset.sourceId === selectedSource) {
        row.setAttribute("aria-current", "true");
        row.classList.add("selected");
      } else {
        row.removeAttribute("aria-current");
        row.classList.remove("selected");
      }
    }
  }

  // ---- Rendering: drift chart --------------------------------------------------------------

  function seriesValue(report, seriesId) {
    if (seriesId === "total") {
      return Number(report.driftTotal || 0);
    }
    const category = (report.categories || []).find((c) => c.category === seriesId);
    return category ? Number(category.count || 0) : 0;
  }

  // Reports written before runs settled have settled=false: their drift counted every key found
  // different, and they have no resolved-in-flight or unsettled figures (shown as "—").
  function settleText(report, field) {
    return report.settled ? formatCount(report[field]) : "—";
  }

  function unsettledCount(report) {
    return report.settled ? Number(report.unsettled || 0) : 0;
  }

  function settleSummary(report) {
    return report.settled
      ? "resolved in flight " + formatCount(report.resolvedInFlight) + ", unsettled " + formatCount(report.unsettled)
      : "written before runs settled";
  }

  function renderDriftChart(sourceId, reportsNewestFirst) {
    const container = $("drift-chart");
    const reports = reportsNewestFirst
      .filter((r) => r.startTime)
      .slice()
      .sort((a, b) => Date.parse(a.startTime) - Date.parse(b.startTime));
    if (reports.length === 0) {
      container.replaceChildren(el("p", { class: "empty" }, "No reconciliation has run for this source yet."));
      return;
    }

    const width = 760;
    const height = 210;
    const margin = { top: 16, right: 16, bottom: 40, left: 56 };
    const plotW = width - margin.left - margin.right;
    const plotH = height - margin.top - margin.bottom;
    const times = reports.map((r) => Date.parse(r.startTime));
    const tMin = Math.min(...times);
    const tMax = Math.max(...times);
    const succeeded = reports.filter((r) => r.status === "succeeded");
    const yMaxRaw = Math.max(1, ...succeeded.map((r) => seriesValue(r, "total")));
    const yTicks = niceTicks(yMaxRaw);
    const yMax = yTicks[yTicks.length - 1];
    const x = (t) => margin.left + (tMax === tMin ? plotW / 2 : ((t - tMin) / (tMax - tMin)) * plotW);
    const y = (v) => margin.top + plotH - (v / yMax) * plotH;

    const failed = reports.length - succeeded.length;
    const unsettledRuns = succeeded.filter((r) => unsettledCount(r) > 0).length;
    const svg = svgEl("svg", {
      viewBox: "0 0 " + width + " " + height,
      width: width,
      height: height,
      role: "img",
      "aria-labelledby": "drift-chart-title drift-chart-desc",
      class: "drift-chart",
      "data-source-id": sourceId,
    });
    svg.append(
      svgEl("title", { id: "drift-chart-title" }, "Confirmed drift per reconciliation run over time for source " + sourceId),
      svgEl("desc", { id: "drift-chart-desc" },
        reports.length + " runs from " + formatTime(reports[0].startTime) + " to "
        + formatTime(reports[reports.length - 1].startTime) + " UTC; highest confirmed drift "
        + yMaxRaw + (failed ? "; " + failed + " failed runs marked on the time axis" : "")
        + (unsettledRuns ? "; " + unsettledRuns + " runs with unsettled keys marked on the time axis" : "")
        + ". The table below lists the same runs."));

    // Grid and axes.
    const axes = svgEl("g", { class: "axes" });
    for (const tick of yTicks) {
      axes.append(
        svgEl("line", { x1: margin.left, x2: width - margin.right, y1: y(tick), y2: y(tick), class: "grid" }),
        svgEl("text", { x: margin.left - 6, y: y(tick) + 4, "text-anchor": "end", class: "tick" }, String(tick)));
    }
    const xTickCount = Math.min(5, reports.length);
    for (let i = 0; i < xTickCount; i++) {
      const t = xTickCount === 1 ? tMin : tMin + ((tMax - tMin) * i) / (xTickCount - 1);
      // The outer labels align to the plot's edges so they are not clipped.
      const anchor = xTickCount === 1 ? "middle" : i === 0 ? "start" : i === xTickCount - 1 ? "end" : "middle";
      axes.append(svgEl("text", { x: x(t), y: height - margin.bottom + 16, "text-anchor": anchor, class: "tick" },
        formatAxisTime(t, tMax - tMin)));
    }
    axes.append(
      svgEl("line", { x1: margin.left, x2: margin.left, y1: margin.top, y2: margin.top + plotH, class: "axis" }),
      svgEl("line", { x1: margin.left, x2: width - margin.right, y1: margin.top + plotH, y2: margin.top + plotH, class: "axis" }),
      svgEl("text", { x: margin.left + plotW / 2, y: height - 6, "text-anchor": "middle", class: "axis-label" }, "Run start time (UTC)"),
      svgEl("text", { x: 14, y: margin.top + plotH / 2, "text-anchor": "middle", class: "axis-label",
        transform: "rotate(-90 14 " + (margin.top + plotH / 2) + ")" }, "Confirmed drifted keys"));
    svg.append(axes);

    // One series per category, total last so it is drawn on top.
    for (const series of SERIES.slice(1).concat(SERIES[0])) {
      const g = svgEl("g", { class: "series", "data-series": series.id });
      const points = succeeded.map((r) => ({ r: r, px: x(Date.parse(r.startTime)), py: y(seriesValue(r, series.id)) }));
      if (points.length > 1) {
        g.append(svgEl("polyline", {
          points: points.map((p) => p.px.toFixed(1) + "," + p.py.toFixed(1)).join(" "),
          fill: "none", stroke: series.colour, "stroke-width": series.id === "total" ? 2.5 : 1.5,
          "stroke-dasharray": series.dash,
        }));
      }
      for (const p of points) {
        const value = seriesValue(p.r, series.id);
        const marker = markerEl(series, p.px, p.py);
        marker.setAttribute("class", "point");
        marker.setAttribute("data-series", series.id);
        marker.setAttribute("data-count", String(value));
        marker.setAttribute("data-report-id", p.r.reportId || "");
        marker.append(svgEl("title", {}, series.label + ": " + value + " at " + formatTime(p.r.startTime)
          + " UTC (" + (p.r.mode || "") + (p.r.dryRun ? ", dry run" : "") + ", " + (p.r.reportId || "") + "); "
          + settleSummary(p.r) + " (not drift)"));
        g.append(marker);
      }
      svg.append(g);
    }

    // Failed runs: a labelled mark on the time axis (a failed run never means "no drift").
    const failures = svgEl("g", { class: "series", "data-series": "failed" });
    for (const r of reports.filter((r) => r.status !== "succeeded")) {
      const px = x(Date.parse(r.startTime));
      const mark = svgEl("text", { x: px, y: margin.top + plotH - 4, "text-anchor": "middle", class: "failed-run" }, "✕");
      mark.append(svgEl("title", {}, "Failed run at " + formatTime(r.startTime) + " UTC: " + (r.failureReason || r.status)));
      failures.append(mark);
    }
    svg.append(failures);

    // Runs that left keys unsettled: an amber mark on the time axis. Not drift, but drift could
    // not be judged for those keys (capture was behind, paused or failed).
    const unsettled = svgEl("g", { class: "series", "data-series": "unsettled" });
    for (const r of succeeded.filter((r) => unsettledCount(r) > 0)) {
      const px = x(Date.parse(r.startTime));
      const mark = svgEl("text", { x: px, y: margin.top + plotH - 4, "text-anchor": "middle", class: "unsettled-run",
        "data-count": String(unsettledCount(r)), "data-report-id": r.reportId || "" }, "⚠");
      const reason = (r.unsettledKeys || [])[0];
      mark.append(svgEl("title", {}, formatCount(r.unsettled) + " keys unsettled at " + formatTime(r.startTime)
        + " UTC (not drift: could not be judged in time)" + (reason ? ": " + reason.reason : "")));
      unsettled.append(mark);
    }
    svg.append(unsettled);

    const legend = el("ul", { class: "legend", "aria-label": "Chart legend" });
    for (const series of SERIES) {
      const swatch = svgEl("svg", { width: 28, height: 14, viewBox: "0 0 28 14", "aria-hidden": "true" });
      swatch.append(
        svgEl("line", { x1: 0, x2: 28, y1: 7, y2: 7, stroke: series.colour, "stroke-width": 2, "stroke-dasharray": series.dash }),
        markerEl(series, 14, 7));
      legend.append(el("li", {}, swatch, " " + series.label));
    }
    if (failed) {
      legend.append(el("li", {}, el("span", { class: "failed-run", "aria-hidden": "true" }, "✕"), " Failed run"));
    }
    if (unsettledRuns) {
      legend.append(el("li", {}, el("span", { class: "unsettled-run", "aria-hidden": "true" }, "⚠"), " Run with unsettled keys (capture behind; not drift)"));
    }
    container.replaceChildren(svg, legend);
  }

  function markerEl(series, cx, cy) {
    const s = 4.5;
    const common = { fill: series.id === "total" ? "#ffffff" : series.colour, stroke: series.colour, "stroke-width": 2 };
    switch (series.marker) {
      case "square":
        return svgEl("rect", Object.assign({ x: cx - s, y: cy - s, width: 2 * s, height: 2 * s }, common));
      case "triangle":
        return svgEl("path", Object.assign({ d: "M" + cx + " " + (cy - s - 1) + "L" + (cx + s + 1) + " " + (cy + s) + "L" + (cx - s - 1) + " " + (cy + s) + "Z" }, common));
      case "diamond":
        return svgEl("path", Object.assign({ d: "M" + cx + " " + (cy - s - 1) + "L" + (cx + s + 1) + " " + cy + "L" + cx + " " + (cy + s + 1) + "L" + (cx - s - 1) + " " + cy + "Z" }, common));
      case "cross":
        return svgEl("path", Object.assign({}, common, { d: "M" + (cx - s) + " " + (cy - s) + "L" + (cx + s) + " " + (cy + s) + "M" + (cx + s) + " " + (cy - s) + "L" + (cx - s) + " " + (cy + s), fill: "none" }));
      default:
        return svgEl("circle", Object.assign({ cx: cx, cy: cy, r: s }, common));
    }
  }

  // 0 and up to five round steps (1, 2 or 5 × 10^n) that cover max.
  function niceTicks(max) {
    const rough = max / 4;
    const magnitude = Math.pow(10, Math.floor(Math.log10(rough)));
    const step = [1, 2, 5, 10].map((m) => m * magnitude).find((candidate) => candidate >= rough) || rough;
    const ticks = [];
    for (let v = 0; v < max + step; v += step) {
      ticks.push(Number(v.toPrecision(12)));
    }
    return ticks;
  }

  function renderDriftTable(reports) {
    const rows = reports.map((r) => {
      const ok = r.status === "succeeded";
      const drift = Number(r.driftTotal || 0);
      const unsettled = unsettledCount(r);
      const reason = (r.unsettledKeys || [])[0];
      return el("tr", { "data-report-id": r.reportId || "" },
        el("td", { class: "nowrap" }, formatTime(r.startTime)),
        el("td", { class: "mono" }, r.reportId || ""),
        el("td", {}, (r.mode || "") + (r.dryRun ? " (dry run)" : "")),
        el("td", { class: ok ? "" : "state-bad" }, ok ? "Succeeded" : "✕ Failed" + (r.failureReason ? ": " + r.failureReason : "")),
        // Red is for confirmed drift only; the words say it too.
        el("td", { class: "num" + (ok && drift > 0 ? " drift-confirmed" : ""), "data-field": "drift" },
          ok ? formatCount(r.driftTotal) + (drift > 0 ? " (drift)" : "") : "—"),
        el("td", { class: "num", "data-field": "resolved-in-flight" }, ok ? settleText(r, "resolvedInFlight") : "—"),
        // Amber: not drift, but not judged either (capture behind, paused or failed).
        el("td", { class: "num" + (unsettled > 0 ? " unsettled" : ""), "data-field": "unsettled",
          title: unsettled > 0 && reason ? "First unsettled key " + reason.key + ": " + reason.reason : "" },
          ok ? settleText(r, "unsettled") + (unsettled > 0 ? " (unsettled)" : "") : "—"),
        ...SERIES.slice(1).map((s) => el("td", { class: "num" }, ok ? formatCount(seriesValue(r, s.id)) : "—")),
        el("td", { class: "num" }, formatCount(r.repairedCount)),
        el("td", { class: "num" }, (r.rangesChecked || 0) + " of " + (r.rangesTotal || 0)));
    });
    if (rows.length === 0) {
      rows.push(el("tr", {}, el("td", { colspan: "13", class: "empty" }, "No drift reports yet.")));
    }
    $("drift-body").replaceChildren(...rows);
  }

  // ---- Rendering: snapshots and schedules --------------------------------------------------

  function renderSnapshots(snapshots) {
    const rows = snapshots.map((s) => el("tr", { "data-snapshot-id": s.snapshotId || "" },
      el("td", { class: "mono" }, s.snapshotId || ""),
      el("td", { class: "num" }, formatCount(s.sequence)),
      el("td", {}, s.label || ""),
      el("td", { class: "nowrap" }, formatTime(s.createTime)),
      el("td", { class: "nowrap" }, formatTime(s.sourceTime)),
      el("td", {}, (s.views || []).map((v) => v.format + " (" + formatCount(v.documents) + " documents)").join(", ") || "none"),
      el("td", {}, s.deleted ? "Deleted " + formatTime(s.deleteTime) : "No")));
    if (rows.length === 0) {
      rows.push(el("tr", {}, el("td", { colspan: "7", class: "empty" }, "No snapshots yet.")));
    }
    $("snapshots-body").replaceChildren(...rows);
  }

  function renderSchedules(schedules) {
    const rows = schedules.map((s) => {
      const timing = s.cron ? "cron " + s.cron + (s.timeZone ? " (" + s.timeZone + ")" : " (UTC)") : s.every ? "every " + s.every : "";
      const outcome = s.lastOutcome || "not fired yet";
      const bad = outcome.startsWith("failed") || outcome.startsWith("unknown");
      return el("tr", { "data-schedule-id": s.scheduleId || "" },
        el("th", { scope: "row" }, s.scheduleId || ""),
        el("td", {}, timing),
        el("td", {}, s.mode || "incremental"),
        el("td", {}, s.repairPolicy || "auto"),
        el("td", { class: "nowrap" }, formatTime(s.lastFireTime)),
        el("td", { class: bad ? "state-bad" : "" }, (bad ? "✕ " : "") + outcome),
        el("td", { class: "mono" }, s.lastReportId || ""),
        el("td", { class: "nowrap" }, formatTime(s.nextFireTime)));
    });
    if (rows.length === 0) {
      rows.push(el("tr", {}, el("td", { colspan: "8", class: "empty" }, "No schedules for this source.")));
    }
    $("schedules-body").replaceChildren(...rows);
  }

  function renderErrors(errors) {
    const unique = [...new Set(errors)];
    $("errors").replaceChildren(...unique.map((m) => el("p", { class: "error" },
      el("span", { class: "symbol", "aria-hidden": "true" }, "✕"), " " + m)));
  }

  // ---- Formatting --------------------------------------------------------------------------

  function formatTime(value) {
    if (!value) {
      return "—";
    }
    const d = new Date(value);
    if (isNaN(d.getTime())) {
      return String(value);
    }
    return d.toISOString().replace("T", " ").replace(/\.\d+Z$/, "").replace(/Z$/, "");
  }

  function formatAxisTime(t, span) {
    const iso = new Date(t).toISOString();
    if (span < 10000) {
      return iso.substring(11, 23);
    }
    return span < 86400000 ? iso.substring(11, 19) : iso.substring(0, 10) + " " + iso.substring(11, 16);
  }

  function formatSeconds(value) {
    if (typeof value !== "number" || !isFinite(value)) {
      return "—";
    }
    if (value < 60) {
      return value.toFixed(1) + " s";
    }
    const units = [["d", 86400], ["h", 3600], ["m", 60], ["s", 1]];
    const parts = [];
    let rest = Math.round(value);
    for (const [name, size] of units) {
      if (rest >= size && parts.length < 2) {
        parts.push(Math.floor(rest / size) + " " + name);
        rest %= size;
      } else if (parts.length > 0) {
        break;
      }
    }
    return parts.join(" ");
  }

  function formatNumber(value, digits) {
    return typeof value === "number" ? value.toFixed(digits) : "—";
  }

  // 64-bit integers arrive as strings: group digits without going through a double.
  function formatCount(value) {
    if (value === undefined || value === null || value === "") {
      return "0";
    }
    const text = String(value);
    return /^\d+$/.test(text) ? text.replace(/\B(?=(\d{3})+(?!\d))/g, ",") : text;
  }

  // ---- DOM helpers -------------------------------------------------------------------------

  function el(tag, attributes, ...children) {
    const node = document.createElement(tag);
    setAttributes(node, attributes);
    node.append(...children.map((c) => (typeof c === "string" ? document.createTextNode(c) : c)));
    return node;
  }

  function svgEl(tag, attributes, ...children) {
    const node = document.createElementNS(SVG_NS, tag);
    setAttributes(node, attributes);
    node.append(...children.map((c) => (typeof c === "string" ? document.createTextNode(c) : c)));
    return node;
  }

  function setAttributes(node, attributes) {
    for (const [name, value] of Object.entries(attributes || {})) {
      if (value !== undefined && value !== null && value !== "") {
        node.setAttribute(name, String(value));
      }
    }
  }

  function sourceFromHash() {
    const match = /^#source=(.+)$/.exec(location.hash);
    return match ? decodeURIComponent(match[1]) : null;
  }

  // ---- Wiring ------------------------------------------------------------------------------

  function init() {
    const input = $("api-key");
    input.value = sessionStorage.getItem(KEY_STORAGE) || "";
    $("api-key-form").addEventListener("submit", (event) => {
      event.preventDefault();
      const key = input.value.trim();
      if (key) {
        sessionStorage.setItem(KEY_STORAGE, key);
      } else {
        sessionStorage.removeItem(KEY_STORAGE);
      }
      scheduleRefresh(0);
    });
    $("api-key-forget").addEventListener("click", () => {
      sessionStorage.removeItem(KEY_STORAGE);
      input.value = "";
      scheduleRefresh(0);
    });
    window.addEventListener("hashchange", () => {
      selectedSource = sourceFromHash();
      scheduleRefresh(0);
    });
    scheduleRefresh(0);
  }

  init();
})();
