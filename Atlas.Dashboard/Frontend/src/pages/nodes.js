import { api } from '../api.js';
import { h, mount, table, time, jobLink } from '../ui.js';

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
      : table(['Node', 'State', 'Runtime', 'Slots', 'Running', 'GPUs', 'Jobs', 'Address', 'Last seen'], nodes.map((n) => h('tr', {},
        h('th', { scope: 'row' }, n.name), h('td', {}, h('span', { class: `state state-${n.state}` }, n.state)), h('td', {}, n.runtime),
        h('td', { class: 'num' }, n.slots), h('td', { class: 'num' }, n.running), h('td', { class: 'num' }, n.gpus ?? 0),
        h('td', {}, (byNode.get(n.name) ?? []).flatMap((j, i) => [i ? ', ' : '', jobLink(j.id, j.name ?? j.id)])),
        h('td', {}, h('code', {}, n.address)), h('td', {}, time(n.lastSeen))))));
  }
  await load();
  while (!signal.aborted) {
    await new Promise((r) => setTimeout(r, 3000));
    if (!signal.aborted) await load().catch(() => {});
  }
}
