// 6. 审核：记录列表
import {
  api, fmtTime, h, labelled, names, newestOnly, num, put, say, showMessage, state, table,
} from './core.js';

export async function reviewTab(body, id, seq) {
  const select = h('select', { 'data-testid': 'records-status' },
    h('option', { value: '' }, '全部'),
    Object.entries(state.vocab.record_status).map(([code, words]) => h('option', { value: code }, words)));
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
  const ask = newestOnly();
  const load = async () => {
    const q = new URLSearchParams({ program: id });
    if (select.value) q.set('status', select.value);
    const mine = ask();
    const recs = await api(`/api/records?${q}`);
    if (seq !== state.renderSeq || !mine()) return;
    if (!recs.length) {
      put(listBox, h('p', { class: 'muted', 'data-testid': 'records-empty' }, '没有符合条件的记录。'));
      return;
    }
    const rows = recs.map((r) => h('tr', { 'data-testid': 'record-row' }, // RecordOut
      h('td', {}, h('a', { href: `#/records/${encodeURIComponent(r.id)}`, 'data-testid': 'record-link' },
        r.extraction.source)),
      h('td', {}, h('span', { class: `badge s-${r.status}`, 'data-testid': 'record-row-status' }, say('record_status', r.status)),
        r.notice ? [' ', h('span', { class: 'badge s-needs_review', 'data-testid': 'record-notice' }, r.notice)] : null,
        r.duplicate_of !== null ? h('span', { class: 'badge s-duplicate', title: `记录 ${r.duplicate_of} 的另一份，不重复计数`,
          'data-testid': 'record-copy' }, '副本') : null),
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
