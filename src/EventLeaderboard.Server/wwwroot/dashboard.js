// The dashboard: plain JS against the public HTTP API, nothing else.
// The live top N follows the board's Server-Sent Events stream. EventSource cannot send an
// Authorization header, so the stream is read with fetch() and parsed here; when the stream is
// unavailable the page falls back to polling.
"use strict";

const TOP_SIZE = 20;
const state = { key: localStorage.getItem("leaderboard.apiKey") || "", board: null, abort: null, poll: null, refreshTimer: null, lastEventId: null };
const $ = (id) => document.getElementById(id);

function headers(extra) {
  const h = Object.assign({ Accept: "application/json" }, extra || {});
  if (state.key) h.Authorization = "Bearer " + state.key;
  return h;
}

async function api(path, init) {
  const response = await fetch(path, Object.assign({ headers: headers() }, init || {}));
  const body = await response.json().catch(() => null);
  if (!response.ok) {
    const message = body && (body.detail || body.title) ? (body.detail || body.title) : response.statusText;
    throw Object.assign(new Error(message), { status: response.status });
  }
  return body;
}

function showError(element, error) {
  element.textContent = error.status === 401 || error.status === 403
    ? "Not allowed: enter an API key with the read role above."
    : "Error: " + error.message;
  element.classList.add("error");
}

function fillRows(tbody, entries, highlight, previous) {
  tbody.replaceChildren(...entries.map((e) => {
    const row = document.createElement("tr");
    row.dataset.player = e.playerId;
    for (const value of [e.rank, e.playerId, e.score]) {
      const cell = document.createElement("td");
      cell.textContent = value;
      row.append(cell);
    }
    if (highlight && e.playerId === highlight) row.classList.add("me");
    if (previous && previous.get(e.playerId) !== `${e.rank}:${e.score}`) row.classList.add("flash");
    return row;
  }));
}

async function loadBoards() {
  const status = $("boards-status");
  status.classList.remove("error");
  status.textContent = "loading…";
  try {
    const { items } = await api("/v1/leaderboards");
    status.textContent = items.length ? "" : "No boards yet.";
    $("boards").replaceChildren(...items.map((b) => {
      const li = document.createElement("li");
      const button = document.createElement("button");
      button.textContent = `${b.displayName || b.boardId} (${b.playerCount})`;
      button.dataset.board = b.boardId;
      button.addEventListener("click", () => selectBoard(b.boardId));
      li.append(button);
      return li;
    }));
  } catch (error) {
    showError(status, error);
  }
}

async function selectBoard(boardId) {
  stopLive();
  state.board = boardId;
  state.lastEventId = null;
  for (const b of document.querySelectorAll("#boards button")) b.classList.toggle("selected", b.dataset.board === boardId);
  $("board-panel").hidden = false;
  $("board-title").textContent = boardId;
  $("around").hidden = true;
  $("search-status").textContent = "";
  try {
    const board = await api(`/v1/leaderboards/${encodeURIComponent(boardId)}`);
    $("board-info").textContent = `${board.sortOrder}, ${board.updatePolicy}`;
  } catch (error) {
    showError($("live-state"), error);
    return;
  }
  await refreshTop();
  startLive(boardId);
}

async function refreshTop(minSequence) {
  const boardId = state.board;
  if (!boardId) return;
  const query = new URLSearchParams({ limit: TOP_SIZE });
  if (minSequence) query.set("minSequence", minSequence);
  try {
    const top = await api(`/v1/leaderboards/${encodeURIComponent(boardId)}/top?${query}`);
    if (boardId !== state.board) return;
    const tbody = document.querySelector("#top tbody");
    const previous = new Map([...tbody.rows].map((r) => [r.dataset.player, `${r.cells[0].textContent}:${r.cells[2].textContent}`]));
    fillRows(tbody, top.entries, null, previous.size ? previous : null);
    $("board-sequence").textContent = top.sequence;
    $("board-total").textContent = top.total;
  } catch (error) {
    showError($("live-state"), error);
  }
}

// Many events can arrive per second; one refresh per burst is enough for a page.
function scheduleRefresh(sequence) {
  clearTimeout(state.refreshTimer);
  state.refreshTimer = setTimeout(() => refreshTop(sequence), 100);
}

function stopLive() {
  if (state.abort) state.abort.abort();
  state.abort = null;
  clearInterval(state.poll);
  state.poll = null;
}

async function startLive(boardId) {
  const controller = new AbortController();
  state.abort = controller;
  const live = $("live-state");
  live.classList.remove("error");
  try {
    const h = headers({ Accept: "text/event-stream" });
    if (state.lastEventId) h["Last-Event-ID"] = state.lastEventId;
    const response = await fetch(`/v1/leaderboards/${encodeURIComponent(boardId)}/stream`, { headers: h, signal: controller.signal });
    if (!response.ok || !response.body) throw Object.assign(new Error(response.statusText), { status: response.status });
    live.textContent = "live";
    await readEvents(response.body, (event) => {
      if (event.id) state.lastEventId = event.id;
      let sequence = null;
      try { sequence = JSON.parse(event.data).sequence; } catch { /* heartbeat or comment */ }
      if (event.data) scheduleRefresh(sequence);
    });
    if (!controller.signal.aborted) setTimeout(() => state.board === boardId && startLive(boardId), 1000);
  } catch (error) {
    if (controller.signal.aborted) return;
    // No stream (older server, a proxy that buffers): poll instead.
    live.textContent = "polling";
    state.poll = setInterval(() => refreshTop(), 1000);
  }
}

// A minimal Server-Sent Events parser (the text/event-stream format of the HTML standard).
async function readEvents(body, onEvent) {
  const reader = body.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = "";
  let event = { data: "" };
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return;
    buffer += value;
    let newline;
    while ((newline = buffer.indexOf("\n")) >= 0) {
      const line = buffer.slice(0, newline).replace(/\r$/, "");
      buffer = buffer.slice(newline + 1);
      if (line === "") {
        if (event.data || event.id) onEvent(event);
        event = { data: "" };
      } else if (!line.startsWith(":")) {
        const colon = line.indexOf(":");
        const field = colon < 0 ? line : line.slice(0, colon);
        const text = colon < 0 ? "" : line.slice(colon + 1).replace(/^ /, "");
        if (field === "data") event.data += (event.data ? "\n" : "") + text;
        else if (field === "id") event.id = text;
        else if (field === "event") event.type = text;
      }
    }
  }
}

$("key-form").addEventListener("submit", (e) => {
  e.preventDefault();
  state.key = $("api-key").value.trim();
  localStorage.setItem("leaderboard.apiKey", state.key);
  loadBoards();
  if (state.board) selectBoard(state.board);
});

$("search-form").addEventListener("submit", async (e) => {
  e.preventDefault();
  const playerId = $("player-id").value.trim();
  const status = $("search-status");
  status.classList.remove("error");
  if (!playerId || !state.board) return;
  try {
    const around = await api(`/v1/leaderboards/${encodeURIComponent(state.board)}/players/${encodeURIComponent(playerId)}/around?above=5&below=5`);
    fillRows(document.querySelector("#around tbody"), around.entries, playerId, null);
    $("around").hidden = false;
    status.textContent = `${around.total} players`;
  } catch (error) {
    $("around").hidden = true;
    if (error.status === 404) status.textContent = `${playerId} is not on this board.`;
    else showError(status, error);
  }
});

$("api-key").value = state.key;
loadBoards();
