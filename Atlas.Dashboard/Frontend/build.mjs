// Bundles the dashboard into the folder named by the first argument: index.html, app.js, app.css.
// Everything comes from this folder and node_modules; the page loads nothing from elsewhere.
import { build } from 'esbuild';
import { copyFile, mkdir } from 'node:fs/promises';
import { join } from 'node:path';

const out = process.argv[2];
if (!out) {
  console.error('usage: node build.mjs OUT_DIR');
  process.exit(2);
}
await mkdir(out, { recursive: true });
await build({
  entryPoints: { app: 'src/main.js' },
  bundle: true,
  format: 'esm',
  minify: true,
  sourcemap: true,
  target: 'es2022',
  outdir: out,
  logLevel: 'warning',
});
await copyFile('index.html', join(out, 'index.html'));
