#!/usr/bin/env node
// Rewrite the comments that cite the old handout documents (kept outside the repository) so they
// point at the in-repo docs: docs/besa.md, docs/webgpu-notes.md, docs/architecture.md (issue #18).
//   node tools/rewrite-citations.mjs            rewrite in place, print the files changed
//   node tools/rewrite-citations.mjs --check    change nothing; exit 1 if a file would change
// Only comment text is touched: // and /* */ comments (TS, JS, WGSL), # comments and triple-quoted
// docstrings (Python, shell), and whole Markdown files. String literals (test names, error messages)
// are left alone. Idempotent: every rule's output no longer matches any rule, so a second run changes
// nothing. Re-run it after merging branches that add comments in the old style.
import { readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { extname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(fileURLToPath(new URL('..', import.meta.url)));
const SELF = relative(ROOT, fileURLToPath(import.meta.url));
const ROOTS = ['src', 'shaders', 'tests', 'bench', 'e2e', 'tools', 'scripts', 'vitest.config.ts', 'playwright.config.ts', 'vite.config.ts'];
const EXTS = new Set(['.ts', '.tsx', '.mts', '.js', '.mjs', '.wgsl', '.py', '.sh', '.md']);

// Old handout names, assembled so that this file never matches its own rules.
const RECIPE = 'webgpu' + '-recipe';
const OLD_SPEC = 'besa' + '-spec';

/** webgpu recipe "gotcha N" → section of docs/webgpu-notes.md. */
const GOTCHA = { 1: 2, 2: 3, 3: 4, 4: 5, 5: 6, 6: 4, 7: 7, 8: 8, 9: 8, 10: 9, 11: 10, 12: 9 };

/** Section of docs/architecture.md from the words that follow an old "architecture.md" citation. */
function archSection(tail) {
  const t = tail.toLowerCase();
  if (t.includes('memory')) return 6;
  if (t.includes('reproduc')) return 7;
  if (t.includes('error') || t.includes('f32')) return 8;
  if (t.includes('data flow')) return 2;
  if (t.includes('same engine') || t.includes('browser and cli')) return 5;
  if (t.includes('test')) return 9;
  return null;
}

/** Rules applied to one piece of comment text, in order. */
function rewriteText(text) {
  let s = text;
  // webgpu recipe: gotcha N, §A (headless Chromium), or the document as a whole
  s = s.replace(
    new RegExp(`(?:${RECIPE}(?:\\.md)?|(?<![\\w/.-])recipe) gotcha (\\d+)`, 'g'),
    (m, n) => `docs/webgpu-notes.md §${GOTCHA[n] ?? 1}`,
  );
  s = s.replace(new RegExp(`${RECIPE}(?:\\.md)? §A\\b`, 'g'), 'docs/webgpu-notes.md §1');
  s = s.replace(new RegExp(`(?:\\.\\./shared/docs/)?${RECIPE}(?:\\.md)?`, 'g'), 'docs/webgpu-notes.md');
  // the BESA spec: "spec §X", "Spec §X", "besa spec §X", "../shared/docs/<spec>.md"
  s = s.replace(new RegExp(`(?:\\.\\./shared/docs/)?${OLD_SPEC}\\.md`, 'g'), 'docs/besa.md');
  s = s.replace(new RegExp(`(?<![\\w/.-])(?:${OLD_SPEC}|[Ss]pec)(?= §)`, 'g'), 'docs/besa.md');
  // anchors survey, style traits → the design traits of docs/architecture.md
  s = s.replace(/(?:\.\.\/shared\/docs\/)?anchors(?:\.md)? §5 traits? \d+/g, 'docs/architecture.md §10');
  s = s.replace(/(?:\.\.\/shared\/docs\/)?anchors\.md/g, 'docs/architecture.md §10');
  // architecture sketch → docs/architecture.md (with the section when the topic is named)
  s = s.replace(/(?<![\w/.-])(?:\.\.\/shared\/docs\/)?architecture\.md(?! §)([^\n]{0,40})/g, (m, tail) => {
    const n = archSection(tail);
    return `docs/architecture.md${n ? ` §${n}` : ''}${tail}`;
  });
  s = s.replace(/(?:\.\.\/shared\/docs\/)?small-models\.md/g, 'README.md (methods compared)');
  // a bare "§1.4" in a line that names no document is a spec section
  s = s
    .split('\n')
    .map((line) => (/§\d/.test(line) && !/docs\/|\.md|spec|anchors/i.test(line) ? line.replace(/§(?=\d)/, 'docs/besa.md §') : line))
    .join('\n');
  return s;
}

/** [start, end) ranges of comment text in source code of the given kind. */
function commentRanges(src, kind) {
  const ranges = [];
  let i = 0;
  const n = src.length;
  const skipString = (q) => {
    i++;
    while (i < n && src[i] !== q) {
      if (src[i] === '\\') i++;
      else if (q !== '`' && src[i] === '\n') break; // unterminated: give up on this line
      i++;
    }
    i++;
  };
  while (i < n) {
    const c = src[i];
    if (kind === 'c') {
      if (c === '/' && src[i + 1] === '/') {
        const e = src.indexOf('\n', i);
        ranges.push([i, e < 0 ? n : e]);
        i = e < 0 ? n : e;
      } else if (c === '/' && src[i + 1] === '*') {
        const e = src.indexOf('*/', i + 2);
        ranges.push([i, e < 0 ? n : e + 2]);
        i = e < 0 ? n : e + 2;
      } else if (c === '"' || c === "'" || c === '`') skipString(c);
      else i++;
    } else {
      // python / shell
      if (c === '#') {
        const e = src.indexOf('\n', i);
        ranges.push([i, e < 0 ? n : e]);
        i = e < 0 ? n : e;
      } else if (kind === 'py' && (src.startsWith('"""', i) || src.startsWith("'''", i))) {
        const q = src.slice(i, i + 3);
        const e = src.indexOf(q, i + 3);
        ranges.push([i, e < 0 ? n : e + 3]);
        i = e < 0 ? n : e + 3;
      } else if (c === '"' || c === "'") skipString(c);
      else i++;
    }
  }
  return ranges;
}

function rewriteSource(src, ext) {
  if (ext === '.md') return rewriteText(src);
  const kind = ext === '.py' ? 'py' : ext === '.sh' ? 'sh' : 'c';
  let out = '';
  let last = 0;
  for (const [a, b] of commentRanges(src, kind)) {
    out += src.slice(last, a) + rewriteText(src.slice(a, b));
    last = b;
  }
  return out + src.slice(last);
}

function* files(p) {
  let st;
  try {
    st = statSync(p);
  } catch {
    return;
  }
  if (st.isDirectory()) {
    for (const e of readdirSync(p).sort()) if (e !== 'node_modules' && !e.startsWith('.')) yield* files(join(p, e));
  } else if (EXTS.has(extname(p))) yield p;
}

const check = process.argv.includes('--check');
let changed = 0;
for (const r of ROOTS)
  for (const f of files(join(ROOT, r))) {
    const rel = relative(ROOT, f);
    if (rel === SELF) continue;
    const src = readFileSync(f, 'utf8');
    const out = rewriteSource(src, extname(f));
    if (out === src) continue;
    changed++;
    console.log(`${check ? 'would rewrite' : 'rewrote'} ${rel}`);
    if (!check) writeFileSync(f, out);
  }
console.log(`${changed} file(s) ${check ? 'to rewrite' : 'rewritten'}`);
if (check && changed > 0) process.exitCode = 1;
