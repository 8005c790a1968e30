// One job: what it is, its state timeline, params and tags, live metric charts, live logs,
// artifacts, and stop / delete.
import { api, stream, events, download, enc, ApiError } from '../api.js';
import { h, mount, table, time, duration, bytes, stateBadge, showError } from '../ui.js';
import { metricChart, stepsOf } from '../charts.js';
import { logView } from '../logview.js';
import { settings } from '../main.js';

const TERMINAL = new Set(['succeeded', 'failed', 'cancelled']);

export async function jobPage({ signal, args: [id] }) {
  let job = await api(`/api/v1/jobs/${enc(id)}`);
  const header = h('div', { class: 'job-head' });
  const details = h('dl', { class: 'details' });
  const timeline = h('div', { id: 'timeline' });
  const paramsBox = h('div', { id: 'params' });
  const charts = h('div', { class: 'charts', id: 'charts' }, h('p', { class: 'muted' }, 'Loading metrics…'));
  const artifacts = h('div', { id: 'artifacts' }, h('p', { class: 'muted' }, 'Loading artifacts…'));
  const logs = logView();
  mount(header, details,
    h('section', {}, h('h2', {}, 'Metrics'), charts),
    h('section', {}, h('h2', {}, 'Logs'), logs.el),
    h('div', { class: 'two' },
      h('section', {}, h('h2', {}, 'Timeline'), timeline),
      h('section', {}, h('h2', {}, 'Params and tags'), paramsBox)),
    h('section', {}, h('h2', {}, 'Artifacts'), artifacts));

  function renderJob() {
    const active = !TERMINAL.has(job.state);
    const trace = job.traceId && settings.tracesUrl
      ? h('a', { href: `${settings.tracesUrl.replace(/\/$/, '')}/traces/detail/${job.traceId}`, target: '_blank', rel: 'noopener', id: 'trace' }, 'Trace in the Aspire dashboard')
      : job.traceId ? h('span', { class: 'muted' }, `trace ${job.traceId}`) : null;
    header.replaceChildren(
      h('h1', {}, job.name ?? job.id, ' ', stateBadge(job.state)),
      h('div', { class: 'actions' },
        h('button', { type: 'button', id: 'stop', disabled: !active, onclick: stop }, 'Stop'),
        h('button', { type: 'button', id: 'delete', class: 'danger', disabled: active, onclick: remove }, 'Delete'),
        h('a', { href: `#/compare?ids=${enc(job.id)}` }, 'Compare with…'),
        trace));
    const rows = [
      ['Id', job.id], ['Project', h('a', { href: `#/jobs?project=${enc(job.project)}` }, job.project)], ['User', job.username ?? ''],
      ['Node', job.node ?? ''], ['Image', job.image ?? ''], ['Command', h('code', {}, (job.command ?? []).join(' '))],
      ['Attempt', job.attempt], ['Priority', job.priority], ['Exit code', job.exitCode ?? ''], ['Reason', job.reason ?? ''],
      ['Submitted', time(job.submittedAt)], ['Started', time(job.startedAt)], ['Finished', time(job.finishedAt)],
      ['Duration', duration(job.startedAt, job.finishedAt)],
    ];
    details.replaceChildren(...rows.filter(([, v]) => v !== '' && v !== null).flatMap(([k, v]) => [h('dt', {}, k), h('dd', {}, v)]));
    let attempt = 1;
    const history = job.history ?? [];
    timeline.replaceChildren(table(['State', 'At', 'After', 'Attempt', 'Node', 'Reason'], history.map((e, i) => {
      if (i > 0 && e.state === 'queued') attempt++;
      return h('tr', {}, h('td', {}, stateBadge(e.state)), h('td', {}, time(e.at)),
        h('td', {}, i ? duration(history[i - 1].at, e.at) : ''), h('td', { class: 'num' }, attempt), h('td', {}, e.node ?? ''), h('td', {}, e.reason ?? ''));
    })));
    const kv = (title, map) => Object.keys(map ?? {}).length
      ? table([title, 'Value'], Object.entries(map).map(([k, v]) => h('tr', {}, h('th', { scope: 'row' }, k), h('td', {}, String(v)))))
      : h('p', { class: 'muted' }, `No ${title.toLowerCase()}s.`);
    paramsBox.replaceChildren(kv('Param', job.params), kv('Tag', job.tags));
  }

  async function stop() {
    try {
      await api(`/api/v1/jobs/${enc(job.id)}/stop`, { method: 'POST' });
      await refresh();
    } catch (e) {
      showError(e.message);
    }
  }

  async function remove() {
    if (!confirm(`Delete job ${job.id} and its files?`)) return;
    try {
      await api(`/api/v1/jobs/${enc(job.id)}`, { method: 'DELETE' });
      location.hash = `#/jobs?project=${enc(job.project)}`;
    } catch (e) {
      showError(e.message);
    }
  }

  async function refresh() {
    try {
      job = await api(`/api/v1/jobs/${enc(id)}`);
      renderJob();
    } catch (e) {
      if (!signal.aborted) showError(e.message);
    }
  }

  renderJob();

  // The job's state while it runs.
  (async () => {
    while (!signal.aborted && !TERMINAL.has(job.state)) {
      await new Promise((r) => setTimeout(r, 1000));
      if (!signal.aborted) await refresh();
    }
    if (!signal.aborted) loadArtifacts();
  })();

  // Logs: the whole output, then followed while the job runs.
  stream(`/api/v1/jobs/${enc(id)}/logs?follow=true`, (t) => logs.append(t), signal)
    .catch((e) => { if (!signal.aborted) showError(`Logs: ${e.message}`); });

  loadMetrics(id, charts, signal);
  loadArtifacts();

  async function loadArtifacts() {
    try {
      const list = await api(`/api/v1/jobs/${enc(id)}/artifacts`);
      artifacts.replaceChildren(list.length === 0 ? h('p', { class: 'muted' }, 'No artifacts yet.')
        : table(['Path', 'Size', 'Modified', ''], list.map((a) => h('tr', {},
          h('td', {}, h('code', {}, a.path)), h('td', { class: 'num' }, bytes(a.size)), h('td', {}, time(a.modified)),
          h('td', {}, h('button', { type: 'button', onclick: () => download(`/api/v1/jobs/${enc(id)}/artifacts/${a.path.split('/').map(enc).join('/')}`, a.path.split('/').pop()).catch((e) => showError(e.message)) }, 'Download'))))));
    } catch (e) {
      artifacts.replaceChildren(h('p', { class: 'muted' }, e instanceof ApiError && e.status === 404 ? 'Artifacts are not available from this cluster.' : `Artifacts could not be listed: ${e.message}`));
    }
  }
}

/** Charts of every metric of a job, then points as they arrive (SSE). */
async function loadMetrics(id, box, signal) {
  let data;
  try {
    data = await api(`/api/v1/jobs/${enc(id)}/metrics`);
  } catch (e) {
    box.replaceChildren(h('p', { class: 'muted' }, e instanceof ApiError && e.status === 404 ? 'Metrics are not available from this cluster.' : `Metrics could not be read: ${e.message}`));
    return;
  }
  const series = new Map();
  const chartsByName = new Map();
  // The live feed resumes from the cursor of this answer, then from each event's id.
  let since = data.cursor ?? '0';
  for (const s of data.series ?? []) {
    series.set(s.name, { steps: [...stepsOf(s)], values: [...s.values] });
  }
  const note = h('p', { class: 'muted', id: 'metric-note' });
  const empty = h('p', { class: 'muted' }, series.size ? '' : 'No metrics reported yet.');
  function draw(name) {
    let c = chartsByName.get(name);
    if (!c) {
      c = metricChart(name);
      c.el.dataset.metric = name;
      chartsByName.set(name, c);
      box.append(c.el);
    }
    const s = series.get(name);
    c.set([{ label: name, steps: s.steps, values: s.values }]);
  }
  box.replaceChildren(note, empty);
  empty.hidden = series.size > 0;
  note.hidden = !data.skippedLines && !data.rejectedValues && !data.warnings?.length;
  note.textContent = [
    data.skippedLines ? `${data.skippedLines} unreadable line(s) skipped.` : '',
    data.rejectedValues ? `${data.rejectedValues} value(s) refused (not finite numbers).` : '',
    ...(data.warnings ?? []),
  ].filter(Boolean).join(' ');
  for (const name of series.keys()) draw(name);
  events(() => `/api/v1/jobs/${enc(id)}/metrics?since=${enc(since)}`, (p, eventId) => {
    if (eventId) since = eventId;
    if (!p.name) return;
    let s = series.get(p.name);
    if (!s) {
      s = { steps: [], values: [] };
      series.set(p.name, s);
      empty.hidden = true;
    }
    s.steps.push(p.step ?? s.steps.length);
    s.values.push(p.value);
    draw(p.name);
  }, signal, { reconnect: 'error' }).catch(() => { /* no live metrics: the charts keep what they have */ });
}


