// pivotal's page: plain JavaScript over the JSON API, nothing loaded from elsewhere.
"use strict";

const state = {
  meta: null,        // /api/meta: metrics, chart names, limits
  scenario: null,    // /api/scenarios/{name} or an upload's ScenarioInfo
  uploads: {},       // upload_id -> ScenarioInfo, for the scenario menu
  job: null,         // the job being polled
  shownRun: null,
  showing: 0,        // counts the runs asked to be shown; only the latest is
  compared: null,    // the last comparison shown
  pairing: null,     // the job rerunning B with A's seed and draws
  pairedWith: null,  // A's run id for that job
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
  for (const [id, year] of [["sensitivity-from", state.scenario.start], ["sensitivity-to", state.scenario.end],
                            ["score-start", null]]) {
    Object.assign($(id), { min: state.scenario.start, max: state.scenario.end });
    $(id).value = year ?? "";
  }
  showEvidence(state.scenario);  // not awaited: the controls work while the passages are found
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

function span(piece) {
  return piece.periods.replace(/^(\d{4})-(\d{4})$/, "$1–$2").replace("..", "–");
}

function pieceText(piece) {
  const range = piece.low === piece.high ? formatNumber(piece.low, 2)
    : `${formatNumber(piece.low, 2)}–${formatNumber(piece.high, 2)}`;
  const mode = piece.mode !== null && piece.low !== piece.high ? `, most likely ${formatNumber(piece.mode, 2)}` : "";
  return `scenario: ${range}${mode}`;
}

// One row per piece of the parameter: its periods, the scenario's range there, and a value to fix.
function pieceControl(p, piece, index, max) {
  const id = `${p.name}-${index}`;
  const start = piece.mode ?? (piece.low + piece.high) / 2;
  const value = Math.min(max, Math.max(p.lower, start));
  const fix = el("input", { type: "checkbox", id: `fix-${id}`, "aria-label": `fix ${p.name} in ${span(piece)}` });
  const range = el("input", { type: "range", id: `range-${id}`, min: p.lower, max, step: (max - p.lower) / 200,
                              value, "aria-label": `${p.name} in ${span(piece)} (slider)` });
  const number = el("input", { type: "number", id: `value-${id}`, min: p.lower, max: p.largest, step: "any",
                               value: Number(value.toPrecision(4)), "aria-label": `${p.name} in ${span(piece)}` });
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
  fix.addEventListener("change", countFixed);
  return el("div", { class: "piece", "data-periods": piece.periods, "data-index": index },
    fix, el("label", { for: `fix-${id}`, class: "span", text: span(piece) }),
    el("span", { class: "note hint", text: pieceText(piece) }), range, number);
}

function buildParameterControls(s) {
  const list = $("parameter-list");
  list.replaceChildren();
  for (const p of s.parameters) {
    const max = sliderMax(p);
    const row = el("div", { class: "param", "data-name": p.name });
    row.append(el("div", { class: "name" }, el("code", { text: p.name }),
                  el("span", { class: "symbol", text: ` ${p.symbol}` })),
               el("p", { class: "meaning", text: p.meaning }));
    p.pieces.forEach((piece, index) => row.append(pieceControl(p, piece, index, max)));
    list.append(row);
  }
  filterParameters();
  countFixed();
}

function filterParameters() {
  const words = $("parameter-filter").value.trim().toLowerCase();
  for (const row of document.querySelectorAll("#parameter-list .param")) {
    row.hidden = words !== "" && !row.textContent.toLowerCase().includes(words);
  }
}

function countFixed() {
  const n = document.querySelectorAll("#parameter-list input[type=checkbox]:checked").length;
  $("fixed-count").textContent = n ? `(${n} fixed)` : "";
}

function parameterSettings() {
  const settings = [];
  for (const row of document.querySelectorAll("#parameter-list .param")) {
    for (const piece of row.querySelectorAll(".piece")) {
      const id = `${row.dataset.name}-${piece.dataset.index}`;
      if (!$(`fix-${id}`).checked) continue;
      settings.push({ parameter: row.dataset.name, value: Number($(`value-${id}`).value),
                      periods: piece.dataset.periods });
    }
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

const TASKS = {
  run: { button: "Run", path: "/api/runs" },
  whatif: { button: "Run the what-if", path: "/api/whatif" },
  score: { button: "Score", path: "/api/score" },
  sensitivity: { button: "Run the sensitivity analysis", path: "/api/sensitivity" },
};

function task() {
  return document.querySelector("#task input:checked").value;
}

function chooseTask() {
  const chosen = task();
  $("run-button").textContent = TASKS[chosen].button;
  for (const node of document.querySelectorAll("[data-tasks]")) {
    node.hidden = !node.dataset.tasks.split(" ").includes(chosen);
  }
}

// The request body of the chosen task; a message string when an input is wrong.
function requestBody(chosen) {
  const body = { settings: parameterSettings() };
  if (state.scenario.upload_id) body.upload_id = state.scenario.upload_id;
  else body.scenario = state.scenario.name;
  // A seed is sent as written: as a number it would lose its last digits past 2^53.
  const seed = $("seed").value.trim();
  if (seed !== "") body.seed = seed;
  if (chosen !== "sensitivity") {
    const draws = Number($("draws").value);
    const maxDraws = chosen === "run" ? state.meta.max_draws : state.meta.max_analysis_draws;
    if (!Number.isInteger(draws) || draws < 1 || draws > maxDraws) {
      return `draws must be a whole number from 1 to ${maxDraws.toLocaleString()}`;
    }
    body.draws = draws;
  }
  if (chosen === "run" || chosen === "sensitivity") body.free = $("free").checked;
  if (chosen === "whatif" && !body.settings.length) {
    return "a what-if needs a change: fix at least one parameter value under Parameters";
  }
  if (chosen === "score" && $("score-start").value !== "") body.start = Number($("score-start").value);
  if (chosen === "sensitivity") {
    body.metric = $("sensitivity-metric").value;
    body.start = Number($("sensitivity-from").value);
    body.end = Number($("sensitivity-to").value);
    if ($("sensitivity-samples").value) body.samples = Number($("sensitivity-samples").value);
  }
  return body;
}

async function startRun(event) {
  event.preventDefault();
  showError("run-error", "");
  if (!state.scenario) return showError("run-error", "choose a scenario first");
  const chosen = task();
  const body = requestBody(chosen);
  if (typeof body === "string") return showError("run-error", body);
  try {
    const job = await api(TASKS[chosen].path, {
      method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body),
    });
    follow(job);
  } catch (error) {
    showError("run-error", error.message);
  }
}

function follow(job) {
  state.job = job;
  setRunning(true);
  showProgress(job);
  pollJob(job.job_id);
}

function setRunning(running) {
  $("run-button").disabled = running;
  $("pair-button").disabled = running;
  $("cancel-button").hidden = !running;
  document.body.dataset.running = running ? "yes" : "no";
}

function showProgress(job) {
  const bar = $("progress");
  bar.max = job.total;
  bar.value = job.done;
  $("progress-text").textContent =
    `${job.status}: ${job.done.toLocaleString()} / ${job.total.toLocaleString()} ${job.unit}`;
}

async function pollJob(jobId) {
  if (!state.job || state.job.job_id !== jobId) return;  // a job the page no longer follows
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
  try {
    await showFinished(job);
  } catch (error) {
    showError("run-error", `the ${job.kind} finished, but could not be shown: ${error.message}`);
  }
}

async function showFinished(job) {
  if (job.status === "done" && job.run_id) {
    await loadRuns();
    await showRun(job.run_id);
    if (state.pairing === job.job_id) await comparePaired(job.run_id);
  } else if (job.status === "done" && job.analysis_id) {
    await showAnalysis(job.analysis_id);
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

const PLOT_CONFIG = { responsive: true, displaylogo: false };

// Draw a Plotly figure into a node, replacing what it showed.
async function draw(node, figure) {
  await Plotly.react(node, figure.data, figure.layout, PLOT_CONFIG);
}

async function showRun(runId) {
  // Everything is fetched first and shown at once, so a new title never sits over old charts;
  // when another run was asked for meanwhile, this one is not shown at all.
  const ticket = ++state.showing;
  const [run, drawn] = await Promise.all([api(`/api/runs/${runId}`), api(`/api/runs/${runId}/figures`)]);
  if (ticket !== state.showing) return;
  state.shownRun = run.run_id;
  const charts = $("charts");
  const names = drawn.charts.map((f) => f.layout.meta.chart);
  for (const old of [...charts.children]) {
    if (!names.includes(old.dataset.chart)) old.remove();
  }
  $("empty").hidden = true;
  $("result").hidden = false;
  $("run-title").textContent = run.system ? `${run.scenario_title} (a dyad of system ${run.system})`
    : run.scenario_title;
  const settings = run.settings.length ? ` · fixed: ${run.settings.join(", ")}` : "";
  $("run-meta").textContent =
    `run ${run.run_id} · ${run.draws.toLocaleString()} draws · seed ${run.seed}` +
    `${run.use_record ? "" : " · record ignored"}${settings}`;
  $("download-csv").href = `/api/runs/${run.run_id}/results.csv`;
  $("download-parquet").href = `/api/runs/${run.run_id}/results.parquet`;
  $("report-link").href = `/runs/${run.run_id}/report`;
  // Drawn in the same task as the title is set (no await between), so both appear in one frame.
  const drawing = drawn.charts.map((figure) => {
    const name = figure.layout.meta.chart;
    let node = $(`figure-${name}`);
    if (!node) {
      node = el("figure", { id: `figure-${name}`, class: "chart", "data-chart": name,
                            "aria-label": figure.layout.meta.caption });
      charts.append(node);
    }
    node.dataset.run = run.run_id;
    return draw(node, figure);
  });
  await Promise.all(drawing);
  charts.dataset.run = run.run_id;
  for (const row of document.querySelectorAll("#runs-table tbody tr")) {
    row.classList.toggle("shown", row.dataset.run === run.run_id);
  }
}

// ---- analyses -------------------------------------------------------------------------------

const ANALYSIS_TITLES = { whatif: "What if", score: "Forecasts scored against the record",
                          sensitivity: "What drives the output" };

// The lines an analysis says in words: why outputs did not move, verdicts, convergence.
function analysisLines(kind, result) {
  if (kind === "whatif") return result.unchanged || [];
  if (kind === "score") return result.verdicts || [];
  return [result.verdict].filter(Boolean);
}

async function showAnalysis(analysisId) {
  const [found, figure] = await Promise.all([api(`/api/analyses/${analysisId}`),
                                             api(`/api/analyses/${analysisId}/figure`)]);
  const section = $("analysis");
  const fixed = found.settings.set && found.settings.set.length ? ` · ${found.settings.set.join(", ")}` : "";
  $("analysis-title").textContent = `${ANALYSIS_TITLES[found.kind]}: ${found.scenario_id}`;
  $("analysis-meta").textContent = `analysis ${found.analysis_id} · ${found.draws.toLocaleString()} draws · ` +
    `seed ${found.seed}${fixed}`;
  $("analysis-lines").replaceChildren(...analysisLines(found.kind, found.result).map((line) => el("li", { text: line })));
  section.hidden = false;
  await draw($("analysis-chart"), figure);
  section.dataset.analysis = found.analysis_id;
  section.dataset.kind = found.kind;
  section.scrollIntoView({ block: "nearest" });
}

// ---- recorded runs and comparison -----------------------------------------------------------

async function loadRuns() {
  const runs = await api("/api/runs?limit=200");
  const body = document.querySelector("#runs-table tbody");
  body.replaceChildren();
  for (const run of runs) {
    const show = el("button", { type: "button", class: "small", text: "show" });
    show.addEventListener("click", () => showRun(run.run_id).catch((error) => {
      showError("run-error", error.message);
    }));
    body.append(el("tr", { "data-run": run.run_id, class: run.run_id === state.shownRun ? "shown" : null },
      el("td", {}, el("code", { text: run.run_id })),
      el("td", { text: new Date(run.created_at).toLocaleString() }),
      el("td", { text: run.system ? `${run.scenario_id} (system ${run.system})` : run.scenario_id }),
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
        el("td", { text: row.label }),
        el("td", { class: "num", text: formatNumber(row.a) }),
        el("td", { class: "num", text: formatNumber(row.b) }),
        el("td", { class: `num ${diff > 0 ? "up" : diff < 0 ? "down" : ""}`,
                   text: diff === null ? "—" : (diff > 0 ? "+" : "") + formatNumber(diff) })));
    }
    const head = document.querySelectorAll("#compare-table thead th");
    head[1].textContent = `A ${result.a.run_id}`;
    head[2].textContent = `B ${result.b.run_id}`;
    $("compare-table").hidden = false;
    $("compare-note-text").textContent = result.note || "";
    $("compare-note").hidden = result.paired;
    $("pair-button").hidden = !result.pairable;
    state.compared = result;
  } catch (error) {
    showError("compare-error", error.message);
  }
}

// Run B's scenario and settings again with A's seed and draws, then compare A with that run.
async function pairRuns() {
  const { a, b } = state.compared;
  $("pair-button").disabled = true;
  try {
    const job = await api(`/api/runs/${b.run_id}/rerun`, {
      method: "POST", headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ seed: a.seed, draws: a.draws, free: !a.use_record }),
    });
    state.pairing = job.job_id;
    state.pairedWith = a.run_id;
    follow(job);
  } catch (error) {
    $("pair-button").disabled = false;
    showError("compare-error", error.message);
  }
}

async function comparePaired(runId) {
  state.pairing = null;
  $("compare-a").value = state.pairedWith;
  $("compare-b").value = runId;
  await compareRuns();
}

// ---- start -----------------------------------------------------------------------------------

async function init() {
  state.meta = await api("/api/meta");
  $("draws").max = state.meta.max_draws;
  for (const metric of state.meta.metrics) {
    $("compare-metric").append(el("option", { value: metric, text: metric }));
    $("sensitivity-metric").append(el("option", { value: metric, text: metric }));
  }
  $("sensitivity-metric").value = "p_offensive";
  for (const radio of document.querySelectorAll("#task input")) radio.addEventListener("change", chooseTask);
  chooseTask();
  $("parameter-filter").addEventListener("input", filterParameters);
  $("pair-button").addEventListener("click", pairRuns);
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
