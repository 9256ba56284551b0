// The inspector: reads the control API's JSON (`/_mock/...`) once a second and drives the mock through the same API,
// so the page adds no behaviour of its own. Everything is rendered as DOM text nodes (never innerHTML): object
// names, metadata and webhook bodies come from requests and must show as text.
"use strict";

const API = "/_mock";
const POLL_MS = 1000;
// A page left open against a server holding 100 000 objects must not keep it busy: the next read waits at least
// this many times as long as the last one took, so reading takes at most a tenth of the server's time.
const BACKOFF = 10;
// Events, deliveries and journal entries can number thousands; the newest are what a person looks at.
const SHOWN = 200;
const TOKEN_KEY = "mockserver-admin-token";

let token = sessionStorage.getItem(TOKEN_KEY);
const seen = {}; // last JSON text rendered per section: an unchanged section is not rebuilt
let loaded = false;
let timer = null;
// Only the latest read schedules the next one: an action's read and the poll's must not become two polls.
let generation = 0;

class Unauthorized extends Error {}

function takeFragmentToken() {
  // `#token=...`: a fragment never reaches the server, so the token stays out of logs; dropped from the URL at once.
  const match = /(?:^#|&)token=([^&]*)/.exec(location.hash);
  if (match) {
    token = decodeURIComponent(match[1]);
    sessionStorage.setItem(TOKEN_KEY, token);
    history.replaceState(null, "", location.pathname);
  }
}

async function call(method, path, body) {
  const headers = {};
  if (token) headers.Authorization = "Bearer " + token;
  if (body !== undefined) headers["Content-Type"] = "application/json";
  const response = await fetch(API + path, {
    method, headers, cache: "no-store", body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  if (response.status === 401) throw new Unauthorized();
  if (!response.ok) {
    let message = text;
    try { message = JSON.parse(text).error.message; } catch (_) { /* not the error envelope: show it raw */ }
    throw new Error(`${response.status}: ${message}`);
  }
  return text;
}

// -- building DOM ---------------------------------------------------------------------------------------------------

function h(tag, attrs, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs || {})) {
    if (value === undefined || value === null || value === false) continue;
    if (name.startsWith("on")) node.addEventListener(name.slice(2), value);
    else if (name === "className") node.className = value;
    else node.setAttribute(name, value === true ? "" : String(value));
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

function table(headings, rows) {
  return h("table", {}, h("thead", {}, h("tr", {}, headings.map((x) => h("th", {}, x)))),
    h("tbody", {}, rows));
}

function when(seconds) {
  if (seconds === null || seconds === undefined) return "";
  return new Date(seconds * 1000).toISOString().replace("T", " ").replace(/\.\d+Z$/, "Z").replace(/Z$/, "");
}

function pretty(text) {
  if (typeof text !== "string") return JSON.stringify(text, null, 2);
  try { return JSON.stringify(JSON.parse(text), null, 2); } catch (_) { return text; }
}

function more(total) {
  return total > SHOWN ? h("p", { className: "more" }, `showing the newest ${SHOWN} of ${total}`) : null;
}

function status(value) {
  return h("span", { className: `status status-${value}` }, value);
}

function replace(id, ...nodes) {
  document.getElementById(id).replaceChildren(...nodes.filter((node) => node !== null));
}

// -- actions (each one control API call, then a fresh read) ------------------------------------------------------------

async function act(label, method, path, body) {
  const result = document.getElementById("action-result");
  try {
    await call(method, path, body);
    result.textContent = `${label}: done`;
    result.className = "result ok";
  } catch (error) {
    if (error instanceof Unauthorized) return showLogin(true);
    result.textContent = `${label}: ${error.message}`;
    result.className = "result bad";
  }
  await refresh();
}

// `mockserver trigger` from the page: the types come from the control API once, the event from one call.
async function loadEventTypes() {
  const select = document.getElementById("trigger-type");
  if (select.options.length) return;
  const types = JSON.parse(await call("GET", "/webhooks/event_types")).data;
  select.replaceChildren(...types.map((type) => h("option", { value: type }, type)));
}

// -- sections ---------------------------------------------------------------------------------------------------------

function renderClock(clock) {
  document.getElementById("clock-mode").textContent = clock.mode;
  document.getElementById("clock-now").textContent = when(clock.now);
  document.getElementById("clock-unix").textContent = `unix ${clock.now}`;
  const manual = clock.mode === "manual";
  document.getElementById("advance-button").disabled = !manual;
  document.getElementById("advance-button").title = manual ? "" : "the clock is real: time moves by itself";
}

function clockTime(seconds) {
  return when(seconds).slice(11);
}

function timeline(object) {
  // Times of day only (the full date is in each step's tooltip and the created column): a timeline fits one line.
  const steps = [h("span", { title: when(object.created_at) }, `created ${clockTime(object.created_at)}`)];
  for (const step of object.timeline) {
    steps.push(" → ", h("span", { title: when(step.at) }, `${step.to} ${clockTime(step.at)}`));
  }
  return h("div", { className: "timeline" }, steps);
}

function metadata(values) {
  if (!values) return "";
  return h("pre", { className: "metadata" }, Object.entries(values).map(([key, value]) => `${key}: ${value}`).join("\n"));
}

function forceControl(object, chosen) {
  if (object.reachable.length === 0) return h("span", { className: "more" }, "final");
  const cell = h("span", {});
  // The menu is built when asked for: a thousand rows of menus would be most of the page's drawing time.
  const open = () => {
    const select = h("select", { "data-object": object.id, "aria-label": `force ${object.id}` },
      object.reachable.map((state) => h("option", { value: state }, state)));
    if (chosen !== undefined && object.reachable.includes(chosen)) select.value = chosen;
    const go = () => act(`force ${object.id} to ${select.value}`, "POST",
      `/objects/${encodeURIComponent(object.id)}/transition`, { status: select.value });
    cell.replaceChildren(select, " ", h("button", { type: "button", "data-force": object.id, onclick: go }, "Force"));
  };
  if (chosen !== undefined) open();
  else cell.append(h("button", { type: "button", "data-force-open": object.id, onclick: open }, "Force…"));
  return cell;
}

function renderObjects(objects) {
  const filter = document.getElementById("objects-filter").value.trim().toLowerCase();
  const shown = filter ? objects.filter((o) => [o.id, o.status, o.kind, o.object, o.project]
    .some((field) => field.toLowerCase().includes(filter))) : objects;
  // A force menu being used survives the rebuild, with its choice.
  const chosen = {};
  for (const select of document.querySelectorAll("#objects select")) chosen[select.dataset.object] = select.value;
  const projects = new Map();
  for (const object of shown) {
    if (!projects.has(object.project)) projects.set(object.project, []);
    projects.get(object.project).push(object);
  }
  const sections = [];
  for (const [project, members] of projects) {
    const rows = members.map((o) => h("tr", { id: `object-${o.id}`, "data-status": o.status },
      h("td", {}, o.object), h("td", { className: "id" }, o.id), h("td", { className: "object-status" }, status(o.status)),
      h("td", { className: "time" }, when(o.created_at)), h("td", {}, metadata(o.metadata)), h("td", {}, timeline(o)),
      h("td", {}, forceControl(o, chosen[o.id]))));
    sections.push(h("h3", {}, `project ${project} (${members.length})`),
      table(["kind", "id", "status", "created", "metadata", "timeline", "force along the legal path"], rows));
  }
  document.getElementById("objects-count").textContent = `${shown.length} of ${objects.length} objects`;
  replace("objects", ...(sections.length ? sections : [h("p", {}, "No objects.")]));
}

function renderEvents(events) {
  const rows = events.slice(0, SHOWN).map((e) => h("tr", {},
    h("td", { className: "time" }, when(e.created_at)), h("td", {}, e.type), h("td", { className: "id" }, e.data.id ?? ""),
    h("td", {}, e.project), h("td", { className: "id" }, e.id),
    h("td", {}, h("button", { type: "button", "data-resend": e.id,
      onclick: () => act(`resend ${e.id}`, "POST", `/webhooks/events/${encodeURIComponent(e.id)}/resend`) }, "Resend"))));
  replace("events", events.length ? table(["created", "type", "object", "project", "event", ""], rows)
    : h("p", {}, "No events yet."), more(events.length));
}

function renderDeliveries(attempts) {
  const open = new Set([...document.querySelectorAll("#deliveries details[open]")].map((d) => d.dataset.attempt));
  const items = attempts.slice(0, SHOWN).map((a) => {
    const outcome = a.response ? `${a.response.status}` : `error: ${a.error}`;
    const retry = a.next_retry_at === null ? "no retry" : `next retry ${when(a.next_retry_at)}`;
    const headers = Object.entries(a.request.headers).map(([name, value]) => `${name}: ${value}`).join("\n");
    return h("details", { "data-attempt": a.id, open: open.has(a.id) },
      h("summary", {}, `${when(a.attempted_at)} ${a.event_type} → ${a.url} · attempt ${a.attempt} · `,
        h("span", { className: a.succeeded ? "ok" : "bad" }, outcome), ` · ${a.duration_ms.toFixed(1)} ms · ${retry}`),
      h("p", {}, `event ${a.event_id}, object ${a.object_id}, endpoint ${a.endpoint_id}, webhook-id ${a.webhook_id}`),
      h("h3", {}, "Request headers"), h("pre", {}, headers),
      h("h3", {}, "Request body"), h("pre", { className: "delivery-body" }, pretty(a.request.body)),
      a.response ? [h("h3", {}, `Response ${a.response.status}`), h("pre", {}, a.response.body)]
        : [h("h3", {}, "Error"), h("pre", { className: "bad" }, a.error)]);
  });
  replace("deliveries", ...(items.length ? items : [h("p", {}, "No delivery attempts yet.")]), more(attempts.length));
}

function renderRequests(entries) {
  const rows = entries.slice(0, SHOWN).map((r) => h("tr", {},
    h("td", { className: "time" }, when(r.at)), h("td", {}, r.method), h("td", { className: "id" }, r.path + (r.query ? `?${r.query}` : "")),
    h("td", {}, r.status === 0 ? "dropped" : r.status), h("td", {}, r.project ?? ""), h("td", {}, r.duration_ms.toFixed(1)),
    h("td", {}, r.body === null ? "" : h("pre", {}, pretty(r.body)))));
  replace("requests", entries.length ? table(["at", "method", "path", "status", "project", "ms", "body"], rows)
    : h("p", {}, "No requests match."), more(entries.length));
}

function renderFaults(faults) {
  const rows = faults.map((f) => h("tr", {}, h("td", { className: "id" }, f.id), h("td", {}, f.method ?? "any"),
    h("td", {}, f.path), h("td", {}, f.status ?? ""), h("td", {}, f.delay ?? ""), h("td", {}, f.drop ? "yes" : ""),
    h("td", {}, f.rate), h("td", {}, f.remaining ?? "unlimited"), h("td", {}, f.hits)));
  replace("faults", faults.length ? table(["id", "method", "path", "status", "delay s", "drop", "rate", "remaining",
    "hits"], rows) : h("p", {}, "No faults in force."));
}

function mask(secret) {
  // Enough to tell two secrets apart, never enough to sign with.
  return secret.length > 10 ? `${secret.slice(0, 6)}…${secret.slice(-4)}` : "…";
}

function renderEndpoints(endpoints) {
  const rows = endpoints.map((e) => h("tr", {}, h("td", { className: "id" }, e.id), h("td", {}, e.url),
    h("td", { className: "id secret" }, mask(e.secret)), h("td", {}, e.events ? e.events.join(", ") : "every type"),
    h("td", {}, e.project ?? "every project"), h("td", {}, e.enabled ? "yes" : `no (${e.disabled_reason ?? ""})`),
    h("td", {}, e.source)));
  replace("endpoints", endpoints.length ? table(["id", "url", "secret", "events", "project", "enabled", "source"], rows)
    : h("p", {}, "No webhook endpoints."));
}

// -- the poll ---------------------------------------------------------------------------------------------------------

function journalQuery() {
  const params = new URLSearchParams();
  for (const name of ["method", "path", "status"]) {
    const value = document.getElementById(`requests-${name}`).value.trim();
    if (value) params.set(name, value);
  }
  const query = params.toString();
  return query ? `/requests?${query}` : "/requests";
}

const SECTIONS = [
  ["clock", () => "/clock", renderClock, false],
  ["objects", () => "/objects", renderObjects, true],
  ["events", () => "/webhooks/events", renderEvents, true],
  ["deliveries", () => "/webhooks/deliveries", renderDeliveries, true],
  ["requests", journalQuery, renderRequests, true],
  ["faults", () => "/faults", renderFaults, true],
  ["endpoints", () => "/webhooks/endpoints", renderEndpoints, true],
];

async function refresh(force) {
  clearTimeout(timer);
  const mine = ++generation;
  const started = performance.now();
  let delay = POLL_MS;
  try {
    const texts = await Promise.all(SECTIONS.map(([, path]) => call("GET", path())));
    delay = Math.max(POLL_MS, (performance.now() - started) * BACKOFF);
    showMain();
    await loadEventTypes();
    SECTIONS.forEach(([name, path, render, isList], index) => {
      const key = path() + texts[index];
      if (!force && seen[name] === key) return;
      seen[name] = key;
      const data = JSON.parse(texts[index]);
      render(isList ? data.data : data);
    });
    const every = delay > POLL_MS ? `every ${(delay / 1000).toFixed(1)} s (reads are slow)` : "every second";
    document.getElementById("live").textContent =
      `Live: polls the control API ${every}; last read ${new Date().toLocaleTimeString()}.`;
    document.getElementById("problem").hidden = true;
    if (!loaded) {
      loaded = true;
      // How long the first complete page took from navigation (what the bench reads).
      document.documentElement.dataset.loadedMs = performance.now().toFixed(1);
    }
  } catch (error) {
    if (error instanceof Unauthorized) { showLogin(Boolean(token)); return; }
    const problem = document.getElementById("problem");
    problem.textContent = `Cannot read the control API: ${error.message}`;
    problem.hidden = false;
  }
  if (mine === generation) timer = setTimeout(refresh, delay);
}

function showMain() {
  document.getElementById("login").hidden = true;
  document.getElementById("main").hidden = false;
}

function showLogin(refused) {
  clearTimeout(timer);
  document.getElementById("main").hidden = true;
  document.getElementById("login").hidden = false;
  document.getElementById("login-refused").hidden = !refused;
  for (const key of Object.keys(seen)) delete seen[key];
}

document.addEventListener("DOMContentLoaded", () => {
  takeFragmentToken();
  window.addEventListener("hashchange", () => { takeFragmentToken(); refresh(true); });
  document.getElementById("login").addEventListener("submit", (event) => {
    event.preventDefault();
    token = document.getElementById("login-token").value;
    sessionStorage.setItem(TOKEN_KEY, token);
    refresh(true);
  });
  document.getElementById("advance").addEventListener("submit", (event) => {
    event.preventDefault();
    const seconds = Number(document.getElementById("advance-seconds").value);
    act(`advance ${seconds} s`, "POST", "/clock/advance", { seconds });
  });
  document.getElementById("reset").addEventListener("click", () => act("reset", "POST", "/reset"));
  document.getElementById("trigger").addEventListener("submit", (event) => {
    event.preventDefault();
    const type = document.getElementById("trigger-type").value;
    act(`trigger ${type}`, "POST", "/webhooks/trigger", { type });
  });
  document.getElementById("objects-filter").addEventListener("input", () => { delete seen.objects; refresh(); });
  document.getElementById("requests-filters").addEventListener("input", () => refresh());
  document.getElementById("requests-filters").addEventListener("submit", (event) => event.preventDefault());
  refresh(true);
});
