// The phone upload page a blank form's QR code opens (/m/<form code>/<link token>): no account, no cookie.
// It asks /api/links/… which program, pair and form the link is for, takes photos or files and sends them;
// the answer is a receipt in words. The link in the address is the only credential (docgen.upload_links).

import { fmtSize, h, showDate } from './ui/core.js';

const main = document.getElementById('phone');
const parts = location.pathname.split('/').filter(Boolean); // ["m", code, token]
const linkPath = parts.length === 3 && parts[0] === 'm'
  ? `/api/links/${encodeURIComponent(decodeURIComponent(parts[1]))}/${encodeURIComponent(parts[2])}` : null;

function refused(message) {
  main.replaceChildren(h('div', { class: 'card errors', role: 'alert', 'data-testid': 'phone-refused' },
    h('h1', {}, '无法使用此链接'), h('p', {}, message)));
}

async function detail(r) {
  try { const b = await r.json(); return typeof b.detail === 'string' ? b.detail : ''; } catch { return ''; }
}

function page(slot) {
  const chosen = [];
  const list = h('ul', { class: 'phone-files', 'data-testid': 'phone-files' });
  const send = h('button', { type: 'button', class: 'primary phone-send', 'data-testid': 'phone-send', disabled: true },
    '提交');
  const result = h('div', { 'data-testid': 'phone-result', 'aria-live': 'polite' });
  const redraw = () => {
    list.replaceChildren(...chosen.map((f, i) => h('li', {},
      h('span', { class: 'name' }, f.name || `照片${i + 1}`), ' ', h('span', { class: 'muted' }, fmtSize(f.size)),
      h('button', { type: 'button', class: 'link', onclick: () => { chosen.splice(i, 1); redraw(); } }, '移除'))));
    send.disabled = chosen.length === 0;
    send.textContent = chosen.length ? `提交 ${chosen.length} 个文件` : '提交';
  };
  const picker = (props, label) => {
    const input = h('input', { type: 'file', multiple: true, class: 'visually-hidden', ...props });
    input.addEventListener('change', () => { chosen.push(...input.files); input.value = ''; redraw(); });
    return h('label', { class: 'button phone-pick' }, label, input);
  };
  send.addEventListener('click', async () => {
    const form = new FormData();
    for (const f of chosen) form.append('files', f, f.name || 'photo.jpg');
    send.disabled = true;
    send.textContent = '正在上传…';
    result.replaceChildren();
    let r;
    try {
      r = await fetch(`${linkPath}/uploads`, { method: 'POST', body: form, credentials: 'omit' });
    } catch {
      result.replaceChildren(h('p', { class: 'card errors', role: 'alert' }, '网络中断，文件没有送达，请稍后重试。'));
      redraw();
      return;
    }
    let body = {};
    try { body = await r.json(); } catch { /* an answer without JSON: the status says enough */ }
    if (r.status === 403) { refused(body.detail || '链接无效'); return; }
    const rows = (body.files || []).map((f) => h('li', {}, f.name, '：',
      f.error ? h('span', { class: 'bad' }, f.error) : (f.duplicate ? '已收到过（同一文件不重复计）' : '已收到')));
    const ok = r.status === 202;
    result.replaceChildren(h('div', { class: `card ${ok ? 'receipt' : 'errors'}`, role: ok ? 'status' : 'alert',
      'data-testid': 'phone-receipt' },
    h('h2', {}, ok ? '✓ 已提交' : '未能提交'),
    h('p', { 'data-testid': 'phone-receipt-text' }, body.receipt || body.detail || `上传失败（${r.status}）`),
    rows.length ? h('ul', {}, rows) : null,
    ok ? h('p', { class: 'muted' }, '可以关闭此页面；如需补充照片，可再次选择后提交。') : null));
    if (ok) chosen.length = 0;
    redraw();
  });
  const schools = `${slot.supporting.join('、')} → ${slot.supported.join('、')}`;
  main.replaceChildren(
    h('div', { class: 'card', 'data-testid': 'phone-slot' },
      h('h1', { 'data-testid': 'phone-form' }, slot.form_title),
      h('dl', { class: 'phone-facts' },
        h('dt', {}, '项目'), h('dd', {}, slot.program),
        h('dt', {}, '结对'), h('dd', { 'data-testid': 'phone-pair' }, `${slot.pair_label}　${schools}`),
        slot.school ? [h('dt', {}, '填报学校'), h('dd', { 'data-testid': 'phone-school' }, slot.school)] : null,
        h('dt', {}, '链接有效期至'), h('dd', {}, showDate(slot.expires)))),
    h('div', { class: 'card' },
      h('p', {}, '拍下填好并盖章的表格（每页一张），或选择 Word、PDF 文件，然后提交。无需登录。'),
      h('div', { class: 'phone-pickers' },
        picker({ accept: 'image/*', capture: 'environment', 'data-testid': 'phone-camera' }, '拍照'),
        picker({ accept: 'image/*,.pdf,.docx,.zip,.tif,.tiff', 'data-testid': 'phone-choose' }, '选择文件')),
      list, send),
    result);
}

async function start() {
  if (!linkPath) { refused('链接不完整：请重新扫描表格上的二维码。'); return; }
  let r;
  try {
    r = await fetch(linkPath, { credentials: 'omit' });
  } catch {
    refused('网络不通，请稍后重试。');
    return;
  }
  if (!r.ok) { refused((await detail(r)) || `链接无法使用（${r.status}）`); return; }
  page(await r.json());
}

start();
