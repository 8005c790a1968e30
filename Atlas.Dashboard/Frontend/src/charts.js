// Metric charts on uPlot (bundled from npm): canvas drawing, fine with 100k points per series.
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import { h } from './ui.js';

const COLORS = ['#1f6feb', '#d1242f', '#1a7f37', '#9a6700', '#8250df', '#bf3989', '#0a7b83', '#57606a'];

export function color(i) {
  return COLORS[i % COLORS.length];
}

/**
 * A chart of one metric against its step, one line per series; returns { el, set(seriesData) }
 * where seriesData is [{label, steps, values}]. Redraws at most once a frame.
 */
export function metricChart(title) {
  const el = h('figure', { class: 'chart' }, h('figcaption', {}, title));
  const box = h('div', { class: 'chart-box', role: 'img', 'aria-label': `Chart of ${title}` });
  el.append(box);
  let plot = null;
  let pending = null;
  let labels = [];
  function draw() {
    pending = null;
    const { data, names } = latest;
    const width = Math.max(280, box.clientWidth || 600);
    if (!plot || names.join('\u0000') !== labels.join('\u0000')) {
      plot?.destroy();
      labels = names;
      plot = new uPlot({
        width,
        height: 220,
        scales: { x: { time: false } },
        axes: [{ label: 'step' }, { values: (_u, ticks) => ticks.map((v) => +v.toPrecision(6)), size: 60 }],
        series: [{ label: 'step' }, ...names.map((n, i) => ({ label: n, stroke: color(i), width: 1.5, spanGaps: true, points: { show: false } }))],
        legend: { live: true },
      }, data, box);
    } else {
      plot.setData(data);
      if (Math.abs(plot.width - width) > 4) plot.setSize({ width, height: 220 });
    }
    box.dataset.points = String(data.slice(1).reduce((n, s) => n + s.filter((v) => v !== null && v !== undefined).length, 0));
  }
  let latest = { data: [[]], names: [] };
  return {
    el,
    set(series) {
      const names = series.map((s) => s.label);
      const data = series.length === 1
        ? [Float64Array.from(series[0].steps), Float64Array.from(series[0].values)]
        : uPlot.join(series.map((s) => [Float64Array.from(s.steps), Float64Array.from(s.values)]));
      latest = { data, names };
      pending ??= requestAnimationFrame(draw);
    },
    destroy() {
      if (pending) cancelAnimationFrame(pending);
      plot?.destroy();
    },
  };
}

/** The x of each point: its step, or its index where the job gave none. */
export function stepsOf(series) {
  return series.values.map((_, i) => series.steps?.[i] ?? i);
}
