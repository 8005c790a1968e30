import { api } from '../api.js';
import { h, mount, table, time, jobLink, stateBadge } from '../ui.js';

export async function queuePage({ signal }) {
  const box = h('div', {});
  mount(h('h1', {}, 'Queue'), box);
  async function load() {
    const [queue, waiting] = await Promise.all([api('/api/v1/queue'), api('/api/v1/jobs/query?state=queued&sort=submitted&order=asc&limit=500')]);
    const place = new Map((queue.yours ?? []).map((q) => [q.id, q]));
    const limits = queue.limits;
    const cap = (used, max) => (max > 0 ? `${used} of ${max}` : `${used} (no limit)`);
    box.replaceChildren(
      h('p', {}, `${queue.queued ?? queue.count ?? waiting.total} job(s) waiting in all.`),
      limits ? h('p', { id: 'limits' }, `Placement: ${limits.policy}. Your running jobs: ${cap(limits.runningJobs, limits.maxRunningJobs)}; your GPUs: ${cap(limits.gpus, limits.maxGpus)}.`) : '',
      waiting.items.length === 0 ? h('p', { class: 'muted' }, 'None of the jobs you can see is waiting.')
        : table(['Place', 'Job', 'Project', 'User', 'Priority', 'State', 'Submitted', 'Why it waits'], waiting.items.map((j) => h('tr', {},
          h('td', { class: 'num' }, place.get(j.id)?.position ?? ''), h('td', {}, jobLink(j.id, j.name ?? j.id)), h('td', {}, j.project),
          h('td', {}, j.username ?? ''), h('td', { class: 'num' }, j.priority), h('td', {}, stateBadge(j.state)), h('td', {}, time(j.submittedAt)),
          h('td', { class: 'reason' }, place.get(j.id)?.waitReason ?? j.reason ?? h('span', { class: 'muted' }, 'no reason given yet'))))));
  }
  await load();
  while (!signal.aborted) {
    await new Promise((r) => setTimeout(r, 2000));
    if (!signal.aborted) await load().catch(() => {});
  }
}
