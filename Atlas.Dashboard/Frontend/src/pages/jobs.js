// The job table: filters and sort in the address (so a view can be shared), pages from the
// server (/api/v1/jobs/query), reloaded live when the server says a job changed (SSE).
import { api, events, enc } from '../api.js';
import { h, mount, num, duration, time, stateBadge, jobLink, routeParams, setRouteParams, showError } from '../ui.js';

const STATES = ['', 'queued', 'assigned', 'starting', 'running', 'succeeded', 'failed', 'cancelled', 'lost'];
const FIXED = [
  ['id', 'Id'], ['name', 'Name'], ['project', 'Project'], ['user', 'User'], ['state', 'State'], ['node', 'Node'],
  ['submitted', 'Submitted'], ['duration', 'Duration'], ['exit', 'Exit'],
];

export async function jobsPage({ signal }) {
  const p = routeParams();
  const view = {
    project: p.get('project') ?? '', user: p.get('user') ?? '', state: p.get('state') ?? '', tag: p.get('tag') ?? '',
    params: p.get('params') ?? '', metrics: p.get('metrics') ?? '',
    sort: p.get('sort') ?? 'submitted', order: p.get('order') ?? '', limit: Number(p.get('limit') ?? 50),
  };
  const cursors = [''];
  let page = null;
  const selected = new Set();

  const field = (name, label, attrs = {}) => h('label', {}, label, h('input', { name, value: view[name], ...attrs }));
  const stateSelect = h('select', { name: 'state' }, STATES.map((s) => h('option', { value: s, selected: s === view.state }, s || 'any')));
  const form = h('form', { class: 'filters', 'aria-label': 'Filter jobs', onsubmit: (e) => {
    e.preventDefault();
    const data = new FormData(form);
    for (const k of ['project', 'user', 'state', 'tag', 'params', 'metrics']) view[k] = String(data.get(k) ?? '').trim();
    load();
  } },
  field('project', 'Project'), field('user', 'User'), h('label', {}, 'State', stateSelect), field('tag', 'Tag', { placeholder: 'name=value' }),
  field('params', 'Param columns', { placeholder: 'lr,batch' }), field('metrics', 'Metric columns', { placeholder: 'loss,acc' }),
  h('button', { type: 'submit' }, 'Apply'));

  const summary = h('p', { class: 'muted', 'aria-live': 'polite', id: 'jobs-summary' });
  const tableBox = h('div', { class: 'table-wrap' });
  const prev = h('button', { type: 'button', onclick: () => { if (cursors.length > 1) { cursors.pop(); fetchPage(); } } }, '← Previous');
  const next = h('button', { type: 'button', onclick: () => { if (page?.nextCursor) { cursors.push(page.nextCursor); fetchPage(); } } }, 'Next →');
  const compare = h('button', { type: 'button', class: 'primary', onclick: () => {
    location.hash = `#/compare?ids=${[...selected].map(enc).join(',')}`;
  } }, 'Compare selected');
  mount(h('h1', {}, 'Jobs'), form, h('div', { class: 'toolbar' }, summary, h('span', { class: 'spacer' }), compare, prev, next), tableBox);

  function list(s) {
    return s.split(',').map((x) => x.trim()).filter(Boolean);
  }

  function columns() {
    return [
      ...FIXED,
      ...list(view.params).map((n) => [`param:${n}`, n]),
      ...list(view.metrics).map((n) => [`metric:${n}`, n]),
    ];
  }

  // cursors: the cursor of each page up to the one shown ('' is the first page).
  async function fetchPage() {
    const q = new URLSearchParams({ sort: view.sort, limit: String(view.limit) });
    for (const k of ['project', 'user', 'state', 'tag']) if (view[k]) q.set(k, view[k]);
    if (view.order) q.set('order', view.order);
    const cursor = cursors[cursors.length - 1];
    if (cursor) q.set('cursor', cursor);
    setRouteParams('/jobs', new URLSearchParams(Object.entries(view).filter(([k, v]) => v !== '' && !(k === 'limit' && v === 50))));
    try {
      page = await api(`/api/v1/jobs/query?${q}`);
      render();
    } catch (e) {
      showError(e.message);
    }
  }

  function load() {
    cursors.length = 1;
    return fetchPage();
  }

  function cell(row, key) {
    if (key.startsWith('param:')) return row.params?.[key.slice(6)] ?? '';
    if (key.startsWith('tag:')) return row.tags?.[key.slice(4)] ?? '';
    if (key.startsWith('metric:')) return row.metrics?.[key.slice(7)];
    switch (key) {
      case 'id': return jobLink(row.id);
      case 'name': return row.name ?? '';
      case 'user': return row.username ?? '';
      case 'state': return stateBadge(row.state);
      case 'submitted': return time(row.submittedAt);
      case 'duration': return duration(row.startedAt, row.finishedAt);
      case 'exit': return row.exitCode ?? '';
      default: return row[key] ?? '';
    }
  }

  function sortBy(key) {
    if (view.sort === key) view.order = (view.order || (key === 'submitted' ? 'desc' : 'asc')) === 'asc' ? 'desc' : 'asc';
    else { view.sort = key; view.order = key === 'submitted' ? 'desc' : 'asc'; }
    load();
  }

  function render() {
    const cols = columns();
    const items = page.items;
    const order = view.order || (view.sort === 'submitted' ? 'desc' : 'asc');
    const head = [h('th', { scope: 'col' }, h('span', { class: 'sr-only' }, 'Select')),
      ...cols.map(([key, label]) => h('th', { scope: 'col', 'aria-sort': view.sort === key ? (order === 'asc' ? 'ascending' : 'descending') : 'none' },
        h('button', { type: 'button', class: 'sort', 'data-sort': key, onclick: () => sortBy(key) }, label, view.sort === key ? (order === 'asc' ? ' ▲' : ' ▼') : '')))];
    const body = items.map((row) => h('tr', { 'data-job': row.id },
      h('td', {}, h('input', { type: 'checkbox', 'aria-label': `Select ${row.id}`, checked: selected.has(row.id), onchange: (e) => {
        if (e.target.checked) selected.add(row.id); else selected.delete(row.id);
        compare.disabled = selected.size < 2;
      } })),
      ...cols.map(([key]) => {
        const v = cell(row, key);
        return h('td', { class: key.startsWith('metric:') || ['exit'].includes(key) ? 'num' : undefined }, typeof v === 'number' ? num(v) : v);
      })));
    tableBox.replaceChildren(h('table', { id: 'jobs' }, h('thead', {}, h('tr', {}, head)), h('tbody', {}, body.length ? body
      : h('tr', {}, h('td', { colspan: String(cols.length + 1), class: 'muted' }, 'No jobs match.')))));
    const start = (cursors.length - 1) * view.limit;
    summary.textContent = page.total === 0 ? 'No jobs' : `Jobs ${start + 1}–${start + page.items.length} of ${page.total.toLocaleString()}`;
    prev.disabled = cursors.length <= 1;
    next.disabled = !page.nextCursor;
    compare.disabled = selected.size < 2;
  }

  await load();
  let version = page?.version;
  let timer = null;
  events('/api/v1/jobs/query/events', (e) => {
    if (e.version === version) return;
    version = e.version;
    clearTimeout(timer);
    timer = setTimeout(fetchPage, 150);
  }, signal).catch((e) => showError(`Live updates stopped: ${e.message}`));
}
