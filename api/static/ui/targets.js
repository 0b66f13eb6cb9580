// 目标与报告: how far the program is from its targets (GET /api/programs/{id}/targets: one bar per target, its
// pairs in a table), and the periodic reports as documents (GET /api/programs/{id}/reports/{key}). A school
// sees its own pairs; the reports are the bureau's. Words come from the API (titles, units, period labels).
import {
  api, h, isStaff, labelled, newestOnly, num, put, showMessage, state, table,
} from './core.js';

const pct = (p) => Math.max(0, Math.min(100, p ?? 0));

/** One target: what it counts and the notice's number, the bar, and (opened on demand) its pairs. */
function targetBlock(t) {
  const perPair = t.per_pair !== null;
  const period = t.span.label;
  let goal;
  if (t.quantity === null) goal = `已开展 ${num(t.done)} ${t.unit}（通知未规定数量）`;
  else if (perPair) {
    goal = `每个结对${period} ${num(t.per_pair)} ${t.unit}：${t.pairs.length} 个结对中 ${t.pairs_reached} 个已完成，`
      + `合计 ${num(t.done)} / ${num(t.quantity)} ${t.unit}`;
  } else goal = `目标 ${num(t.quantity)} ${t.unit}，已完成 ${num(t.done)} ${t.unit}（${t.percent}%）`;
  const share = perPair && t.pairs.length ? (t.pairs_reached * 100) / t.pairs.length : t.percent;
  let bar = null;
  if (t.quantity !== null) {
    const fill = h('span');
    fill.style.width = `${pct(share)}%`; // CSSOM, not a style attribute: the CSP forbids inline styles
    bar = h('div', {
      class: `bar${t.reached ? ' reached' : ''}`, role: 'progressbar', 'aria-valuemin': '0', 'aria-valuemax': '100',
      'aria-valuenow': String(Math.round(pct(share))), 'aria-label': t.title, 'data-testid': 'target-bar',
    }, fill);
  }
  const rows = t.pairs.map((p) => h('tr', { 'data-testid': 'target-pair' },
    h('td', {}, p.pair), h('td', {}, p.supporting), h('td', {}, p.supported),
    h('td', { class: 'num' }, `${num(p.done)} ${t.unit}`),
    perPair && t.quantity !== null ? h('td', {}, p.reached ? '已达标' : `差 ${num(p.quantity - p.done)} ${t.unit}`) : null));
  const head = ['结对', '支援学校', '受援学校', '完成数', ...(perPair && t.quantity !== null ? ['本期目标'] : [])];
  return h('div', { class: 'target', 'data-testid': 'target', 'data-key': t.key },
    h('h3', {}, t.title, t.note ? h('span', { class: 'quiet' }, `（${t.note}）`) : null),
    h('p', { class: 'target-goal', 'data-testid': 'target-goal' }, goal),
    bar,
    h('p', { class: 'muted target-source' }, [period !== '项目期内' && !perPair ? `统计期间：${period}` : null,
      t.source ? `出处：${t.source}` : null].filter(Boolean).join(' · ')),
    t.pairs.length ? h('details', {}, h('summary', {}, '按结对查看'),
      h('div', { class: 'scroll' }, table(head, rows, { 'data-testid': 'target-pairs' }))) : null);
}

/** The periodic reports: pick a year and a month (or half-year), download Word or PDF. */
function reportsCard(id, reports) {
  const q = encodeURIComponent(id);
  return h('div', { class: 'card', 'data-testid': 'reports' }, h('h2', {}, '定期报告'),
    h('p', { class: 'muted' }, '由回传的统计表生成公文（Word 和 PDF），列出按时、逾期和未报送的结对，以及目标完成情况。'),
    reports.map((r) => {
      const year = h('input', {
        type: 'number', min: '2000', max: '2100', value: String(r.year), 'data-testid': `report-year-${r.key}`,
      });
      const part = h('select', { 'data-testid': `report-part-${r.key}` },
        r.parts.map((p) => h('option', { value: String(p.part), selected: p.part === r.part }, p.label)));
      const link = (fmt, label) => h('a', { class: 'button', download: '', 'data-testid': `report-${r.key}-${fmt}` }, label);
      const word = link('docx', '下载 Word');
      const pdf = link('pdf', '下载 PDF');
      const update = () => {
        for (const [a, fmt] of [[word, 'docx'], [pdf, 'pdf']]) {
          const params = new URLSearchParams({ year: year.value, part: part.value, format: fmt });
          a.href = `/api/programs/${q}/reports/${encodeURIComponent(r.key)}?${params}`;
        }
      };
      year.addEventListener('input', update);
      part.addEventListener('change', update);
      update();
      return h('div', { class: 'report-row', 'data-testid': `report-${r.key}` },
        h('h3', {}, r.title, r.due ? h('span', { class: 'quiet' }, `（${r.due}）`) : null),
        h('div', { class: 'report-pick' }, labelled('年份', year), labelled('期间', part),
          h('p', { class: 'links' }, word, pdf)));
    }));
}

const asks = new WeakMap(); // box → its newestOnly guard

/** The panel: 截至 date, one block per target, and (for bureau staff) the reports. Used by the tab and the board. */
export async function targetsPanel(box, programId, seq, asOf = '') {
  const q = encodeURIComponent(programId);
  const query = asOf ? `?as_of=${encodeURIComponent(asOf)}` : '';
  // only the newest ask draws: a date picked twice (or one change event fired twice) would otherwise redraw the
  // panel under the clerk's hand, and an older day's answer arriving last would show the wrong 截至
  if (!asks.has(box)) asks.set(box, newestOnly());
  const mine = asks.get(box)();
  let data;
  try {
    data = await api(`/api/programs/${q}/targets${query}`);
  } catch (e) {
    if (mine()) showMessage(e.message);
    return;
  }
  if (!mine()) return;
  if (seq !== undefined && seq !== state.renderSeq) return;
  const date = h('input', { type: 'date', value: data.as_of, 'data-testid': 'targets-as-of' });
  date.addEventListener('change', () => { if (date.value) targetsPanel(box, programId, seq, date.value); });
  const scope = isStaff() ? `全部 ${data.pairs} 个结对` : `本校的 ${data.pairs} 个结对`;
  put(box,
    h('div', { class: 'card targets', 'data-testid': 'targets', 'data-as-of': data.as_of },
      h('h2', {}, '目标完成情况'),
      h('div', { class: 'targets-head' }, labelled('截至', date), h('p', { class: 'muted' }, `统计${scope}回传的统计表。`)),
      data.targets.length
        ? data.targets.map(targetBlock)
        : h('p', { class: 'muted', 'data-testid': 'targets-none' }, '本项目没有设定量化目标（项目文件的 targets）。')),
    isStaff() && data.reports.length ? reportsCard(programId, data.reports) : null);
}

export async function targetsTab(body, id, seq) {
  await targetsPanel(body, id, seq);
}
