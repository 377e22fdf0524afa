// Building the page. Every value, above all the attacker-controlled text of
// a proposed action, becomes a text node (createTextNode / textContent):
// no HTML is ever parsed from data, so a "<script>" in a command is shown,
// never run.

/** An element with attributes, listeners (`onclick`…) and children. */
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (value === null || value === undefined || value === false) continue;
    if (key.startsWith('on')) el.addEventListener(key.slice(2), value);
    else if (key === 'class') el.className = value;
    else el.setAttribute(key, value === true ? '' : String(value));
  }
  append(el, children);
  return el;
}

/** Appends children: nodes as they are, anything else as text. */
export function append(el, children) {
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    el.appendChild(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return el;
}

/** A link to a console page (`#/…`), its parts URI-encoded. */
export function link(text, ...parts) {
  return h('a', { href: '#/' + parts.map(encodeURIComponent).join('/') }, text);
}

/** A verdict or status as a coloured badge. */
export function badge(text) {
  const t = String(text ?? '');
  return h('span', { class: 'badge badge-' + t.toLowerCase().replace(/[^a-z]/g, '') }, t);
}

/** A two-column table of [label, value] rows. */
export function facts(rows) {
  return h('table', { class: 'facts' },
    rows.filter(([, v]) => v !== undefined && v !== null && v !== '')
      .map(([k, v]) => h('tr', {}, h('th', {}, k), h('td', {}, v))));
}

/** "3m 12s" for a duration in milliseconds. */
export function duration(ms) {
  const s = Math.max(0, Math.floor(ms / 1000));
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m ${s % 60}s`;
  return `${Math.floor(s / 3600)}h ${Math.floor((s % 3600) / 60)}m`;
}

/** How long ago an RFC 3339 time was. */
export function age(iso) {
  return duration(Date.now() - Date.parse(iso));
}

/** The time left until an RFC 3339 time, or "expired". */
export function countdown(iso) {
  const left = Date.parse(iso) - Date.now();
  return left > 0 ? duration(left) : 'expired';
}

/** One line saying what an action is: its command, else its target, else its tool. */
export function actionLine(action) {
  const a = action || {};
  return a.command || a.target || a.tool || a.kind || '';
}

/** A section with a heading. */
export function section(title, ...children) {
  return h('section', { class: 'panel' }, h('h2', {}, title), ...children);
}

/** An error message in place of a page's content. */
export function failure(err) {
  return h('p', { class: 'error', role: 'alert' }, String(err && err.message ? err.message : err));
}
