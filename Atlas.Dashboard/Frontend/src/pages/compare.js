// Compare runs: their metric charts overlaid, and a table of params, tags and metrics (last, min,
// max) side by side, rows whose values differ highlighted.
import { api, enc, ApiError } from '../api.js';
import { h, mount, num, stateBadge, jobLink, routeParams, setRouteParams, showError } from '../ui.js';
import { metricChart, stepsOf, color } from '../charts.js';

export async function comparePage({ signal }) {
  const p = routeParams();
  let ids = (p.get('ids') ?? '').split(',').map((x) => x.trim()).filter(Boolean);
  const project = p.get('project');
  if (!ids.length && project) {
    const page = await api(`/api/v1/jobs/query?project=${enc(project)}&limit=10`);
    ids = page.items.map((r) => r.id);
  }
  const input = h('input', { name: 'ids', value: ids.join(','), size: 60, 'aria-describedby': 'ids-help' });
  const form = h('form', { class: 'filters', onsubmit: (e) => {
    e.preventDefault();
    setRouteParams('/compare', new URLSearchParams({ ids: input.value.replace(/\s+/g, '') }));
    window.dispatchEvent(new HashChangeEvent('hashchange'));
  } }, h('label', {}, 'Job ids', input), h('button', { type: 'submit' }, 'Compare'),
  h('span', { id: 'ids-help', class: 'muted' }, 'comma-separated; or tick jobs in the Jobs table'));
  const body = h('div', {});
  mount(h('h1', {}, 'Compare runs'), form, body);
  if (ids.length === 0) {
    body.append(h('p', { class: 'muted' }, 'Choose two or more jobs.'));
    return;
  }
  const runs = await Promise.all(ids.map(async (id) => {
    const job = await api(`/api/v1/jobs/${enc(id)}`);
    let metrics = { series: [] };
    try {
      metrics = await api(`/api/v1/jobs/${enc(id)}/metrics`);
    } catch (e) {
      // A cluster without the metrics API compares what it has; any other failure is shown.
      if (!(e instanceof ApiError && e.status === 404)) showError(`Metrics of ${id}: ${e.message}`);
    }
    return { job, series: metrics.series ?? [] };
  }));
  if (signal.aborted) return;

  const label = (r) => `${r.job.name ?? r.job.id} (${r.job.id.slice(-6)})`;
  const names = [...new Set(runs.flatMap((r) => r.series.map((s) => s.name)))].sort();
  const stats = (s) => s && s.values.length
    ? { last: s.values[s.values.length - 1], min: Math.min(...s.values), max: Math.max(...s.values) }
    : null;

  const rows = [];
  const row = (kind, name, values, fmt = (v) => v ?? '') => {
    const shown = values.map(fmt);
    const differs = new Set(shown.map(String)).size > 1;
    rows.push(h('tr', { class: differs ? 'differs' : undefined, 'data-row': `${kind}:${name}` },
      h('th', { scope: 'row' }, h('span', { class: 'muted' }, `${kind} `), name, differs ? h('span', { class: 'sr-only' }, ' (differs)') : null),
      shown.map((v) => h('td', { class: typeof v === 'number' ? 'num' : undefined }, typeof v === 'number' ? num(v) : v))));
  };
  row('job', 'state', runs.map((r) => r.job.state));
  for (const k of [...new Set(runs.flatMap((r) => Object.keys(r.job.params ?? {})))].sort()) row('param', k, runs.map((r) => r.job.params?.[k]));
  for (const k of [...new Set(runs.flatMap((r) => Object.keys(r.job.tags ?? {})))].sort()) row('tag', k, runs.map((r) => r.job.tags?.[k]));
  for (const name of names) {
    const st = runs.map((r) => stats(r.series.find((s) => s.name === name)));
    for (const which of ['last', 'min', 'max']) row('metric', `${name} ${which}`, st.map((s) => s?.[which] ?? ''));
  }
  body.append(
    h('div', { class: 'table-wrap' }, h('table', { id: 'compare' },
      h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, ''), runs.map((r, i) => h('th', { scope: 'col' },
        h('span', { class: 'swatch', style: `background:${color(i)}` }), jobLink(r.job.id, label(r)), ' ', stateBadge(r.job.state))))),
      h('tbody', {}, rows))),
    h('div', { class: 'charts' }, names.map((name) => {
      const c = metricChart(name);
      c.el.dataset.metric = name;
      queueMicrotask(() => c.set(runs.map((r) => {
        const s = r.series.find((x) => x.name === name) ?? { steps: [], values: [] };
        return { label: label(r), steps: stepsOf(s), values: s.values };
      }).filter((s) => s.values.length)));
      return c.el;
    })));
}
