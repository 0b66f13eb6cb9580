// 5. 上传回收表
import {
  api, canWrite, clearMessage, every, fmtSize, fmtTime, h, names, newestOnly, num, POLL_MS, put, say,
  showMessage, table, uid,
} from './core.js';

const READING = '正在识别。';
const READ = '识别完成，请到“审核”查看。';

export async function uploadsTab(body, id, seq) {
  const input = h('input', {
    type: 'file', multiple: true, class: 'visually-hidden',
    accept: '.docx,.pdf,.jpg,.jpeg,.png,.tif,.tiff,.zip', 'data-testid': 'upload-input',
  });
  input.id = uid('upload');
  const zone = h('div', { class: 'dropzone', 'data-testid': 'upload-dropzone' },
    h('p', { class: 'big' }, '把回收的表格拖到这里'),
    h('p', { class: 'muted' }, '可一次拖入多个文件或 ZIP 压缩包：Word（.docx）、PDF、扫描件、手机照片（.jpg/.png）。'),
    h('label', { for: input.id, class: 'button' }, '或选择文件…'), input);
  const listBox = h('div', { 'data-testid': 'uploads' });
  // 显示: every upload, those that count, or those the bureau excluded (GET /api/uploads?excluded=)
  const show = h('select', { 'data-testid': 'uploads-filter' },
    h('option', { value: '' }, '全部上传'), h('option', { value: 'false' }, '计入台账的'),
    h('option', { value: 'true' }, '已排除的'));
  show.id = uid('show');
  const filterRow = h('div', { class: 'row filter-row' }, h('label', { for: show.id }, '显示'), show);
  const dupIds = new Set(); // uploads that were sent again in this visit: marked 重复
  let timer = null;

  const ask = newestOnly();
  let asking = 0; // asks on their way
  const refresh = async () => {
    const mine = ask();
    let ups;
    asking += 1;
    try {
      const only = show.value ? `&excluded=${show.value}` : '';
      ups = await api(`/api/uploads?program=${encodeURIComponent(id)}${only}`);
    } catch (e) {
      if (!mine()) return;
      clearInterval(timer);
      timer = null;
      showMessage(e.message);
      return;
    } finally {
      asking -= 1;
    }
    if (!mine()) return; // a newer ask (the filter changed, a send finished) draws instead
    renderUploads(listBox, ups, dupIds, show.value);
    const busy = ups.some((u) => !u.finished);
    // the clock asks only when no ask is on its way: on a slow server each tick would otherwise make the
    // last one stale before it came, and the list would never be drawn again
    if (busy && !timer) timer = every(POLL_MS, () => { if (!asking) refresh(); });
    if (!busy) {
      if (timer) clearInterval(timer);
      timer = null;
      const box = document.getElementById('message');
      if (!box.hidden && box.textContent.includes(READING)) box.textContent = box.textContent.replace(READING, READ);
    }
  };

  const send = async (files) => {
    if (!files.length) return;
    clearMessage();
    const fd = new FormData();
    for (const f of files) fd.append('files', f, f.name);
    zone.classList.add('busy');
    try {
      // one UploadReceived per file (ZIP members too); a refused one has `error` (its status: rejected)
      const got = await api(`/api/programs/${encodeURIComponent(id)}/uploads`, { method: 'POST', form: fd });
      const rej = got.filter((u) => u.error);
      const dups = got.filter((u) => u.duplicate && !u.error);
      const ok = got.length - rej.length - dups.length;
      for (const u of dups) dupIds.add(String(u.id));
      const parts = ok ? [`已接收 ${ok} 个文件，${READING}`] : [];
      if (dups.length) parts.push(`${dups.length} 个重复（之前已上传过，不再重复识别）：${dups.map((u) => u.name).join('、')}。`);
      if (rej.length) parts.push(`${rej.length} 个未能接收：${rej.map((u) => refusal(u)).join('；')}`);
      showMessage(parts.join(' '), rej.length ? 'alert' : 'info');
    } catch (e) {
      showMessage(e.message); // none accepted: `detail` names every file and its reason
    } finally {
      zone.classList.remove('busy');
      input.value = '';
    }
    await refresh();
  };

  show.addEventListener('change', () => refresh());
  input.addEventListener('change', () => send([...input.files]));
  zone.addEventListener('dragover', (ev) => {
    ev.preventDefault();
    zone.classList.add('over');
  });
  zone.addEventListener('dragleave', () => zone.classList.remove('over'));
  zone.addEventListener('drop', (ev) => {
    ev.preventDefault();
    zone.classList.remove('over');
    send([...(ev.dataTransfer?.files ?? [])]);
  });

  put(body, canWrite() ? h('div', { class: 'card' }, h('h2', {}, '上传回收表'), zone) : null, filterRow, listBox);
  await refresh();
}

/** `名称（原因）` for a refused UploadReceived; the API's reason may already start with the name (`名称：…`). */
function refusal(u) {
  const reason = u.error.startsWith(`${u.name}：`) ? u.error.slice(u.name.length + 1) : u.error;
  return `${u.name}（${reason}）`;
}

function renderUploads(box, ups, dupIds = new Set(), only = '') {
  if (!ups.length) {
    const none = only === 'true' ? '没有已排除的上传。' : only === 'false' ? '没有计入台账的上传。' : '还没有上传文件。';
    put(box, h('h2', {}, '已上传'), h('p', { class: 'muted' }, none));
    return;
  }
  const rows = ups.map((u) => { // UploadOut
    const dup = dupIds.has(String(u.id));
    // excluded by the bureau: kept and audited, out of the 台账 and the board — who, when and why shown
    const excluded = u.excluded ? h('div', { class: 'excluded-note', 'data-testid': 'upload-excluded' },
      h('span', { class: 'badge s-excluded' }, '已排除'),
      ` ${u.excluded_by} 于 ${fmtTime(u.excluded_at)} 排除${u.exclude_reason ? `：${u.exclude_reason}` : ''}，不计入台账和回收情况`)
      : null;
    return h('tr', { 'data-testid': 'upload-row', 'data-status': u.status, class: u.excluded ? 'excluded' : null },
      h('td', {}, u.parent_id ? h('span', { class: 'muted', title: '来自压缩包' }, '↳ ') : null, u.original_name,
        u.via_link ? h('span', { class: 'badge via-link', 'data-testid': 'upload-via-link' }, '手机扫码上传') : null),
      h('td', { class: 'num' }, fmtSize(u.size)),
      h('td', {}, h('span', { class: `badge s-${u.status}`, 'data-testid': 'upload-status' }, say('upload_status', u.status)),
        dup ? h('span', { class: 'badge s-duplicate', 'data-testid': 'upload-duplicate' }, '重复') : null),
      h('td', {}, u.error ? u.error : dup ? '刚才又上传了一次，内容完全相同，未重复识别' : '', excluded),
      h('td', { class: 'time' }, fmtTime(u.created_at)),
      h('td', {}, u.record_id ? [
        // 已识别 says the reading ended; the record's own status says whether anything could be read
        h('span', { class: `badge s-${u.record_status}`, 'data-testid': 'upload-record-status' },
          say('record_status', u.record_status)),
        h('a', { href: `#/records/${encodeURIComponent(u.record_id)}`, 'data-testid': 'upload-record-link' }, '查看记录'),
      ] : null));
  });
  put(box,
    h('h2', {}, '已上传 ', h('span', { class: 'count' }, `共 ${ups.length} 个`)),
    h('div', { class: 'scroll' }, table(['文件', '大小', '状态', '说明', '上传时间', '记录'], rows,
      { 'data-testid': 'uploads-table' })));
}
