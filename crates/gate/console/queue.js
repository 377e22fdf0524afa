// The pending queue, live: the list from GET /v1/reviews?status=pending,
// then every review opened or decided as the gate announces it over
// GET /v1/reviews/events, oldest first, with each review's age and the
// time left before it expires (to DENY), ticking every second.

import { get, reviewEvents, whoami } from './api.js';
import { h, link, age, countdown, actionLine, badge } from './dom.js';

export async function render(root, ctx) {
  const pending = new Map();
  const status = h('span', { class: 'live', id: 'live' }, 'connecting…');
  const body = h('tbody', { id: 'queue-rows' });
  const empty = h('p', { class: 'muted', id: 'queue-empty' }, 'Nothing waits for a reviewer.');
  root.append(
    h('div', { class: 'heading' }, h('h1', {}, 'Pending reviews'), status),
    h('table', { class: 'list', id: 'queue' },
      h('thead', {}, h('tr', {},
        ['Action', 'Tool', 'Why', 'Rules', 'Age', 'Expires in'].map((t) => h('th', {}, t)))),
      body),
    empty,
  );

  function draw() {
    const rows = [...pending.values()].sort((a, b) =>
      Date.parse(a.opened_at) - Date.parse(b.opened_at) || a.id.localeCompare(b.id));
    body.replaceChildren(...rows.map((r) => h('tr', { 'data-review': r.id },
      h('td', { class: 'mono' }, link(actionLine(r.proposed_action) || r.id, 'reviews', r.id)),
      h('td', {}, (r.proposed_action || {}).tool || (r.proposed_action || {}).kind || ''),
      h('td', {}, r.reason),
      h('td', {}, (r.rules || []).map((rule) => h('span', { class: 'rule' }, rule))),
      h('td', { class: 'age', 'data-since': r.opened_at }, age(r.opened_at)),
      h('td', { class: 'countdown', 'data-until': r.expires_at }, countdown(r.expires_at)),
    )));
    empty.hidden = rows.length > 0;
    tick();
  }

  function tick() {
    for (const td of body.querySelectorAll('td.age')) td.textContent = age(td.dataset.since);
    for (const td of body.querySelectorAll('td.countdown')) {
      td.textContent = countdown(td.dataset.until);
      td.classList.toggle('urgent', Date.parse(td.dataset.until) - Date.now() < 60_000);
    }
  }

  function apply(event) {
    if (event.review.status === 'pending') pending.set(event.review.id, event.review);
    else pending.delete(event.review.id);
  }

  // Events that arrive while the list loads are applied over it, in order,
  // so nothing opened or decided meanwhile is lost.
  // Reloads run one after another.
  let buffered = null;
  let loading = Promise.resolve();
  function reload() {
    loading = loading.then(load, load);
    return loading;
  }
  async function load() {
    buffered = [];
    try {
      const list = await get('/v1/reviews?status=pending');
      pending.clear();
      for (const r of list) pending.set(r.id, r);
      for (const e of buffered) apply(e);
    } finally {
      buffered = null;
    }
    draw();
  }

  const events = reviewEvents();
  events.addEventListener('open', () => {
    status.replaceChildren(badge('live'));
    reload();
  });
  events.addEventListener('error', () => {
    status.replaceChildren(badge('reconnecting'));
    // The browser gives up on a refused stream (signed out, expired):
    // asking who is signed in sends a signed-out reviewer to the sign-in form.
    if (events.readyState === EventSource.CLOSED) whoami().catch(() => {});
  });
  events.addEventListener('resync', () => reload());
  events.addEventListener('review', (message) => {
    const event = JSON.parse(message.data);
    if (buffered) buffered.push(event);
    else { apply(event); draw(); }
  });
  const timer = setInterval(tick, 1000);
  ctx.onLeave(() => { events.close(); clearInterval(timer); });
  await reload();
}
