// 1. 登录
import {
  api, clearMessage, h, labelled, put, showMessage, state,
} from './core.js';

export function renderLogin(view) {
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
      state.me = res; // UserOut; the header is drawn by the route, once the vocabulary is loaded
      location.hash = '#/programs';
    } catch (e) {
      showMessage(e.message);
      pass.select();
    }
  });
  put(view, form);
  user.focus();
}
