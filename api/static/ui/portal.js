// 本校: a school user's landing page for a program — its own agreements and blank forms to download, its tasks
// with their due dates and what it has returned, missing or late (its own row of the collection board), and the
// way to upload. Everything comes scoped from the API: the documents, the board and the uploads of its own pairs.
import {
  api, h, put, say, showDate, state,
} from './core.js';

/** The documents as a list (a phone shows it whole): per pair and kind, one link per generated format. */
function documentItems(docs) {
  const byKind = new Map();
  for (const d of docs) {
    const key = `${d.pair_label}\u0000${d.kind}`;
    if (!byKind.has(key)) byKind.set(key, { label: d.pair_label, title: d.title, draft: d.draft, files: [] });
    byKind.get(key).files.push(d);
  }
  return [...byKind.values()].map((doc) => h('li', { 'data-testid': 'portal-document' },
    h('div', { class: 'portal-doc-title' }, h('strong', { 'data-testid': 'portal-document-title' }, doc.title),
      doc.draft ? h('span', { class: 'badge draft' }, '草稿') : null, h('span', { class: 'muted' }, ` 结对 ${doc.label}`)),
    h('span', { class: 'links' }, doc.files.map((f) => h('a', {
      class: 'button', href: `/api/documents/${encodeURIComponent(f.id)}/download?format=${encodeURIComponent(f.format)}`,
      download: '', 'data-testid': 'portal-download',
    }, `下载 ${f.format.toUpperCase()}`)))));
}

/** The school's own board rows as lists (form: state of each copy), narrow enough for a phone. */
function ownRows(board) {
  return board.rows.map((r) => h('div', { class: 'portal-row', 'data-testid': 'board-row' },
    h('p', {}, h('strong', {}, `结对 ${r.unit}`), ' ', h('span', { class: 'muted' }, `${r.supporting.join('、')} — ${r.supported.join('、')}`)),
    h('ul', { class: 'portal-cells' }, r.cells.map((c) => h('li', { 'data-testid': 'board-cell', 'data-state': c.state },
      `${say('form', c.form)}：`, c.slots.map((s) => h('span', { class: `badge s-${s.state}`, 'data-testid': 'board-slot' },
        c.slots.length > 1 ? `${s.schools.map((x) => x.name).join('、')} ` : '', say('collection_state', s.state),
        s.returned_late ? '（迟交）' : '')))))));
}

/** The program's tasks with their due dates and, for a task returned on a form, where this school stands. */
function taskItems(program, board) {
  const byTask = new Map(board.forms.filter((f) => f.task).map((f) => [f.task, f]));
  return program.tasks.map((t) => {
    const form = byTask.get(t.title);
    const cells = form ? board.rows.flatMap((r) => r.cells.filter((c) => c.form === form.form)) : [];
    return h('li', { 'data-testid': 'portal-task' },
      h('strong', {}, t.title), ' ',
      h('span', { class: 'muted' }, t.due ? `截止 ${showDate(t.due)}` : t.optional ? '自选' : '无截止日期'),
      form ? [' · ', say('form', form.form), '：',
        cells.map((c) => h('span', { class: `badge s-${c.state}`, 'data-testid': 'portal-task-state' },
          say('collection_state', c.state)))] : null);
  });
}

export async function portalTab(body, id, seq) {
  const q = encodeURIComponent(id);
  const program = state.currentProgram;
  const [docs, board] = await Promise.all([
    api(`/api/programs/${q}/documents`), // DocumentOut[]: this school's pairs only
    api(`/api/programs/${q}/board`), // BoardOut: this school's rows only
  ]);
  if (seq !== state.renderSeq) return;
  put(body,
    h('div', { class: 'card', 'data-testid': 'portal-tasks' }, h('h2', {}, '任务和截止日期'),
      h('ul', { class: 'portal-tasks' }, taskItems(program, board))),
    h('div', { class: 'card', 'data-testid': 'portal-board' }, h('h2', {}, '本校回收情况'),
      board.rows.length ? ownRows(board) : h('p', { class: 'muted' }, '花名册中还没有本校的结对。'),
      h('p', { class: 'links' }, h('a', { class: 'button primary', href: `#/programs/${q}/uploads`, 'data-testid': 'portal-upload' },
        '上传填好的表格'))),
    h('div', { class: 'card', 'data-testid': 'portal-documents' }, h('h2', {}, '协议书和空白表格'),
      docs.length ? h('ul', { class: 'portal-docs' }, documentItems(docs))
        : h('p', { class: 'muted' }, '教育局还没有生成本校的协议书和表格。')));
}
