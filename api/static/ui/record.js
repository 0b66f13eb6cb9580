// 6. 审核：一条记录
import {
  api, canWrite, clearMessage, every, fmtTime, h, labelled, names, num, put, say, showMessage, state, table, text,
} from './core.js';
import { collectionInfo, collectionPanel, originalViewer } from './original.js';

const isCorrected = (v) => v.flags.includes('corrected'); // a person typed it (docgen.review.CORRECTED)

/** The name a problem gives the value it is about: the schema key of a field or column, or the printed label
 * of a column no schema knows (Problem.key is null then); `name#row` for a table cell. */
const problemName = (p) => {
  const name = p.key === null ? p.field : p.key;
  return p.row ? `${name}#${p.row}` : name;
};
/** The same name for table `t`'s cell in column `ci`, row `ri` (0-based). */
const cellName = (t, ci, ri) => `${t.keys.length ? t.keys[ci] : t.columns[ci]}#${ri + 1}`;

/** The problems of a record by the value they name (problemName); a problem about the whole form names none. */
function problemIndex(problems) {
  const out = new Map();
  for (const p of problems) if (p.key !== null || p.field !== null) out.set(problemName(p), p);
  return out;
}

/** Waits for a person: a problem names it, or it is less sure than the service's review threshold (served
 * with the record), or — unless a person typed it and it validated — the reader flagged a doubt. */
function isFlagged(v, problems, name, threshold) {
  if (problems.has(name) || v.confidence < threshold) return true;
  if (isCorrected(v)) return false; // a person typed it and the server accepted it as a valid value
  return v.flags.length > 0;
}

/** `tables/0/rows/1/3` → `第2行 活动时间`; `fields/filled_on` → `填报时间` (CorrectionIn.path in words). */
function pathLabel(path, ex) {
  const p = path.split('/');
  if (p[0] === 'fields') {
    const field = ex.fields[p.slice(1).join('/')];
    return field ? field.label : '（字段已不存在）';
  }
  const [ti, ri, ci] = [Number(p[1]), Number(p[3]), Number(p[4])];
  const t = ex.tables[ti];
  return `${ex.tables.length > 1 ? `表${ti + 1} ` : ''}第${ri + 1}行 ${t ? t.columns[ci] : `第${ci + 1}列`}`;
}

/** The problem that still names the value at `path` in the RecordOut the server returned, or null. */
function stillWrong(rec, path) {
  const ex = rec.extraction;
  const p = path.split('/');
  const name = p[0] === 'fields' ? p.slice(1).join('/') : cellName(ex.tables[Number(p[1])], Number(p[4]), Number(p[3]));
  const found = problemIndex(ex.problems).get(name);
  return found === undefined ? null : found;
}

export async function renderRecord(view, id, seq) {
  const rec = await api(`/api/records/${encodeURIComponent(id)}`); // RecordOut
  if (seq !== state.renderSeq) return;
  const ex = rec.extraction; // Extraction.to_json() (docs/extraction.md)
  const threshold = rec.review_threshold; // the service's setting; no constant here
  document.title = `${ex.source} — 审核`;

  const problemKeys = problemIndex(ex.problems);
  const flagged = (v, name) => isFlagged(v, problemKeys, name, threshold);
  const pct = (v) => `${Math.round(v.confidence * 100)}%`;

  const crop = (where) => {
    const b = where.bbox;
    if (!b) return null;
    const q = new URLSearchParams({ page: where.page === null ? 1 : where.page, x0: b[0], y0: b[1], x1: b[2], y1: b[3] });
    return h('img', {
      class: 'crop', src: `/api/uploads/${encodeURIComponent(rec.upload_id)}/crop?${q}`,
      alt: '原件上此处的图像', loading: 'lazy', 'data-testid': 'crop',
    });
  };
  const whereText = (w) => {
    const place = [w.page ? `第${w.page}页` : '', w.ref].filter(Boolean).join(' ');
    return place ? `原件位置：${place}` : ''; // the file's own table/row numbers (a header row counts), not the 第N行 above
  };

  // The editor: one at a time, opened from a value's 修改 button or the 待核对 list.
  // The screen is frozen while a value is saved and drawn afresh before the message: a click on the old
  // screen meanwhile would open an editor the new one throws away, and the message means "what you see is saved".
  const save = async (path, value) => {
    clearMessage();
    view.inert = true;
    let saved;
    try {
      saved = await api(`/api/records/${encodeURIComponent(id)}`, { method: 'PATCH', json: { path, value } });
    } catch (e) {
      view.inert = false;
      showMessage(e.message);
      return;
    }
    try {
      await renderRecord(view, id, seq);
    } catch (e) {
      showMessage(`已保存，但页面未能刷新：${e.message}`);
      return;
    } finally {
      view.inert = false;
    }
    if (seq !== state.renderSeq) return; // the clerk has moved on to another screen
    // A value that does not validate is kept but stays flagged: say why instead of "saved".
    const still = stillWrong(saved, path);
    if (still) showMessage(`已保存，但仍需核对：${still.message}`, 'alert');
    else showMessage('已保存修改。', 'info');
  };
  const editor = (path, label, v, tid = 'edit') => {
    const input = h('input', { value: v.value, 'data-testid': `${tid}-input` });
    const form = h('form', { class: 'editor', 'data-testid': tid === 'edit' ? 'editor' : `${tid}-editor` },
      labelled(`改正：${label}`, input),
      h('button', { type: 'submit', class: 'primary', 'data-testid': `${tid}-save` }, '保存'),
      h('button', { type: 'button', 'data-testid': `${tid}-cancel`, onclick: () => form.remove() }, '取消'));
    form.addEventListener('submit', (ev) => {
      ev.preventDefault();
      save(path, input.value);
    });
    return [form, input];
  };
  // A table cell's editor opens in a panel under its table (a cell is too narrow for an input).
  const openEditor = (anchor, path, label, v) => {
    view.querySelectorAll('form.editor.floating').forEach((f) => f.remove());
    const [form, input] = editor(path, label, v);
    form.classList.add('floating');
    const img = crop(v.where);
    if (img) form.prepend(img);
    const slot = anchor.closest('.card').querySelector('.editor-slot');
    (slot ? slot : anchor.parentElement).append(form);
    input.focus();
    input.select();
  };
  const valueCell = (v, path, label, isFlaggedValue, testid, name) => {
    const btn = h('button', {
      type: 'button', class: 'value', title: `修改 ${label}`, 'aria-label': `修改 ${label}：${v.value}`,
      'data-testid': testid, 'data-path': path,
    }, v.value || '（空）');
    if (canWrite()) btn.addEventListener('click', () => openEditor(btn, path, label, v));
    else btn.disabled = true;
    const problem = problemKeys.get(name);
    return h('td', { class: isFlaggedValue ? 'flagged' : '', title: `置信度 ${pct(v)} ${whereText(v.where)}` },
      btn, isFlaggedValue ? h('span', { class: 'conf' }, pct(v)) : null,
      isFlaggedValue && problem && isCorrected(v) ? h('span', { class: 'reason', 'data-testid': `${testid}-reason` }, problem.message) : null,
      isCorrected(v) && !isFlaggedValue ? h('span', { class: 'corrected' }, '已改') : null);
  };

  // 待核对: every flagged value with its crop beside it and an input.
  const review = [];
  // fields are keyed by the schema's key and carry their printed label
  const fields = Object.entries(ex.fields);
  for (const [key, v] of fields) {
    if (flagged(v, key)) review.push({ path: `fields/${key}`, label: v.label, v });
  }
  const tables = ex.tables;
  tables.forEach((t, ti) => t.values.forEach((row, ri) => row.forEach((v, ci) => {
    if (flagged(v, cellName(t, ci, ri))) {
      review.push({ path: `tables/${ti}/rows/${ri}/${ci}`, label: pathLabel(`tables/${ti}/rows/${ri}/${ci}`, ex), v });
    }
  })));

  const head = h('div', { class: 'record-head' },
    h('p', { class: 'crumbs' }, h('a', { href: '#/programs' }, '项目'),
      ' / ', h('a', { href: `#/programs/${encodeURIComponent(rec.program_id)}/review` }, '审核'),
      ' / ', ex.source),
    h('h1', { 'data-testid': 'record-title' }, ex.source),
    h('p', {},
      h('span', { class: `badge s-${rec.status}`, 'data-testid': 'record-status' }, say('record_status', rec.status)), ' ',
      h('span', { 'data-testid': 'record-form' }, rec.form ? `表格：${say('form', rec.form)}` : '未识别出表格种类'), ' · ',
      `来源：${say('input_kind', ex.input_kind)}`,
      rec.notice ? [' · ', h('span', { class: 'badge s-needs_review', 'data-testid': 'record-notice' }, rec.notice)]
        : rec.pair_label ? ` · 结对：${rec.pair_label}${rec.pair_removed ? '（已移出花名册）' : ''}` : ''),
    h('p', { class: 'links' },
      h('a', { class: 'button', href: `/api/records/${encodeURIComponent(id)}/document?format=docx`, download: '',
        'data-testid': 'record-docx' }, '下载规范表格（DOCX）'),
      h('a', { class: 'button', href: `/api/records/${encodeURIComponent(id)}/document?format=pdf`, download: '',
        'data-testid': 'record-pdf' }, '下载规范表格（PDF）')));

  const problemsBox = ex.problems.length
    ? h('div', { class: 'card warn', 'data-testid': 'record-problems' }, h('h2', {}, '需要核对的问题'),
      // each message names its value itself (第2行「活动时间」：…): shown as it is, not prefixed again
      h('ul', {}, ex.problems.map((p) => h('li', { 'data-testid': 'record-problem' }, p.message))))
    : null;

  const reviewBox = review.length && canWrite()
    ? h('div', { class: 'card', 'data-testid': 'review-list' }, h('h2', {}, `待核对的值（${review.length}）`),
      h('ul', { class: 'review-list' }, review.map(({ path, label, v }) => {
        const [form] = editor(path, label, v, 'review');
        form.querySelector('[data-testid="review-cancel"]').remove();
        return h('li', { 'data-testid': 'review-item' },
          h('div', { class: 'review-meta' }, h('strong', {}, label),
            h('span', { class: 'muted', 'data-testid': 'review-why' }, ` 置信度 ${pct(v)}`,
              v.flags.length ? ` · ${v.flags.map((f) => say('value_flag', f)).join('、')}` : '', ` ${whereText(v.where)}`)),
          crop(v.where) ?? h('span', { class: 'muted no-crop' }, '（无原件图像）'), form);
      })))
    : null;

  const fieldsBox = fields.length
    ? h('div', { class: 'card' }, h('h2', {}, '字段'),
      h('table', { class: 'kv', 'data-testid': 'record-fields' },
        h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, '字段'), h('th', { scope: 'col' }, '读出的值（点击修改）'),
          h('th', { scope: 'col' }, '规范化'))),
        h('tbody', {}, fields.map(([key, v]) => h('tr', {},
          h('th', { scope: 'row' }, v.label),
          valueCell(v, `fields/${key}`, v.label, flagged(v, key), `field-${v.label}`, key),
          h('td', { class: 'muted', 'data-testid': 'normalized' }, v.shown))))),
      h('div', { class: 'editor-slot' }))
    : null;

  const tablesBox = tables.map((t, ti) => h('div', { class: 'card wide' },
    h('h2', {}, tables.length > 1 ? `表格 ${ti + 1}` : '表格', ' ', h('span', { class: 'count' }, `${t.values.length} 行`)),
    h('div', { class: 'scroll' }, table(['行', ...t.columns], t.values.map((row, ri) => h('tr', { 'data-testid': 'record-row-values' },
      h('td', { class: 'num' }, ri + 1),
      row.map((v, ci) => {
        const path = `tables/${ti}/rows/${ri}/${ci}`;
        return valueCell(v, path, pathLabel(path, ex), flagged(v, cellName(t, ci, ri)), `cell-${ti}-${ri}-${ci}`,
          cellName(t, ci, ri));
      }))), { class: 'grid', 'data-testid': `record-table-${ti}` })),
    h('div', { class: 'editor-slot' })));

  const historyBox = h('div', { class: 'card', 'data-testid': 'corrections' }, h('h2', {}, '修改记录'),
    h('p', { class: 'muted' }, '加载中…'));

  // the original beside the record (below it on a phone), with how the record counts (ui/original.js)
  const side = h('aside', { class: 'record-side', 'data-testid': 'record-side' });
  const main = h('div', { class: 'record-main' }, problemsBox, reviewBox, fieldsBox, tablesBox, historyBox);
  put(view, head, h('div', { class: 'record-layout' }, main, side));
  if (!fields.length && !tables.length) {
    main.insertBefore(h('p', { class: 'card warn' }, '没有读出任何内容。请核对原件，必要时让学校重新上传清晰的文件。'), historyBox);
  }
  collectionInfo(id).then((info) => {
    if (seq !== state.renderSeq) return;
    put(side, originalViewer(info), collectionPanel(rec, info, () => renderRecord(view, id, seq)));
  }).catch((e) => put(side, h('p', { class: 'muted' }, e.message)));

  try {
    const hist = await api(`/api/records/${encodeURIComponent(id)}/corrections`); // CorrectionOut[]
    put(historyBox, h('h2', {}, '修改记录'), hist.length
      ? h('div', { class: 'scroll' }, table(['时间', '修改人', '位置', '原值', '新值'], hist.map((c) => h('tr', { 'data-testid': 'correction-row' },
        h('td', { class: 'time' }, fmtTime(c.at)), h('td', {}, c.username),
        h('td', {}, pathLabel(c.path, ex)), h('td', {}, text(c.old_value)),
        h('td', {}, c.new_value))), { 'data-testid': 'corrections-table' }))
      : h('p', { class: 'muted' }, '还没有修改。'));
  } catch (e) {
    put(historyBox, h('h2', {}, '修改记录'), h('p', { class: 'muted' }, e.message));
  }
}
