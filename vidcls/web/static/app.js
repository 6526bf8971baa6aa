// vidcls page: plain JS, no libraries, no network access beyond this server.
"use strict";

const $ = (id) => document.getElementById(id);
const SVG_NS = "http://www.w3.org/2000/svg";
const state = { videos: [], selected: null, busy: false, lastResult: null, ttaViews: [], playable: false };

function svg(tag, attrs = {}, text = null) {
  const el = document.createElementNS(SVG_NS, tag);
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, String(v));
  if (text !== null) el.textContent = text;
  return el;
}

function pct(p) { return (100 * p).toFixed(1) + "%"; }

async function api(url, options = {}) {
  const response = await fetch(url, options);
  let body = null;
  try { body = await response.json(); } catch (_) { body = null; }
  if (!response.ok && response.status !== 202) {
    const message = body && body.error ? body.error.message : `HTTP ${response.status}`;
    throw new Error(message);
  }
  return { status: response.status, body };
}

function showError(message) {
  const box = $("error");
  box.textContent = message;
  box.hidden = !message;
}

function setProgress(fraction, text) {
  $("progress-box").hidden = fraction === null;
  if (fraction !== null) {
    $("progress").value = Math.max(0, Math.min(1, fraction));
    $("progress-text").textContent = `${Math.round(100 * fraction)}% ${text || ""}`;
  }
}

function setBusy(busy) {
  state.busy = busy;
  $("classify-button").disabled = busy || !state.selected;
  $("upload-button").disabled = busy;
}

// --- health and browsing --------------------------------------------------------------------
async function loadHealth() {
  const el = $("health");
  try {
    const { body } = await api("/api/health");
    state.ttaViews = body.tta_views;
    el.textContent = `${body.members.length} model(s) · ${body.class_names.length} classes · ${body.videos} videos`;
    el.className = "health ok";
    $("tta-views").textContent = `(${body.tta_views.join(", ")})`;
  } catch (err) {
    el.textContent = "server unavailable: " + err.message;
    el.className = "health down";
  }
}

function fillSelect(select, values) {
  const current = select.value;
  select.replaceChildren(new Option("all", ""));
  for (const v of values) select.add(new Option(v, v));
  if (values.includes(current)) select.value = current;
}

async function loadVideos(first = false) {
  const params = new URLSearchParams();
  const split = $("split-select").value, cls = $("class-select").value, q = $("search").value.trim();
  if (split) params.set("split", split);
  if (cls) params.set("class", cls);
  if (q) params.set("q", q);
  try {
    const { body } = await api("/api/videos?" + params.toString());
    if (first) {
      fillSelect($("split-select"), body.splits);
      fillSelect($("class-select"), body.classes);
    }
    state.videos = body.videos;
    $("video-count").textContent = `${body.total} video(s)` + (body.total > body.videos.length ? `, first ${body.videos.length} shown` : "");
    renderList();
    showError("");
  } catch (err) {
    showError(err.message);
  }
}

function renderList() {
  const list = $("video-list");
  list.replaceChildren();
  for (const video of state.videos) {
    const li = document.createElement("li");
    li.dataset.id = video.id;
    li.tabIndex = 0;
    li.setAttribute("role", "button");
    if (state.selected && state.selected.id === video.id) li.classList.add("selected");
    const name = document.createElement("span");
    name.className = "name";
    name.textContent = video.name;
    name.title = video.id;
    const tags = document.createElement("span");
    for (const [text, cls] of [[video.split, ""], [video.label, ""], [video.has_features ? "features" : null, "features"]]) {
      if (!text) continue;
      const tag = document.createElement("span");
      tag.className = "tag " + cls;
      tag.textContent = text;
      tags.append(tag, " ");
    }
    li.append(name, tags);
    li.addEventListener("click", () => selectVideo(video));
    li.addEventListener("keydown", (e) => { if (e.key === "Enter") selectVideo(video); });
    list.append(li);
  }
}

function selectVideo(video) {
  state.selected = video;
  for (const li of $("video-list").children) li.classList.toggle("selected", li.dataset.id === video.id);
  $("viewer-title").textContent = video.name;
  const bits = [video.split && `split ${video.split}`, video.label && `class ${video.label}`,
                video.has_features ? "precomputed features (instant)" : "features extracted on the fly"];
  $("video-meta").textContent = bits.filter(Boolean).join(" · ");
  if (video.playable) showPlayer("/media/" + video.path.split("/").map(encodeURIComponent).join("/"));
  else showNoPlayer("no playable file for this video (features only)");
  $("result").hidden = true;
  $("timeline-box").hidden = true;
  setProgress(null);
  showError("");
  setBusy(state.busy);
}

// --- the player, or the frames in its place ------------------------------------------------------
function showPlayer(src) {
  const player = $("player");
  if (player.src.startsWith("blob:")) URL.revokeObjectURL(player.src);
  state.playable = true;
  player.src = src;
  player.hidden = false;
  $("no-player").hidden = true;
}

function showNoPlayer(message) {
  const player = $("player");
  state.playable = false;
  player.removeAttribute("src");
  player.load();
  player.hidden = true;
  const box = $("no-player");
  box.replaceChildren(message);
  box.hidden = false;
}

// GIF, AVI, some MKV...: the browser cannot decode them, so the frames the model saw take the player's place.
function playerFailed() {
  if (!$("player").getAttribute("src") || !state.playable) return;
  showNoPlayer("this browser cannot play the file; classify it to see the frames the model saw here");
  if (state.lastResult && !$("result").hidden) renderFrames($("no-player"), state.lastResult, true);
}

// --- classification ---------------------------------------------------------------------------
async function pollJob(jobId) {
  for (;;) {
    const { body } = await api(`/api/jobs/${jobId}`);
    setProgress(body.progress, body.stage);
    if (body.status === "done") return body.result;
    if (body.status === "error") throw new Error(body.error.message);
    await new Promise((r) => setTimeout(r, 250));
  }
}

async function classifySelected() {
  if (!state.selected || state.busy) return;
  setBusy(true);
  showError("");
  $("result").hidden = true;
  setProgress(0, "sending");
  await showOutcome(async () => {
    const { status, body } = await api("/api/classify", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ video: state.selected.id, tta: $("tta-toggle").checked }),
    });
    return status === 202 ? pollJob(body.job) : body;
  });
}

// Both ways of classifying (dataset video, upload) end the same: a result or an error, then idle.
async function showOutcome(classify) {
  try {
    const result = await classify();
    setProgress(1, "done");
    renderResult(result);
  } catch (err) {
    setProgress(null);
    showError(err.message);
  } finally {
    setBusy(false);
  }
}

function uploadWithProgress(form) {
  // XMLHttpRequest (unlike fetch) reports upload progress: the first 30% of the bar.
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open("POST", "/api/classify");
    xhr.upload.onprogress = (e) => { if (e.lengthComputable) setProgress(0.3 * e.loaded / e.total, "uploading"); };
    xhr.onload = () => {
      let body = null;
      try { body = JSON.parse(xhr.responseText); } catch (_) { body = null; }
      if (xhr.status === 200 || xhr.status === 202) resolve({ status: xhr.status, body });
      else reject(new Error(body && body.error ? body.error.message : `HTTP ${xhr.status}`));
    };
    xhr.onerror = () => reject(new Error("upload failed (connection closed; is the file over the size limit?)"));
    xhr.send(form);
  });
}

async function uploadAndClassify(event) {
  event.preventDefault();
  const file = $("upload-file").files[0];
  if (!file || state.busy) { showError(file ? "" : "choose a video file first"); return; }
  const limit = parseFloat(document.body.dataset.maxUploadMb);
  if (file.size > limit * 1024 * 1024) { showError(`the file is larger than the ${limit} MB limit`); return; }
  setBusy(true);
  showError("");
  state.selected = null;
  for (const li of $("video-list").children) li.classList.remove("selected");
  $("viewer-title").textContent = file.name;
  $("video-meta").textContent = "uploaded file";
  showPlayer(URL.createObjectURL(file));  // play the local copy; the server deletes its own
  $("result").hidden = true;
  $("timeline-box").hidden = true;
  const form = new FormData();
  form.append("file", file);
  form.append("tta", $("tta-toggle").checked ? "true" : "false");
  await showOutcome(async () => {
    const { body } = await uploadWithProgress(form);
    return pollJob(body.job);
  });
}

// --- result rendering ---------------------------------------------------------------------------
function renderResult(result) {
  state.lastResult = result;
  $("result").hidden = false;
  $("predicted-class").textContent = result.predicted;
  $("predicted-confidence").textContent = `(${pct(result.confidence)})`;
  $("ground-truth").textContent = result.ground_truth || "unknown";
  const badge = $("correct-badge");
  badge.textContent = result.correct === null ? "" : result.correct ? "correct" : "wrong";
  badge.className = "badge " + (result.correct === null ? "" : result.correct ? "good" : "bad");
  const meta = [`${result.num_frames} frames`, result.source === "features" ? "precomputed features" : "extracted now",
                `TTA: ${result.tta_views.join(", ")}`, `${(1000 * result.elapsed_s).toFixed(0)} ms`];
  if (result.duration_s) meta.splice(1, 0, `${result.duration_s.toFixed(1)} s video`);
  $("result-meta").textContent = meta.join(" · ");
  drawProbabilities(result);
  renderMembers(result);
  drawAttention(result);
  drawTimeline(result);
  renderFrames($("frame-strip"), result, false);
  if (!state.playable) renderFrames($("no-player"), result, true);
}

// One thumbnail per attention weight (the centre crop the CNN saw), its time and weight under it.
function renderFrames(container, result, inPlace) {
  const att = result.attention, frames = result.frames;
  if (!frames || !att || frames.length !== att.weights.length) {
    if (!inPlace) {
      const note = document.createElement("div");
      note.className = "muted";
      note.textContent = "no frames to show: " + (result.frames_unavailable || "none were kept");
      container.replaceChildren(note);
    }
    return;
  }
  const w = att.weights, times = att.timestamps_s, maxW = Math.max(...w, 1e-9);
  const top = new Set([...w.keys()].sort((a, b) => w[b] - w[a]).slice(0, 3));
  container.replaceChildren();
  container.classList.toggle("in-place", inPlace);
  if (inPlace) {
    const caption = document.createElement("div");
    caption.className = "muted";
    caption.textContent = "the browser cannot play this file: these are the frames the model saw";
    container.append(caption);
  }
  const strip = document.createElement("div");
  strip.className = "strip";
  frames.forEach((src, i) => {
    const fig = document.createElement("figure");
    fig.className = "frame" + (top.has(i) ? " top" : "");
    fig.dataset.index = i;
    const img = document.createElement("img");
    img.src = src;
    const when = times ? `${times[i].toFixed(2)} s` : `frame ${i + 1}`;
    img.alt = `sampled frame at ${when}`;
    fig.title = `${when}: attention ${w[i].toFixed(3)}`;
    const meter = document.createElement("div");
    meter.className = "weight";
    const fill = document.createElement("div");
    fill.style.width = `${(100 * w[i]) / maxW}%`;  // CSSOM, allowed by the CSP (no inline style attribute)
    meter.append(fill);
    const cap = document.createElement("figcaption");
    cap.textContent = `${times ? times[i].toFixed(1) + "s" : "#" + (i + 1)} · ${w[i].toFixed(3)}`;
    fig.append(img, meter, cap);
    if (times) fig.addEventListener("click", () => { const p = $("player"); if (!p.hidden) p.currentTime = times[i]; });
    strip.append(fig);
  });
  container.append(strip);
}

function drawProbabilities(result) {
  const chart = $("prob-chart");
  const names = result.class_names, probs = result.probabilities;
  const rowH = 28, left = 130, right = 60, width = Math.max(360, chart.clientWidth || 600);
  const height = rowH * names.length + 24;
  chart.setAttribute("viewBox", `0 0 ${width} ${height}`);
  chart.setAttribute("height", height);
  chart.replaceChildren();
  const top = probs.indexOf(Math.max(...probs));
  const plotW = width - left - right;
  for (const tick of [0, 0.25, 0.5, 0.75, 1]) {
    const x = left + tick * plotW;
    chart.append(svg("line", { x1: x, x2: x, y1: 0, y2: height - 18, class: "axis" }));
    chart.append(svg("text", { x, y: height - 4, "text-anchor": "middle", class: "small" }, `${tick * 100}%`));
  }
  names.forEach((name, i) => {
    const y = i * rowH + 4;
    chart.append(svg("text", { x: left - 8, y: y + rowH / 2 + 2, "text-anchor": "end" }, name));
    const bar = svg("rect", { x: left, y, width: Math.max(1, probs[i] * plotW), height: rowH - 8,
                              class: "bar" + (i === top ? " top" : ""), "data-class": name });
    bar.append(svg("title", {}, `${name}: ${pct(probs[i])}`));
    chart.append(bar);
    if (name === result.ground_truth) {
      chart.append(svg("rect", { x: left - 2, y: y - 2, width: plotW + 4, height: rowH - 4, class: "truth" }));
    }
    chart.append(svg("text", { x: left + probs[i] * plotW + 6, y: y + rowH / 2 + 2 }, pct(probs[i])));
  });
}

// A timeline (server segment_s): one band under the player, a span per run of windows with the same class,
// coloured by class; clicking a span seeks the player to its start.
function drawTimeline(result) {
  const box = $("timeline-box"), chart = $("timeline"), legend = $("timeline-legend");
  const spans = result.spans;
  box.hidden = !spans || !spans.length;
  chart.replaceChildren();
  legend.replaceChildren();
  if (box.hidden) return;
  const total = result.duration_s || spans[spans.length - 1].end_s;
  const width = Math.max(360, chart.clientWidth || 600), height = 22;
  chart.setAttribute("viewBox", `0 0 ${width} ${height}`);
  chart.setAttribute("height", height);
  const colour = (name) => "c" + (result.class_names.indexOf(name) % 8);
  spans.forEach((span, i) => {
    const x = (span.start_s / total) * width, w = Math.max(1, ((span.end_s - span.start_s) / total) * width);
    const rect = svg("rect", { x, y: 0, width: w, height, class: `span ${colour(span.predicted)}`, "data-index": i,
                               "data-class": span.predicted });
    rect.append(svg("title", {}, `${span.start_s.toFixed(1)}–${span.end_s.toFixed(1)} s: ${span.predicted}`));
    rect.addEventListener("click", () => { const p = $("player"); if (!p.hidden) p.currentTime = span.start_s; });
    chart.append(rect);
  });
  const shown = [...new Set(spans.map((s) => s.predicted))];
  for (const name of shown) {
    const swatch = document.createElement("span");
    swatch.className = "swatch " + colour(name);
    legend.append(swatch, name);
  }
  legend.append(` · ${result.windows.length} windows of the video, ${spans.length} span(s)`);
}

function renderMembers(result) {
  const body = $("member-table").querySelector("tbody");
  body.replaceChildren();
  for (const m of result.members) {
    const tr = document.createElement("tr");
    const vote = document.createElement("td");
    vote.textContent = m.predicted;
    vote.className = m.predicted === result.predicted ? "agree" : "disagree";
    const name = document.createElement("td");
    name.textContent = m.name;
    const conf = document.createElement("td");
    conf.textContent = pct(m.confidence);
    const weight = document.createElement("td");
    weight.textContent = m.weight == null ? "" : pct(m.weight);
    tr.append(name, vote, conf, weight);
    body.append(tr);
  }
}

function drawAttention(result) {
  const chart = $("attention-plot");
  chart.replaceChildren();
  const att = result.attention;
  const width = Math.max(360, chart.clientWidth || 600), height = 156, left = 40, bottom = 34, top = 8;
  chart.setAttribute("viewBox", `0 0 ${width} ${height}`);
  chart.setAttribute("height", height);
  if (!att || !att.weights.length) {
    chart.append(svg("text", { x: 10, y: 20 }, "no attention weights for this model"));
    return;
  }
  const w = att.weights, n = w.length, maxW = Math.max(...w, 1e-9);
  const times = att.timestamps_s;
  const plotW = width - left - 10, plotH = height - bottom - top, step = plotW / n;
  chart.append(svg("line", { x1: left, x2: left + plotW, y1: top + plotH, y2: top + plotH, class: "axis" }));
  chart.append(svg("text", { x: left - 4, y: top + 10, "text-anchor": "end", class: "small" }, maxW.toFixed(2)));
  chart.append(svg("text", { x: left - 4, y: top + plotH, "text-anchor": "end", class: "small" }, "0"));
  w.forEach((value, i) => {
    const h = (value / maxW) * plotH;
    const bar = svg("rect", { x: left + i * step + 0.5, y: top + plotH - h, width: Math.max(1, step - 1), height: h,
                              class: "att-bar", "data-index": i });
    const when = times ? `${times[i].toFixed(2)} s` : `sampled frame ${i + 1}`;
    bar.append(svg("title", {}, `${when}: weight ${value.toFixed(3)}`));
    if (times) bar.addEventListener("click", () => { const p = $("player"); if (!p.hidden) p.currentTime = times[i]; });
    chart.append(bar);
  });
  const labels = Math.min(n, 8);
  for (let k = 0; k < labels; k++) {
    const i = Math.round((k * (n - 1)) / Math.max(1, labels - 1));
    const text = times ? `${times[i].toFixed(1)}s` : `#${i + 1}`;
    chart.append(svg("text", { x: left + (i + 0.5) * step, y: height - 18, "text-anchor": "middle", class: "small" }, text));
  }
  chart.append(svg("text", { x: left + plotW, y: height - 3, "text-anchor": "end", class: "small" },
                   times ? "time in video" : "sampled frame (times unknown for precomputed features)"));
  const cursor = svg("line", { x1: -10, x2: -10, y1: top, y2: top + plotH, class: "cursor", id: "att-cursor" });
  chart.append(cursor);
}

function moveCursor() {
  const cursor = $("att-cursor"), result = state.lastResult;
  if (!cursor || !result || !result.attention || !result.attention.timestamps_s) return;
  const times = result.attention.timestamps_s, t = $("player").currentTime;
  const chart = $("attention-plot"), width = parseFloat(chart.getAttribute("viewBox").split(" ")[2]);
  const plotW = width - 50, step = plotW / times.length;
  let i = 0;
  while (i + 1 < times.length && times[i + 1] <= t) i++;
  const x = 40 + (i + 0.5) * step;
  cursor.setAttribute("x1", x);
  cursor.setAttribute("x2", x);
}

// --- wiring -------------------------------------------------------------------------------------
document.addEventListener("DOMContentLoaded", () => {
  $("tta-toggle").checked = document.body.dataset.ttaDefault === "true";
  $("split-select").addEventListener("change", () => loadVideos());
  $("class-select").addEventListener("change", () => loadVideos());
  let timer = null;
  $("search").addEventListener("input", () => { clearTimeout(timer); timer = setTimeout(() => loadVideos(), 200); });
  $("classify-button").addEventListener("click", classifySelected);
  $("upload-form").addEventListener("submit", uploadAndClassify);
  $("player").addEventListener("timeupdate", moveCursor);
  $("player").addEventListener("error", playerFailed);
  loadHealth();
  loadVideos(true);
});
