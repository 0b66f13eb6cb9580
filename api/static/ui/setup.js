// 新建项目 / 编辑项目 / 复制为新项目 (#/setup/new, #/setup/<id>/edit, #/setup/<id>/copy) and 模板 (#/setup/templates).
// The form edits the mapping a program.yaml holds (GET /api/program-setup gives a new program and each template's
// defaults; GET /api/programs/<id>/setup an existing one) and sends it back whole: the server checks it with the
// program file's own rules and answers in Chinese naming the field. Codes (sides, copy holders, form kinds) are
// shown in the words of /api/vocabulary.
import {
  api, clearMessage, fmtSize, fmtTime, h, labelled, put, say, showMessage, state, table,
} from './core.js';

const input = (value, props = {}) => h('input', { type: 'text', value: value ?? '', ...props });
const dateInput = (value, props = {}) => h('input', { type: 'date', value: value ?? '', ...props });
const numInput = (value, props = {}) => h('input', {
  type: 'number', min: 1, max: 99, value: value ?? '', class: 'short', ...props,
});
// the labels of party_terms' four words, in the loader's order (docgen.model.PartyTerms)
const TERM_LABELS = ['支援学校称谓', '受援学校称谓', '支援方甲乙称谓', '受援方甲乙称谓'];
/** labelled(…) spanning two columns of the form's grid (a long title). */
const wide = (label, control) => { const el = labelled(label, control); el.classList.add('wide'); return el; };
const words = (list) => (list ?? []).join('、');
const splitWords = (text) => text.split(/[、,，;；\s]+/).map((s) => s.trim()).filter(Boolean);
const trimmed = (el) => el.value.trim();

/** A small list editor: rows made by `make(item)` (each returns {el, read}), 添加 and 删除 buttons. */
function listEditor(items, make, addLabel, testid, blank, removeLabel = '删除') {
  const box = h('div', { class: 'setup-list', 'data-testid': testid });
  const rows = [];
  const add = (item) => {
    const row = make(item);
    const remove = h('button', { type: 'button', class: 'link', 'data-testid': `${testid}-remove` }, removeLabel);
    const wrap = h('div', { class: 'setup-item' }, row.el, remove);
    const entry = { row, wrap };
    remove.addEventListener('click', () => { rows.splice(rows.indexOf(entry), 1); wrap.remove(); });
    rows.push(entry);
    box.append(wrap);
  };
  items.forEach(add);
  const addButton = h('button', { type: 'button', 'data-testid': `${testid}-add` }, addLabel);
  addButton.addEventListener('click', () => add(blank()));
  return { el: h('div', {}, box, addButton), read: () => rows.map((r) => r.row.read()), rows };
}

/** Checkboxes over a vocabulary's codes; `chosen` ticked. */
function checks(vocabName, chosen, testid) {
  const boxes = Object.entries(state.vocab[vocabName]).map(([code, label]) => {
    const box = h('input', { type: 'checkbox', value: code, checked: chosen.includes(code) });
    return { code, el: h('label', { class: 'check', 'data-testid': `${testid}-option` }, box, label), box };
  });
  return {
    el: h('div', { class: 'checks', 'data-testid': testid }, boxes.map((b) => b.el)),
    read: () => boxes.filter((b) => b.box.checked).map((b) => b.code),
    boxes,
  };
}

function select(options, value, props = {}) { // options: [[value, label]]
  return h('select', props, options.map(([v, label]) => h('option', { value: v, selected: v === value }, label)));
}

// ---------------------------------------------------------------- the form

export async function renderSetup(view, parts, seq) {
  if (parts[1] === 'templates') return renderTemplates(view, seq);
  const [defaults, existing] = await Promise.all([
    api('/api/program-setup'),
    parts[1] && parts[1] !== 'new' ? api(`/api/programs/${encodeURIComponent(parts[1])}/setup`) : null,
  ]);
  if (seq !== state.renderSeq) return;
  const mode = existing ? parts[2] : 'new'; // new | edit | copy
  let program = defaults.program;
  if (existing) {
    program = structuredClone(existing.program);
    if (mode === 'copy') {
      program.key = existing.copy_key;
      program.name = `${program.name}（副本）`;
    }
  }
  const title = { new: '新建项目', edit: '编辑项目', copy: '复制为新项目' }[mode];
  document.title = `${title} — 结对帮扶文书服务`;
  const form = programForm(program, defaults, { mode, keyLocked: mode === 'edit' && existing.key_locked });
  form.el.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    clearMessage();
    const data = form.read();
    try {
      const saved = mode === 'edit'
        ? await api(`/api/programs/${encodeURIComponent(parts[1])}/setup`, { method: 'PUT', json: { program: data } })
        : await api('/api/program-setup', { method: 'POST', json: { program: data } });
      showMessage(mode === 'edit' ? `已保存项目：${saved.name}` : `已新建项目：${saved.name}`, 'info', { keep: true });
      location.hash = `#/programs/${encodeURIComponent(saved.id)}/roster`;
    } catch (e) {
      showMessage(e.message);
    }
  });
  put(view,
    h('p', { class: 'crumbs' }, h('a', { href: '#/programs' }, '项目'), ' / ', title),
    h('h1', { 'data-testid': 'setup-title' }, title),
    h('p', { class: 'muted' }, '按通知填写；带 * 的必填。保存时按项目文件的规则检查，有误会指出是哪一项。'),
    form.el);
}

function programForm(program, defaults, { mode, keyLocked }) {
  const f = {
    name: input(program.name, { required: true, 'data-testid': 'setup-name' }),
    key: input(program.key, {
      required: true, 'data-testid': 'setup-key', pattern: '[a-z0-9][a-z0-9-]{0,63}', readonly: keyLocked,
    }),
    issuer: input(program.issuer, { 'data-testid': 'setup-issuer', placeholder: '如 彭州市教育局' }),
    number: input(program.document_number, { 'data-testid': 'setup-number', placeholder: '如 彭教育人事发〔2019〕8号' }),
    notice: input(program.notice_title, { 'data-testid': 'setup-notice', placeholder: '如 关于进一步加强“校校结对工作”的通知' }),
    issued: dateInput(program.issued_on, { 'data-testid': 'setup-issued' }),
    start: dateInput(program.period_start, { 'data-testid': 'setup-period-start' }),
    end: dateInput(program.period_end, { 'data-testid': 'setup-period-end' }),
    stage: select([['', '不指定'], ...defaults.stages.map((s) => [s, s])], program.default_stage ?? '',
      { 'data-testid': 'setup-stage' }),
    policy: select(Object.entries(state.vocab.group_policy), program.group_policy ?? Object.keys(state.vocab.group_policy)[0],
      { 'data-testid': 'setup-policy' }),
    heading: input(program.forms_heading, { 'data-testid': 'setup-forms-heading', placeholder: '默认为项目名称' }),
  };
  // a new program's key follows the year of its notice until the clerk types one
  let keyTyped = mode === 'edit';
  f.key.addEventListener('input', () => { keyTyped = true; });
  f.issued.addEventListener('change', async () => {
    if (keyTyped || !f.issued.value || mode !== 'new') return;
    try {
      f.key.value = (await api(`/api/program-setup/key?year=${f.issued.value.slice(0, 4)}`)).key;
    } catch { /* the suggested key stays */ }
  });

  const terms = program.party_terms ?? {};
  // the four words' names are the defaults' (party_terms of a new program holds all four)
  const termNames = Object.keys(defaults.program.party_terms);
  const termInputs = Object.fromEntries(termNames.map((k) => [k, input(terms[k], {
    'data-testid': `setup-term-${k}`, class: 'short', placeholder: `默认 ${defaults.program.party_terms[k]}`,
  })]));

  const sides = Object.entries(state.vocab.bureau_side);
  const bureaus = listEditor(program.bureaus ?? [], (b) => {
    const name = input(b.name, { 'data-testid': 'bureau-name', required: true, placeholder: '如 彭州市教育局' });
    const side = select(sides, b.side, { 'data-testid': 'bureau-side' });
    const office = input(b.party_office, { 'data-testid': 'bureau-office', placeholder: '默认为 名称+党办' });
    const keeps = h('input', { type: 'checkbox', checked: b.keeps_copy !== false, 'data-testid': 'bureau-keeps' });
    return {
      el: h('div', { class: 'setup-grid' }, labelled('教育局名称 *', name), labelled('所在一方', side),
        labelled('党办名称', office), h('label', { class: 'check' }, keeps, '留存协议')),
      read: () => ({
        name: trimmed(name), side: side.value, ...(trimmed(office) ? { party_office: trimmed(office) } : {}),
        ...(keeps.checked ? {} : { keeps_copy: false }),
      }),
    };
  }, '添加教育局', 'setup-bureaus', () => ({ name: '', side: sides[0][0] }), '删除此教育局');

  const templateOptions = defaults.templates.map((t) => [`${t.name}.docx`,
    `${t.title ? t.title : t.name}（${say('template_source', t.source)}）`]);
  const defaultsOf = (template) => defaults.templates.find((t) => `${t.name}.docx` === template)?.defaults;

  // 下发表单 and 任务清单 come before the agreements' change handler can touch them
  const forms = checks('form', program.forms ?? [], 'setup-forms');
  const taskKeys = new Set((program.tasks ?? []).map((t) => t.key));
  let taskSeq = 0;
  const freshTaskKey = () => {
    do taskSeq += 1; while (taskKeys.has(`task-${taskSeq}`));
    taskKeys.add(`task-${taskSeq}`);
    return `task-${taskSeq}`;
  };
  const makeTask = (t) => {
    const key = t.key ?? freshTaskKey();
    const titleEl = input(t.title, { 'data-testid': 'task-title', required: true });
    const due = dateInput(t.due, { 'data-testid': 'task-due' });
    const times = numInput(t.min_per_year, { 'data-testid': 'task-times' });
    const to = input(t.to, { 'data-testid': 'task-to', class: 'short', placeholder: '如 人事科' });
    const form = select([['', '无'], ...Object.entries(state.vocab.form)], t.form ?? '', { 'data-testid': 'task-form' });
    const optional = h('input', { type: 'checkbox', checked: !!t.optional, 'data-testid': 'task-optional' });
    return {
      el: h('div', { class: 'setup-grid' }, wide('任务 *', titleEl), labelled('截止日期', due),
        labelled('每年至少（次）', times), labelled('报送对象', to), labelled('回收表单', form),
        h('label', { class: 'check' }, optional, '自选')),
      read: () => ({
        key, title: trimmed(titleEl), ...(due.value ? { due: due.value } : {}),
        ...(times.value ? { min_per_year: Number(times.value) } : {}), ...(optional.checked ? { optional: true } : {}),
        ...(trimmed(to) ? { to: trimmed(to) } : {}), ...(form.value ? { form: form.value } : {}),
      }),
    };
  };
  const tasks = listEditor(program.tasks ?? [], makeTask, '添加任务', 'tasks', () => ({}), '删除此任务');

  // 目标: what the notice sets as numbers (docs/targets.md). The 统计表's rows are counted by the measure chosen;
  // a target of another form or one summed from others (parts) keeps those settings as they were.
  const targetKeys = new Set((program.targets ?? []).map((t) => t.key));
  let targetSeq = 0;
  const freshTargetKey = () => {
    do targetSeq += 1; while (targetKeys.has(`target-${targetSeq}`));
    targetKeys.add(`target-${targetSeq}`);
    return `target-${targetSeq}`;
  };
  const choices = (vocabName) => Object.entries(state.vocab[vocabName]);
  const makeTarget = (g) => {
    const key = g.key ?? freshTargetKey();
    const titleEl = input(g.title, { 'data-testid': 'target-title', required: true, placeholder: '如 学校管理层互访' });
    const quantity = h('input', {
      type: 'number', min: 1, value: g.quantity ?? '', class: 'short', 'data-testid': 'target-quantity',
    });
    const unit = input(g.unit, { 'data-testid': 'target-unit', class: 'short', required: true, placeholder: '如 次、人次' });
    const per = select(choices('target_scope'), g.per ?? choices('target_scope')[0][0], { 'data-testid': 'target-per' });
    const period = select(choices('target_period'), g.period ?? choices('target_period')[0][0],
      { 'data-testid': 'target-period' });
    const measure = select(choices('target_measure'), g.measure ?? choices('target_measure')[0][0],
      { 'data-testid': 'target-measure' });
    const match = input(words(g.match), { 'data-testid': 'target-match', placeholder: '如 管理、互访（空：每一行都算）' });
    const note = input(g.note, { 'data-testid': 'target-note', placeholder: '通知原话，如 每年不少于1次' });
    const source = input(g.source, { 'data-testid': 'target-source', class: 'short', placeholder: '如 二、（二）' });
    const own = g.parts?.length || (g.form && g.form !== defaults.target_form); // set in the program file: kept
    return {
      el: h('div', { class: 'setup-grid' }, wide('目标 *', titleEl), labelled('数量', quantity), labelled('单位 *', unit),
        labelled('对象', per), labelled('期间', period),
        own ? null : labelled('计数方式', measure), own ? null : wide('活动名称含', match), wide('通知原话', note),
        labelled('出处（通知条款）', source)),
      read: () => {
        const out = { ...g, key, title: trimmed(titleEl), unit: trimmed(unit), per: per.value, period: period.value };
        if (quantity.value) out.quantity = Number(quantity.value);
        else delete out.quantity;
        for (const [k, el] of Object.entries({ note, source })) {
          if (trimmed(el)) out[k] = trimmed(el);
          else delete out[k];
        }
        if (!own) {
          out.measure = measure.value;
          out.column = defaults.measure_columns[measure.value];
          if (!out.column) delete out.column;
          out.match = splitWords(match.value);
        }
        return out;
      },
    };
  };
  const targets = listEditor(program.targets ?? [], makeTarget, '添加目标', 'targets', () => ({}), '删除此目标');

  // 定期报告: the reports the notice asks for (建始: 每月19日报送, 20日汇总; 每半年一次工作总结)
  const reportKeys = new Set((program.reports ?? []).map((x) => x.key));
  let reportSeq = 0;
  const freshReportKey = () => {
    do reportSeq += 1; while (reportKeys.has(`report-${reportSeq}`));
    reportKeys.add(`report-${reportSeq}`);
    return `report-${reportSeq}`;
  };
  const day = (value, testid) => h('input', {
    type: 'number', min: 1, max: 28, value: value ?? '', class: 'short', 'data-testid': testid,
  });
  const makeReport = (x) => {
    const key = x.key ?? freshReportKey();
    const titleEl = input(x.title, { 'data-testid': 'report-title', required: true, placeholder: '如 工作进展情况' });
    const every = select(choices('report_every'), x.every ?? choices('report_every')[0][0], { 'data-testid': 'report-every' });
    const due = day(x.due_day, 'report-due-day');
    const rollup = day(x.rollup_day, 'report-rollup-day');
    const reporters = input(x.reporters, { 'data-testid': 'report-reporters', placeholder: '如 各结对学校' });
    const receiver = input(x.receiver, { 'data-testid': 'report-receiver', placeholder: '如 县教育局扶贫办' });
    const rollupTo = input(words(x.rollup_to), { 'data-testid': 'report-rollup-to', placeholder: '如 县扶贫办、滨江区教育局' });
    return {
      el: h('div', { class: 'setup-grid' }, wide('报告名称 *', titleEl), labelled('频率', every),
        labelled('学校报送日（每月几日前）', due), labelled('汇总上报日', rollup), labelled('报送单位', reporters),
        labelled('报送给', receiver), wide('汇总报送给', rollupTo)),
      read: () => {
        const out = { ...x, key, title: trimmed(titleEl), every: every.value, reporters: trimmed(reporters),
          receiver: trimmed(receiver), rollup_to: splitWords(rollupTo.value) };
        for (const [k, el] of [['due_day', due], ['rollup_day', rollup]]) {
          if (el.value) out[k] = Number(el.value);
          else delete out[k];
        }
        return out;
      },
    };
  };
  const reports = listEditor(program.reports ?? [], makeReport, '添加定期报告', 'reports', () => ({}), '删除此报告');

  const agreements = listEditor(program.agreements ?? [], (a) => {
    const template = select(templateOptions, a.template, { 'data-testid': 'agreement-template' });
    const titleEl = input(a.title, { 'data-testid': 'agreement-title', required: true });
    const term = a.term ?? {};
    const years = numInput(term.years, { 'data-testid': 'agreement-years' });
    const start = dateInput(term.start, { 'data-testid': 'agreement-start' });
    const end = dateInput(term.end, { 'data-testid': 'agreement-end' });
    const holders = checks('copy_holder', a.copy_holders ?? [], 'agreement-holders');
    const bySchools = choices('signatories')[0][0]; // the default: the schools sign (agreements[].signatories)
    const signatories = select(choices('signatories'), a.signatories ?? bySchools, { 'data-testid': 'agreement-signatories' });
    const params = h('textarea', { rows: 4, 'data-testid': 'agreement-params', class: 'params' },
      a.params ? JSON.stringify(a.params, null, 1) : '');
    let key = a.key;
    template.addEventListener('change', () => { // the template's defaults: title, term, copy holders, params
      const d = defaultsOf(template.value);
      if (!d) return;
      key = d.agreement.key;
      titleEl.value = d.agreement.title;
      years.value = d.agreement.term?.years ?? '';
      start.value = ''; end.value = '';
      holders.boxes.forEach((b) => { b.box.checked = d.agreement.copy_holders.includes(b.code); });
      signatories.value = d.agreement.signatories ?? bySchools;
      params.value = d.agreement.params ? JSON.stringify(d.agreement.params, null, 1) : '';
      if (mode === 'new') { // a new program takes the template's usual forms and party terms too
        forms.boxes.forEach((b) => { b.box.checked = d.program.forms.includes(b.code); });
        for (const [k, el] of Object.entries(termInputs)) el.value = d.program.party_terms[k];
      }
    });
    return {
      el: h('div', { class: 'setup-agreement' },
        h('div', { class: 'setup-grid' }, labelled('模板', template), wide('协议标题 *', titleEl),
          labelled('为期（年）', years), labelled('开始日期', start), labelled('结束日期', end)),
        labelled('协议份数（一式N份由这些持有方计算）', holders.el),
        labelled('签署方', signatories),
        h('details', { open: !!a.params }, h('summary', {}, '模板参数（高级，JSON）'), params)),
      read: () => {
        const out = { key, title: trimmed(titleEl), template: template.value, copy_holders: holders.read() };
        if (signatories.value !== bySchools) out.signatories = signatories.value;
        const t = {
          ...(years.value ? { years: Number(years.value) } : {}),
          ...(start.value ? { start: start.value } : {}), ...(end.value ? { end: end.value } : {}),
        };
        if (Object.keys(t).length) out.term = t;
        if (params.value.trim()) {
          try {
            out.params = JSON.parse(params.value);
          } catch {
            throw new Error(`协议“${out.title}”的模板参数不是有效的 JSON`);
          }
        }
        return out;
      },
    };
  }, '添加协议种类', 'agreements', () => structuredClone(defaults.templates[0].defaults.agreement), '删除此协议');

  const rep = program.reporting ?? {};
  const r = {
    activity: input(rep.activity, { 'data-testid': 'rep-activity', placeholder: '如 援藏支教（默认 结对交流）' }),
    activity_label: input(rep.activity_label, { 'data-testid': 'rep-activity-label', placeholder: '如 援藏活动情况' }),
    filing_offices: input(words(rep.filing_offices), { 'data-testid': 'rep-filing', placeholder: '如 人事科、党委办' }),
    report_offices: input(words(rep.report_offices), { 'data-testid': 'rep-report', placeholder: '如 党委办、人事科' }),
    report_within: input(rep.report_within, { 'data-testid': 'rep-within', placeholder: '如 一周内' }),
    email_group: input(rep.email_group, { 'data-testid': 'rep-group', placeholder: '如 彭州教育政工人事群' }),
    email: input(rep.email, { 'data-testid': 'rep-email', placeholder: '如 lzjjk2007@163.com' }),
    staff: input(rep.staff, { 'data-testid': 'rep-staff', placeholder: '如 彭州干部教师' }),
  };

  const read = () => {
    const out = { key: trimmed(f.key), name: trimmed(f.name) };
    const opt = { document_number: f.number, issuer: f.issuer, notice_title: f.notice, forms_heading: f.heading };
    for (const [k, el] of Object.entries(opt)) if (trimmed(el)) out[k] = trimmed(el);
    const dates = { issued_on: f.issued, period_start: f.start, period_end: f.end };
    for (const [k, el] of Object.entries(dates)) if (el.value) out[k] = el.value;
    if (f.stage.value) out.default_stage = f.stage.value;
    out.group_policy = f.policy.value;
    // the school name table's file (a program imported from a folder) is not on the form: kept as it was
    if (program.school_names) out.school_names = program.school_names;
    out.party_terms = Object.fromEntries(Object.entries(termInputs).map(([k, el]) => [k, trimmed(el)]).filter(([, v]) => v));
    // an agreement key is unique within the program: a second agreement on one template gets -2
    const seen = new Set();
    out.agreements = agreements.read().map((a) => {
      let k = a.key;
      for (let n = 2; seen.has(k); n += 1) k = `${a.key}-${n}`;
      seen.add(k);
      return { ...a, key: k };
    });
    out.bureaus = bureaus.read();
    out.forms = forms.read();
    out.tasks = tasks.read();
    out.targets = targets.read();
    out.reports = reports.read();
    const reporting = {};
    for (const [k, el] of Object.entries(r)) {
      const v = k.endsWith('_offices') ? splitWords(el.value) : trimmed(el);
      if (v.length) reporting[k] = v;
    }
    out.reporting = reporting;
    return out;
  };

  const el = h('form', { class: 'setup', 'data-testid': 'setup-form', novalidate: true },
    h('section', { class: 'card' }, h('h2', {}, '基本信息'),
      h('div', { class: 'setup-grid' }, labelled('项目名称 *', f.name), labelled('发文单位', f.issuer),
        labelled('文号', f.number), wide('通知标题', f.notice), labelled('发文日期', f.issued),
        labelled('工作开始日期', f.start), labelled('工作结束日期', f.end), labelled('默认学段', f.stage),
        labelled('多校结对', f.policy)),
      h('details', {}, h('summary', {}, '项目代号（自动生成，用于文件名和表单识别码）'),
        labelled(keyLocked ? '项目代号（已印在发出的表单上，不能再改）' : '项目代号', f.key))),
    h('section', { class: 'card' }, h('h2', {}, '教育局'), bureaus.el),
    h('section', { class: 'card' }, h('h2', {}, '协议'),
      h('div', { class: 'setup-grid' }, termNames.map((k, i) => labelled(TERM_LABELS[i], termInputs[k]))),
      agreements.el,
      h('p', { class: 'muted' }, '需要新的协议模板？', h('a', { href: '#/setup/templates', 'data-testid': 'setup-templates-link' }, '上传模板'))),
    h('section', { class: 'card' }, h('h2', {}, '下发表单'), forms.el, labelled('表单标题开头', f.heading)),
    h('section', { class: 'card' }, h('h2', {}, '任务清单'), tasks.el),
    h('section', { class: 'card' }, h('h2', {}, '目标（通知规定的数量）'),
      h('p', { class: 'muted' }, '按回收的统计表计数，在“目标与报告”和台账中显示完成情况。'), targets.el),
    h('section', { class: 'card' }, h('h2', {}, '定期报告'), reports.el),
    h('section', { class: 'card' }, h('h2', {}, '报送要求（印在表单说明中）'),
      h('div', { class: 'setup-grid' }, labelled('活动名称', r.activity), labelled('备案表活动栏', r.activity_label),
        labelled('备案科室', r.filing_offices), labelled('上报科室', r.report_offices), labelled('上报时限', r.report_within),
        labelled('电子邮件群', r.email_group), labelled('电子邮箱', r.email), labelled('人员称呼', r.staff))),
    h('div', { class: 'row' },
      h('button', { type: 'submit', class: 'primary', 'data-testid': 'setup-save' }, mode === 'edit' ? '保存' : '新建项目'),
      h('a', { href: '#/programs', class: 'button' }, '取消')));
  return {
    el,
    read: () => {
      try {
        return read();
      } catch (e) {
        showMessage(e.message);
        throw e;
      }
    },
  };
}

// ---------------------------------------------------------------- row actions of the program list

/** 编辑 · 复制为新项目 · 导出 · 归档/取消归档 · 删除 for one program of the list (admins). */
export function programActions(p, reload) {
  const id = encodeURIComponent(p.id);
  const archive = h('button', { type: 'button', class: 'link', 'data-testid': 'program-archive' }, p.archived ? '取消归档' : '归档');
  archive.addEventListener('click', async () => {
    try {
      await api(`/api/programs/${id}/archive`, { method: 'POST', json: { archived: !p.archived } });
      showMessage(p.archived ? `已取消归档：${p.name}` : `已归档：${p.name}（只能查看；勾选“显示已归档”可见）`, 'info');
      await reload();
    } catch (e) {
      showMessage(e.message);
    }
  });
  const remove = h('button', { type: 'button', class: 'link danger', 'data-testid': 'program-delete' }, '删除');
  remove.addEventListener('click', () => confirmDelete(p, reload).catch((e) => showMessage(e.message)));
  return h('span', { class: 'links' },
    p.archived ? null : h('a', { href: `#/setup/${id}/edit`, 'data-testid': 'program-edit' }, '编辑'),
    h('a', { href: `#/setup/${id}/copy`, 'data-testid': 'program-copy' }, '复制为新项目'),
    h('a', { href: `/api/programs/${id}/file`, 'data-testid': 'program-export' }, '导出'),
    archive, remove);
}

async function confirmDelete(p, reload) {
  const c = await api(`/api/programs/${encodeURIComponent(p.id)}/deletion`);
  const box = document.querySelector('[data-testid="delete-box"]');
  const yes = h('button', { type: 'button', class: 'primary danger', 'data-testid': 'delete-confirm' }, '确认删除');
  const no = h('button', { type: 'button', 'data-testid': 'delete-cancel' }, '取消');
  no.addEventListener('click', () => { put(box); box.hidden = true; });
  yes.addEventListener('click', async () => {
    try {
      await api(`/api/programs/${encodeURIComponent(p.id)}?confirm=${encodeURIComponent(c.key)}`, { method: 'DELETE' });
      put(box);
      box.hidden = true;
      showMessage(`已删除项目：${c.name}`, 'info');
      await reload();
    } catch (e) {
      showMessage(e.message);
    }
  });
  put(box, h('h2', {}, `删除项目“${c.name}”？`),
    h('p', { 'data-testid': 'delete-contents' },
      `将一并删除：结对 ${c.pairs} 组、文书 ${c.documents} 份、批量任务 ${c.batches} 次、上传文件 ${c.uploads} 个、`
      + `回收记录 ${c.records} 条、更正 ${c.corrections} 处、学校全称 ${c.school_names} 条，`
      + `以及只属于本项目的存储文件 ${c.files} 个（上传原件、生成的文书、压缩包、花名册；与其他项目相同的文件保留）。此操作不能撤销；`
      + '只想不再显示时，请用“归档”。'),
    h('div', { class: 'row' }, yes, no));
  box.hidden = false;
  box.scrollIntoView({ block: 'nearest' });
}

// ---------------------------------------------------------------- templates

async function renderTemplates(view, seq) {
  document.title = '模板 — 结对帮扶文书服务';
  const list = await api('/api/templates');
  if (seq !== state.renderSeq) return;
  const rows = list.map((t) => h('tr', { 'data-testid': 'template-row' },
    h('td', {}, t.title ? t.title : t.name), h('td', {}, t.name), h('td', {}, say('template_source', t.source)),
    h('td', {}, t.uploaded_by ?? ''), h('td', { class: 'time' }, fmtTime(t.created_at)), h('td', { class: 'num' }, fmtSize(t.size)),
    h('td', {}, h('a', { href: `/api/templates/${encodeURIComponent(t.name)}/download` }, '下载'))));
  const file = h('input', { type: 'file', accept: '.docx', required: true, 'data-testid': 'template-file' });
  const name = input('', {
    required: true, pattern: '[a-z0-9][a-z0-9_-]{0,63}', 'data-testid': 'template-name', placeholder: '如 dongguan_1plus1',
  });
  const titleEl = input('', { 'data-testid': 'template-title', placeholder: '如 东莞“1+1”帮扶协议书' });
  const findings = h('div', { 'data-testid': 'template-findings' });
  const form = h('form', { class: 'card', 'data-testid': 'template-form' }, h('h2', {}, '上传模板'),
    h('p', { class: 'muted' }, '上传 Word 模板（.docx）。上传时会检查（与 docgen template check 相同）：模板用到的每个变量都必须有数据，否则不保存并列出问题。'),
    labelled('模板文件', file), labelled('模板名称（小写字母、数字、- 和 _）', name), labelled('说明（项目表单中显示）', titleEl),
    h('button', { type: 'submit', class: 'primary', 'data-testid': 'template-upload' }, '检查并上传'), findings);
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    clearMessage();
    put(findings);
    if (!file.files.length) return showMessage('请选择模板文件（.docx）。');
    if (!/^[a-z0-9][a-z0-9_-]{0,63}$/.test(name.value.trim())) return showMessage('模板名称只能由小写字母、数字、- 和 _ 组成，以字母或数字开头。');
    const fd = new FormData();
    fd.append('file', file.files[0]);
    fd.append('name', name.value.trim());
    fd.append('title', titleEl.value.trim());
    try {
      const t = await api('/api/templates', { method: 'POST', form: fd });
      showMessage(`已上传模板：${t.title ? t.title : t.name}（新建项目时可在“模板”中选择）`, 'info', { keep: true });
      await renderTemplates(view, state.renderSeq);
    } catch (e) {
      showMessage(e.message);
      const errs = e.body?.errors ?? [];
      if (errs.length) {
        put(findings, h('ul', { class: 'errors' }, errs.map((x) => h('li', {},
          [x.variable, x.where, x.message].filter(Boolean).join('：')))));
      }
    }
  });
  put(view,
    h('p', { class: 'crumbs' }, h('a', { href: '#/programs' }, '项目'), ' / 模板'),
    h('h1', {}, '模板'),
    h('div', { class: 'scroll' }, table(['说明', '名称', '来源', '上传人', '上传时间', '大小', ''], rows, { 'data-testid': 'template-list' })),
    form);
}
