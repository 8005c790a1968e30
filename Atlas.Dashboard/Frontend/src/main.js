// The Atlas dashboard: a hash router over a few pages, each a function that renders into <main>
// and returns a cleanup (to stop its live streams) when the route changes.
import './app.css';
import { initAuth, authMode, loggedIn, login, logout } from './auth.js';
import { api } from './api.js';
import { h, mount, showError } from './ui.js';
import { projectsPage } from './pages/projects.js';
import { jobsPage } from './pages/jobs.js';
import { jobPage } from './pages/job.js';
import { comparePage } from './pages/compare.js';
import { nodesPage } from './pages/nodes.js';
import { queuePage } from './pages/queue.js';

const routes = [
  [/^\/?$/, projectsPage],
  [/^\/jobs$/, jobsPage],
  [/^\/job\/([^/]+)$/, jobPage],
  [/^\/compare$/, comparePage],
  [/^\/nodes$/, nodesPage],
  [/^\/queue$/, queuePage],
];

export const settings = { clientId: 'atlas-dashboard', tracesUrl: null };
let cleanup = null;

async function route() {
  cleanup?.();
  cleanup = null;
  showError(null);
  const path = decodeURIComponent(location.hash.replace(/^#/, '').split('?')[0]) || '/';
  for (const a of document.querySelectorAll('nav a')) {
    const target = a.getAttribute('href').slice(1);
    if (target === '/' ? path === '/' : path.startsWith(target === '/jobs' ? '/job' : target)) a.setAttribute('aria-current', 'page');
    else a.removeAttribute('aria-current');
  }
  if (!loggedIn()) {
    mount(h('section', { class: 'login' },
      h('h1', {}, 'Log in to Atlas'),
      h('p', {}, 'This cluster asks who you are; your jobs are shown to you and to admins only.'),
      h('button', { type: 'button', class: 'primary', id: 'login', onclick: () => login().catch((e) => showError(e.message)) }, 'Log in')));
    return;
  }
  for (const [pattern, page] of routes) {
    const m = path.match(pattern);
    if (m) {
      const controller = new AbortController();
      cleanup = () => controller.abort();
      try {
        await page({ signal: controller.signal, args: m.slice(1) });
      } catch (e) {
        if (!controller.signal.aborted) {
          showError(e.message);
          mount(h('p', { class: 'muted' }, 'This page could not be shown.'));
        }
      }
      document.getElementById('main').focus({ preventScroll: true });
      return;
    }
  }
  mount(h('h1', {}, 'Not found'), h('p', {}, 'No page at this address. '), h('a', { href: '#/' }, 'Projects'));
}

async function showUser() {
  const box = document.getElementById('user');
  if (authMode() !== 'oidc') {
    box.replaceChildren(h('span', { class: 'muted' }, 'single-user mode'));
    return;
  }
  if (!loggedIn()) return;
  const me = await api('/api/v1/me');
  box.replaceChildren(h('span', { id: 'username' }, me.username), ' ',
    h('button', { type: 'button', class: 'link', onclick: logout }, 'Log out'));
}

async function start() {
  try {
    Object.assign(settings, await (await fetch('/dashboard/config')).json());
    await initAuth(settings);
    await showUser();
  } catch (e) {
    showError(e.message);
  }
  window.addEventListener('hashchange', route);
  await route();
}

start();
