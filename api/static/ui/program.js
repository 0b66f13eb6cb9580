// 3–7. 项目页: the program's title and summary over its tabs. A tab is one entry of TABS: its key (the hash
// route #/programs/<id>/<key>), its label, its screen module's render function, and whether a school user sees it.
import {
  api, h, isAdmin, isStaff, programSummary, put, state,
} from './core.js';
import { batchTab } from './batch.js';
import { boardTab } from './board.js';
import { exportTab } from './export.js';
import { namesTab } from './names.js';
import { portalTab } from './portal.js';
import { reviewTab } from './review.js';
import { rosterTab } from './roster.js';
import { targetsTab } from './targets.js';
import { uploadsTab } from './uploads.js';

/** The tabs in the order a program runs; forSchool: shown to a school user too (the API scopes what it sees);
 * forStaff: false — a school user's own page, not the bureau's. */
const TABS = [
  { key: 'mine', label: '本校', render: portalTab, forSchool: true, forStaff: false },
  { key: 'roster', label: '花名册', render: rosterTab, forSchool: true },
  { key: 'names', label: '学校全称', render: namesTab, forSchool: false },
  { key: 'batch', label: '批量生成', render: batchTab, forSchool: false },
  { key: 'uploads', label: '上传回收表', render: uploadsTab, forSchool: true },
  { key: 'review', label: '审核', render: reviewTab, forSchool: true },
  { key: 'board', label: '回收情况', render: boardTab, forSchool: true },
  { key: 'targets', label: '目标与报告', render: targetsTab, forSchool: true },
  { key: 'export', label: '导出', render: exportTab, forSchool: false },
];

export async function renderProgram(view, id, tab, seq) {
  const program = await api(`/api/programs/${encodeURIComponent(id)}`);
  if (seq !== state.renderSeq) return;
  state.currentProgram = program;
  const title = program.name;
  document.title = `${title} — 结对帮扶文书服务`;
  const visible = TABS.filter((t) => (isStaff() ? t.forStaff !== false : t.forSchool));
  // a tab the user may not see would only answer 403/404: the first visible one instead
  const shown = visible.find((t) => t.key === tab) ?? visible[0];
  const nav = h('nav', { class: 'tabs', 'aria-label': '项目功能' },
    visible.map((t) => h('a', {
      href: `#/programs/${encodeURIComponent(id)}/${t.key}`, class: t === shown ? 'active' : '',
      'aria-current': t === shown ? 'page' : null, 'data-testid': `tab-${t.key}`,
    }, t.label)));
  const body = h('section', { class: 'tab-body', 'data-testid': `screen-${shown.key}` });
  put(view,
    h('p', { class: 'crumbs' }, h('a', { href: '#/programs' }, '项目'), ' / ', title,
      isAdmin() && !program.archived ? [' · ', h('a', { href: `#/setup/${encodeURIComponent(id)}/edit`,
        'data-testid': 'program-settings' }, '项目设置')] : null),
    h('h1', { 'data-testid': 'program-title' }, title),
    h('p', { class: 'muted', 'data-testid': 'program-summary' }, programSummary(program)),
    program.archived ? h('p', { class: 'card warn', 'data-testid': 'program-archived-note' },
      '此项目已归档，只能查看；如需修改，请在项目列表中勾选“显示已归档”后取消归档。') : null,
    nav, body);
  await shown.render(body, id, seq);
}
