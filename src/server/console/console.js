import { api, ApiError } from './api.js';

// The console: a sessions table that follows the event stream, and a detail view whose
// buttons write with If-Match, so nobody acts on a session that changed behind their back.

const $ = (id) => document.getElementById(id);
const state = { offset: 0, total: 0, open: undefined, openButtonId: undefined, events: undefined };
// At most one list request in flight; events arriving meanwhile cause one more, not one each.
let refreshing = false;
let refreshAgain = false;

function show(text, kind = 'error') {
  const box = $('message');
  box.textContent = text;
  box.className = `message ${kind}`;
  box.hidden = false;
}

function clearMessage() {
  $('message').hidden = true;
}

function describe(error) {
  if (!(error instanceof ApiError)) return `The server could not be reached (${error.message}).`;
  const problem = error.problem;
  if (!problem) return `The server answered HTTP ${error.status}.`;
  const fields = (problem.errors ?? []).map((issue) => `${issue.path} ${issue.message}`).join('; ');
  return `${problem.title} (${error.status}): ${problem.detail}${fields ? ` [${fields}]` : ''}`;
}

/** The list query: every named field of the filter form (search hooks included) plus paging. */
function listQuery() {
  const query = Object.fromEntries(new FormData($('filters')));
  return { ...query, db_connection_id: query.db_connection_id.trim(), offset: state.offset };
}

function statusBadge(status) {
  const badge = document.createElement('span');
  badge.className = `status status-${status}`;
  badge.textContent = status;
  return badge;
}

function cell(row, content) {
  const td = row.insertCell();
  if (typeof content === 'string') td.textContent = content;
  else td.append(content);
  return td;
}

function renderRows(page) {
  const rows = $('rows');
  rows.replaceChildren();
  for (const session of page.sessions) {
    const row = rows.insertRow();
    row.dataset.sessionId = session.id;
    const open = document.createElement('button');
    open.type = 'button';
    open.id = `open-${session.id}`;
    open.textContent = session.id;
    open.setAttribute('aria-label', `Open session ${session.id}${session.title ? `, ${session.title}` : ''}`);
    open.addEventListener('click', () => openDetail(session.id, open.id));
    cell(row, open);
    cell(row, session.db_connection_id);
    cell(row, statusBadge(session.status)).dataset.status = session.status;
    cell(row, session.mode);
    cell(row, session.title ?? '—');
    cell(row, session.updated_at);
  }
  state.total = page.total;
  const first = page.total === 0 ? 0 : page.offset + 1;
  const last = page.offset + page.sessions.length;
  $('summary').textContent = page.total === 0 ? 'No sessions match.' : `Sessions ${first}–${last} of ${page.total}`;
  $('previous').disabled = page.offset === 0;
  $('next').disabled = last >= page.total;
}

async function refresh() {
  if (refreshing) {
    refreshAgain = true;
    return;
  }
  refreshing = true;
  try {
    do {
      refreshAgain = false;
      const page = await api.list(listQuery());
      if (page.sessions.length === 0 && page.offset > 0 && page.total > 0) {
        state.offset = Math.max(0, page.total - Number(page.limit)); // the page emptied: step back
        refreshAgain = true;
        continue;
      }
      renderRows(page);
    } while (refreshAgain);
  } catch (error) {
    if (error instanceof ApiError && error.status === 401) return showLogin();
    show(describe(error));
  } finally {
    refreshing = false;
  }
}

function follow() {
  state.events?.close();
  const events = api.events(listQuery().db_connection_id);
  state.events = events;
  $('connection').textContent = 'Connecting to live updates…';
  events.onopen = () => ($('connection').textContent = 'Live: updates as sessions change');
  events.onmessage = (message) => {
    const event = JSON.parse(message.data);
    void refresh();
    if (state.open?.id === event.session.id) {
      if (event.type === 'deleted') closeDetail(`Session ${event.session.id} was deleted.`);
      else void loadDetail(event.session.id);
    }
  };
  events.onerror = () => {
    $('connection').textContent = 'Reconnecting to live updates…';
    // A refused stream (say, the login expired) is not retried by the browser: find out why.
    if (events.readyState === EventSource.CLOSED) void refresh();
  };
}

function renderDetail(session) {
  $('detail-title').textContent = `Session ${session.id}`;
  const fields = $('detail-fields');
  fields.replaceChildren();
  for (const name of ['id', 'db_connection_id', 'status', 'mode', 'recursion_limit', 'title', 'created_at', 'updated_at']) {
    const dt = document.createElement('dt');
    dt.textContent = name;
    const dd = document.createElement('dd');
    if (name === 'status') dd.append(statusBadge(session.status));
    else dd.textContent = session[name] === null ? 'null' : String(session[name]);
    fields.append(dt, dd);
  }
  $('detail-metadata').textContent = JSON.stringify(session.metadata, null, 2);
  $('pause').disabled = !['active', 'running'].includes(session.status);
  $('resume').disabled = session.status !== 'paused';
}

async function loadDetail(id) {
  try {
    const { data, etag } = await api.get(id);
    state.open = { id, etag };
    renderDetail(data);
    $('detail').hidden = false;
  } catch (error) {
    if (error instanceof ApiError && error.status === 404) closeDetail(`Session ${id} no longer exists.`);
    else show(describe(error));
  }
}

async function openDetail(id, buttonId) {
  state.openButtonId = buttonId;
  clearMessage();
  await loadDetail(id);
  $('detail-title').focus();
}

function closeDetail(message) {
  state.open = undefined;
  $('detail').hidden = true;
  if (message) show(message, 'info');
  document.getElementById(state.openButtonId ?? '')?.focus();
}

/** Runs a write on the open session with If-Match; a 412 says plainly what happened. */
async function act(name, write, done) {
  const open = state.open;
  if (!open) return;
  try {
    await write(open.id, open.etag);
    show(done(open.id), 'info');
    if (name === 'delete') closeDetail();
    else await loadDetail(open.id);
  } catch (error) {
    if (error instanceof ApiError && error.status === 412) {
      show(`Not done: session ${open.id} changed since it was shown (412 Precondition Failed). The details now show its current state; check them and try again.`);
      await loadDetail(open.id);
    } else if (error instanceof ApiError && error.status === 404) {
      closeDetail(`Session ${open.id} no longer exists.`);
    } else show(describe(error));
  }
  void refresh();
}

async function stopAll() {
  const db = listQuery().db_connection_id;
  if (!db) return show('Type a DB connection in the filter first: the emergency stop pauses the sessions of one DB connection.');
  try {
    const { data } = await api.pauseAll(db);
    show(`Paused the sessions of DB connection ${db}. ${data ? JSON.stringify(data) : ''}`, 'info');
  } catch (error) {
    if (error instanceof ApiError && (error.status === 404 || error.status === 405)) {
      show(`This server cannot pause all sessions of a DB connection: POST /api/v1/agent-sessions/pause is not available (HTTP ${error.status}). Pause sessions one by one instead.`);
    } else show(describe(error));
  }
  void refresh();
}

function showLogin() {
  state.events?.close();
  $('sessions').hidden = true;
  $('detail').hidden = true;
  $('logout').hidden = true;
  $('login').hidden = false;
  $('connection').textContent = 'Not logged in';
  $('login-key').focus();
}

async function start() {
  const auth = await api.auth().catch(() => ({ login_required: false }));
  $('logout').hidden = !auth.login_required;
  $('login').hidden = true;
  $('sessions').hidden = false;
  await refresh();
  if (!$('sessions').hidden) follow();
}

function wire() {
  $('login-form').addEventListener('submit', async (event) => {
    event.preventDefault();
    try {
      await api.login($('login-key').value);
      $('login-key').value = '';
      clearMessage();
      await start();
    } catch (error) {
      show(error instanceof ApiError && error.status === 401 ? 'That key was refused. Check it and try again.' : describe(error));
    }
  });
  $('logout').addEventListener('click', async () => {
    await api.logout().catch(() => undefined);
    showLogin();
  });
  $('filters').addEventListener('submit', (event) => {
    event.preventDefault();
    state.offset = 0;
    clearMessage();
    void refresh();
    follow();
  });
  $('stop-all').addEventListener('click', () => void stopAll());
  $('previous').addEventListener('click', () => {
    state.offset = Math.max(0, state.offset - Number($('filter-limit').value));
    void refresh();
  });
  $('next').addEventListener('click', () => {
    state.offset += Number($('filter-limit').value);
    void refresh();
  });
  $('pause').addEventListener('click', () => act('pause', api.pause, (id) => `Paused session ${id}.`));
  $('resume').addEventListener('click', () => act('resume', api.resume, (id) => `Resumed session ${id}.`));
  $('delete').addEventListener('click', () => {
    if (confirm(`Delete session ${state.open?.id}? This cannot be undone.`)) void act('delete', api.remove, (id) => `Deleted session ${id}.`);
  });
  $('close').addEventListener('click', () => closeDetail());
  $('detail').addEventListener('keydown', (event) => {
    if (event.key === 'Escape') closeDetail();
  });
}

wire();
void start();
