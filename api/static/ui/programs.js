// 2. 项目列表: the programs, and for admins 新建项目 (the form, ui/setup.js), 导入项目文件, 模板, and each program's
// 编辑 · 复制为新项目 · 导出 · 归档 · 删除.
import {
  api, clearMessage, fmtTime, h, isAdmin, isStaff, labelled, newestOnly, put, showMessage, state, table,
} from './core.js';
import { programActions } from './setup.js';

export async function renderPrograms(view, seq) {
  document.title = '项目 — 结对帮扶文书服务';
  const listBox = h('div', { 'data-testid': 'program-list-box' });
  const showArchived = h('input', { type: 'checkbox', 'data-testid': 'show-archived' });
  const ask = newestOnly();
  const load = async () => {
    const mine = ask();
    const programs = await api(`/api/programs${showArchived.checked ? '?archived=true' : ''}`);
    if (seq !== state.renderSeq || !mine()) return;
    const rows = programs.map((p) => h('tr', { 'data-testid': 'program-row' },
      h('td', {}, h('a', { href: `#/programs/${encodeURIComponent(p.id)}`, 'data-testid': 'program-link' },
        p.name), p.archived ? h('span', { class: 'badge', 'data-testid': 'program-archived' }, '已归档') : null),
      h('td', { class: 'time' }, fmtTime(p.created_at)),
      isAdmin() ? h('td', {}, programActions(p, load)) : null));
    const headers = ['项目名称', '创建时间', ...(isAdmin() ? ['操作'] : [])];
    put(listBox, programs.length
      ? h('div', { class: 'scroll' }, table(headers, rows, { 'data-testid': 'program-list', class: 'programs' }))
      : h('p', { class: 'muted', 'data-testid': 'program-list' },
        isStaff() ? '还没有项目。请点“新建项目”填写通知中的信息。' : '暂无您学校参与的项目。'));
  };
  showArchived.addEventListener('change', () => load().catch((e) => showMessage(e.message)));
  const parts = [h('h1', {}, '项目')];
  if (isAdmin()) {
    parts.push(h('div', { class: 'row setup-actions' },
      h('a', { href: '#/setup/new', class: 'button primary', 'data-testid': 'program-new' }, '新建项目'),
      h('a', { href: '#/setup/templates', class: 'button', 'data-testid': 'templates-link' }, '模板'),
      h('label', { class: 'check' }, showArchived, '显示已归档')));
  }
  parts.push(listBox, h('div', { class: 'card warn', 'data-testid': 'delete-box', hidden: true }));
  if (isAdmin()) parts.push(importForm());
  put(view, ...parts);
  await load();
}

function importForm() {
  const file = h('input', { type: 'file', accept: '.yaml,.yml,.txt', required: true, 'data-testid': 'program-file' });
  const form = h('form', { class: 'card', 'data-testid': 'program-form' },
    h('h2', {}, '导入项目文件'),
    h('p', { class: 'muted' }, '已有项目文件（program.yaml，UTF-8 或 GBK 编码）时可直接导入；也可从某个项目“导出”后修改再导入。'),
    labelled('项目文件', file),
    h('button', { type: 'submit', 'data-testid': 'program-create' }, '导入'));
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
