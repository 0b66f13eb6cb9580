// 账号 (admins: the accounts of their programs) and 我的账号 (everyone: own password, API tokens).
// API: GET/POST /api/users, PATCH /api/users/<id> (active), POST /api/users/<id>/reset-password, GET /api/schools,
// POST /api/auth/password, GET/POST/DELETE /api/tokens. A password or token the service makes is shown once,
// in a box that says so; nothing here keeps it.
import {
  api, clearMessage, fmtTime, h, isAdmin, labelled, needsSchool, put, say, showMessage, state, table,
} from './core.js';

/** A box showing a secret once (a one-time password, a new API token) with a copy button. */
function shownOnce(title, secret, note, testid) {
  const code = h('code', { class: 'secret', 'data-testid': testid }, secret);
  const copy = h('button', {
    type: 'button',
    onclick: async () => {
      try {
        await navigator.clipboard.writeText(secret);
        copy.textContent = '已复制';
      } catch {
        copy.textContent = '请手动选中复制';
      }
    },
  }, '复制');
  return h('div', { class: 'card once', role: 'status', 'data-testid': `${testid}-box` },
    h('h2', {}, title), h('p', { class: 'once-line' }, code, ' ', copy), h('p', { class: 'muted' }, note));
}

// ---------------------------------------------------------------- 账号 (admin)

export async function renderAccounts(view, seq) {
  document.title = '账号 — 结对帮扶文书服务';
  if (!isAdmin()) {
    put(view, h('h1', {}, '账号'), h('p', { class: 'muted' }, '只有管理员可以管理账号。'),
      h('p', {}, h('a', { href: '#/me' }, '修改自己的密码或 API 令牌：我的账号')));
    return;
  }
  const [users, programs] = await Promise.all([api('/api/users'), api('/api/programs')]);
  if (seq !== state.renderSeq) return;
  const programName = new Map(programs.map((p) => [p.id, p.name]));
  const slot = h('div', { 'data-testid': 'accounts-once' }); // the one-time password, once

  const rows = users.map((u) => {
    const self = u.id === state.me.id;
    const toggle = h('button', {
      type: 'button', 'data-testid': 'account-toggle', disabled: self,
      title: self ? '不能停用自己的账号' : null,
      onclick: async () => {
        clearMessage();
        try {
          await api(`/api/users/${u.id}`, { method: 'PATCH', json: { active: !u.active } });
          await renderAccounts(view, state.renderSeq); // the same screen again: no navigation, the message stays
          showMessage(`${u.username}：${u.active ? '已停用（其登录和令牌全部失效）' : '已启用'}`, 'info');
        } catch (e) {
          showMessage(e.message);
        }
      },
    }, u.active ? '停用' : '启用');
    const reset = h('button', {
      type: 'button', 'data-testid': 'account-reset', disabled: self,
      title: self ? '自己的密码请在“我的账号”中修改' : null,
      onclick: async () => {
        clearMessage();
        if (!window.confirm(`为 ${u.username} 重置密码？其现有登录和 API 令牌将全部失效。`)) return;
        try {
          const out = await api(`/api/users/${u.id}/reset-password`, { method: 'POST' });
          put(slot, shownOnce(`${u.username} 的新密码（一次性）`, out.password,
            '只显示这一次，请转交本人；本人登录后会被提示改成自己的密码。', 'account-password'));
          slot.scrollIntoView({ block: 'nearest' });
        } catch (e) {
          showMessage(e.message);
        }
      },
    }, '重置密码');
    return h('tr', { 'data-testid': 'account-row', class: u.active ? '' : 'inactive' },
      h('td', { 'data-testid': 'account-name', 'data-label': '用户名' }, u.username),
      h('td', { 'data-label': '角色' }, say('role', u.role)),
      h('td', { 'data-label': '学校' }, u.school_name ?? ''),
      h('td', { 'data-label': '项目' }, u.program_ids.map((id) => programName.get(id) ?? `项目 ${id}`).join('、')),
      h('td', { 'data-testid': 'account-active', 'data-label': '状态' }, u.active ? '启用' : '已停用'),
      h('td', { class: 'time', 'data-label': '最近登录' }, u.last_login_at ? fmtTime(u.last_login_at) : '从未登录'),
      h('td', { class: 'actions', 'data-label': '操作' }, toggle, ' ', reset));
  });
  put(view,
    h('h1', {}, '账号'),
    h('p', { class: 'muted' }, '本局项目的账号：管理员、只读账号和各学校联络员。停用或重置密码后，该账号现有的登录和 API 令牌立即失效。'),
    slot,
    table(['用户名', '角色', '学校', '项目', '状态', '最近登录', '操作'], rows,
      { 'data-testid': 'accounts-table', class: 'stack' }),
    await newAccountForm(view, programs, slot));
}

async function newAccountForm(view, programs, slot) {
  const username = h('input', { autocomplete: 'off', required: true, 'data-testid': 'account-username' });
  const role = h('select', { 'data-testid': 'account-role' },
    Object.entries(state.vocab.role).map(([code, words]) => h('option', { value: code }, words)));
  role.value = Object.keys(state.vocab.role).find(needsSchool); // most accounts made here are schools'
  const program = h('select', { 'data-testid': 'account-program' },
    programs.map((p) => h('option', { value: p.id }, p.name)));
  const school = h('select', { 'data-testid': 'account-school' });
  const schoolField = labelled('学校（从花名册中选择）', school);
  const password = h('input', {
    type: 'password', autocomplete: 'new-password', 'data-testid': 'account-password-input',
    placeholder: '留空则生成一次性密码',
  });
  const loadSchools = async () => {
    put(school, h('option', { value: '' }, '加载中…'));
    if (!program.value) {
      put(school, h('option', { value: '' }, '（请先新建项目并导入花名册）'));
      return;
    }
    const list = await api(`/api/schools?program=${encodeURIComponent(program.value)}`);
    put(school, list.length
      ? [h('option', { value: '' }, '请选择学校'), list.map((s) => h('option', { value: s.name }, s.name))]
      : h('option', { value: '' }, '（该项目还没有导入花名册）'));
  };
  const showSchool = () => { schoolField.hidden = !needsSchool(role.value); };
  role.addEventListener('change', showSchool);
  program.addEventListener('change', () => loadSchools().catch((e) => showMessage(e.message)));
  showSchool();
  await loadSchools();

  const form = h('form', { class: 'card', 'data-testid': 'account-form' },
    h('h2', {}, '新建账号'),
    h('div', { class: 'grid-form' },
      labelled('用户名', username), labelled('角色', role), labelled('项目', program), schoolField,
      labelled('初始密码（可不填）', password)),
    h('p', { class: 'muted' }, '学校联络员只能看到本校所在的结对。不填密码时生成一次性密码，只显示一次。'),
    h('button', { type: 'submit', class: 'primary', 'data-testid': 'account-create' }, '新建账号'));
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    clearMessage();
    if (needsSchool(role.value) && !school.value) {
      showMessage('请选择学校联络员所属的学校。');
      school.focus();
      return;
    }
    const body = {
      username: username.value.trim(), role: role.value, programs: program.value ? [Number(program.value)] : [],
    };
    if (needsSchool(role.value)) body.school_name = school.value;
    if (password.value) body.password = password.value;
    try {
      const made = await api('/api/users', { method: 'POST', json: body });
      await renderAccounts(view, state.renderSeq);
      showMessage(`已新建账号：${made.username}（${say('role', made.role)}${made.school_name ? ` · ${made.school_name}` : ''}）`, 'info');
      if (made.password) {
        put(document.querySelector('[data-testid="accounts-once"]'), shownOnce(`${made.username} 的初始密码（一次性）`,
          made.password, '只显示这一次，请转交本人；本人登录后会被提示改成自己的密码。', 'account-password'));
      }
    } catch (e) {
      showMessage(e.message);
    }
  });
  return form;
}

// ---------------------------------------------------------------- 我的账号 (everyone)

export async function renderMe(view, seq) {
  document.title = '我的账号 — 结对帮扶文书服务';
  const me = state.me;
  // until a one-time password is replaced the API answers nothing but the change (api/deps.py): no tokens yet
  const tokens = me.must_change_password ? [] : await api('/api/tokens');
  if (seq !== state.renderSeq) return;

  const oldPw = h('input', { type: 'password', autocomplete: 'current-password', required: true, 'data-testid': 'me-old' });
  const newPw = h('input', { type: 'password', autocomplete: 'new-password', required: true, 'data-testid': 'me-new' });
  const again = h('input', { type: 'password', autocomplete: 'new-password', required: true, 'data-testid': 'me-again' });
  const pwForm = h('form', { class: 'card', 'data-testid': 'password-form' },
    h('h2', {}, '修改密码'),
    me.must_change_password
      ? h('p', { class: 'card warn', 'data-testid': 'must-change' }, '您现在的密码是管理员设置的一次性密码，请改成只有您自己知道的密码。')
      : null,
    h('div', { class: 'grid-form' }, labelled('原密码', oldPw), labelled('新密码', newPw), labelled('再次输入新密码', again)),
    h('p', { class: 'muted' }, '至少 10 个字符，不能是常见密码，不能包含用户名。修改后，其他设备上的登录和所有 API 令牌都会失效。'),
    h('button', { type: 'submit', class: 'primary', 'data-testid': 'me-save' }, '修改密码'));
  pwForm.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    clearMessage();
    if (newPw.value !== again.value) {
      showMessage('两次输入的新密码不一致。');
      again.select();
      return;
    }
    try {
      const wasOneTime = state.me.must_change_password;
      state.me = await api('/api/auth/password', {
        method: 'POST', json: { old_password: oldPw.value, new_password: newPw.value },
      });
      if (wasOneTime) { // the rest of the service opens now: on to the screen the user came for
        showMessage('密码已修改，现在可以使用全部功能。', 'info', { keep: true });
        location.hash = '#/programs';
        return;
      }
      await renderMe(view, state.renderSeq);
      showMessage('密码已修改。其他设备上的登录和所有 API 令牌已失效。', 'info');
    } catch (e) {
      showMessage(e.message);
    }
  });

  const tokenSlot = h('div', { 'data-testid': 'token-once' });
  const name = h('input', { required: true, maxlength: 100, 'data-testid': 'token-name', placeholder: '例如：月报脚本' });
  const days = h('select', { 'data-testid': 'token-days' },
    [[30, '30 天'], [90, '90 天'], [180, '180 天'], [365, '一年']].map(([d, w]) => h('option', { value: d }, w)));
  days.value = '90';
  const tokenForm = h('form', { class: 'row token-form' },
    labelled('令牌名称', name), labelled('有效期', days),
    h('button', { type: 'submit', class: 'primary', 'data-testid': 'token-create' }, '新建令牌'));
  tokenForm.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    clearMessage();
    try {
      const made = await api('/api/tokens', { method: 'POST', json: { name: name.value.trim(), expires_days: Number(days.value) } });
      await renderMe(view, state.renderSeq);
      put(document.querySelector('[data-testid="token-once"]'), shownOnce(`新令牌“${name.value.trim()}”`, made.token,
        `只显示这一次，请立即保存。脚本发送请求头 Authorization: Bearer <令牌>；${fmtTime(made.expires_at)} 到期。`, 'token-secret'));
    } catch (e) {
      showMessage(e.message);
    }
  });
  const tokenRows = tokens.map((t) => h('tr', { 'data-testid': 'token-row' },
    h('td', { 'data-label': '名称' }, t.name || '（未命名）'),
    h('td', { class: 'time', 'data-label': '创建时间' }, fmtTime(t.created_at)),
    h('td', { class: 'time', 'data-label': '最近使用' }, t.last_used_at ? fmtTime(t.last_used_at) : '未使用'),
    h('td', { class: 'time', 'data-label': '到期时间' }, fmtTime(t.expires_at)),
    h('td', { 'data-label': '操作' }, h('button', {
      type: 'button', 'data-testid': 'token-revoke',
      onclick: async () => {
        clearMessage();
        if (!window.confirm(`撤销令牌“${t.name || '（未命名）'}”？使用它的脚本将无法再访问。`)) return;
        try {
          await api(`/api/tokens/${t.id}`, { method: 'DELETE' });
          await renderMe(view, state.renderSeq);
          showMessage('令牌已撤销。', 'info');
        } catch (e) {
          showMessage(e.message);
        }
      },
    }, '撤销'))));
  const tokensBox = h('div', { class: 'card', 'data-testid': 'tokens' },
    h('h2', {}, 'API 令牌'),
    h('p', { class: 'muted' }, '供脚本和其他系统调用接口使用（不必登录网页）。令牌只在新建时显示一次。'),
    tokenSlot, tokenForm,
    tokens.length
      ? table(['名称', '创建时间', '最近使用', '到期时间', '操作'], tokenRows, { 'data-testid': 'tokens-table', class: 'stack' })
      : h('p', { class: 'muted', 'data-testid': 'tokens-table' }, '还没有令牌。'));

  put(view,
    h('h1', {}, '我的账号'),
    h('p', { 'data-testid': 'me-who' }, `${me.username} · ${say('role', me.role)}${me.school_name ? ` · ${me.school_name}` : ''}`),
    pwForm, me.must_change_password ? null : tokensBox);
}
