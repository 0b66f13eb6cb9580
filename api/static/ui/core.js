// The UI's shared parts: elements, the API client, words for codes and values, formats, the session's state.
// Every screen module imports what it needs from here; nothing here knows a screen.

export const POLL_MS = 1000;

/** The session's state, shared by every screen. */
export const state = {
  me: null, // the signed-in user (UserOut)
  vocab: null, // GET /api/vocabulary: {record_status: {code: 中文}, upload_status, batch_status, role, form, …}
  renderSeq: 0, // a newer render makes an older one's late results moot
  currentProgram: null, // the ProgramDetail of the program page shown
  keepMessage: false, // a message shown just before navigating survives that one navigation
};
let timers = []; // polling timers of the current screen, cleared on every route change

// ---------------------------------------------------------------- small helpers

/** Create an element: h('button', {type: 'button', onclick: f, 'data-testid': 'x'}, '文字', child…). */
export function h(tag, props = {}, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(props ?? {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k === 'class') el.className = v;
    else if (k.startsWith('on') && typeof v === 'function') el.addEventListener(k.slice(2), v);
    else if (k === 'value') el.value = v;
    else if (k === 'checked') el.checked = !!v;
    else if (v === true) el.setAttribute(k, '');
    else el.setAttribute(k, String(v));
  }
  for (const c of children.flat(Infinity)) {
    if (c === null || c === undefined || c === false) continue;
    el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return el;
}

export const $view = () => document.getElementById('view');
/** el.replaceChildren(…) that skips null/undefined/false (replaceChildren would print them as text). */
export const put = (el, ...children) => el.replaceChildren(
  ...children.flat(Infinity).filter((c) => c !== null && c !== undefined && c !== false),
);
export const text = (v) => (v === null || v === undefined ? '' : String(v));

/** The words for `code` in the vocabulary `kind` (record_status, upload_status, batch_status, role, form,
 * input_kind, value_flag). A code the vocabulary lacks is a defect (tests/test_ui_vocabulary.py): it shows as
 * 未知 rather than as a code. */
export function say(kind, code) {
  if (code === null || code === undefined) return '';
  const words = state.vocab[kind][code];
  if (words === undefined) console.warn(`/api/vocabulary ${kind} has no words for ${code}`);
  return words === undefined ? '未知' : words;
}

// ---- dates and numbers in words. A record's values come with their words from the API (`shown` beside each
// value, docgen.values.shown — the one rule the records export uses too); these two serve the UI's own dates
// (a task's due date, the board's today) and counts.

export const num = (n) => Number(n).toLocaleString('zh-CN');

/** `2019-04-23` → 2019年4月23日 */
export function showDate(n) {
  const [y, m, d] = n.split('-').map(Number);
  return `${y}年${m}月${d}日`;
}

let fieldSeq = 0; // ids for labelled controls
export const uid = (p) => `${p}-${++fieldSeq}`;

/** A labelled control: returns [label, control] with the label tied to the control's id. */
export function labelled(labelText, control) {
  if (!control.id) control.id = uid('f');
  return h('div', { class: 'field' }, h('label', { for: control.id }, labelText), control);
}

export function showMessage(msg, kind = 'alert', { keep = false } = {}) { // kind: alert (red) or info
  state.keepMessage = keep;
  const box = document.getElementById('message');
  box.textContent = msg;
  box.className = `message ${kind}`;
  box.hidden = !msg;
}
export const clearMessage = () => showMessage('');

export class ApiError extends Error {
  constructor(status, detail, body) {
    super(detail);
    this.status = status;
    this.body = body;
  }
}

/** The API's Chinese `detail`: a string, or FastAPI's list of validation errors (each with `msg`). */
export function detailText(body, status) {
  const d = body?.detail;
  if (typeof d === 'string') return d;
  if (Array.isArray(d)) return d.map((e) => e.msg).join('；');
  if (status === 401) return '请先登录。';
  if (status === 403) return '没有权限进行此操作。';
  if (status === 404) return '未找到。';
  if (status === 413) return '文件太大。';
  return `请求失败（${status}）。`;
}

/** The session's CSRF token: the server sets it in the `docgen_csrf` cookie at login (docs/security.md). */
export function csrfToken() {
  const m = document.cookie.match(/(?:^|;\s*)docgen_csrf=([^;]*)/);
  return m ? decodeURIComponent(m[1]) : '';
}

export async function api(path, { method = 'GET', json, form, quiet401 = false } = {}) {
  const opts = { method, credentials: 'same-origin', headers: { Accept: 'application/json' } };
  // every write carries the token in a header: a page of another site cannot add one (it would need CORS)
  if (!['GET', 'HEAD'].includes(method)) opts.headers['X-CSRF-Token'] = csrfToken();
  if (json !== undefined) {
    opts.headers['Content-Type'] = 'application/json';
    opts.body = JSON.stringify(json);
  } else if (form) {
    opts.body = form;
  }
  let res;
  try {
    res = await fetch(path, opts);
  } catch {
    throw new ApiError(0, '无法连接服务器，请检查网络后重试。');
  }
  const isJson = String(res.headers.get('content-type')).includes('json');
  const body = isJson ? await res.json().catch(() => null) : await res.text();
  if (!res.ok) {
    if (res.status === 401 && !quiet401 && location.hash !== '#/login') {
      state.me = null;
      showHeader();
      location.hash = '#/login';
    }
    if (res.status === 403 && res.headers.get('X-Docgen-Must-Change-Password') && state.me) {
      state.me.must_change_password = true; // an admin reset the password meanwhile: app.js leads to 我的账号
      if (location.hash !== '#/me') location.hash = '#/me';
    }
    throw new ApiError(res.status, detailText(isJson ? body : null, res.status), body);
  }
  return body;
}

/** The school names of one side of a pair (PairOut.supporting / .supported). */
export const names = (side) => side.join('、');

export function fmtSeconds(s) {
  if (s === null || s === undefined || !Number.isFinite(Number(s))) return '估算中…';
  s = Math.max(0, Math.round(Number(s)));
  if (s < 60) return `约 ${s} 秒`;
  const m = Math.floor(s / 60);
  return m < 60 ? `约 ${m} 分 ${s % 60} 秒` : `约 ${Math.floor(m / 60)} 小时 ${m % 60} 分`;
}

export function fmtTime(t) {
  if (!t) return '';
  // The API sends UTC with its offset ("2026-11-23T04:42:00Z"); a naive time (an older server) is UTC too.
  // Shown in local time.
  const iso = typeof t === 'string' && /T\d\d:\d\d(:\d\d(\.\d+)?)?$/.test(t) ? `${t}Z` : t;
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return text(t);
  const p = (n) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}`;
}

export function fmtSize(n) {
  if (!Number.isFinite(n)) return '';
  return n < 1024 ? `${n} B` : n < 1048576 ? `${(n / 1024).toFixed(0)} KB` : `${(n / 1048576).toFixed(1)} MB`;
}

export function table(headers, rows, props = {}) {
  return h('table', props,
    h('thead', {}, h('tr', {}, headers.map((x) => h('th', { scope: 'col' }, x)))),
    h('tbody', {}, rows));
}

/** Draw only the newest answer: `const ask = newestOnly();` then per load `const mine = ask(); await api(…);
 * if (!mine()) return;`. A list asked for again before its answer came (a filter changed twice, a date input
 * firing change twice, a poll during a send) would otherwise draw an older answer over a newer one, or redraw
 * under the user's hand. */
export function newestOnly() {
  let last = 0;
  return () => {
    const mine = ++last;
    return () => mine === last;
  };
}

export function every(ms, fn) {
  const t = setInterval(fn, ms);
  timers.push(t);
  return t;
}

export function stopTimers() {
  timers.forEach(clearInterval);
  timers = [];
}

// What a role may do (api/services/accounts.py); the only place the UI names role codes.
export const isStaff = () => state.me && state.me.role !== 'school'; // bureau staff: admin or read-only
export const isAdmin = () => state.me && state.me.role === 'admin'; // programs, rosters, batches
export const canWrite = () => state.me && state.me.role !== 'readonly'; // uploads and corrections
export const needsSchool = (role) => role === 'school'; // a school account is given its school (账号)

// ---------------------------------------------------------------- header

export function showHeader() {
  const box = document.querySelector('[data-testid="user-box"]');
  box.hidden = !state.me;
  if (!state.me) return;
  box.querySelector('[data-testid="user-name"]').textContent = state.me.username;
  const role = say('role', state.me.role);
  box.querySelector('[data-testid="user-role"]').textContent = state.me.school_name ? `${role} · ${state.me.school_name}` : role;
  box.querySelector('[data-testid="nav-accounts"]').hidden = !isAdmin(); // ui/accounts.js
}

/** ProgramDetail in one line: 结对 14 组 · 协议：… */
export function programSummary(program) {
  return [
    `结对 ${program.pairs} 组`,
    program.agreements.length ? `协议：${program.agreements.map((a) => a.title).join('、')}` : null,
  ].filter(Boolean).join(' · ');
}
