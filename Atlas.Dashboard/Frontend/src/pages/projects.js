import { api } from '../api.js';
import { h, mount, table, time } from '../ui.js';

export async function projectsPage() {
  const projects = await api('/api/v1/jobs/query/projects');
  mount(
    h('h1', {}, 'Projects'),
    projects.length === 0
      ? h('p', { class: 'muted' }, 'No jobs yet. Submit one with ', h('code', {}, 'atlas submit . -- python train.py'), '.')
      : table(['Project', 'Jobs', 'Active', 'Users', 'Last submitted', ''], projects.map((p) => h('tr', {},
        h('td', {}, h('a', { href: `#/jobs?project=${encodeURIComponent(p.project)}` }, p.project)),
        h('td', { class: 'num' }, p.jobs),
        h('td', { class: 'num' }, p.active),
        h('td', {}, p.users.join(', ')),
        h('td', {}, time(p.lastSubmittedAt)),
        h('td', {}, h('a', { href: `#/compare?project=${encodeURIComponent(p.project)}` }, 'compare runs'))))));
}
