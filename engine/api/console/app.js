// The operator console: one page whose sections show by the signed-in
// role's permissions. Every value from the server is set as text, never as
// markup.
"use strict";

let me = null;        // the signed-in session: name, role, permissions, csrf
let events = null;    // the live alert stream
const alerts = new Map(); // alert id -> its card

const $ = (id) => document.getElementById(id);

function say(text, bad) {
  const m = $("message");
  m.textContent = text || "";
  m.className = bad ? "bad" : "";
}

async function call(method, path, body, contentType) {
  const headers = {};
  if (me && me.csrf && method !== "GET") headers["X-CSRF-Token"] = me.csrf;
  let payload;
  if (body !== undefined) {
    if (contentType) { headers["Content-Type"] = contentType; payload = body; }
    else { headers["Content-Type"] = "application/json"; payload = JSON.stringify(body); }
  }
  const res = await fetch(path, { method, headers, body: payload, credentials: "same-origin" });
  if (res.status === 204) return null;
  const data = await res.json().catch(() => ({}));
  if (res.status === 401 && path !== "/api/login") { signedOut("Your session has ended: sign in again."); }
  if (!res.ok) throw new Error(data.error || res.statusText);
  return data;
}

const can = (p) => me && me.permissions.includes(p);

function show() {
  $("login-view").hidden = !!me;
  $("who").hidden = !me;
  $("operator-view").hidden = !can("view-alerts");
  $("investigator-view").hidden = !can("search-reads");
  $("authoriser-view").hidden = !can("approve-searches");
  $("auditor-view").hidden = !can("read-audit");
  $("admin-view").hidden = !(can("manage-users") || can("manage-cameras") || can("manage-hotlists"));
  if (!me) return;
  $("who-name").textContent = me.name;
  $("who-role").textContent = me.role;
  if (can("view-alerts")) { startAlerts(); loadStats(); }
  if (can("search-reads")) loadMyApprovals();
  if (can("approve-searches")) loadApprovals();
  if (can("read-audit")) loadAudit();
  if (can("manage-users")) loadAdmin();
}

function signedOut(text) {
  me = null;
  if (events) { events.close(); events = null; }
  alerts.clear();
  $("alerts").replaceChildren();
  show();
  say(text);
}

// ---- operator: live alerts ----

async function startAlerts() {
  if (events) return;
  await reloadAlerts();
  events = new EventSource("/api/alerts/events");
  events.onopen = () => { $("stream-state").textContent = "live"; reloadAlerts(); };
  events.onerror = () => { $("stream-state").textContent = "reconnecting"; };
  for (const type of ["raised", "updated", "escalated"]) {
    events.addEventListener(type, (e) => showAlert(JSON.parse(e.data), type === "raised"));
  }
  events.addEventListener("signed-out", () => signedOut("Your session has ended: sign in again."));
}

async function loadStats() {
  try {
    const st = await call("GET", "/api/alerts/stats");
    clear("stats");
    const line = (label, c) => row("stats", [label, c.alerts, c.open, c.deployed, c.misread, c.no_action, c.escalated]);
    line("all", st.total);
    for (const c of st.by_camera || []) line("camera " + c.key, c);
    for (const c of st.by_list || []) line("list " + c.key, c);
  } catch (e) { say(e.message, true); }
}

async function reloadAlerts() {
  try {
    const data = await call("GET", "/api/alerts?limit=100");
    for (const a of data.alerts.reverse()) showAlert(a, false);
  } catch (e) { say(e.message, true); }
}

function cameraText(c) {
  if (!c) return "";
  let t = c.name ? c.name + " (" + c.id + ")" : c.id;
  if (c.district) t += ", " + c.district;
  if (c.lat !== undefined) t += " at " + c.lat.toFixed(5) + ", " + c.lon.toFixed(5);
  return t;
}

function explain(a) {
  if (a.kind === "clone") {
    const c = a.clone;
    return "Suspected cloned plates: " + c.vrm + " read at " + c.earlier.camera + " and " + c.later.camera +
      " sooner apart than any one vehicle could travel between them.";
  }
  const h = a.hit;
  let t = "Read " + h.read + ": " + h.kind + " match with " + h.vrm + " on " + h.list + " (" + h.hotlist + "), priority " + h.priority;
  if (h.evidence && h.evidence.length) {
    t += ". Evidence: " + h.evidence.map((d) => d.read && d.listed ? "read " + d.read + " for " + d.listed + " at position " + d.position
      : d.read ? "extra " + d.read + " at position " + d.position : "missing " + d.listed + " at position " + d.position).join("; ");
  }
  return t;
}

function showAlert(a, fresh) {
  let card = alerts.get(a.id);
  if (!card) {
    card = $("alert-template").content.firstElementChild.cloneNode(true);
    card.id = "alert-" + a.id;
    card.dataset.id = a.id;
    wireAlert(card, a.id);
    alerts.set(a.id, card);
    $("alerts").prepend(card);
    if (a.read.patch_ref) card.querySelector(".patch").src = "/api/alerts/" + a.id + "/images/patch";
    else card.querySelector(".patch").hidden = true;
    if (a.read.overview_ref) card.querySelector(".overview").src = "/api/alerts/" + a.id + "/images/overview";
    else card.querySelector(".overview").hidden = true;
  }
  card.querySelector(".vrm").textContent = a.read.vrm;
  card.querySelector(".marker").textContent = a.kind === "clone" ? "clone" : a.hit.marker;
  card.querySelector(".state").textContent = a.state + (a.escalated ? ", escalated" : "");
  card.classList.toggle("escalated", !!a.escalated && a.state === "new");
  card.classList.toggle("done", a.state === "decided" || a.state === "closed");
  card.querySelector(".explain").textContent = explain(a);
  card.querySelector(".advice").textContent = a.hit && a.hit.action ? "Advice: " + a.hit.action : "";
  card.querySelector(".where").textContent = "Camera " + cameraText(a.camera) + ", " + new Date(a.read.captured).toLocaleString();
  let d = "";
  if (a.decision) {
    d = "Decision: " + a.decision.kind + (a.decision.resource ? " (" + a.decision.resource + ")" : "") +
      (a.decision.reason ? ": " + a.decision.reason : "") + " by " + a.decision.by;
  }
  if (a.outcome) d += ". Outcome: " + a.outcome.kind + (a.outcome.note ? " (" + a.outcome.note + ")" : "");
  card.querySelector(".decision").textContent = d;
  const decided = !!a.decision;
  card.querySelector(".actions").hidden = decided || !can("decide-alerts");
  card.querySelector(".ack").disabled = a.state !== "new";
  card.querySelector(".outcomes").hidden = !(decided && a.decision.kind === "deploy" && !a.outcome && can("decide-alerts"));
  if (fresh) say("New alert: " + a.read.vrm);
}

function wireAlert(card, id) {
  const q = (s) => card.querySelector(s);
  const act = async (path, body) => {
    try { showAlert(await call("POST", "/api/alerts/" + id + path, body), false); say(""); }
    catch (e) { say(e.message, true); }
  };
  q(".ack").onclick = () => act("/acknowledge", {});
  q(".misread").onclick = () => act("/decision", { kind: "misread" });
  q(".not-vehicle").onclick = () => act("/decision", { kind: "not-vehicle" });
  q(".no-action").onclick = () => act("/decision", { kind: "no-action", reason: q(".reason").value });
  q(".deploy").onclick = () => act("/decision", { kind: "deploy", resource: q(".resource").value });
  for (const k of ["stopped", "arrest", "nothing-found"]) {
    q("." + k).onclick = () => act("/outcome", { kind: k, note: q(".note-input").value });
  }
}

// ---- investigator ----

const isoOf = (v) => (v ? new Date(v).toISOString() : undefined);

function row(table, cells) {
  const tr = document.createElement("tr");
  for (const c of cells) {
    const td = document.createElement("td");
    if (c instanceof Node) td.append(c); else td.textContent = c === undefined || c === null ? "" : String(c);
    tr.append(td);
  }
  $(table).querySelector("tbody").append(tr);
  return tr;
}

function clear(table) { $(table).querySelector("tbody").replaceChildren(); }

function searchBody() {
  const body = {
    vrm: $("search-vrm").value, from: isoOf($("search-from").value), justification: $("search-justification").value,
    reference: $("search-reference").value,
  };
  if ($("search-to").value) body.to = isoOf($("search-to").value);
  if ($("search-camera").value) body.camera = $("search-camera").value;
  if ($("search-category").value) body.crime_category = $("search-category").value;
  if ($("search-approval").value) body.approval_id = $("search-approval").value;
  return body;
}

// exportCSV downloads the search's first page as CSV; the server records
// the export.
async function exportCSV() {
  const res = await fetch("/api/exports", {
    method: "POST", credentials: "same-origin",
    headers: { "Content-Type": "application/json", "X-CSRF-Token": me.csrf }, body: JSON.stringify(searchBody()),
  });
  if (!res.ok) { say((await res.json().catch(() => ({}))).error || res.statusText, true); return; }
  const a = document.createElement("a");
  a.href = URL.createObjectURL(await res.blob());
  a.download = "reads-" + $("search-reference").value.replace(/[^A-Za-z0-9_-]/g, "_") + ".csv";
  a.click();
  say("Exported; the export is recorded in the audit log.");
}

async function search(ev) {
  ev.preventDefault();
  const body = searchBody();
  clear("search-results");
  try {
    const data = await call("POST", "/api/searches", body);
    for (const r of data.reads) {
      let patch = "";
      if (r.patch_ref) {
        patch = document.createElement("img");
        patch.src = "/api/images/" + r.patch_ref + "?reference=" + encodeURIComponent(body.reference);
        patch.alt = "plate patch";
        patch.className = "small";
      }
      row("search-results", [new Date(r.captured).toLocaleString(), r.vrm, cameraText(r.camera_detail), r.confidence.toFixed(2), patch]);
    }
    say(data.reads.length + " reads found; the search is recorded in the audit log.");
  } catch (e) { say(e.message, true); }
}

async function askApproval(ev) {
  ev.preventDefault();
  try {
    await call("POST", "/api/approvals", {
      reference: $("approval-reference").value, crime_category: $("approval-category").value,
      justification: $("approval-justification").value, from: isoOf($("approval-from").value), to: isoOf($("approval-to").value),
    });
    say("Asked a senior authoriser.");
    loadMyApprovals();
  } catch (e) { say(e.message, true); }
}

async function loadMyApprovals() {
  try {
    const data = await call("GET", "/api/approvals");
    clear("my-approvals");
    for (const a of data.approvals) row("my-approvals", [a.ID, a.Reference, rangeText(a), a.Status]);
  } catch (e) { say(e.message, true); }
}

const rangeText = (a) => new Date(a.From).toLocaleDateString() + " to " + new Date(a.To).toLocaleDateString();

// ---- senior authoriser ----

async function loadApprovals() {
  try {
    const data = await call("GET", "/api/approvals");
    clear("approvals");
    for (const a of data.approvals) {
      const cell = document.createElement("span");
      if (a.Status === "pending") {
        for (const [label, approve] of [["Approve", true], ["Refuse", false]]) {
          const b = document.createElement("button");
          b.type = "button";
          b.textContent = label;
          b.onclick = async () => {
            try { await call("POST", "/api/approvals/" + a.ID + "/decision", { approve, note: "" }); loadApprovals(); }
            catch (e) { say(e.message, true); }
          };
          cell.append(b);
        }
      }
      row("approvals", [a.ID, a.Investigator, a.Reference, a.CrimeCategory, a.Justification, rangeText(a), a.Status, cell]);
    }
  } catch (e) { say(e.message, true); }
}

// ---- auditor ----

async function loadAudit(ev) {
  if (ev) ev.preventDefault();
  const q = new URLSearchParams();
  if ($("audit-actor").value) q.set("actor", $("audit-actor").value);
  if ($("audit-action").value) q.set("action", $("audit-action").value);
  try {
    const data = await call("GET", "/api/audit?" + q);
    clear("audit-entries");
    for (const e of data.entries) {
      const detail = Object.entries(e.detail || {}).filter(([, v]) => v !== "").map(([k, v]) => k + "=" + v).join("; ");
      row("audit-entries", [e.seq, new Date(e.time).toLocaleString(), e.actor, e.role, e.action, e.target, e.outcome, detail]);
    }
  } catch (e) { say(e.message, true); }
}

async function verifyAudit() {
  try {
    const r = await call("GET", "/api/audit/verify");
    $("verify-result").textContent = r.ok
      ? "The chain verifies: " + r.entries + " entries, intact."
      : "PROBLEMS: " + r.problems.map((p) => "line " + p.line + ": " + p.message).join("; ");
    $("verify-result").className = r.ok ? "good" : "bad";
  } catch (e) { say(e.message, true); }
}

// ---- administrator ----

async function loadAdmin() {
  try {
    const [u, c, h] = await Promise.all([call("GET", "/api/users"), call("GET", "/api/cameras"), call("GET", "/api/hotlists")]);
    clear("users"); clear("cameras"); clear("hotlists");
    for (const x of u.users) row("users", [x.Name, x.Role, x.Disabled ? "yes" : "no"]);
    for (const x of c.cameras) row("cameras", [x.id, x.name, x.district, x.lat !== undefined ? x.lat.toFixed(5) + ", " + x.lon.toFixed(5) : "", x.active ? "yes" : "no"]);
    for (const x of h.lists) row("hotlists", [x.name, x.version, x.entries, new Date(x.loaded).toLocaleString()]);
  } catch (e) { say(e.message, true); }
}

async function addUser(ev) {
  ev.preventDefault();
  try {
    await call("POST", "/api/users", { name: $("user-name").value, role: $("user-role").value, password: $("user-password").value });
    say("User added."); loadAdmin();
  } catch (e) { say(e.message, true); }
}

async function putCamera(ev) {
  ev.preventDefault();
  const id = $("camera-id").value;
  try {
    await call("PUT", "/api/cameras/" + encodeURIComponent(id), {
      id, name: $("camera-name").value, district: $("camera-district").value,
      lat: parseFloat($("camera-lat").value), lon: parseFloat($("camera-lon").value), active: $("camera-active").checked,
    });
    say("Camera " + id + " saved.");
    loadAdmin();
  } catch (e) { say(e.message, true); }
}

async function loadHotlist(ev) {
  ev.preventDefault();
  const f = $("hotlist-file").files[0];
  const type = f.name.toLowerCase().endsWith(".json") ? "application/json" : "text/csv";
  try {
    const r = await call("PUT", "/api/hotlists/" + encodeURIComponent($("hotlist-name").value), await f.text(), type);
    say("Loaded version " + r.version + ": " + r.accepted + " entries, " + r.rejected_rows + " rows rejected.");
    loadAdmin();
  } catch (e) { say(e.message, true); }
}

// ---- sign in and out ----

async function login(ev) {
  ev.preventDefault();
  try {
    me = await call("POST", "/api/login", { name: $("login-name").value, password: $("login-password").value });
    $("login-form").reset();
    say("");
    show();
  } catch (e) { say(e.message, true); }
}

async function logout() {
  try { await call("POST", "/api/logout", {}); } catch (e) { /* signed out either way */ }
  signedOut("Signed out.");
}

document.addEventListener("DOMContentLoaded", async () => {
  $("login-form").onsubmit = login;
  $("logout").onclick = logout;
  $("search-form").onsubmit = search;
  $("search-export").onclick = exportCSV;
  $("approval-form").onsubmit = askApproval;
  $("audit-form").onsubmit = loadAudit;
  $("audit-verify").onclick = verifyAudit;
  $("user-form").onsubmit = addUser;
  $("hotlist-form").onsubmit = loadHotlist;
  $("camera-form").onsubmit = putCamera;
  $("stats-panel").ontoggle = () => { if ($("stats-panel").open) loadStats(); };
  try { me = await call("GET", "/api/me"); } catch (e) { me = null; say(""); }
  show();
});
