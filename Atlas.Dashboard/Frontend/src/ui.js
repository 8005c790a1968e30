// Small DOM helpers: every text goes in through textContent, never innerHTML.

/** h('a', {href: '#/'}, 'text', child) builds an element. */
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs ?? {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k.startsWith('on')) el.addEventListener(k.slice(2), v);
    else if (k === 'class') el.className = v;
    else if (k === 'dataset') Object.assign(el.dataset, v);
    else el.setAttribute(k, v === true ? '' : String(v));
  }
  for (const c of children.flat()) {
    if (c === undefined || c === null || c === false) continue;
    el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return el;
}

/** Replaces the page's content. */
export function mount(...children) {
  const main = document.getElementById('main');
  main.replaceChildren(...children);
}

/** Shows an error at the top of the page (null hides it). */
export function showError(message) {
  const box = document.getElementById('error');
  if (!message) {
    box.hidden = true;
    box.textContent = '';
    return;
  }
  box.hidden = false;
  box.replaceChildren(h('strong', {}, 'Error: '), String(message),
    h('button', { type: 'button', class: 'link', onclick: () => showError(null), 'aria-label': 'Dismiss error' }, '×'));
}

export function time(value) {
  if (!value) return '';
  const d = new Date(value);
  return d.toLocaleString(undefined, { hour12: false });
}

export function duration(from, to) {
  if (!from) return '';
  const ms = (to ? new Date(to) : new Date()) - new Date(from);
  if (ms < 0) return '';
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m ${s % 60}s`;
  return `${Math.floor(s / 3600)}h ${Math.floor((s % 3600) / 60)}m`;
}

export function bytes(n) {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KiB`;
  if (n < 1024 ** 3) return `${(n / 1024 / 1024).toFixed(1)} MiB`;
  return `${(n / 1024 ** 3).toFixed(2)} GiB`;
}

export function num(v) {
  if (v === undefined || v === null || v === '') return '';
  if (typeof v !== 'number') return String(v);
  return Math.abs(v) >= 1e5 || (Math.abs(v) < 1e-3 && v !== 0) ? v.toExponential(3) : String(+v.toPrecision(6));
}

export function stateBadge(state) {
  return h('span', { class: `state state-${state}` }, state);
}

export function jobLink(id, text) {
  return h('a', { href: `#/job/${encodeURIComponent(id)}` }, text ?? id);
}

/** The hash route's query parameters. */
export function routeParams() {
  const q = location.hash.indexOf('?');
  return new URLSearchParams(q < 0 ? '' : location.hash.slice(q + 1));
}

export function setRouteParams(path, params) {
  const s = new URLSearchParams([...params].filter(([, v]) => v !== '' && v !== null && v !== undefined)).toString();
  const next = `#${path}${s ? `?${s}` : ''}`;
  if (location.hash !== next) history.replaceState(null, '', next);
}

export function table(headers, rows, { caption } = {}) {
  return h('table', {},
    caption ? h('caption', {}, caption) : null,
    h('thead', {}, h('tr', {}, headers.map((x) => (x instanceof Node ? x : h('th', { scope: 'col' }, x))))),
    h('tbody', {}, rows));
}
