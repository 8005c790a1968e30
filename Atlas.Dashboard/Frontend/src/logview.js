// A log that can grow to millions of lines without freezing the page: the lines live in an array
// (the oldest dropped past MAX_LINES, and the view says so), and only the rows in sight are in the
// DOM, redrawn at most once a frame.
import { h } from './ui.js';

const ROW = 18;
const MAX_LINES = 200_000;

export function logView() {
  const lines = [];
  let dropped = 0;
  let partial = '';
  let follow = true;
  let pending = null;
  const status = h('p', { class: 'muted log-status', 'aria-live': 'off' });
  const spacer = h('div', { class: 'log-spacer' });
  const rows = h('div', { class: 'log-rows' });
  const scroller = h('div', { class: 'log', tabindex: '0', role: 'log', 'aria-label': 'Job log' }, spacer, rows);
  const el = h('section', { class: 'log-section' }, status, scroller);

  scroller.addEventListener('scroll', () => {
    follow = scroller.scrollTop + scroller.clientHeight >= scroller.scrollHeight - ROW * 2;
    schedule();
  });

  function schedule() {
    pending ??= requestAnimationFrame(render);
  }

  function render() {
    pending = null;
    const total = lines.length + (partial ? 1 : 0);
    spacer.style.height = `${total * ROW}px`;
    if (follow) scroller.scrollTop = scroller.scrollHeight;
    const first = Math.max(0, Math.floor(scroller.scrollTop / ROW) - 20);
    const count = Math.ceil((scroller.clientHeight || 400) / ROW) + 40;
    const out = [];
    for (let i = first; i < Math.min(total, first + count); i++) {
      const text = i < lines.length ? lines[i] : partial;
      out.push(h('div', { class: 'log-line', style: `top:${i * ROW}px` }, h('span', { class: 'ln' }, String(i + 1 + dropped)), text));
    }
    rows.replaceChildren(...out);
    status.textContent = `${(lines.length + dropped).toLocaleString()} lines` + (dropped ? ` (the first ${dropped.toLocaleString()} are not kept here)` : '');
    el.dataset.lines = String(lines.length + dropped);
  }

  return {
    el,
    append(text) {
      const parts = (partial + text).split('\n');
      partial = parts.pop();
      for (const p of parts) lines.push(p);
      if (lines.length > MAX_LINES) {
        const cut = lines.length - MAX_LINES;
        lines.splice(0, cut);
        dropped += cut;
      }
      schedule();
    },
    reset() {
      lines.length = 0;
      partial = '';
      dropped = 0;
      schedule();
    },
    text: () => lines.join('\n') + (partial ? `\n${partial}` : ''),
  };
}
