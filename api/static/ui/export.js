// 7. 导出
import {
  api, h, put,
} from './core.js';

export async function exportTab(body, id) {
  const q = encodeURIComponent(id);
  const link = (href, label, testid) => h('a', { class: 'button', href, download: '', 'data-testid': testid }, label);
  put(body,
    h('div', { class: 'card' }, h('h2', {}, '记录导出'),
      h('p', { class: 'muted' }, '所有回收表读出的记录，一行一条活动，可用 Excel 打开。'),
      h('p', { class: 'links' },
        link(`/api/programs/${q}/records/export?format=xlsx`, '导出 Excel（xlsx）', 'export-xlsx'),
        link(`/api/programs/${q}/records/export?format=csv`, '导出 CSV', 'export-csv'))),
    h('div', { class: 'card' }, h('h2', {}, '台账'),
      h('p', { class: 'muted' }, '按结对汇总的工作台账，可报送上级教育部门。'),
      h('p', { class: 'links' },
        link(`/api/programs/${q}/ledger?format=xlsx`, '台账 Excel', 'ledger-xlsx'),
        link(`/api/programs/${q}/ledger?format=docx`, '台账 Word', 'ledger-docx'),
        link(`/api/programs/${q}/ledger?format=pdf`, '台账 PDF', 'ledger-pdf'))));
}
