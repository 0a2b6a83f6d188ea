// pivotal's page: plain JavaScript over the JSON API, nothing loaded from elsewhere.
"use strict";

const state = {
  meta: null,        // /api/meta: metrics, chart names, limits
  scenario: null,    // /api/scenarios/{name} or an upload's ScenarioInfo
  uploads: {},       // upload_id -> ScenarioInfo, for the scenario menu
  job: null,         // the job being polled
  shownRun: null,
};

const $ = (id) => document.getElementById(id);

function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (value === null || value === undefined || value === false) continue;
    if (key === "text") node.textContent = value;
    else node.setAttribute(key, value === true ? "" : String(value));
  }
  for (const child of children) node.append(child);
  return node;
}

// Fetch JSON; a non-2xx answer throws an Error carrying the API's one-line `detail`.
async function api(url, options = {}) {
  const response = await fetch(url, options);
  let body = null;
  try {
    body = await response.json();
  } catch (_) {
    body = null;
  }
  if (!response.ok) {
    const error = new Error((body && body.detail) || `${response.status} ${response.statusText}`);
    error.status = response.status;
    error.body = body;
    throw error;
  }
  return body;
}

function showError(id, message) {
  const node = $(id);
  node.textContent = message || "";
  node.hidden = !message;
}

function formatNumber(value, digits = 3) {
  return value === null || value === undefined ? "—" : Number(value).toFixed(digits);
}

// ---- scenario and parameter controls -------------------------------------------------------

async function loadBuiltins() {
  const scenarios = await api("/api/scenarios");
  const select = $("scenario");
  select.replaceChildren();
  for (const s of scenarios) {
    select.append(el("option", { value: `builtin:${s.name}`, text: `${s.title} (${s.start}–${s.end})` }));
  }
  if (scenarios.length) await chooseScenario(select.value);
}

async function chooseScenario(value) {
  showError("scenario-error", "");
  if (value.startsWith("upload:")) {
    state.scenario = state.uploads[value.slice("upload:".length)];
  } else {
    state.scenario = await api(`/api/scenarios/${encodeURIComponent(value.slice("builtin:".length))}`);
  }
  buildParameterControls(state.scenario);
  await showEvidence(state.scenario);
}

// Beside each parameter: the passages of the documents added with `pivotal evidence add`.
async function showEvidence(s) {
  const path = s.upload_id ? `/api/uploads/${encodeURIComponent(s.upload_id)}/evidence`
                           : `/api/scenarios/${encodeURIComponent(s.name)}/evidence`;
  let found;
  try {
    found = await api(path);
  } catch (error) {
    return;  // evidence is an aid; the controls work without it
  }
  if (state.scenario !== s) return;  // another scenario was chosen meanwhile
  for (const row of document.querySelectorAll("#parameter-list .param")) {
    const notes = found.parameters[row.dataset.name] || [];
    if (!notes.length) continue;
    const items = notes.map((n) => el("li", {},
      el("span", { class: "note", text: `${n.title}, ${n.locator}${n.cited ? " (cited)" : ""}` }),
      el("br"), n.excerpt));
    row.append(el("details", { class: "evidence" },
      el("summary", { text: `${notes.length} passage${notes.length > 1 ? "s" : ""} in your documents` }),
      el("ol", {}, ...items)));
  }
}

function sliderMax(p) {
  if (p.upper !== null) return p.upper;
  const top = Math.max(1, 2 * p.scenario_high);
  const magnitude = 10 ** Math.floor(Math.log10(top));
  return Math.ceil(top / magnitude) * magnitude;
}

function buildParameterControls(s) {
  const list = $("parameter-list");
  list.replaceChildren();
  for (const p of s.parameters) {
    const max = sliderMax(p);
    const step = (max - p.lower) / 200;
    const value = Math.min(max, Math.max(p.lower, p.scenario_mode));
    const row = el("div", { class: "param", "data-name": p.name });
    const fix = el("input", { type: "checkbox", id: `fix-${p.name}`, "aria-label": `fix ${p.name}` });
    const label = el("label", { for: `fix-${p.name}`, title: p.meaning },
      el("code", { text: p.name }), el("span", { class: "symbol", text: ` ${p.symbol}` }));
    const range = el("input", { type: "range", id: `range-${p.name}`, min: p.lower, max, step, value,
                                "aria-label": `${p.name} value (slider)` });
    const number = el("input", { type: "number", id: `value-${p.name}`, min: p.lower, max: p.largest,
                                 step: "any", value: Number(value.toPrecision(4)),
                                 "aria-label": `${p.name} value` });
    const from = el("input", { type: "number", id: `from-${p.name}`, min: s.start, max: s.end, step: 1,
                               value: s.start, "aria-label": `${p.name} first period` });
    const to = el("input", { type: "number", id: `to-${p.name}`, min: s.start, max: s.end, step: 1,
                             value: s.end, "aria-label": `${p.name} last period` });
    const hint = el("span", { class: "note range-hint",
      text: `scenario: ${formatNumber(p.scenario_low, 2)}–${formatNumber(p.scenario_high, 2)}` });
    range.addEventListener("input", () => {
      number.value = Number(Number(range.value).toPrecision(4));
      fix.checked = true;
      countFixed();
    });
    number.addEventListener("input", () => {
      range.value = number.value;
      fix.checked = true;
      countFixed();
    });
    for (const input of [from, to]) input.addEventListener("input", () => { fix.checked = true; countFixed(); });
    fix.addEventListener("change", countFixed);
    row.append(fix, label, hint, range, number, el("span", { class: "periods" }, "periods", from, "–", to));
    list.append(row);
  }
  countFixed();
}

function countFixed() {
  const n = document.querySelectorAll("#parameter-list input[type=checkbox]:checked").length;
  $("fixed-count").textContent = n ? `(${n} fixed)` : "";
}

function parameterSettings() {
  const settings = [];
  for (const row of document.querySelectorAll("#parameter-list .param")) {
    const name = row.dataset.name;
    if (!$(`fix-${name}`).checked) continue;
    settings.push({
      parameter: name,
      value: Number($(`value-${name}`).value),
      start: Number($(`from-${name}`).value),
      end: Number($(`to-${name}`).value),
    });
  }
  return settings;
}

async function uploadScenario(file) {
  showError("scenario-error", "");
  $("upload-status").textContent = `checking ${file.name}…`;
  const form = new FormData();
  form.append("file", file, file.name);
  try {
    const info = await api("/api/scenarios/upload", { method: "POST", body: form });
    state.uploads[info.upload_id] = info;
    const value = `upload:${info.upload_id}`;
    if (!document.querySelector(`#scenario option[value="${value}"]`)) {
      $("scenario").append(el("option", { value, text: `${info.title} (uploaded: ${file.name})` }));
    }
    $("scenario").value = value;
    $("upload-status").textContent = `${file.name}: valid scenario '${info.id}', ${info.start}–${info.end}`;
    await chooseScenario(value);
  } catch (error) {
    $("upload-status").textContent = "";
    showError("scenario-error", error.message);
  }
}

// ---- running ---------------------------------------------------------------------------------

async function startRun(event) {
  event.preventDefault();
  showError("run-error", "");
  if (!state.scenario) return showError("run-error", "choose a scenario first");
  const draws = Number($("draws").value);
  const maxDraws = state.meta ? state.meta.max_draws : 1000000;
  if (!Number.isInteger(draws) || draws < 1 || draws > maxDraws) {
    return showError("run-error", `draws must be a whole number from 1 to ${maxDraws.toLocaleString()}`);
  }
  const body = { draws, free: $("free").checked, settings: parameterSettings() };
  // A seed is sent as written: as a number it would lose its last digits past 2^53.
  const seed = $("seed").value.trim();
  if (seed !== "") body.seed = seed;
  if (state.scenario.upload_id) body.upload_id = state.scenario.upload_id;
  else body.scenario = state.scenario.name;
  try {
    const job = await api("/api/runs", {
      method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body),
    });
    state.job = job;
    setRunning(true);
    showProgress(job);
    pollJob(job.job_id);
  } catch (error) {
    showError("run-error", error.message);
  }
}

function setRunning(running) {
  $("run-button").disabled = running;
  $("cancel-button").hidden = !running;
  document.body.dataset.running = running ? "yes" : "no";
}

function showProgress(job) {
  const bar = $("progress");
  bar.max = job.total;
  bar.value = job.done;
  $("progress-text").textContent =
    `${job.status}: ${job.done.toLocaleString()} / ${job.total.toLocaleString()} draws`;
}

async function pollJob(jobId) {
  let job;
  try {
    job = await api(`/api/jobs/${jobId}`);
  } catch (error) {
    setRunning(false);
    return showError("run-error", error.message);
  }
  showProgress(job);
  if (job.status === "queued" || job.status === "running") {
    setTimeout(() => pollJob(jobId), 200);
    return;
  }
  setRunning(false);
  if (job.status === "done") {
    await loadRuns();
    await showRun(job.run_id);
  } else if (job.status === "failed") {
    showError("run-error", job.error || "the run failed");
  }
}

async function cancelRun() {
  if (!state.job) return;
  try {
    await api(`/api/jobs/${state.job.job_id}`, { method: "DELETE" });
  } catch (error) {
    showError("run-error", error.message);
  }
}

// ---- showing a run ---------------------------------------------------------------------------

// Parse an SVG answer and keep only the drawing: no scripts, no event attributes.
function parseSvg(text) {
  const doc = new DOMParser().parseFromString(text, "image/svg+xml");
  const root = doc.documentElement;
  if (root.nodeName !== "svg" || doc.querySelector("parsererror")) return null;
  for (const bad of root.querySelectorAll("script, foreignObject")) bad.remove();
  for (const node of [root, ...root.querySelectorAll("*")]) {
    for (const attr of [...node.attributes]) {
      if (attr.name.toLowerCase().startsWith("on")) node.removeAttribute(attr.name);
    }
  }
  return document.importNode(root, true);
}

async function showRun(runId) {
  const run = await api(`/api/runs/${runId}`);
  state.shownRun = run.run_id;
  $("empty").hidden = true;
  $("result").hidden = false;
  $("run-title").textContent = `${run.scenario_title}`;
  const settings = run.settings.length ? ` · fixed: ${run.settings.join(", ")}` : "";
  $("run-meta").textContent =
    `run ${run.run_id} · ${run.draws.toLocaleString()} draws · seed ${run.seed}` +
    `${run.use_record ? "" : " · record ignored"}${settings}`;
  $("download-csv").href = `/api/runs/${run.run_id}/results.csv`;
  $("download-parquet").href = `/api/runs/${run.run_id}/results.parquet`;
  $("report-link").href = `/runs/${run.run_id}/report`;
  const charts = $("charts");
  charts.dataset.run = "";
  await Promise.all(state.meta.charts.map(async (name) => {
    let figure = $(`figure-${name}`);
    if (!figure) {
      figure = el("figure", { id: `figure-${name}`, class: "chart", "data-chart": name });
      charts.append(figure);
    }
    try {
      const response = await fetch(`/api/runs/${run.run_id}/charts/${name}.svg`);
      if (!response.ok) {
        figure.hidden = true;  // a chart that needs an analysis this run does not have
        return;
      }
      const svg = parseSvg(await response.text());
      figure.replaceChildren(...(svg ? [svg] : []));
      figure.hidden = !svg;
      figure.dataset.run = run.run_id;
    } catch (_) {
      figure.hidden = true;
    }
  }));
  charts.dataset.run = run.run_id;
  for (const row of document.querySelectorAll("#runs-table tbody tr")) {
    row.classList.toggle("shown", row.dataset.run === run.run_id);
  }
}

// ---- recorded runs and comparison -----------------------------------------------------------

async function loadRuns() {
  const runs = await api("/api/runs?limit=200");
  const body = document.querySelector("#runs-table tbody");
  body.replaceChildren();
  for (const run of runs) {
    const show = el("button", { type: "button", class: "small", text: "show" });
    show.addEventListener("click", () => showRun(run.run_id));
    body.append(el("tr", { "data-run": run.run_id, class: run.run_id === state.shownRun ? "shown" : null },
      el("td", {}, el("code", { text: run.run_id })),
      el("td", { text: new Date(run.created_at).toLocaleString() }),
      el("td", { text: run.scenario_id }),
      el("td", { class: "num", text: run.draws.toLocaleString() }),
      el("td", { class: "num", text: run.seed ?? "" }),
      el("td", { text: run.settings.join(", ") }),
      el("td", {}, show)));
  }
  // By default compare the newest run (B) with the one before it (A).
  for (const [id, pick] of [["compare-a", 1], ["compare-b", 0]]) {
    const select = $(id);
    select.replaceChildren();
    for (const run of runs) {
      const label = `${run.run_id} · ${run.scenario_id} · ${run.draws.toLocaleString()} draws` +
        (run.settings.length ? ` · ${run.settings.join(", ")}` : "");
      select.append(el("option", { value: run.run_id, text: label }));
    }
    if (runs.length) select.value = runs[Math.min(pick, runs.length - 1)].run_id;
  }
  return runs;
}

async function compareRuns() {
  showError("compare-error", "");
  const a = $("compare-a").value;
  const b = $("compare-b").value;
  if (!a || !b) return showError("compare-error", "record two runs first");
  const metric = $("compare-metric").value;
  try {
    const result = await api(`/api/compare?${new URLSearchParams({ a, b, metric })}`);
    const body = document.querySelector("#compare-table tbody");
    body.replaceChildren();
    for (const row of result.rows) {
      const diff = row.difference;
      body.append(el("tr", {},
        el("td", { text: row.period }),
        el("td", { class: "num", text: formatNumber(row.a) }),
        el("td", { class: "num", text: formatNumber(row.b) }),
        el("td", { class: `num ${diff > 0 ? "up" : diff < 0 ? "down" : ""}`,
                   text: diff === null ? "—" : (diff > 0 ? "+" : "") + formatNumber(diff) })));
    }
    const head = document.querySelectorAll("#compare-table thead th");
    head[1].textContent = `A ${result.a.run_id}`;
    head[2].textContent = `B ${result.b.run_id}`;
    $("compare-table").hidden = false;
  } catch (error) {
    showError("compare-error", error.message);
  }
}

// ---- start -----------------------------------------------------------------------------------

async function init() {
  state.meta = await api("/api/meta");
  $("draws").max = state.meta.max_draws;
  for (const metric of state.meta.metrics) {
    $("compare-metric").append(el("option", { value: metric, text: metric }));
  }
  $("compare-metric").value = state.meta.metrics.includes("p_offensive") ? "p_offensive" : state.meta.metrics[0];
  $("run-form").addEventListener("submit", startRun);
  $("cancel-button").addEventListener("click", cancelRun);
  $("scenario").addEventListener("change", (e) => chooseScenario(e.target.value));
  $("upload").addEventListener("change", (e) => {
    if (e.target.files.length) uploadScenario(e.target.files[0]);
  });
  $("compare-button").addEventListener("click", compareRuns);
  await loadBuiltins();
  const runs = await loadRuns();
  if (runs.length) await showRun(runs[0].run_id);
  document.body.dataset.ready = "yes";
}

init().catch((error) => showError("run-error", `could not start: ${error.message}`));
