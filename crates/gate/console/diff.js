// A line diff for the edits an action proposes (Edit's old_string and
// new_string, each of MultiEdit's edits, Write's content), by the longest
// common subsequence of lines. Past a bound on its cost it shows the old
// lines removed and the new ones added instead of searching.

import { h } from './dom.js';

const MAX_CELLS = 1_000_000;

/** [{op: ' ' | '-' | '+', text}] turning `before` into `after`. */
export function lineDiff(before, after) {
  const a = before === '' ? [] : before.split('\n');
  const b = after === '' ? [] : after.split('\n');
  if (a.length * b.length > MAX_CELLS) {
    return [...a.map((text) => ({ op: '-', text })), ...b.map((text) => ({ op: '+', text }))];
  }
  // lcs[i][j]: the common subsequence length of a[i..] and b[j..].
  const lcs = Array.from({ length: a.length + 1 }, () => new Uint32Array(b.length + 1));
  for (let i = a.length - 1; i >= 0; i--) {
    for (let j = b.length - 1; j >= 0; j--) {
      lcs[i][j] = a[i] === b[j] ? lcs[i + 1][j + 1] + 1 : Math.max(lcs[i + 1][j], lcs[i][j + 1]);
    }
  }
  const out = [];
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    if (i < a.length && j < b.length && a[i] === b[j]) {
      out.push({ op: ' ', text: a[i] }); i++; j++;
    } else if (i < a.length && (j === b.length || lcs[i + 1][j] >= lcs[i][j + 1])) {
      out.push({ op: '-', text: a[i] }); i++;
    } else {
      out.push({ op: '+', text: b[j] }); j++;
    }
  }
  return out;
}

/** The edits an action proposes: [{title, before, after}]. */
export function proposedEdits(action) {
  const input = (action && action.input) || {};
  const file = input.file_path || input.path || action.target || '';
  const text = (v) => (typeof v === 'string' ? v : v === undefined || v === null ? '' : JSON.stringify(v));
  if (Array.isArray(input.edits)) {
    return input.edits.map((e, n) => ({
      title: `${file} — edit ${n + 1} of ${input.edits.length}`,
      before: text(e.old_string),
      after: text(e.new_string),
    }));
  }
  if ('old_string' in input || 'new_string' in input) {
    return [{ title: file, before: text(input.old_string), after: text(input.new_string) }];
  }
  const content = action.content ?? input.content;
  if (typeof content === 'string') {
    return [{ title: `${file} (whole file written)`, before: '', after: content }];
  }
  return [];
}

/** A rendered diff, every line as text. */
export function renderDiff(before, after) {
  const cls = { ' ': 'ctx', '-': 'del', '+': 'add' };
  return h('pre', { class: 'diff' },
    lineDiff(before, after).map(({ op, text }) => h('span', { class: cls[op] }, `${op} ${text}\n`)));
}
