import { api } from '../api.js';
import { h, mount, table, time, jobLink, bytes } from '../ui.js';

export async function nodesPage({ signal }) {
  const box = h('div', {});
  mount(h('h1', {}, 'Nodes'), box);
  async function load() {
    const [nodes, running] = await Promise.all([
      api('/api/v1/nodes'),
      api('/api/v1/jobs/query?state=assigned,starting,running&limit=500').catch(() => api('/api/v1/jobs/query?state=assigned,running&limit=500')),
    ]);
    const byNode = new Map();
    for (const j of running.items) byNode.set(j.node, [...(byNode.get(j.node) ?? []), j]);
    box.replaceChildren(nodes.length === 0 ? h('p', { class: 'muted' }, 'No worker has registered.')
      : table(['Node', 'State', 'Runtime', 'Slots', 'Running', 'GPUs in use', 'CPU', 'Memory', 'Limits', 'Jobs', 'Address', 'Last seen'], nodes.map((n) => h('tr', {},
        h('th', { scope: 'row' }, n.name), h('td', {}, h('span', { class: `state state-${n.state}` }, n.state)), h('td', {}, n.runtime),
        h('td', { class: 'num' }, n.slots), h('td', { class: 'num' }, n.running), h('td', { class: 'gpus' }, gpus(n)),
        h('td', { class: 'num' }, n.cpuMillis ? `${(n.cpuMillisInUse ?? 0) / 1000} of ${n.cpuMillis / 1000}` : ''),
        h('td', { class: 'num' }, n.memoryBytes ? `${bytes(n.memoryBytesInUse ?? 0)} of ${bytes(n.memoryBytes)}` : ''),
        h('td', { title: n.limitsNote ?? '' }, n.limits ?? ''),
        h('td', {}, (byNode.get(n.name) ?? []).flatMap((j, i) => [i ? ', ' : '', jobLink(j.id, j.name ?? j.id)])),
        h('td', {}, h('code', {}, n.address)), h('td', {}, time(n.lastSeen))))));
  }
  // "1 of 2 (0*, 1)": how many are in use, then each id, starred when a job holds it; the model on hover.
  function gpus(n) {
    const all = n.gpus ?? [];
    if (all.length === 0) return h('span', { class: 'muted' }, 'none');
    const used = new Set(n.gpusInUse ?? []);
    return h('span', { title: all.map((g) => `${g.id}: ${g.model} ${g.memoryMiB} MiB`).join('\n') },
      `${used.size} of ${all.length} (${all.map((g) => (used.has(g.id) ? `${g.id}*` : g.id)).join(', ')})`);
  }

  await load();
  while (!signal.aborted) {
    await new Promise((r) => setTimeout(r, 3000));
    if (!signal.aborted) await load().catch(() => {});
  }
}
