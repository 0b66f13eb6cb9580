// 7. 导出: the record export and the 台账 (one column per task, as of a 截至 date the clerk picks).
import {
  h, labelled, put,
} from './core.js';

/** Today in Beijing (the service's default 截至 date), as the yyyy-mm-dd a date input holds. */
function beijingToday() {
  return new Intl.DateTimeFormat('sv-SE', { timeZone: 'Asia/Shanghai' }).format(new Date());
}

export async function exportTab(body, id) {
  const q = encodeURIComponent(id);
  const link = (href, label, testid) => h('a', { class: 'button', href, download: '', 'data-testid': testid }, label);
  const asOf = h('input', { type: 'date', value: beijingToday(), required: true, 'data-testid': 'ledger-as-of' });
  const ledgerLinks = h('p', { class: 'links' });
  // the links carry the date picked: a plain download, no script between the click and the file
  const fillLinks = () => {
    const when = asOf.value ? `&as_of=${encodeURIComponent(asOf.value)}` : '';
    put(ledgerLinks,
      link(`/api/programs/${q}/ledger?format=xlsx${when}`, '台账 Excel', 'ledger-xlsx'),
      link(`/api/programs/${q}/ledger?format=docx${when}`, '台账 Word', 'ledger-docx'),
      link(`/api/programs/${q}/ledger?format=pdf${when}`, '台账 PDF（横向）', 'ledger-pdf'));
  };
  asOf.addEventListener('input', fillLinks);
  fillLinks();
  put(body,
    h('div', { class: 'card' }, h('h2', {}, '记录导出'),
      h('p', { class: 'muted' }, '所有回收表读出的记录，一行一条活动，可用 Excel 打开。'),
      h('p', { class: 'links' },
        link(`/api/programs/${q}/records/export?format=xlsx`, '导出 Excel（xlsx）', 'export-xlsx'),
        link(`/api/programs/${q}/records/export?format=csv`, '导出 CSV', 'export-csv'))),
    h('div', { class: 'card' }, h('h2', {}, '台账'),
      h('p', { class: 'muted' }, '按结对汇总的工作台账，可报送上级教育部门：每项任务一列（已完成、逾期、未到期），截至所选日期。'),
      h('div', { class: 'row ledger-date' }, labelled('截至日期', asOf)),
      ledgerLinks));
}
