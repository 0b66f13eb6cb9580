// 结对帮扶文书服务 — the web UI. Plain ES module, no build step, no third-party code.
// Screens (hash routes): #/login, #/programs, #/programs/<id>/<tab>, #/records/<id>.
// Every request goes to the same origin's /api; the session is a cookie set by /api/auth/login.
// The UI binds to the API's response models (api/schemas.py, OpenAPI at /docs): it reads the fields they
// declare and shows every code (a status, a role, a form kind, a value's flag) in the words of
// GET /api/vocabulary — it holds no list of codes or labels of its own.

const POLL_MS = 1000;

const TABS = [
  ['roster', '花名册'], ['names', '学校全称'], ['batch', '批量生成'], ['uploads', '上传回收表'], ['review', '审核'],
  ['export', '导出'],
];

let me = null; // the signed-in user (UserOut)
let vocab = null; // GET /api/vocabulary: {record_status: {code: 中文}, upload_status, batch_status, role, form, …}
let timers = []; // polling timers of the current screen, cleared on every route change
let renderSeq = 0; // a newer render makes an older one's late results moot

// ---------------------------------------------------------------- small helpers

/** Create an element: h('button', {type: 'button', onclick: f, 'data-testid': 'x'}, '文字', child…). */
function h(tag, props = {}, ...children) {
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

const $view = () => document.getElementById('view');
/** el.replaceChildren(…) that skips null/undefined/false (replaceChildren would print them as text). */
const put = (el, ...children) => el.replaceChildren(
  ...children.flat(Infinity).filter((c) => c !== null && c !== undefined && c !== false),
);
const text = (v) => (v === null || v === undefined ? '' : String(v));

/** The words for `code` in the vocabulary `kind` (record_status, upload_status, batch_status, role, form,
 * input_kind, value_flag). A code the vocabulary lacks is a defect (tests/test_ui_vocabulary.py): it shows as
 * 未知 rather than as a code. */
function say(kind, code) {
  if (code === null || code === undefined) return '';
  const words = vocab[kind][code];
  if (words === undefined) console.warn(`/api/vocabulary ${kind} has no words for ${code}`);
  return words === undefined ? '未知' : words;
}

// ---- normalised values as a person reads them: one function per value type (docgen.forms.ValueType), keyed
// by the `type` each value carries (docgen.extraction.Value; shapes in docs/extraction.md)

const num = (n) => Number(n).toLocaleString('zh-CN');

/** `2019-04-23` → 2019年4月23日; a range → 2019年4月18日至4月20日; a partial {year?, month?, day?} → 2019年4月. */
function showDate(n) {
  if (typeof n === 'string') {
    const [y, m, d] = n.split('-').map(Number);
    return `${y}年${m}月${d}日`;
  }
  if ('start' in n) {
    const [start, end] = [showDate(n.start), showDate(n.end)];
    const sameYear = n.start.slice(0, 4) === n.end.slice(0, 4);
    return `${start}至${sameYear ? end.replace(/^\d+年/, '') : end}`;
  }
  return [n.year && `${n.year}年`, n.month && `${n.month}月`, n.day && `${n.day}日`].filter(Boolean).join('');
}

/** {amount, unit, approximate, max?} → 约45人次, 200–300人次 */
const showCount = (n) => `${n.approximate ? '约' : ''}${num(n.amount)}${'max' in n ? `–${num(n.max)}` : ''}${n.unit === null ? '' : n.unit}`;

/** {items: [{kind, amount, unit, value?}]} → 资金 20,000元、图书 500册（价值 5,000元）; no items → 无 */
function showMoney(n) {
  if (!n.items.length) return '无';
  return n.items.map((i) => `${i.kind} ${num(i.amount)}${i.unit}${'value' in i ? `（价值 ${num(i.value)}元）` : ''}`).join('、');
}

const SHOW_VALUE = {
  date: showDate, count: showCount, money_goods: showMoney, integer: num,
  phone: String, name: String, school: String, text: String,
};

/** A value's normalised form in words; '' when it could not be normalised (its flags say why) or when its type is
 * unknown (a record read before values carried a type). */
function showNormalized(v) {
  const show = SHOW_VALUE[v.type];
  return v.normalized === null || !show ? '' : show(v.normalized);
}

let fieldSeq = 0;
const uid = (p) => `${p}-${++fieldSeq}`;

/** A labelled control: returns [label, control] with the label tied to the control's id. */
function labelled(labelText, control) {
  if (!control.id) control.id = uid('f');
  return h('div', { class: 'field' }, h('label', { for: control.id }, labelText), control);
}

let keepMessage = false; // a message shown just before navigating survives that one navigation

function showMessage(msg, kind = 'alert', { keep = false } = {}) { // kind: alert (red) or info
  keepMessage = keep;
  const box = document.getElementById('message');
  box.textContent = msg;
  box.className = `message ${kind}`;
  box.hidden = !msg;
}
const clearMessage = () => showMessage('');

class ApiError extends Error {
  constructor(status, detail, body) {
    super(detail);
    this.status = status;
    this.body = body;
  }
}

/** The API's Chinese `detail`: a string, or FastAPI's list of validation errors (each with `msg`). */
function detailText(body, status) {
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
function csrfToken() {
  const m = document.cookie.match(/(?:^|;\s*)docgen_csrf=([^;]*)/);
  return m ? decodeURIComponent(m[1]) : '';
}

async function api(path, { method = 'GET', json, form, quiet401 = false } = {}) {
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
      me = null;
      showHeader();
      location.hash = '#/login';
    }
    throw new ApiError(res.status, detailText(isJson ? body : null, res.status), body);
  }
  return body;
}

/** The school names of one side of a pair (PairOut.supporting / .supported). */
const names = (side) => side.join('、');

function fmtSeconds(s) {
  if (s === null || s === undefined || !Number.isFinite(Number(s))) return '估算中…';
  s = Math.max(0, Math.round(Number(s)));
  if (s < 60) return `约 ${s} 秒`;
  const m = Math.floor(s / 60);
  return m < 60 ? `约 ${m} 分 ${s % 60} 秒` : `约 ${Math.floor(m / 60)} 小时 ${m % 60} 分`;
}

function fmtTime(t) {
  if (!t) return '';
  // The API sends UTC with its offset ("2026-11-23T04:42:00Z"); a naive time (an older server) is UTC too.
  // Shown in local time.
  const iso = typeof t === 'string' && /T\d\d:\d\d(:\d\d(\.\d+)?)?$/.test(t) ? `${t}Z` : t;
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return text(t);
  const p = (n) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}`;
}

function fmtSize(n) {
  if (!Number.isFinite(n)) return '';
  return n < 1024 ? `${n} B` : n < 1048576 ? `${(n / 1024).toFixed(0)} KB` : `${(n / 1048576).toFixed(1)} MB`;
}

function table(headers, rows, props = {}) {
  return h('table', props,
    h('thead', {}, h('tr', {}, headers.map((x) => h('th', { scope: 'col' }, x)))),
    h('tbody', {}, rows));
}

function every(ms, fn) {
  const t = setInterval(fn, ms);
  timers.push(t);
  return t;
}

function stopTimers() {
  timers.forEach(clearInterval);
  timers = [];
}

// What a role may do (api/services/accounts.py); the only place the UI names role codes.
const isStaff = () => me && me.role !== 'school'; // bureau staff: admin or read-only
const isAdmin = () => me && me.role === 'admin'; // programs, rosters, batches
const canWrite = () => me && me.role !== 'readonly'; // uploads and corrections

// ---------------------------------------------------------------- header and routing

function showHeader() {
  const box = document.querySelector('[data-testid="user-box"]');
  box.hidden = !me;
  if (!me) return;
  box.querySelector('[data-testid="user-name"]').textContent = me.username;
  const role = say('role', me.role);
  box.querySelector('[data-testid="user-role"]').textContent = me.school_name ? `${role} · ${me.school_name}` : role;
}

async function logout() {
  try {
    await api('/api/auth/logout', { method: 'POST', quiet401: true });
  } catch { /* the session is gone either way */ }
  me = null;
  showHeader();
  showMessage('已退出。', 'info', { keep: true });
  location.hash = '#/login';
}

async function route() {
  stopTimers();
  const seq = ++renderSeq;
  const parts = location.hash.replace(/^#\/?/, '').split('/').filter(Boolean).map(decodeURIComponent);
  if (!me && parts[0] !== 'login') {
    try {
      me = await api('/api/me', { quiet401: true });
    } catch {
      me = null;
    }
    if (!me) {
      showHeader();
      location.hash = '#/login';
      return;
    }
  }
  if (me && !vocab) {
    try {
      vocab = await api('/api/vocabulary'); // once per page load: the words of every code shown
    } catch (e) {
      put($view(), h('p', { class: 'muted' }, '无法显示此页面。'));
      showMessage(e.message);
      return;
    }
  }
  showHeader();
  if (seq !== renderSeq) return;
  const view = $view();
  put(view, h('p', { class: 'muted' }, '加载中…'));
  try {
    if (parts[0] === 'login') renderLogin(view);
    else if (parts[0] === 'programs' && parts[1]) await renderProgram(view, parts[1], parts[2] ?? 'roster', seq);
    else if (parts[0] === 'records' && parts[1]) await renderRecord(view, parts[1], seq);
    else await renderPrograms(view, seq);
  } catch (e) {
    if (seq !== renderSeq) return;
    put(view, h('p', { class: 'muted' }, '无法显示此页面。'));
    showMessage(e.message);
  }
}

// ---------------------------------------------------------------- 1. 登录

function renderLogin(view) {
  document.title = '登录 — 结对帮扶文书服务';
  const user = h('input', { name: 'username', autocomplete: 'username', required: true, 'data-testid': 'login-username' });
  const pass = h('input', {
    name: 'password', type: 'password', autocomplete: 'current-password', required: true,
    'data-testid': 'login-password',
  });
  const form = h('form', { class: 'card login', 'data-testid': 'login-form' },
    h('h1', {}, '登录'),
    labelled('用户名', user),
    labelled('密码', pass),
    h('button', { type: 'submit', class: 'primary', 'data-testid': 'login-submit' }, '登录'));
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    clearMessage();
    try {
      const res = await api('/api/auth/login', {
        method: 'POST', json: { username: user.value.trim(), password: pass.value }, quiet401: true,
      });
      me = res; // UserOut; the header is drawn by the route, once the vocabulary is loaded
      location.hash = '#/programs';
    } catch (e) {
      showMessage(e.message);
      pass.select();
    }
  });
  put(view, form);
  user.focus();
}

// ---------------------------------------------------------------- 2. 项目列表 + 新建项目

async function renderPrograms(view, seq) {
  document.title = '项目 — 结对帮扶文书服务';
  const programs = await api('/api/programs');
  if (seq !== renderSeq) return;
  const rows = programs.map((p) => h('tr', {},
    h('td', {}, h('a', { href: `#/programs/${encodeURIComponent(p.id)}/roster`, 'data-testid': 'program-link' },
      p.name)),
    h('td', {}, p.key),
    h('td', { class: 'time' }, fmtTime(p.created_at))));
  const list = programs.length
    ? table(['项目名称', '项目代号', '创建时间'], rows, { 'data-testid': 'program-list' })
    : h('p', { class: 'muted', 'data-testid': 'program-list' }, isStaff() ? '还没有项目。请在下方上传项目文件新建。' : '暂无您学校参与的项目。');
  const parts = [h('h1', {}, '项目'), list];
  if (isAdmin()) parts.push(newProgramForm());
  put(view, ...parts);
}

function newProgramForm() {
  const file = h('input', { type: 'file', accept: '.yaml,.yml', required: true, 'data-testid': 'program-file' });
  const form = h('form', { class: 'card', 'data-testid': 'program-form' },
    h('h2', {}, '新建项目'),
    h('p', { class: 'muted' }, '上传项目文件（program.yaml：项目名称、两地教育局、协议种类、任务清单）。'),
    labelled('项目文件', file),
    h('button', { type: 'submit', class: 'primary', 'data-testid': 'program-create' }, '上传并新建'));
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    clearMessage();
    if (!file.files.length) return showMessage('请选择项目文件。');
    const fd = new FormData();
    fd.append('file', file.files[0]);
    try {
      const p = await api('/api/programs', { method: 'POST', form: fd });
      showMessage(`已新建项目：${p.name}`, 'info', { keep: true });
      location.hash = `#/programs/${encodeURIComponent(p.id)}/roster`;
    } catch (e) {
      showMessage(e.message);
    }
  });
  return form;
}

// ---------------------------------------------------------------- 3–7. 项目页（分页签）

let currentProgram = null;

/** ProgramDetail in one line: 结对 14 组 · 协议：… */
function programSummary(program) {
  return [
    `结对 ${program.pairs} 组`,
    program.agreements.length ? `协议：${program.agreements.map((a) => a.title).join('、')}` : null,
  ].filter(Boolean).join(' · ');
}

async function renderProgram(view, id, tab, seq) {
  const program = await api(`/api/programs/${encodeURIComponent(id)}`);
  if (seq !== renderSeq) return;
  currentProgram = program;
  const title = program.name;
  document.title = `${title} — 结对帮扶文书服务`;
  const visible = TABS.filter(([k]) => isStaff() || k === 'uploads' || k === 'review' || k === 'roster');
  if (!visible.some(([k]) => k === tab)) tab = visible[0][0]; // its buttons would only answer 403/404
  const nav = h('nav', { class: 'tabs', 'aria-label': '项目功能' },
    visible.map(([k, label]) => h('a', {
      href: `#/programs/${encodeURIComponent(id)}/${k}`, class: k === tab ? 'active' : '',
      'aria-current': k === tab ? 'page' : null, 'data-testid': `tab-${k}`,
    }, label)));
  const body = h('section', { class: 'tab-body', 'data-testid': `screen-${tab}` });
  put(view,
    h('p', { class: 'crumbs' }, h('a', { href: '#/programs' }, '项目'), ' / ', title),
    h('h1', { 'data-testid': 'program-title' }, title),
    h('p', { class: 'muted', 'data-testid': 'program-summary' }, programSummary(program)),
    nav, body);
  const screens = {
    roster: rosterTab, names: namesTab, batch: batchTab, uploads: uploadsTab, review: reviewTab, export: exportTab,
  };
  await (tab in screens ? screens[tab] : rosterTab)(body, id, seq);
}

// ---- 3. 花名册

async function rosterTab(body, id, seq) {
  const previewBox = h('div', { 'data-testid': 'roster-preview' });
  const pairsBox = h('div', { 'data-testid': 'pairs' });
  const parts = [];
  if (isAdmin()) {
    const file = h('input', {
      type: 'file', accept: '.xlsx,.xls,.ods,.csv,.txt,.docx,.pdf,.jpg,.jpeg,.png', required: true,
      'data-testid': 'roster-file',
    });
    const form = h('form', { class: 'card', 'data-testid': 'roster-form' },
      h('h2', {}, '导入花名册'),
      h('p', { class: 'muted' },
        '支持 Excel、CSV、通知原文（.txt，如“A与B结对；”）以及县区返回的安排表。选择文件后先显示预览：',
        '可以检查每列的含义、有问题的行和与当前结对的差别，确认后才导入。有错误的行不导入，其余照常导入。'),
      labelled('花名册文件', file),
      h('button', { type: 'submit', class: 'primary', 'data-testid': 'roster-import' }, '预览'));
    const start = async () => {
      clearMessage();
      if (!file.files.length) return showMessage('请选择花名册文件。');
      const fd = new FormData();
      fd.append('file', file.files[0]);
      put(previewBox, h('p', { class: 'muted', 'data-testid': 'preview-busy' }, '正在读取花名册…'));
      try {
        const preview = await api(`/api/programs/${encodeURIComponent(id)}/roster/preview`, { method: 'POST', form: fd });
        showPreview(previewBox, pairsBox, id, preview, () => { file.value = ''; });
      } catch (e) {
        put(previewBox);
        // 422 when the file cannot be read at all: {detail, errors: [problems]}
        showMessage(e.message);
        const errs = e.status === 422 && Array.isArray(e.body?.errors) ? e.body.errors : [];
        if (errs.some((x) => x.kind)) put(previewBox, h('div', { class: 'card errors' }, problemList(errs)));
      }
    };
    form.addEventListener('submit', (ev) => { ev.preventDefault(); start(); });
    file.addEventListener('change', () => { if (file.files.length) start(); });
    parts.push(form);
  }
  put(body, ...parts, previewBox, pairsBox);
  await showPairs(pairsBox, id, null, seq);
}

/** The school names of one side of a previewed group, with each school's contact and phones when given. */
function previewSchools(side) {
  return side.map((s) => {
    const reach = [s.contact, s.phone].filter(Boolean).join(' ');
    return h('div', {}, s.name, reach ? h('span', { class: 'sub' }, reach) : null);
  });
}

/** The classes of a row from its problems' severities (sev-<severity>: red for an error, amber for a warning). */
const severities = (problems) => [...new Set(problems.map((x) => `sev-${x.severity}`))].join(' ');

const rowText = (row) => (row === null || row === undefined ? '整个文件' : `第${row}行`);

/** Problems as a clerk reads them: 第N行 / 列 / 值 / 原因 (the kind in words, then the reason). */
function problemList(problems) {
  const rows = problems.map((p) => h('tr', { class: `sev-${p.severity}`, 'data-testid': 'preview-problem' },
    h('td', { class: 'num' }, rowText(p.row)),
    h('td', {}, [p.sheet, p.column].filter(Boolean).join(' · ')),
    h('td', {}, text(p.value)),
    h('td', {}, h('strong', {}, say('roster_severity', p.severity)), ' ', say('roster_problem', p.kind), '：', p.message)));
  return h('div', { class: 'scroll' }, table(['行', '列', '值', '原因'], rows, { 'data-testid': 'preview-problems' }));
}

/** The preview of a roster file (RosterPreviewOut): summary, difference, column mapping, groups, problems. */
function showPreview(box, pairsBox, id, p, done) {
  const c = p.counts;
  const base = `/api/programs/${encodeURIComponent(id)}/roster`;
  const byRow = new Map(); // row → its problems
  for (const x of p.problems) {
    if (x.row === null || x.row === undefined) continue;
    byRow.set(x.row, [...(byRow.get(x.row) ?? []), x]);
  }
  let busy = false;
  const again = async (overrides) => { // re-read the kept file under another mapping
    if (busy) return;
    busy = true;
    box.querySelectorAll('select, button').forEach((el) => { el.disabled = true; });
    box.prepend(h('p', { class: 'muted', 'data-testid': 'preview-busy' }, '正在按新的列设置重新识别…'));
    try {
      const next = await api(`${base}/preview/${encodeURIComponent(p.preview_id)}`, { method: 'POST', json: { overrides } });
      showPreview(box, pairsBox, id, next, done);
    } catch (e) {
      showMessage(e.message);
      showPreview(box, pairsBox, id, p, done);
    }
  };

  const summary = [`${c.groups} 组可导入`, `${c.error_rows} 行有错误不导入`, `${c.warnings} 条提醒`];
  if (c.notes) summary.push(`${c.notes} 行已忽略`);
  const parts = [
    h('h2', {}, '导入预览：', p.file_name),
    h('p', { class: 'summary', 'data-testid': 'preview-summary' }, summary.join('，')),
  ];

  if (c.current > 0 && c.groups > 0) { // a file with no group is refused: it would change nothing
    const line = `与当前 ${c.current} 组结对相比：新增 ${c.added} 组，移除 ${c.removed} 组，变更 ${c.changed} 组`
      + (c.relabelled ? `，序号变化 ${c.relabelled} 组` : '');
    const who = (g) => `${g.label} ${names(g.supporting)} — ${names(g.supported)}`;
    const items = [
      ...p.diff.added.map((g) => h('li', { class: 'diff-new' }, `新增 ${who(g)}${g.restored ? '（曾被移除，恢复）' : ''}`)),
      ...p.diff.removed.map((g) => h('li', { class: 'diff-gone' }, `移除 ${who(g)}（其记录与文书保留）`)),
      ...p.diff.changed.map((g) => h('li', { class: 'diff-change' }, `变更 ${who(g)}：`,
        g.changes.map((x) => `${x.school ? `${x.school} ` : ''}${x.label} “${x.before}” → “${x.after}”`).join('；'))),
    ];
    parts.push(h('div', { class: 'diff', 'data-testid': 'preview-diff' },
      h('p', { 'data-testid': 'preview-diff-summary' }, line),
      items.length ? h('ul', { 'data-testid': 'preview-diff-list' }, items) : null));
  }

  for (const t of p.tables) {
    const heads = t.columns.map((col) => {
      const select = h('select', {
        'data-testid': 'column-role', 'data-table': t.table, 'data-index': col.index,
        'aria-label': `第 ${col.index + 1} 列“${col.header}”的含义`,
        onchange: () => {
          const overrides = structuredClone(p.overrides);
          overrides[t.table] = { ...(overrides[t.table] ?? {}), [col.index]: select.value };
          again(overrides);
        },
      }, p.roles.map((r) => h('option', { value: r.role, selected: r.role === col.role }, r.label)));
      select.value = col.role;
      return h('th', { scope: 'col', class: col.overridden ? 'overridden' : '' },
        h('div', { class: 'col-header' }, col.header || `第 ${col.index + 1} 列`), select);
    });
    parts.push(h('div', { class: 'mapping', 'data-testid': 'preview-table' },
      h('h3', {}, `表：${t.table}`, t.used ? '' : `（未作为花名册读取：${t.reason}）`),
      h('p', { class: 'muted' }, '每列下方是识别出的含义；识别有误时在此改选，预览会按新的设置重新读取。'),
      h('div', { class: 'scroll' }, h('table', { class: 'columns' }, h('thead', {}, h('tr', {}, heads))))));
  }

  // the groups by source row, with the rows that will not import (their errors) in their place
  const seen = new Set(p.groups.map((g) => g.row));
  // a row with problems and no group did not import (an error, or a footer row that was ignored)
  const dropped = [...byRow.entries()].filter(([row]) => !seen.has(row));
  const lines = [
    ...p.groups.map((g) => ({ row: g.row, group: g })),
    ...dropped.map(([row, xs]) => ({ row, problems: xs })),
  ].sort((a, b) => (a.row ?? Infinity) - (b.row ?? Infinity));
  const rows = lines.map((line) => {
    const xs = line.group ? byRow.get(line.row) ?? [] : line.problems;
    const why = xs.map((x) => `${say('roster_problem', x.kind)}：${x.message}`).join('；');
    if (!line.group) {
      return h('tr', { class: severities(xs), 'data-testid': 'preview-row' },
        h('td', { class: 'num' }, rowText(line.row)), h('td', {}, '—'),
        h('td', { colspan: 4 }, xs.map((x) => [x.column, x.value].filter(Boolean).join('：')).join('；')),
        h('td', {}, '不导入'), h('td', {}, why));
    }
    const g = line.group;
    return h('tr', { class: severities(xs), 'data-testid': 'preview-row' },
      h('td', { class: 'num' }, rowText(g.row)), h('td', { class: 'num' }, g.label),
      h('td', {}, previewSchools(g.supporting)), h('td', {}, previewSchools(g.supported)),
      h('td', {}, g.stage ?? ''), h('td', {}, g.level ?? ''),
      h('td', {}, say('roster_change', g.status)), h('td', {}, why));
  });
  parts.push(h('h3', {}, '各组'), h('div', { class: 'scroll' },
    table(['行', '序号', '支援学校', '受援学校', '学段', '层级', '导入后', '问题'], rows, { 'data-testid': 'preview-groups' })));
  if (p.problems.length) {
    const more = c.problems > p.problems.length ? `（共 ${c.problems} 处，列出前 ${p.problems.length} 处）` : '';
    parts.push(h('h3', {}, `问题${more}`), problemList(p.problems));
  }

  const confirm = h('button', { type: 'button', class: 'primary', 'data-testid': 'roster-confirm', disabled: !c.groups },
    c.current ? '确认导入（替换当前结对）' : '确认导入');
  const cancel = h('button', { type: 'button', 'data-testid': 'roster-cancel' }, '取消');
  confirm.addEventListener('click', async () => {
    confirm.disabled = true;
    try {
      const res = await api(`${base}/confirm`, {
        method: 'POST', json: { preview_id: p.preview_id, diff_token: p.diff_token, confirm: true },
      });
      const left = c.error_rows ? `，${c.error_rows} 行有错误未导入` : '';
      showMessage(`已导入 ${res.pairs.length} 组结对${left}。`, 'info');
      put(box);
      done();
      await showPairs(pairsBox, id, res.pairs);
    } catch (e) {
      showMessage(e.message);
      if (e.status === 409) again(null); // the pairs changed meanwhile: show the preview against them now
      else confirm.disabled = false;
    }
  });
  cancel.addEventListener('click', async () => {
    try {
      await api(`${base}/preview/${encodeURIComponent(p.preview_id)}`, { method: 'DELETE' });
    } catch { /* gone already (expired): nothing to keep either way */ }
    put(box);
    done();
    showMessage('已取消，未导入。', 'info');
  });
  parts.push(h('div', { class: 'links actions' }, confirm, cancel,
    c.groups ? null : h('span', { class: 'muted' }, '没有可导入的结对。')));
  put(box, h('div', { class: 'card preview' }, parts));
}

async function showPairs(box, id, pairs, seq) {
  if (!pairs) pairs = await api(`/api/programs/${encodeURIComponent(id)}/pairs`);
  if (seq !== undefined && seq !== renderSeq) return;
  const summary = document.querySelector('[data-testid="program-summary"]');
  if (currentProgram && summary) {
    currentProgram.pairs = pairs.length;
    summary.textContent = programSummary(currentProgram);
  }
  if (!pairs.length) {
    put(box, h('h2', {}, '结对列表'), h('p', { class: 'muted', 'data-testid': 'pairs-count' }, '还没有结对。'));
    return;
  }
  const rows = pairs.map((p) => h('tr', {},
    h('td', { class: 'num' }, p.label),
    h('td', {}, names(p.supporting)),
    h('td', {}, names(p.supported)),
    h('td', {}, pairStage(p)),
    h('td', {}, p.level)));
  put(box,
    h('h2', {}, '结对列表 ', h('span', { class: 'count', 'data-testid': 'pairs-count' }, `共 ${pairs.length} 组`)),
    table(['序号', '支援学校', '受援学校', '学段', '层级'], rows, { 'data-testid': 'pairs-table' }));
}

/** A pair's 学段: its own, or (a roster with a 学段 column per school) the stages of its schools. */
function pairStage(p) {
  if (p.stage) return p.stage;
  return [...new Set(p.schools.map((x) => x.stage).filter(Boolean))].join('、');
}

// ---- 4. 批量生成

async function batchTab(body, id, seq) {
  const key = `docgen.batch.${id}`;
  const pdf = h('input', { type: 'checkbox', 'data-testid': 'batch-pdf' });
  const start = h('button', { type: 'button', class: 'primary', 'data-testid': 'batch-start' }, '开始生成');
  const cancel = h('button', { type: 'button', 'data-testid': 'batch-cancel', hidden: true }, '取消');
  const bar = h('progress', { max: 1, value: 0, 'data-testid': 'batch-progress', 'aria-label': '生成进度' });
  const count = h('span', { class: 'progress-count', 'data-testid': 'batch-count' }, '');
  const status = h('span', { 'data-testid': 'batch-status' }, '');
  const eta = h('span', { class: 'muted', 'data-testid': 'batch-eta' }, '');
  const proof = h('p', { class: 'muted', 'data-testid': 'batch-proof', hidden: true }, '');
  const download = h('a', { class: 'button primary', 'data-testid': 'batch-download', hidden: true }, '下载 ZIP');
  const progressBox = h('div', { class: 'progress', hidden: true }, bar, h('div', { class: 'progress-line' },
    count, status, eta, cancel, download), proof);
  const docsBox = h('div', { 'data-testid': 'documents' });
  let batchId = sessionStorage.getItem(key);
  let timer = null;
  let finishedNow = true;

  const show = (b) => { // BatchOut
    progressBox.hidden = false;
    bar.max = Math.max(b.total, 1);
    bar.value = b.done;
    const planning = b.total === 0 && !b.finished; // 0/0 until the batch's plan is made
    count.textContent = planning ? '准备中…' : `${b.done}/${b.total}`;
    const finished = b.finished;
    finishedNow = finished;
    status.className = `badge s-${b.status}`;
    status.textContent = say('batch_status', b.status);
    if (b.failed) status.textContent += `（失败 ${b.failed} 份）`;
    eta.textContent = finished ? '' : `剩余时间：${fmtSeconds(b.eta_seconds)}`;
    cancel.hidden = finished || !isAdmin();
    start.disabled = !finished;
    download.hidden = !b.archive_ready;
    if (b.archive_ready) {
      download.href = `/api/batches/${encodeURIComponent(b.id)}/download`;
      download.setAttribute('download', '');
    }
    proof.hidden = !b.proof;
    proof.textContent = b.proof ? `${b.proof}（每份文书的结果见下表“校对”列）` : '';
    if (b.error) showMessage(text(b.error));
    return finished;
  };

  const poll = async () => {
    if (!batchId) return;
    try {
      const b = await api(`/api/batches/${encodeURIComponent(batchId)}`);
      if (show(b)) {
        clearInterval(timer);
        await showDocuments(docsBox, id);
      }
    } catch (e) {
      clearInterval(timer);
      if (e.status === 404) sessionStorage.removeItem(key);
      else showMessage(e.message);
    }
  };

  start.addEventListener('click', async () => {
    clearMessage();
    start.disabled = true;
    try {
      const b = await api(`/api/programs/${encodeURIComponent(id)}/batches`, { method: 'POST', json: { pdf: pdf.checked } });
      batchId = String(b.id);
      sessionStorage.setItem(key, batchId);
      show(b);
      clearInterval(timer);
      timer = every(POLL_MS, poll);
    } catch (e) {
      start.disabled = false;
      showMessage(e.message);
    }
  });
  cancel.addEventListener('click', async () => {
    try {
      await api(`/api/batches/${encodeURIComponent(batchId)}/cancel`, { method: 'POST' });
      showMessage('已请求取消，已生成的文书会保留。', 'info');
      await poll();
    } catch (e) {
      showMessage(e.message);
    }
  });

  if (!isAdmin()) start.hidden = true;
  put(body,
    h('div', { class: 'card' },
      h('h2', {}, '批量生成协议和表格'),
      h('p', { class: 'muted' }, '为每组结对生成全部协议书和预填的空白表格（DOCX），可同时生成 PDF。'),
      h('div', { class: 'row' },
        isAdmin() ? h('label', { class: 'check' }, pdf, ' 同时生成 PDF') : null, start),
      progressBox),
    docsBox);
  if (batchId) {
    await poll();
    if (!finishedNow) timer = every(POLL_MS, poll);
  }
  if (seq === renderSeq) await showDocuments(docsBox, id);
}

async function showDocuments(box, id) {
  let docs;
  try {
    docs = await api(`/api/programs/${encodeURIComponent(id)}/documents`);
  } catch (e) {
    put(box, h('p', { class: 'muted' }, `文书列表暂不可用：${e.message}`));
    return;
  }
  if (!docs.length) {
    put(box, h('h2', {}, '文书'), h('p', { class: 'muted' }, '还没有生成文书。'));
    return;
  }
  // One row per (pair, document kind): the API lists each format (docx, pdf) as its own DocumentOut.
  const groups = new Map();
  for (const d of docs) {
    const k = `${d.pair_label}|${d.pair_removed}|${d.kind}`; // a removed pair's 05 is not the current 05
    if (!groups.has(k)) groups.set(k, { d, formats: new Map() });
    groups.get(k).formats.set(d.format, d.id);
    if (d.format === 'pdf') groups.get(k).d = d; // the PDF's proofreading covers the .docx too
  }
  const link = (docId, fmt) => h('a', {
    href: `/api/documents/${encodeURIComponent(docId)}/download?format=${fmt}`, download: '',
    'data-testid': `document-${fmt}`,
  }, fmt.toUpperCase());
  const rows = [...groups.values()].map(({ d, formats }) => h('tr', { 'data-testid': 'document-row' },
    h('td', {}, d.pair_removed ? `${d.pair_label}（已移出花名册）` : d.pair_label),
    h('td', {}, d.title, draftMark(d)),
    h('td', {}, d.file_name.split('/').pop().replace(/\.(docx|pdf)$/i, '')),
    h('td', { 'data-testid': 'document-proof' }, d.proof || '—'),
    h('td', {}, h('span', { class: 'links' }, [...formats].map(([fmt, docId]) => link(docId, fmt))))));
  put(box,
    h('h2', {}, '文书 ', h('span', { class: 'count' }, `共 ${rows.length} 份`)),
    table(['结对', '文书', '文件', '校对', '下载'], rows, { 'data-testid': 'documents-table' }));
}

// ---- 学校全称表: the full names and party organisations documents sign with (docs/school-names.md)

/** One entry's inputs (SchoolNameIn): 全称, 简称 (、-separated), 党组织名称; read-only for non-admins. */
function schoolNameInputs(entry, testid) {
  const field = (label, value, key) => labelled(label, h('input', {
    type: 'text', value, maxlength: 200, readonly: !isAdmin(), 'data-testid': `${testid}-${key}`,
  }));
  return h('div', { class: 'names-entry', 'data-testid': testid },
    field('学校全称', entry.full_name, 'full'),
    field('简称（多个用“、”分隔）', entry.short_names.join('、'), 'short'),
    field('党组织名称（可不填）', entry.party_org, 'party'));
}

/** SchoolNameIn from one names-entry box; null when its 全称 is left empty. */
function schoolNameOf(box) {
  const value = (key) => box.querySelector(`[data-testid$="-${key}"]`).value.trim();
  const full = value('full');
  if (!full) return null;
  const shorts = value('short').split(/[、，,;；]/).map((s) => s.trim()).filter(Boolean);
  return { full_name: full, short_names: shorts, party_org: value('party') };
}

async function namesTab(body, id, seq) {
  const url = `/api/programs/${encodeURIComponent(id)}/school-names`;
  const data = await api(url); // SchoolNamesOut
  if (seq !== undefined && seq !== renderSeq) return;
  const missing = data.unresolved.map((u, i) => h('div', { class: 'card names-missing', 'data-testid': 'names-missing' },
    h('p', {}, h('strong', { 'data-testid': 'names-missing-name' }, u.name), ' ',
      h('span', { class: 'muted' }, u.reason)),
    schoolNameInputs({ full_name: '', short_names: [u.name], party_org: '' }, `names-new-${i}`)));
  const kept = data.entries.map((e, i) => h('div', { class: 'card' }, schoolNameInputs(e, `names-entry-${i}`)));
  const parts = [
    h('p', { class: 'muted' }, '协议书以学校全称和党组织名称署名。花名册中像简称（如“市一中”）、占位符（如“xxx中学”）',
      '或泛称的校名，在此填写全称后，下次生成即用全称；未填写的，协议书为草稿，名称处留空待填。'),
    h('h2', {}, '尚无全称的校名 ', h('span', { class: 'count', 'data-testid': 'names-missing-count' },
      `共 ${missing.length} 个`)),
    missing.length ? missing : h('p', { class: 'muted' }, '花名册中的校名都可以直接署名。'),
    h('h2', {}, '学校全称表 ', h('span', { class: 'count' }, `共 ${kept.length} 所`)),
    kept.length ? kept : h('p', { class: 'muted' }, '表中还没有学校。'),
  ];
  if (isAdmin()) {
    const save = h('button', { type: 'button', class: 'primary', 'data-testid': 'names-save' }, '保存全称表');
    save.addEventListener('click', async () => {
      clearMessage();
      const entries = [...body.querySelectorAll('.names-entry')].map(schoolNameOf).filter(Boolean);
      try {
        const res = await api(url, { method: 'PUT', json: { entries } });
        showMessage(`已保存 ${res.entries.length} 所学校的全称；尚无全称的校名还有 ${res.unresolved.length} 个。`, 'info',
          { keep: true });
        await namesTab(body, id);
      } catch (e) {
        showMessage(e.message);
      }
    });
    parts.push(h('p', {}, save));
  }
  put(body, ...parts);
}

/** 草稿: a document made while a party's name was abbreviated or missing (DocumentOut.draft, its reasons). */
function draftMark(d) {
  return d.draft ? h('span', { class: 'badge draft', title: d.draft_reasons, 'data-testid': 'document-draft' }, '草稿')
    : null;
}

// ---- 5. 上传回收表

const READING = '正在识别。';
const READ = '识别完成，请到“审核”查看。';

async function uploadsTab(body, id, seq) {
  const input = h('input', {
    type: 'file', multiple: true, class: 'visually-hidden',
    accept: '.docx,.pdf,.jpg,.jpeg,.png,.tif,.tiff,.zip', 'data-testid': 'upload-input',
  });
  input.id = uid('upload');
  const zone = h('div', { class: 'dropzone', 'data-testid': 'upload-dropzone' },
    h('p', { class: 'big' }, '把回收的表格拖到这里'),
    h('p', { class: 'muted' }, '可一次拖入多个文件或 ZIP 压缩包：Word（.docx）、PDF、扫描件、手机照片（.jpg/.png）。'),
    h('label', { for: input.id, class: 'button' }, '或选择文件…'), input);
  const listBox = h('div', { 'data-testid': 'uploads' });
  const dupIds = new Set(); // uploads that were sent again in this visit: marked 重复
  let timer = null;

  const refresh = async () => {
    let ups;
    try {
      ups = await api(`/api/uploads?program=${encodeURIComponent(id)}`);
    } catch (e) {
      clearInterval(timer);
      timer = null;
      showMessage(e.message);
      return;
    }
    renderUploads(listBox, ups, dupIds);
    const busy = ups.some((u) => !u.finished);
    if (busy && !timer) timer = every(POLL_MS, refresh);
    if (!busy) {
      if (timer) clearInterval(timer);
      timer = null;
      const box = document.getElementById('message');
      if (!box.hidden && box.textContent.includes(READING)) box.textContent = box.textContent.replace(READING, READ);
    }
  };

  const send = async (files) => {
    if (!files.length) return;
    clearMessage();
    const fd = new FormData();
    for (const f of files) fd.append('files', f, f.name);
    zone.classList.add('busy');
    try {
      // one UploadReceived per file (ZIP members too); a refused one has `error` (its status: rejected)
      const got = await api(`/api/programs/${encodeURIComponent(id)}/uploads`, { method: 'POST', form: fd });
      const rej = got.filter((u) => u.error);
      const dups = got.filter((u) => u.duplicate && !u.error);
      const ok = got.length - rej.length - dups.length;
      for (const u of dups) dupIds.add(String(u.id));
      const parts = ok ? [`已接收 ${ok} 个文件，${READING}`] : [];
      if (dups.length) parts.push(`${dups.length} 个重复（之前已上传过，不再重复识别）：${dups.map((u) => u.name).join('、')}。`);
      if (rej.length) parts.push(`${rej.length} 个未能接收：${rej.map((u) => refusal(u)).join('；')}`);
      showMessage(parts.join(' '), rej.length ? 'alert' : 'info');
    } catch (e) {
      showMessage(e.message); // none accepted: `detail` names every file and its reason
    } finally {
      zone.classList.remove('busy');
      input.value = '';
    }
    await refresh();
  };

  input.addEventListener('change', () => send([...input.files]));
  zone.addEventListener('dragover', (ev) => {
    ev.preventDefault();
    zone.classList.add('over');
  });
  zone.addEventListener('dragleave', () => zone.classList.remove('over'));
  zone.addEventListener('drop', (ev) => {
    ev.preventDefault();
    zone.classList.remove('over');
    send([...(ev.dataTransfer?.files ?? [])]);
  });

  put(body, canWrite() ? h('div', { class: 'card' }, h('h2', {}, '上传回收表'), zone) : null, listBox);
  await refresh();
}

/** `名称（原因）` for a refused UploadReceived; the API's reason may already start with the name (`名称：…`). */
function refusal(u) {
  const reason = u.error.startsWith(`${u.name}：`) ? u.error.slice(u.name.length + 1) : u.error;
  return `${u.name}（${reason}）`;
}

function renderUploads(box, ups, dupIds = new Set()) {
  if (!ups.length) {
    put(box, h('h2', {}, '已上传'), h('p', { class: 'muted' }, '还没有上传文件。'));
    return;
  }
  const rows = ups.map((u) => { // UploadOut
    const dup = dupIds.has(String(u.id));
    return h('tr', { 'data-testid': 'upload-row', 'data-status': u.status },
      h('td', {}, u.parent_id ? h('span', { class: 'muted', title: '来自压缩包' }, '↳ ') : null, u.original_name),
      h('td', { class: 'num' }, fmtSize(u.size)),
      h('td', {}, h('span', { class: `badge s-${u.status}`, 'data-testid': 'upload-status' }, say('upload_status', u.status)),
        dup ? h('span', { class: 'badge s-duplicate', 'data-testid': 'upload-duplicate' }, '重复') : null),
      h('td', {}, u.error ? u.error : dup ? '刚才又上传了一次，内容完全相同，未重复识别' : ''),
      h('td', { class: 'time' }, fmtTime(u.created_at)),
      h('td', {}, u.record_id ? [
        // 已识别 says the reading ended; the record's own status says whether anything could be read
        h('span', { class: `badge s-${u.record_status}`, 'data-testid': 'upload-record-status' },
          say('record_status', u.record_status)),
        h('a', { href: `#/records/${encodeURIComponent(u.record_id)}`, 'data-testid': 'upload-record-link' }, '查看记录'),
      ] : null));
  });
  put(box,
    h('h2', {}, '已上传 ', h('span', { class: 'count' }, `共 ${ups.length} 个`)),
    h('div', { class: 'scroll' }, table(['文件', '大小', '状态', '说明', '上传时间', '记录'], rows,
      { 'data-testid': 'uploads-table' })));
}

// ---- 6. 审核：记录列表

async function reviewTab(body, id, seq) {
  const select = h('select', { 'data-testid': 'records-status' },
    h('option', { value: '' }, '全部'),
    Object.entries(vocab.record_status).map(([code, words]) => h('option', { value: code }, words)));
  const listBox = h('div', { 'data-testid': 'records' });
  const pairNames = new Map();
  try {
    for (const p of await api(`/api/programs/${encodeURIComponent(id)}/pairs`)) {
      pairNames.set(p.label, `${p.label} ${names(p.supporting)} — ${names(p.supported)}`);
    }
  } catch { /* the list still shows the pair labels */ }
  const pairText = (label, removed) => {
    if (!label) return '未匹配到结对';
    if (removed) return `${label}（已移出花名册）`; // its label may be another pair's now: not shown with its names
    const known = pairNames.get(label.split(/[.-]/)[0]); // a split group (03-2) is shown with its pair (03)
    return known === undefined ? label : known;
  };
  const load = async () => {
    const q = new URLSearchParams({ program: id });
    if (select.value) q.set('status', select.value);
    const recs = await api(`/api/records?${q}`);
    if (seq !== renderSeq) return;
    if (!recs.length) {
      put(listBox, h('p', { class: 'muted', 'data-testid': 'records-empty' }, '没有符合条件的记录。'));
      return;
    }
    const rows = recs.map((r) => h('tr', { 'data-testid': 'record-row' }, // RecordOut
      h('td', {}, h('a', { href: `#/records/${encodeURIComponent(r.id)}`, 'data-testid': 'record-link' },
        r.extraction.source)),
      h('td', {}, h('span', { class: `badge s-${r.status}`, 'data-testid': 'record-row-status' }, say('record_status', r.status)),
        r.notice ? [' ', h('span', { class: 'badge s-needs_review', 'data-testid': 'record-notice' }, r.notice)] : null),
      h('td', { 'data-testid': 'record-form' }, r.form ? say('form', r.form) : '未识别'),
      h('td', {}, pairText(r.pair_label, r.pair_removed)),
      h('td', { class: 'num' }, r.extraction.problems.length || ''),
      h('td', { class: 'time' }, fmtTime(r.updated_at))));
    put(listBox, h('div', { class: 'scroll' }, table(['文件', '状态', '表格', '结对', '问题数', '时间'], rows,
      { 'data-testid': 'records-table' })));
  };
  select.addEventListener('change', () => load().catch((e) => showMessage(e.message)));
  put(body, h('div', { class: 'row filter' }, labelled('状态', select)), listBox);
  await load();
}

// ---- 6. 审核：一条记录

const isCorrected = (v) => v.flags.includes('corrected'); // a person typed it (docgen.review.CORRECTED)

/** The name a problem gives the value it is about: the schema key of a field or column, or the printed label
 * of a column no schema knows (Problem.key is null then); `name#row` for a table cell. */
const problemName = (p) => {
  const name = p.key === null ? p.field : p.key;
  return p.row ? `${name}#${p.row}` : name;
};
/** The same name for table `t`'s cell in column `ci`, row `ri` (0-based). */
const cellName = (t, ci, ri) => `${t.keys.length ? t.keys[ci] : t.columns[ci]}#${ri + 1}`;

/** The problems of a record by the value they name (problemName); a problem about the whole form names none. */
function problemIndex(problems) {
  const out = new Map();
  for (const p of problems) if (p.key !== null || p.field !== null) out.set(problemName(p), p);
  return out;
}

/** Waits for a person: a problem names it, or it is less sure than the service's review threshold (served
 * with the record), or — unless a person typed it and it validated — the reader flagged a doubt. */
function isFlagged(v, problems, name, threshold) {
  if (problems.has(name) || v.confidence < threshold) return true;
  if (isCorrected(v)) return false; // a person typed it and the server accepted it as a valid value
  return v.flags.length > 0;
}

/** `tables/0/rows/1/3` → `第2行 活动时间`; `fields/filled_on` → `填报时间` (CorrectionIn.path in words). */
function pathLabel(path, ex) {
  const p = path.split('/');
  if (p[0] === 'fields') {
    const field = ex.fields[p.slice(1).join('/')];
    return field ? field.label : '（字段已不存在）';
  }
  const [ti, ri, ci] = [Number(p[1]), Number(p[3]), Number(p[4])];
  const t = ex.tables[ti];
  return `${ex.tables.length > 1 ? `表${ti + 1} ` : ''}第${ri + 1}行 ${t ? t.columns[ci] : `第${ci + 1}列`}`;
}

/** The problem that still names the value at `path` in the RecordOut the server returned, or null. */
function stillWrong(rec, path) {
  const ex = rec.extraction;
  const p = path.split('/');
  const name = p[0] === 'fields' ? p.slice(1).join('/') : cellName(ex.tables[Number(p[1])], Number(p[4]), Number(p[3]));
  const found = problemIndex(ex.problems).get(name);
  return found === undefined ? null : found;
}

async function renderRecord(view, id, seq) {
  const rec = await api(`/api/records/${encodeURIComponent(id)}`); // RecordOut
  if (seq !== renderSeq) return;
  const ex = rec.extraction; // Extraction.to_json() (docs/extraction.md)
  const threshold = rec.review_threshold; // the service's setting; no constant here
  document.title = `${ex.source} — 审核`;

  const problemKeys = problemIndex(ex.problems);
  const flagged = (v, name) => isFlagged(v, problemKeys, name, threshold);
  const pct = (v) => `${Math.round(v.confidence * 100)}%`;

  const crop = (where) => {
    const b = where.bbox;
    if (!b) return null;
    const q = new URLSearchParams({ page: where.page === null ? 1 : where.page, x0: b[0], y0: b[1], x1: b[2], y1: b[3] });
    return h('img', {
      class: 'crop', src: `/api/uploads/${encodeURIComponent(rec.upload_id)}/crop?${q}`,
      alt: '原件上此处的图像', loading: 'lazy', 'data-testid': 'crop',
    });
  };
  const whereText = (w) => {
    const place = [w.page ? `第${w.page}页` : '', w.ref].filter(Boolean).join(' ');
    return place ? `原件位置：${place}` : ''; // the file's own table/row numbers (a header row counts), not the 第N行 above
  };

  // The editor: one at a time, opened from a value's 修改 button or the 待核对 list.
  const save = async (path, value) => {
    clearMessage();
    try {
      const saved = await api(`/api/records/${encodeURIComponent(id)}`, { method: 'PATCH', json: { path, value } });
      // A value that does not validate is kept but stays flagged: say why instead of "saved".
      const still = stillWrong(saved, path);
      if (still) showMessage(`已保存，但仍需核对：${still.message}`, 'alert');
      else showMessage('已保存修改。', 'info');
      await renderRecord(view, id, renderSeq);
    } catch (e) {
      showMessage(e.message);
    }
  };
  const editor = (path, label, v, tid = 'edit') => {
    const input = h('input', { value: v.value, 'data-testid': `${tid}-input` });
    const form = h('form', { class: 'editor', 'data-testid': tid === 'edit' ? 'editor' : `${tid}-editor` },
      labelled(`改正：${label}`, input),
      h('button', { type: 'submit', class: 'primary', 'data-testid': `${tid}-save` }, '保存'),
      h('button', { type: 'button', 'data-testid': `${tid}-cancel`, onclick: () => form.remove() }, '取消'));
    form.addEventListener('submit', (ev) => {
      ev.preventDefault();
      save(path, input.value);
    });
    return [form, input];
  };
  // A table cell's editor opens in a panel under its table (a cell is too narrow for an input).
  const openEditor = (anchor, path, label, v) => {
    view.querySelectorAll('form.editor.floating').forEach((f) => f.remove());
    const [form, input] = editor(path, label, v);
    form.classList.add('floating');
    const img = crop(v.where);
    if (img) form.prepend(img);
    const slot = anchor.closest('.card').querySelector('.editor-slot');
    (slot ? slot : anchor.parentElement).append(form);
    input.focus();
    input.select();
  };
  const valueCell = (v, path, label, isFlaggedValue, testid, name) => {
    const btn = h('button', {
      type: 'button', class: 'value', title: `修改 ${label}`, 'aria-label': `修改 ${label}：${v.value}`,
      'data-testid': testid, 'data-path': path,
    }, v.value || '（空）');
    if (canWrite()) btn.addEventListener('click', () => openEditor(btn, path, label, v));
    else btn.disabled = true;
    const problem = problemKeys.get(name);
    return h('td', { class: isFlaggedValue ? 'flagged' : '', title: `置信度 ${pct(v)} ${whereText(v.where)}` },
      btn, isFlaggedValue ? h('span', { class: 'conf' }, pct(v)) : null,
      isFlaggedValue && problem && isCorrected(v) ? h('span', { class: 'reason', 'data-testid': `${testid}-reason` }, problem.message) : null,
      isCorrected(v) && !isFlaggedValue ? h('span', { class: 'corrected' }, '已改') : null);
  };

  // 待核对: every flagged value with its crop beside it and an input.
  const review = [];
  // fields are keyed by the schema's key and carry their printed label
  const fields = Object.entries(ex.fields);
  for (const [key, v] of fields) {
    if (flagged(v, key)) review.push({ path: `fields/${key}`, label: v.label, v });
  }
  const tables = ex.tables;
  tables.forEach((t, ti) => t.values.forEach((row, ri) => row.forEach((v, ci) => {
    if (flagged(v, cellName(t, ci, ri))) {
      review.push({ path: `tables/${ti}/rows/${ri}/${ci}`, label: pathLabel(`tables/${ti}/rows/${ri}/${ci}`, ex), v });
    }
  })));

  const head = h('div', { class: 'record-head' },
    h('p', { class: 'crumbs' }, h('a', { href: '#/programs' }, '项目'),
      ' / ', h('a', { href: `#/programs/${encodeURIComponent(rec.program_id)}/review` }, '审核'),
      ' / ', ex.source),
    h('h1', { 'data-testid': 'record-title' }, ex.source),
    h('p', {},
      h('span', { class: `badge s-${rec.status}`, 'data-testid': 'record-status' }, say('record_status', rec.status)), ' ',
      h('span', { 'data-testid': 'record-form' }, rec.form ? `表格：${say('form', rec.form)}` : '未识别出表格种类'), ' · ',
      `来源：${say('input_kind', ex.input_kind)}`,
      rec.notice ? [' · ', h('span', { class: 'badge s-needs_review', 'data-testid': 'record-notice' }, rec.notice)]
        : rec.pair_label ? ` · 结对：${rec.pair_label}${rec.pair_removed ? '（已移出花名册）' : ''}` : ''),
    h('p', { class: 'links' },
      h('a', { class: 'button', href: `/api/records/${encodeURIComponent(id)}/document?format=docx`, download: '',
        'data-testid': 'record-docx' }, '下载规范表格（DOCX）'),
      h('a', { class: 'button', href: `/api/records/${encodeURIComponent(id)}/document?format=pdf`, download: '',
        'data-testid': 'record-pdf' }, '下载规范表格（PDF）')));

  const problemsBox = ex.problems.length
    ? h('div', { class: 'card warn', 'data-testid': 'record-problems' }, h('h2', {}, '需要核对的问题'),
      // each message names its value itself (第2行「活动时间」：…): shown as it is, not prefixed again
      h('ul', {}, ex.problems.map((p) => h('li', { 'data-testid': 'record-problem' }, p.message))))
    : null;

  const reviewBox = review.length && canWrite()
    ? h('div', { class: 'card', 'data-testid': 'review-list' }, h('h2', {}, `待核对的值（${review.length}）`),
      h('ul', { class: 'review-list' }, review.map(({ path, label, v }) => {
        const [form] = editor(path, label, v, 'review');
        form.querySelector('[data-testid="review-cancel"]').remove();
        return h('li', { 'data-testid': 'review-item' },
          h('div', { class: 'review-meta' }, h('strong', {}, label),
            h('span', { class: 'muted', 'data-testid': 'review-why' }, ` 置信度 ${pct(v)}`,
              v.flags.length ? ` · ${v.flags.map((f) => say('value_flag', f)).join('、')}` : '', ` ${whereText(v.where)}`)),
          crop(v.where) ?? h('span', { class: 'muted no-crop' }, '（无原件图像）'), form);
      })))
    : null;

  const fieldsBox = fields.length
    ? h('div', { class: 'card' }, h('h2', {}, '字段'),
      h('table', { class: 'kv', 'data-testid': 'record-fields' },
        h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, '字段'), h('th', { scope: 'col' }, '读出的值（点击修改）'),
          h('th', { scope: 'col' }, '规范化'))),
        h('tbody', {}, fields.map(([key, v]) => h('tr', {},
          h('th', { scope: 'row' }, v.label),
          valueCell(v, `fields/${key}`, v.label, flagged(v, key), `field-${v.label}`, key),
          h('td', { class: 'muted', 'data-testid': 'normalized' }, showNormalized(v)))))),
      h('div', { class: 'editor-slot' }))
    : null;

  const tablesBox = tables.map((t, ti) => h('div', { class: 'card wide' },
    h('h2', {}, tables.length > 1 ? `表格 ${ti + 1}` : '表格', ' ', h('span', { class: 'count' }, `${t.values.length} 行`)),
    h('div', { class: 'scroll' }, table(['行', ...t.columns], t.values.map((row, ri) => h('tr', { 'data-testid': 'record-row-values' },
      h('td', { class: 'num' }, ri + 1),
      row.map((v, ci) => {
        const path = `tables/${ti}/rows/${ri}/${ci}`;
        return valueCell(v, path, pathLabel(path, ex), flagged(v, cellName(t, ci, ri)), `cell-${ti}-${ri}-${ci}`,
          cellName(t, ci, ri));
      }))), { class: 'grid', 'data-testid': `record-table-${ti}` })),
    h('div', { class: 'editor-slot' })));

  const historyBox = h('div', { class: 'card', 'data-testid': 'corrections' }, h('h2', {}, '修改记录'),
    h('p', { class: 'muted' }, '加载中…'));

  put(view, head, problemsBox, reviewBox, fieldsBox, tablesBox, historyBox);
  if (!fields.length && !tables.length) {
    view.insertBefore(h('p', { class: 'card warn' }, '没有读出任何内容。请核对原件，必要时让学校重新上传清晰的文件。'), historyBox);
  }

  try {
    const hist = await api(`/api/records/${encodeURIComponent(id)}/corrections`); // CorrectionOut[]
    put(historyBox, h('h2', {}, '修改记录'), hist.length
      ? h('div', { class: 'scroll' }, table(['时间', '修改人', '位置', '原值', '新值'], hist.map((c) => h('tr', { 'data-testid': 'correction-row' },
        h('td', { class: 'time' }, fmtTime(c.at)), h('td', {}, c.username),
        h('td', {}, pathLabel(c.path, ex)), h('td', {}, text(c.old_value)),
        h('td', {}, c.new_value))), { 'data-testid': 'corrections-table' }))
      : h('p', { class: 'muted' }, '还没有修改。'));
  } catch (e) {
    put(historyBox, h('h2', {}, '修改记录'), h('p', { class: 'muted' }, e.message));
  }
}

// ---- 7. 导出

async function exportTab(body, id) {
  const q = encodeURIComponent(id);
  const link = (href, label, testid) => h('a', { class: 'button', href, download: '', 'data-testid': testid }, label);
  put(body,
    h('div', { class: 'card' }, h('h2', {}, '记录导出'),
      h('p', { class: 'muted' }, '所有回收表读出的记录，一行一条活动，可用 Excel 打开。'),
      h('p', { class: 'links' },
        link(`/api/programs/${q}/records/export?format=xlsx`, '导出 Excel（xlsx）', 'export-xlsx'),
        link(`/api/programs/${q}/records/export?format=csv`, '导出 CSV', 'export-csv'))),
    h('div', { class: 'card' }, h('h2', {}, '台账'),
      h('p', { class: 'muted' }, '按结对汇总的工作台账，可报送上级教育部门。'),
      h('p', { class: 'links' },
        link(`/api/programs/${q}/ledger?format=xlsx`, '台账 Excel', 'ledger-xlsx'),
        link(`/api/programs/${q}/ledger?format=docx`, '台账 Word', 'ledger-docx'),
        link(`/api/programs/${q}/ledger?format=pdf`, '台账 PDF', 'ledger-pdf'))));
}

// ---------------------------------------------------------------- start

document.querySelector('[data-testid="logout"]').addEventListener('click', logout);
window.addEventListener('hashchange', () => {
  if (keepMessage) keepMessage = false;
  else clearMessage();
  route();
});
route();
