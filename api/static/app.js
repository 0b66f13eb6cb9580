// 结对帮扶文书服务 — the web UI. Plain ES modules, no build step, no third-party code.
// Screens (hash routes): #/login, #/programs, #/programs/<id>/<tab>, #/records/<id>; one module per screen in
// ui/ (ui/core.js holds what they share). Every request goes to the same origin's /api; the session is a
// cookie set by /api/auth/login.
// The UI binds to the API's response models (api/schemas.py, OpenAPI at /docs): it reads the fields they
// declare and shows every code (a status, a role, a form kind, a value's flag) in the words of
// GET /api/vocabulary — it holds no list of codes or labels of its own.
import {
  $view, api, clearMessage, h, put, showHeader, showMessage, state, stopTimers,
} from './ui/core.js';
import { renderAccounts, renderMe } from './ui/accounts.js';
import { renderLogin } from './ui/login.js';
import { renderProgram } from './ui/program.js';
import { renderPrograms } from './ui/programs.js';
import { renderRecord } from './ui/record.js';
import { renderSetup } from './ui/setup.js';

/** The screen of a hash route's parts (['programs', '3', 'batch'] → the program page's 批量生成 tab). */
const ROUTES = {
  login: (view) => renderLogin(view),
  // no tab named: the first the user sees (花名册 for the bureau, 本校 for a school)
  programs: (view, parts, seq) => (parts[1] ? renderProgram(view, parts[1], parts[2], seq)
    : renderPrograms(view, seq)),
  accounts: (view, parts, seq) => renderAccounts(view, seq),
  me: (view, parts, seq) => renderMe(view, seq),
  records: (view, parts, seq) => (parts[1] ? renderRecord(view, parts[1], seq) : renderPrograms(view, seq)),
  setup: (view, parts, seq) => renderSetup(view, parts, seq), // #/setup/new, #/setup/<id>/edit|copy, #/setup/templates
};

async function logout() {
  try {
    await api('/api/auth/logout', { method: 'POST', quiet401: true });
  } catch { /* the session is gone either way */ }
  state.me = null;
  showHeader();
  showMessage('已退出。', 'info', { keep: true });
  location.hash = '#/login';
}

async function route() {
  stopTimers();
  const seq = ++state.renderSeq;
  const parts = location.hash.replace(/^#\/?/, '').split('/').filter(Boolean).map(decodeURIComponent);
  if (!state.me && parts[0] !== 'login') {
    try {
      state.me = await api('/api/me', { quiet401: true });
    } catch {
      state.me = null;
    }
    if (!state.me) {
      showHeader();
      location.hash = '#/login';
      return;
    }
  }
  if (state.me && !state.vocab) {
    try {
      state.vocab = await api('/api/vocabulary'); // once per page load: the words of every code shown
    } catch (e) {
      put($view(), h('p', { class: 'muted' }, '无法显示此页面。'));
      showMessage(e.message);
      return;
    }
  }
  showHeader();
  if (seq !== state.renderSeq) return;
  if (state.me?.must_change_password && parts[0] !== 'me') {
    // the API answers nothing else until the one-time password is replaced (api/deps.py): straight to 我的账号
    showMessage('您的密码是管理员设置的一次性密码，请先改成自己的密码，再使用其他功能。', 'info', { keep: true });
    location.hash = '#/me';
    return;
  }
  const view = $view();
  put(view, h('p', { class: 'muted' }, '加载中…'));
  try {
    const screen = parts[0] in ROUTES ? ROUTES[parts[0]] : ROUTES.programs;
    await screen(view, parts, seq);
  } catch (e) {
    if (seq !== state.renderSeq) return;
    put(view, h('p', { class: 'muted' }, '无法显示此页面。'));
    showMessage(e.message);
  }
}

// ---------------------------------------------------------------- start

document.querySelector('[data-testid="logout"]').addEventListener('click', logout);
window.addEventListener('hashchange', () => {
  if (state.keepMessage) state.keepMessage = false;
  else clearMessage();
  route();
});
route();
