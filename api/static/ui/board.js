// 回收情况: per pair and per form the program sends — returned (complete / waiting for review), missing, late —
// with whom to phone for what is missing, the counts per form, a filter and the missing list as Excel.
// The states are decided once, in the domain (docgen/collection.py); this screen shows GET /api/programs/<id>/board
// (BoardOut) in the words of /api/vocabulary (collection_state, form). A school user gets its own pairs' rows.
import {
  api, h, labelled, newestOnly, put, say, showDate, showMessage, state, table,
} from './core.js';
import { targetsPanel } from './targets.js';

const OPEN = 'open'; // the filter "未回收或逾期" (GET …/board?open=true); the other options are states

/** One slot in words: its state, which copy it is when a form has several (03.2), how many came back. */
function slotBadge(slot, several) {
  return h('span', { class: `badge s-${slot.state}`, 'data-testid': 'board-slot', title: slot.label },
    several ? `${slot.label} ` : '', say('collection_state', slot.state),
    slot.returned > 1 ? ` ×${slot.returned}` : '', slot.returned_late ? '（迟交）' : '');
}

/** The schools to phone for a row's copies not returned: 学校 联系人 电话（表格 份）. */
function contactsOf(row) {
  const out = new Map(); // school name → {school, forms}
  for (const cell of row.cells) {
    for (const slot of cell.slots) {
      if (slot.returned) continue;
      for (const s of slot.schools) {
        if (!out.has(s.name)) out.set(s.name, { school: s, forms: [] });
        out.get(s.name).forms.push(say('form', cell.form));
      }
    }
  }
  return [...out.values()].map(({ school, forms }) => h('li', { 'data-testid': 'board-contact' },
    h('span', {}, school.name), ' ',
    school.contact ? h('span', {}, school.contact) : h('span', { class: 'muted' }, '（花名册无联系人）'), ' ',
    school.phone ? h('a', { href: `tel:${school.phone}` }, school.phone) : null,
    h('span', { class: 'muted' }, `（${[...new Set(forms)].join('、')}）`)));
}

/** The board's table: a row per pair, a column per form, and whom to phone. Exported for the school portal. */
export function boardTable(board) {
  const headers = ['结对', '支援学校', '受援学校', ...board.forms.map((f) => say('form', f.form)), '未交的联系人'];
  // each cell carries its column's heading (data-label): a phone shows a row as a card, heading over value
  const rows = board.rows.map((r) => h('tr', { 'data-testid': 'board-row', 'data-unit': r.unit },
    h('td', { class: 'num', 'data-label': headers[0] }, r.unit),
    h('td', { 'data-label': headers[1] }, r.supporting.join('、')),
    h('td', { 'data-label': headers[2] }, r.supported.join('、')),
    r.cells.map((c, i) => h('td', { 'data-testid': 'board-cell', 'data-state': c.state, 'data-label': headers[3 + i] },
      c.slots.map((s) => slotBadge(s, c.slots.length > 1)))),
    h('td', { 'data-label': headers[headers.length - 1] }, h('ul', { class: 'board-contacts' }, contactsOf(r)))));
  return h('div', { class: 'scroll' }, table(headers, rows, { class: 'board', 'data-testid': 'board-table' }));
}

/** Per form: its due date and task, and how many copies are in each state. */
export function formSummary(board) {
  return h('div', { class: 'board-forms', 'data-testid': 'board-forms' }, board.forms.map((f) => h('div', {
    class: 'card board-form', 'data-testid': 'board-form',
  },
  h('h3', {}, say('form', f.form)),
  h('p', { class: 'muted' }, f.due ? `截止 ${showDate(f.due)}（${f.task}）` : '无截止日期（不计逾期）'),
  h('p', {}, Object.entries(f.counts).map(([code, n]) => h('span', { class: `badge s-${code}` },
    `${say('collection_state', code)} ${n}`)), h('span', { class: 'muted' }, `共 ${f.expected} 份`)))));
}

export async function boardTab(body, id, seq) {
  const q = encodeURIComponent(id);
  const filter = h('select', { 'data-testid': 'board-filter' },
    h('option', { value: '' }, '全部结对'),
    h('option', { value: OPEN }, '有未回收或逾期的结对'),
    Object.entries(state.vocab.collection_state).map(([code, words]) => h('option', { value: code }, `有“${words}”的结对`)));
  const summary = h('div', {});
  const listBox = h('div', { 'data-testid': 'board' });
  const targetsBox = h('div', { 'data-testid': 'board-targets' });
  const ask = newestOnly();
  const load = async () => {
    const params = new URLSearchParams();
    if (filter.value === OPEN) params.set('open', 'true');
    else if (filter.value) params.set('state', filter.value);
    const mine = ask();
    const board = await api(`/api/programs/${q}/board?${params}`); // BoardOut
    if (seq !== state.renderSeq || !mine()) return;
    put(summary, h('p', { class: 'muted', 'data-testid': 'board-today' },
      `按 ${showDate(board.today)}（北京时间）判断是否逾期；截止日期来自项目的任务清单。`), formSummary(board));
    put(listBox, board.rows.length ? boardTable(board)
      : h('p', { class: 'muted', 'data-testid': 'board-empty' }, filter.value ? '没有符合条件的结对。' : '还没有导入花名册。'));
    listBox.dataset.shown = filter.value; // which filter the list shows (tests wait for it)
  };
  filter.addEventListener('change', () => load().catch((e) => showMessage(e.message)));
  put(body,
    h('div', { class: 'row filter' }, labelled('显示', filter),
      h('a', { class: 'button', href: `/api/programs/${q}/board/missing`, download: '', 'data-testid': 'board-export' },
        '导出未回收清单（Excel，含联系人电话）')),
    summary, listBox, targetsBox);
  await load();
  // how far the program is from its targets, under who still owes what (the same panel as 目标与报告)
  await targetsPanel(targetsBox, id, seq);
}
