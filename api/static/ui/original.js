// The record screen's side panels: the original file beside the record (a page image with zoom, rendered by the
// service's crop machinery: GET /api/uploads/<id>/page), and how the record counts on the board and in the 台账 —
// excluded or not, a linked copy of another record, filed by hand to a form and pair (the bureau's clerk only).
import {
  api, clearMessage, h, isAdmin, labelled, put, say, showMessage,
} from './core.js';

const ZOOMS = [50, 75, 100, 150, 200, 300]; // % of the panel's width

/** The original viewer for the record's upload (CollectionInfo): pages, zoom, download. */
export function originalViewer(info) {
  const q = encodeURIComponent(info.upload_id);
  const download = h('a', { class: 'button', href: `/api/uploads/${q}/original`, download: '', 'data-testid': 'original-download' },
    '下载原件');
  if (!['pdf', 'png', 'jpeg', 'tiff'].includes(info.type)) {
    return h('div', { class: 'card original', 'data-testid': 'original' }, h('h2', {}, '原件'),
      h('p', { class: 'muted', 'data-testid': 'original-none' }, `${info.name}：Word 文件没有页面图像，请下载原件查看。`),
      h('p', { class: 'links' }, download));
  }
  let page = 1;
  let zoom = 2; // index into ZOOMS: 100 %
  const where = h('span', { class: 'muted', 'data-testid': 'original-where' });
  const img = h('img', {
    class: 'original-page', alt: `原件第 ${page} 页`, 'data-testid': 'original-page',
    onerror: () => { where.textContent = `第 ${page} 页无法显示，请下载原件查看。`; },
  });
  const frame = h('div', { class: 'original-frame', 'data-testid': 'original-frame' }, img);
  const prev = h('button', { type: 'button', 'data-testid': 'original-prev' }, '上一页');
  const next = h('button', { type: 'button', 'data-testid': 'original-next' }, '下一页');
  const smaller = h('button', { type: 'button', 'aria-label': '缩小', 'data-testid': 'original-zoom-out' }, '缩小');
  const larger = h('button', { type: 'button', 'aria-label': '放大', 'data-testid': 'original-zoom-in' }, '放大');
  const show = () => {
    img.src = `/api/uploads/${q}/page?page=${page}`;
    img.alt = `原件第 ${page} 页`;
    img.style.width = `${ZOOMS[zoom]}%`;
    where.textContent = `第 ${page} / ${info.pages} 页 · ${ZOOMS[zoom]}%`;
    prev.disabled = page <= 1;
    next.disabled = page >= info.pages;
    smaller.disabled = zoom <= 0;
    larger.disabled = zoom >= ZOOMS.length - 1;
  };
  prev.addEventListener('click', () => { page -= 1; show(); });
  next.addEventListener('click', () => { page += 1; show(); });
  smaller.addEventListener('click', () => { zoom -= 1; show(); });
  larger.addEventListener('click', () => { zoom += 1; show(); });
  show();
  return h('div', { class: 'card original', 'data-testid': 'original' }, h('h2', {}, '原件 ', h('span', { class: 'count' }, info.name)),
    h('div', { class: 'links original-tools' }, prev, next, smaller, larger, where), frame, h('p', { class: 'links' }, download));
}

/** The form kinds and copies a record can be filed under: the board's slots of the program (admins see all). */
async function filingChoices(programId) {
  const board = await api(`/api/programs/${encodeURIComponent(programId)}/board`);
  const byForm = new Map(board.forms.map((f) => [f.form, []]));
  for (const r of board.rows) {
    for (const c of r.cells) {
      for (const s of c.slots) {
        const who = s.schools.length === 1 && c.slots.length > 1 ? s.schools[0].name : `${r.supporting.join('、')} — ${r.supported.join('、')}`;
        byForm.get(c.form).push({ label: s.label, text: `${s.label} ${who}` });
      }
    }
  }
  return byForm;
}

/** How the record counts, and the clerk's actions on it; `reload` re-renders the record screen. */
export function collectionPanel(rec, info, reload) {
  const box = h('div', { class: 'card', 'data-testid': 'record-collection' }, h('h2', {}, '回收计数'));
  const act = async (path, json) => {
    clearMessage();
    try {
      await api(path, { method: 'POST', json });
      showMessage('已保存。', 'info');
      await reload();
    } catch (e) {
      showMessage(e.message);
    }
  };
  const lines = [];
  if (info.excluded) {
    lines.push(h('p', { 'data-testid': 'record-excluded' }, h('span', { class: 'badge s-failed' }, '已排除'),
      `${info.excluded_by} 排除了这份上传${info.exclude_reason ? `（${info.exclude_reason}）` : ''}：文件和记录保留，不计入台账和回收情况。`));
  } else if (info.duplicate_of !== null) {
    lines.push(h('p', { 'data-testid': 'record-copy-of' }, '这是 ',
      h('a', { href: `#/records/${encodeURIComponent(info.duplicate_of)}` }, `记录 ${info.duplicate_of}（${info.duplicate_of_name}）`),
      ' 的另一份（同一表格的另一种格式），只按那条记录计数一次。'));
  } else {
    lines.push(h('p', { class: 'muted' }, rec.pair_label && rec.form ? `计入结对 ${rec.pair_label} 的${say('form', rec.form)}。`
      : '还没有归入表格种类和结对：不计入回收情况。'));
  }
  if (info.copies.length) {
    lines.push(h('p', { 'data-testid': 'record-copies' }, '同一表格的其他副本（不重复计数）：',
      info.copies.map((c) => h('a', { href: `#/records/${encodeURIComponent(c.record_id)}`, class: 'copy-link' }, c.name))));
  }
  box.append(...lines);
  if (!isAdmin()) return box;

  const actions = h('div', { class: 'links' });
  if (info.excluded) {
    actions.append(h('button', { type: 'button', 'data-testid': 'record-include', onclick: () => act(`/api/uploads/${encodeURIComponent(info.upload_id)}/include`) },
      '撤销排除'));
  } else {
    const reason = h('input', { 'data-testid': 'exclude-reason', placeholder: '如：发错了文件' });
    actions.append(labelled('排除原因', reason), h('button', {
      type: 'button', 'data-testid': 'record-exclude',
      onclick: () => act(`/api/uploads/${encodeURIComponent(info.upload_id)}/exclude`, { reason: reason.value }),
    }, '排除这份上传'));
  }
  if (info.duplicate_of !== null) {
    actions.append(h('button', { type: 'button', 'data-testid': 'record-unlink', onclick: () => act(`/api/records/${encodeURIComponent(rec.id)}/unlink`) },
      '不是副本，单独计数'));
  }
  box.append(actions);

  // filing by hand: a file nothing recognised (no form, no pair, or held for a mismatch) opens with it
  const stuck = !rec.form || !rec.pair_label || rec.mismatch !== null;
  const formSel = h('select', { 'data-testid': 'file-form' });
  const pairSel = h('select', { 'data-testid': 'file-pair' });
  const filing = h('details', { class: 'by-hand', open: stuck, 'data-testid': 'record-filing' },
    h('summary', {}, stuck ? '归档：看原件，选择表格种类和结对' : '更改表格种类或结对'),
    h('div', { class: 'row' }, labelled('表格种类', formSel), labelled('结对（份）', pairSel),
      h('button', { type: 'button', class: 'primary', 'data-testid': 'file-save', onclick: () => act(`/api/records/${encodeURIComponent(rec.id)}/file`, { form: formSel.value, pair: pairSel.value }) },
        '归档')));
  box.append(filing);
  filingChoices(rec.program_id).then((choices) => {
    const fill = () => {
      put(pairSel, (choices.get(formSel.value) ?? []).map((c) => h('option', { value: c.label, selected: c.label === rec.pair_label }, c.text)));
    };
    put(formSel, [...choices.keys()].map((f) => h('option', { value: f, selected: f === rec.form }, say('form', f))));
    formSel.addEventListener('change', fill);
    fill();
  }).catch((e) => box.append(h('p', { class: 'muted' }, e.message)));
  return box;
}

/** The record's CollectionInfo (GET /api/records/<id>/collection). */
export const collectionInfo = (id) => api(`/api/records/${encodeURIComponent(id)}/collection`);
