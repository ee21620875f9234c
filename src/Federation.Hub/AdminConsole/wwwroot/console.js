// The coalition console: a page of the hub for administrators. It signs in at the hub's own token endpoint (client
// credentials, scope federation.admin) and calls the hub's HTTP/JSON routes with that token, so it can do exactly what
// fedctl admin can, audited the same way. Everything shown comes from members or administrators, so it is only ever
// written as text (textContent), never as markup.
"use strict";

const state = { token: null, auditToken: "" };
const $ = (id) => document.getElementById(id);

async function api(path, options = {}) {
  const response = await fetch(path, {
    ...options,
    credentials: "omit",
    headers: { "Authorization": "Bearer " + state.token, "Content-Type": "application/json", ...(options.headers || {}) },
  });
  const text = await response.text();
  const body = text ? JSON.parse(text) : {};
  if (!response.ok) {
    throw new Error(body.message || ("HTTP " + response.status));
  }
  return body;
}

function row(table, cells) {
  const tr = document.createElement("tr");
  for (const cell of cells) {
    const td = document.createElement("td");
    if (cell instanceof Node) {
      td.appendChild(cell);
    } else {
      td.textContent = cell === undefined || cell === null ? "" : String(cell);
    }
    tr.appendChild(td);
  }
  table.tBodies[0].appendChild(tr);
  return tr;
}

function button(label, action) {
  const b = document.createElement("button");
  b.textContent = label;
  b.addEventListener("click", action);
  return b;
}

function clear(table) { table.tBodies[0].replaceChildren(); }
function shortEnum(value, prefix) { return String(value || "").replace(prefix, "").toLowerCase().replaceAll("_", " "); }
function time(value) { return value ? value.replace("T", " ").replace(/\.\d+Z$/, "Z") : ""; }
function status(text, bad) { const s = $("status"); s.textContent = text; s.className = bad ? "error" : ""; }

// Asks for a reason (and, for an overturn, whether to list the hash as benign); resolves to null when cancelled.
function askReason(title, withBenign) {
  return new Promise((resolve) => {
    const dialog = $("reason-dialog");
    $("reason-title").textContent = title;
    $("reason-text").value = "";
    $("reason-benign").checked = false;
    $("benign-label").hidden = !withBenign;
    dialog.onclose = () => resolve(dialog.returnValue === "ok" ? { reason: $("reason-text").value.trim(), benign: $("reason-benign").checked } : null);
    dialog.showModal();
  });
}

async function signIn(event) {
  event.preventDefault();
  $("sign-in-error").textContent = "";
  const form = new URLSearchParams({
    grant_type: "client_credentials",
    client_id: $("client-id").value.trim(),
    client_secret: $("client-secret").value,
    scope: "federation.admin",
  });
  // credentials "omit": a refused secret is answered 401 with a Basic challenge (RFC 6749 5.2), on which a browser would
  // otherwise open its own password prompt instead of handing the answer to this page.
  const response = await fetch("/connect/token", { method: "POST", body: form, credentials: "omit" });
  const body = await response.json().catch(() => ({}));
  if (!response.ok || !body.access_token) {
    $("sign-in-error").textContent = body.error_description || body.error || ("Sign-in failed (HTTP " + response.status + ")");
    return;
  }
  state.token = body.access_token;
  $("client-secret").value = "";
  $("who").textContent = "Signed in as " + form.get("client_id");
  $("sign-in").hidden = true;
  $("tabs").hidden = false;
  $("sign-out").hidden = false;
  await show("members");
}

function signOut() {
  state.token = null;
  location.reload();
}

async function show(tab) {
  for (const section of document.querySelectorAll(".tab")) section.hidden = section.id !== tab;
  for (const b of document.querySelectorAll("#tabs button")) b.classList.toggle("active", b.dataset.tab === tab);
  status("");
  try {
    if (tab === "members") await loadMembers();
    if (tab === "quarantine") await loadQuarantine();
    if (tab === "audit") { state.auditToken = ""; clear($("audit-table")); await loadAudit(); }
    if (tab === "report") await loadReport();
  } catch (e) {
    status(e.message, true);
  }
}

async function loadMembers() {
  const [members, stats] = await Promise.all([api("/v1/members?pageSize=500"), api("/v1/stats")]);
  $("stats").textContent = `${stats.activeMembers || 0} active, ${stats.suspendedMembers || 0} suspended, ${stats.removedMembers || 0} removed members; ` +
    `${stats.quarantinedSignals || 0} signals in quarantine, ${stats.overturnedTotal || 0} overturned; ${stats.auditEvents || 0} audit events.`;
  const table = $("members-table");
  clear(table);
  for (const m of members.members || []) {
    const state = shortEnum(m.status, "MEMBER_STATUS_");
    const actions = document.createElement("span");
    if (state === "active") actions.appendChild(button("Suspend", () => memberAction(m.memberId, "suspend")));
    if (state === "suspended") actions.appendChild(button("Reinstate", () => memberAction(m.memberId, "reinstate")));
    const tr = row(table, [m.memberId, m.displayName, state, (m.scopes || []).join(" "), (m.sharingGroups || []).join(" "), time(m.createdAt), actions]);
    tr.children[2].className = "status-" + state;
  }
}

async function memberAction(memberId, action) {
  const answer = await askReason(`${action === "suspend" ? "Suspend" : "Reinstate"} member ${memberId}`, false);
  if (!answer) return;
  try {
    await api(`/v1/members/${encodeURIComponent(memberId)}:${action}`, { method: "POST", body: JSON.stringify({ reason: answer.reason }) });
    status(`${memberId}: ${action === "suspend" ? "suspended (its open streams ended)" : "reinstated"}`);
    await loadMembers();
  } catch (e) {
    status(e.message, true);
  }
}

async function loadQuarantine() {
  const [list, disputed] = await Promise.all([api("/v1/governance/quarantined"), api("/v1/governance/disputed")]);
  const table2 = $("disputed-table");
  clear(table2);
  $("disputed-empty").hidden = (disputed.signals || []).length > 0;
  for (const s of disputed.signals || []) {
    const o = s.opinions || {};
    const actions = document.createElement("span");
    if (s.status !== "SIGNAL_STATUS_QUARANTINED") actions.appendChild(button("Quarantine", () => govern(s, "quarantine")));
    actions.appendChild(button("Overturn", () => govern(s, "overturn")));
    const tr = row(table2, [s.recordId, shortEnum(s.status, "SIGNAL_STATUS_"), `${o.confirmed || 0} / ${o.disputed || 0} / ${o.falsePositive || 0}`,
      s.corroborationCount || 0, time(s.lastSeen), actions]);
    tr.children[0].className = "mono";
  }

  const table = $("quarantine-table");
  clear(table);
  const signals = list.signals || [];
  $("quarantine-empty").hidden = signals.length > 0;
  for (const q of signals) {
    const s = q.signal;
    const o = s.opinions || {};
    const actions = document.createElement("span");
    actions.appendChild(button("Release", () => govern(s, "release")));
    actions.appendChild(button("Overturn", () => govern(s, "overturn")));
    const tr = row(table, [s.recordId, time(q.since), shortEnum(q.trigger, "QUARANTINE_TRIGGER_"),
      `${o.confirmed || 0} / ${o.disputed || 0} / ${o.falsePositive || 0}`, s.corroborationCount || 0, q.reason, actions]);
    tr.children[0].className = "mono";
  }
}

async function govern(signal, action) {
  const verb = { release: "Release", overturn: "Overturn", quarantine: "Quarantine" }[action];
  const answer = await askReason(`${verb} ${signal.recordId}`, action === "overturn");
  if (!answer) return;
  try {
    // keyId: keyed identifier types are named by their key id too.
    const body = { signal: { type: signal.type, value: signal.value, keyId: signal.keyId || "" }, sharingGroup: signal.sharingGroup || "", reason: answer.reason };
    if (action === "overturn") body.addToBenign = answer.benign;
    const result = await api(`/v1/governance/signals:${action}`, { method: "POST", body: JSON.stringify(body) });
    status({
      release: `${signal.recordId}: released, active again`,
      quarantine: `${signal.recordId}: quarantined`,
      overturn: `${signal.recordId}: overturned; ${result.actingMembers || 0} member(s) that acted on it are told`,
    }[action]);
    await loadQuarantine();
  } catch (e) {
    status(e.message, true);
  }
}

async function loadAudit() {
  const page = await api(`/v1/auditEvents?pageSize=200&pageToken=${encodeURIComponent(state.auditToken)}`);
  const chain = $("chain");
  chain.textContent = page.chainVerified ? "Hash chain verified for every entry shown." : "Hash chain BROKEN on this page: an entry was altered or removed.";
  chain.className = page.chainVerified ? "ok" : "bad";
  const table = $("audit-table");
  for (const e of page.events || []) row(table, [e.sequence, time(e.time), e.actor, e.action, e.subject, e.detail]);
  state.auditToken = page.nextPageToken || "";
  $("audit-more").hidden = !state.auditToken;
}

async function loadReport(event) {
  if (event) event.preventDefault();
  const today = new Date().toISOString().slice(0, 10);
  if (!$("report-from").value) $("report-from").value = new Date(Date.now() - 29 * 86400000).toISOString().slice(0, 10);
  if (!$("report-to").value) $("report-to").value = today;
  const report = (await api(`/v1/governance/report?fromDate=${$("report-from").value}&toDate=${$("report-to").value}&includeSvgChart=true`)).report || {};
  const chart = $("report-chart");
  chart.src = "data:image/svg+xml;charset=utf-8," + encodeURIComponent(report.svgChart || "");
  chart.hidden = !report.svgChart;
  const t = report.totals || {};
  const o = t.opinions || {};
  const sum = (key) => (t.types || []).reduce((n, x) => n + Number(x[key] || 0), 0);
  const table = $("report-table");
  clear(table);
  const figures = [
    ["New signals", sum("created")], ["Corroborations", sum("corroborated")],
    ["Opinions: confirmed / disputed / false positive", `${o.confirmed || 0} / ${o.disputed || 0} / ${o.falsePositive || 0}`],
    ["Contributions withdrawn", t.withdrawn || 0], ["Signals retracted", t.retracted || 0], ["Quarantined", t.quarantined || 0],
    ["Released", t.released || 0], ["Overturned", t.overturned || 0], ["Rejected items", t.rejected || 0],
    ["Delivery p50 / p99 (ms)", `${(t.delivery || {}).p50Ms || 0} / ${(t.delivery || {}).p99Ms || 0}`],
    [`Members with at least ${report.minMemberContributions} contributions`, (report.members || []).map((m) => `${m.memberId} (${m.contributions})`).join(", ")],
    ["Other members (contributions)", `${report.otherMembers || 0} (${report.otherMemberContributions || 0})`],
  ];
  for (const [name, value] of figures) row(table, [name, value]);
}

document.addEventListener("DOMContentLoaded", () => {
  $("sign-in-form").addEventListener("submit", (e) => signIn(e).catch((err) => { $("sign-in-error").textContent = err.message; }));
  $("sign-out").addEventListener("click", signOut);
  for (const b of document.querySelectorAll("#tabs button")) b.addEventListener("click", () => show(b.dataset.tab));
  $("audit-more").addEventListener("click", () => loadAudit().catch((e) => status(e.message, true)));
  $("report-form").addEventListener("submit", (e) => loadReport(e).catch((err) => status(err.message, true)));
});
