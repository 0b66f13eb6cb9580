// 2. 项目列表 + 新建项目
import {
  api, clearMessage, fmtTime, h, isAdmin, isStaff, labelled, put, showMessage, state, table,
} from './core.js';

export async function renderPrograms(view, seq) {
  document.title = '项目 — 结对帮扶文书服务';
  const programs = await api('/api/programs');
  if (seq !== state.renderSeq) return;
  const rows = programs.map((p) => h('tr', {},
    h('td', {}, h('a', { href: `#/programs/${encodeURIComponent(p.id)}`, 'data-testid': 'program-link' },
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
