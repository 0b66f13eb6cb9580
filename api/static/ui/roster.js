// 3. 花名册: import with a preview, the pairs
import {
  api, clearMessage, h, isAdmin, labelled, names, num, programSummary, put, say, showMessage, state, table, text,
} from './core.js';

export async function rosterTab(body, id, seq) {
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
  if (seq !== undefined && seq !== state.renderSeq) return;
  const summary = document.querySelector('[data-testid="program-summary"]');
  if (state.currentProgram && summary) {
    state.currentProgram.pairs = pairs.length;
    summary.textContent = programSummary(state.currentProgram);
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
