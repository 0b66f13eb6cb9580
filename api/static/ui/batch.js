// 4. 批量生成: a batch and its progress, the documents
import {
  POLL_MS, api, clearMessage, every, fmtSeconds, h, isAdmin, put, say, showMessage, state, table, text,
} from './core.js';

export async function batchTab(body, id, seq) {
  const key = `docgen.batch.${id}`;
  const pdf = h('input', { type: 'checkbox', 'data-testid': 'batch-pdf' });
  const start = h('button', { type: 'button', class: 'primary', 'data-testid': 'batch-start' }, '开始生成');
  const cancel = h('button', { type: 'button', 'data-testid': 'batch-cancel', hidden: true }, '取消');
  const bar = h('progress', { max: 1, value: 0, 'data-testid': 'batch-progress', 'aria-label': '生成进度' });
  const count = h('span', { class: 'progress-count', 'data-testid': 'batch-count' }, '');
  const status = h('span', { 'data-testid': 'batch-status' }, '');
  const eta = h('span', { class: 'muted', 'data-testid': 'batch-eta' }, '');
  const proof = h('p', { class: 'muted', 'data-testid': 'batch-proof', hidden: true }, '');
  const download = h('a', { class: 'button primary', 'data-testid': 'batch-download', hidden: true }, '下载 ZIP');
  const progressBox = h('div', { class: 'progress', hidden: true }, bar, h('div', { class: 'progress-line' },
    count, status, eta, cancel, download), proof);
  const docsBox = h('div', { 'data-testid': 'documents' });
  let batchId = sessionStorage.getItem(key);
  let timer = null;
  let finishedNow = true;

  const show = (b) => { // BatchOut
    progressBox.hidden = false;
    bar.max = Math.max(b.total, 1);
    bar.value = b.done;
    const planning = b.total === 0 && !b.finished; // 0/0 until the batch's plan is made
    count.textContent = planning ? '准备中…' : `${b.done}/${b.total}`;
    const finished = b.finished;
    finishedNow = finished;
    status.className = `badge s-${b.status}`;
    status.textContent = say('batch_status', b.status);
    if (b.failed) status.textContent += `（失败 ${b.failed} 份）`;
    eta.textContent = finished ? '' : `剩余时间：${fmtSeconds(b.eta_seconds)}`;
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
        await showDocuments(docsBox, id);
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
  put(body,
    h('div', { class: 'card' },
      h('h2', {}, '批量生成协议和表格'),
      h('p', { class: 'muted' }, '为每组结对生成全部协议书和预填的空白表格（DOCX），可同时生成 PDF。'),
      h('div', { class: 'row' },
        isAdmin() ? h('label', { class: 'check' }, pdf, ' 同时生成 PDF') : null, start),
      progressBox),
    docsBox);
  if (batchId) {
    await poll();
    if (!finishedNow) timer = every(POLL_MS, poll);
  }
  if (seq === state.renderSeq) await showDocuments(docsBox, id);
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
  const rows = [...groups.values()].map(({ d, formats }) => h('tr', { 'data-testid': 'document-row' },
    h('td', {}, d.pair_removed ? `${d.pair_label}（已移出花名册）` : d.pair_label),
    h('td', {}, d.title, draftMark(d)),
    h('td', {}, d.file_name.split('/').pop().replace(/\.(docx|pdf)$/i, '')),
    h('td', { 'data-testid': 'document-proof' }, d.proof || '—'),
    h('td', {}, h('span', { class: 'links' }, [...formats].map(([fmt, docId]) => link(docId, fmt))))));
  put(box,
    h('h2', {}, '文书 ', h('span', { class: 'count' }, `共 ${rows.length} 份`)),
    table(['结对', '文书', '文件', '校对', '下载'], rows, { 'data-testid': 'documents-table' }));
}

/** 草稿: a document made while a party's name was abbreviated or missing (DocumentOut.draft, its reasons). */
function draftMark(d) {
  return d.draft ? h('span', { class: 'badge draft', title: d.draft_reasons, 'data-testid': 'document-draft' }, '草稿')
    : null;
}
