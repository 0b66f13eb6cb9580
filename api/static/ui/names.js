// 学校全称表: the full names and party organisations documents sign with (docs/school-names.md)
import {
  api, clearMessage, h, isAdmin, labelled, names, put, showMessage, state, text,
} from './core.js';

/** One entry's inputs (SchoolNameIn): 全称, 简称 (、-separated), 党组织名称; read-only for non-admins. */
function schoolNameInputs(entry, testid) {
  const field = (label, value, key) => labelled(label, h('input', {
    type: 'text', value, maxlength: 200, readonly: !isAdmin(), 'data-testid': `${testid}-${key}`,
  }));
  return h('div', { class: 'names-entry', 'data-testid': testid },
    field('学校全称', entry.full_name, 'full'),
    field('简称（多个用“、”分隔）', entry.short_names.join('、'), 'short'),
    field('党组织名称（可不填）', entry.party_org, 'party'));
}

/** SchoolNameIn from one names-entry box; null when its 全称 is left empty. */
function schoolNameOf(box) {
  const value = (key) => box.querySelector(`[data-testid$="-${key}"]`).value.trim();
  const full = value('full');
  if (!full) return null;
  const shorts = value('short').split(/[、，,;；]/).map((s) => s.trim()).filter(Boolean);
  return { full_name: full, short_names: shorts, party_org: value('party') };
}

export async function namesTab(body, id, seq) {
  const url = `/api/programs/${encodeURIComponent(id)}/school-names`;
  const data = await api(url); // SchoolNamesOut
  if (seq !== undefined && seq !== state.renderSeq) return;
  const missing = data.unresolved.map((u, i) => h('div', { class: 'card names-missing', 'data-testid': 'names-missing' },
    h('p', {}, h('strong', { 'data-testid': 'names-missing-name' }, u.name), ' ',
      h('span', { class: 'muted' }, u.reason)),
    schoolNameInputs({ full_name: '', short_names: [u.name], party_org: '' }, `names-new-${i}`)));
  // schools that can sign but whose party organisation has no name yet (agreements signed by party
  // organisations only): a new entry under the school's own name, kept only when a 党组织名称 is typed
  const party = (data.missing_party_orgs ?? []).map((u, i) => h('div', { class: 'card names-missing', 'data-testid': 'names-party' },
    h('p', {}, h('strong', { 'data-testid': 'names-party-name' }, u.name), ' ', h('span', { class: 'muted' }, u.reason)),
    schoolNameInputs({ full_name: u.name, short_names: [], party_org: '' }, `names-party-${i}`)));
  const kept = data.entries.map((e, i) => h('div', { class: 'card' }, schoolNameInputs(e, `names-entry-${i}`)));
  const parts = [
    h('p', { class: 'muted' }, '协议书以学校全称和党组织名称署名。花名册中像简称（如“市一中”）、占位符（如“xxx中学”）',
      '或泛称的校名，在此填写全称后，下次生成即用全称；未填写的，协议书为草稿，名称处留空待填。'),
    h('h2', {}, '尚无全称的校名 ', h('span', { class: 'count', 'data-testid': 'names-missing-count' },
      `共 ${missing.length} 个`)),
    missing.length ? missing : h('p', { class: 'muted' }, '花名册中的校名都可以直接署名。'),
    ...(party.length ? [h('h2', {}, '尚无党组织名称的学校 ', h('span', { class: 'count', 'data-testid': 'names-party-count' },
      `共 ${party.length} 所`)), h('p', { class: 'muted' }, '本项目的协议由各校党组织签署（如党建共建协议书），',
      '请填写党组织全称（如“中共××学校支部委员会”）；未填写的，协议书为草稿，党组织名称处留空待填。'), party] : []),
    h('h2', {}, '学校全称表 ', h('span', { class: 'count' }, `共 ${kept.length} 所`)),
    kept.length ? kept : h('p', { class: 'muted' }, '表中还没有学校。'),
  ];
  if (isAdmin()) {
    const save = h('button', { type: 'button', class: 'primary', 'data-testid': 'names-save' }, '保存全称表');
    save.addEventListener('click', async () => {
      clearMessage();
      const partyOnly = (box) => box.dataset.testid.startsWith('names-party-');
      const entries = [...body.querySelectorAll('.names-entry')]
        .filter((box) => !partyOnly(box) || box.querySelector('[data-testid$="-party"]').value.trim())
        .map(schoolNameOf).filter(Boolean);
      try {
        const res = await api(url, { method: 'PUT', json: { entries } });
        showMessage(`已保存 ${res.entries.length} 所学校的全称；尚无全称的校名还有 ${res.unresolved.length} 个。`, 'info',
          { keep: true });
        await namesTab(body, id);
      } catch (e) {
        showMessage(e.message);
      }
    });
    parts.push(h('p', {}, save));
  }
  put(body, ...parts);
}
