// 4. 批量生成: a batch and its progress, every batch of the program, the documents
import {
  POLL_MS, api, clearMessage, every, fmtSeconds, fmtTime, h, isAdmin, put, say, showDate, showMessage, state, table,
  text,
} from './core.js';

export async function batchTab(body, id, seq) {
  const key = `docgen.batch.${id}`;
  // PDF by default: a clerk who comes back and clicks 开始生成 gets the PDFs the bureau sends out
  const pdf = h('input', { type: 'checkbox', 'data-testid': 'batch-pdf', checked: true });
  const start = h('button', { type: 'button', class: 'primary', 'data-testid': 'batch-start' }, '开始生成');
  const cancel = h('button', { type: 'button', 'data-testid': 'batch-cancel', hidden: true }, '取消');
  const bar = h('progress', { max: 1, value: 0, 'data-testid': 'batch-progress', 'aria-label': '生成进度' });
  const count = h('span', { class: 'progress-count', 'data-testid': 'batch-count' }, '');
  const steps = h('span', { class: 'muted', 'data-testid': 'batch-steps' }, '');
  const status = h('span', { 'data-testid': 'batch-status' }, '');
  const eta = h('span', { class: 'muted', 'data-testid': 'batch-eta' }, '');
  const proof = h('p', { class: 'muted', 'data-testid': 'batch-proof', hidden: true }, '');
  const download = h('a', { class: 'button primary', 'data-testid': 'batch-download', hidden: true }, '下载 ZIP');
  const progressBox = h('div', { class: 'progress', hidden: true }, bar, h('div', { class: 'progress-line row' },
    count, steps, status, eta, cancel, download), proof);
  const listBox = h('div', { 'data-testid': 'batch-list-box' });
  const docsBox = h('div', { 'data-testid': 'documents' });
  let batchId = sessionStorage.getItem(key);
  let timer = null;
  let finishedNow = true;
  let docsDrawn = false; // a poll that sees the batch finished draws the documents: the tab must not draw them again

  const show = (b) => { // BatchOut
    progressBox.hidden = false;
    bar.value = b.progress;
    const finished = b.finished;
    // the plan's size is known before anything renders: 0/N from the start, then per document
    const waiting = !b.started_at && !finished; // queued: the status badge says so
    count.textContent = waiting ? '' : (b.total === 0 && !finished ? '准备中…' : `${b.done}/${b.total}`);
    steps.textContent = !finished && b.total ? `已生成 DOCX ${b.rendered} 份${b.with_pdf ? `，已转 PDF ${b.converted} 份` : ''}` : '';
    finishedNow = finished;
    status.className = `badge s-${b.status}`;
    status.textContent = say('batch_status', b.status);
    if (b.failed) status.textContent += `（失败 ${b.failed} 份）`;
    eta.textContent = finished || waiting ? '' : `剩余时间：${fmtSeconds(b.eta_seconds)}`;
    cancel.hidden = finished || !isAdmin();
    start.disabled = !finished;
    download.hidden = !b.archive_ready;
    if (b.archive_ready) {
      download.href = `/api/batches/${encodeURIComponent(b.id)}/download`;
      download.setAttribute('download', '');
    }
    proof.hidden = !b.proof;
    proof.textContent = b.proof ? `${b.proof}（每份文书的结果见下表“校对”列）` : '';
    if (b.error) showMessage(text(b.error));
    return finished;
  };

  const poll = async () => {
    if (!batchId) return;
    try {
      const b = await api(`/api/batches/${encodeURIComponent(batchId)}`);
      if (show(b)) {
        clearInterval(timer);
        await showBatches(listBox, id);
        await showDocuments(docsBox, id);
        docsDrawn = true;
      }
    } catch (e) {
      clearInterval(timer);
      if (e.status === 404) sessionStorage.removeItem(key);
      else showMessage(e.message);
    }
  };

  start.addEventListener('click', async () => {
    clearMessage();
    start.disabled = true;
    try {
      const b = await api(`/api/programs/${encodeURIComponent(id)}/batches`, { method: 'POST', json: { pdf: pdf.checked } });
      batchId = String(b.id);
      sessionStorage.setItem(key, batchId);
      show(b);
      await showBatches(listBox, id);
      clearInterval(timer);
      timer = every(POLL_MS, poll);
    } catch (e) {
      start.disabled = false;
      showMessage(e.message);
    }
  });
  cancel.addEventListener('click', async () => {
    try {
      await api(`/api/batches/${encodeURIComponent(batchId)}/cancel`, { method: 'POST' });
      showMessage('已请求取消，已生成的文书会保留。', 'info');
      await poll();
    } catch (e) {
      showMessage(e.message);
    }
  });

  if (!isAdmin()) start.hidden = true;
  const links = h('p', { class: 'muted', 'data-testid': 'batch-links' }, '');
  api(`/api/programs/${encodeURIComponent(id)}/upload-links`).then((l) => {
    links.textContent = l.enabled
      ? `空白表格的二维码带手机上传链接：联络员用手机扫码即可上传，无需账号；本次生成的链接有效期至 ${showDate(l.expires)}（重新生成表格即更新）。`
      : '空白表格的二维码不带手机上传链接（服务未设置 DOCGEN_PUBLIC_BASE_URL，见部署说明）。';
  }, () => { links.textContent = ''; });
  put(body,
    h('div', { class: 'card' },
      h('h2', {}, '批量生成协议和表格'),
      h('p', { class: 'muted' }, '为每组结对生成全部协议书和预填的空白表格（DOCX 和 PDF）。'),
      links,
      h('div', { class: 'row' },
        isAdmin() ? h('label', { class: 'check' }, pdf, ' 同时生成 PDF') : null, start),
      progressBox),
    listBox,
    docsBox);
  // A batch still running (started in another tab, by a colleague, or before this page was reloaded) is
  // followed here too: the program's batch list is on the server, not in this tab.
  const all = await showBatches(listBox, id);
  const running = all.find((b) => !b.finished);
  if (running) batchId = String(running.id);
  if (batchId) {
    await poll();
    if (!finishedNow) timer = every(POLL_MS, poll);
  }
  // drawn twice, the list replaced a 显示已移出… box a clerk had just ticked (and a test's handle on it)
  if (seq === state.renderSeq && !docsDrawn) await showDocuments(docsBox, id);
}

/** Every batch of the program (newest first) with its status, counts, time and ZIP; returns the list. */
async function showBatches(box, id) {
  let list;
  try {
    list = await api(`/api/programs/${encodeURIComponent(id)}/batches`);
  } catch (e) {
    put(box, h('p', { class: 'muted' }, `生成记录暂不可用：${e.message}`));
    return [];
  }
  if (!list.length) {
    put(box);
    return list;
  }
  const took = (b) => {
    if (!b.started_at || !b.finished) return '';
    const s = Math.max(0, Math.round((Date.parse(b.updated_at) - Date.parse(b.started_at)) / 1000));
    return s < 60 ? `${s} 秒` : `${Math.floor(s / 60)} 分 ${s % 60} 秒`;
  };
  const rows = list.map((b) => h('tr', { 'data-testid': 'batch-row' },
    h('td', {}, `第 ${b.id} 次`),
    h('td', {}, h('span', { class: `badge s-${b.status}` }, say('batch_status', b.status))),
    h('td', {}, `${b.done}/${b.total}${b.failed ? `（失败 ${b.failed}）` : ''}`),
    h('td', {}, b.with_pdf ? 'DOCX + PDF' : '仅 DOCX'),
    h('td', {}, fmtTime(b.created_at)),
    h('td', {}, took(b)),
    h('td', {}, b.archive_ready ? h('a', {
      href: `/api/batches/${encodeURIComponent(b.id)}/download`, download: '', 'data-testid': 'batch-row-download',
    }, '下载 ZIP') : '—')));
  put(box, h('h2', {}, '生成记录 ', h('span', { class: 'count' }, `共 ${list.length} 次`)),
    h('div', { class: 'scroll' }, table(['批次', '状态', '份数', '格式', '开始时间', '用时', '下载'], rows,
      { class: 'batch-list', 'data-testid': 'batch-list' })));
  return list;
}

async function showDocuments(box, id) {
  let docs;
  try {
    docs = await api(`/api/programs/${encodeURIComponent(id)}/documents`);
  } catch (e) {
    put(box, h('p', { class: 'muted' }, `文书列表暂不可用：${e.message}`));
    return;
  }
  if (!docs.length) {
    put(box, h('h2', {}, '文书'), h('p', { class: 'muted' }, '还没有生成文书。'));
    return;
  }
  // One row per (pair, document kind): the API lists each format (docx, pdf) as its own DocumentOut.
  const groups = new Map();
  for (const d of docs) {
    const k = `${d.pair_label}|${d.pair_removed}|${d.kind}`; // a removed pair's 05 is not the current 05
    if (!groups.has(k)) groups.set(k, { d, formats: new Map() });
    groups.get(k).formats.set(d.format, d.id);
    if (d.format === 'pdf') groups.get(k).d = d; // the PDF's proofreading covers the .docx too
  }
  const link = (docId, fmt) => h('a', {
    href: `/api/documents/${encodeURIComponent(docId)}/download?format=${fmt}`, download: '',
    'data-testid': `document-${fmt}`,
  }, fmt.toUpperCase());
  const all = [...groups.values()];
  const removed = all.filter(({ d }) => d.pair_removed).length;
  // Documents of pairs a re-import removed are kept (records may point at them) but hidden unless asked for.
  const showRemoved = h('input', { type: 'checkbox', 'data-testid': 'documents-show-removed' });
  const heading = h('span', { class: 'count' }, '');
  const holder = h('div', { class: 'scroll' });
  const draw = () => {
    const shown = all.filter(({ d }) => showRemoved.checked || !d.pair_removed);
    heading.textContent = `共 ${shown.length} 份` + (removed && !showRemoved.checked ? `（另有已移出花名册的 ${removed} 份未显示）` : '');
    const rows = shown.map(({ d, formats }) => h('tr', { 'data-testid': 'document-row', class: d.pair_removed ? 'removed' : null },
      h('td', {}, d.pair_label, d.pair_removed
        ? h('span', { class: 'badge draft', 'data-testid': 'document-removed' }, '已移出花名册') : null),
      h('td', {}, d.title, draftMark(d)),
      h('td', {}, d.file_name.split('/').pop().replace(/\.(docx|pdf)$/i, '')),
      h('td', { 'data-testid': 'document-proof' }, d.proof || '—'),
      h('td', {}, h('span', { class: 'links' }, [...formats].map(([fmt, docId]) => link(docId, fmt))))));
    put(holder, table(['结对', '文书', '文件', '校对', '下载'], rows, { 'data-testid': 'documents-table' }));
  };
  showRemoved.addEventListener('change', draw);
  draw();
  put(box,
    h('h2', {}, '文书 ', heading),
    removed ? h('p', {}, h('label', { class: 'check' }, showRemoved,
      ` 显示已移出花名册的结对的文书（${removed} 份）`)) : null,
    holder);
}

/** 草稿: a document made while a party's name was abbreviated or missing (DocumentOut.draft, its reasons). */
function draftMark(d) {
  return d.draft ? h('span', { class: 'badge draft', title: d.draft_reasons, 'data-testid': 'document-draft' }, '草稿')
    : null;
}
