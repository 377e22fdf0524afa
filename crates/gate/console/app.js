// The console's entry point: who is signed in, the pages by URL fragment
// (#/queue, #/reviews/ID, #/sessions, #/session/ID, #/evidence/SID/AID,
// #/summary), and sign-out. Each page gets a fresh container and a place
// to register what must stop when it is left (event streams, timers);
// `refresh` shows the page again. The container names its page
// (`data-page`, the fragment) and is `aria-busy` until the page is drawn,
// so that assistive technology, and the browser tests, know when a page
// is the one asked for and complete.

import { whoami, post } from './api.js';
import { append, failure } from './dom.js';
import * as queue from './queue.js';
import * as review from './review.js';
import * as sessions from './sessions.js';
import * as summary from './summary.js';

const routes = [
  [/^#\/queue$/, queue.render, 'queue'],
  [/^#\/reviews\/([^/]+)$/, review.render, 'queue'],
  [/^#\/sessions$/, sessions.renderList, 'sessions'],
  [/^#\/session\/([^/]+)$/, sessions.renderSession, 'sessions'],
  [/^#\/evidence\/([^/]+)\/([^/]+)$/, sessions.renderEvidence, 'sessions'],
  [/^#\/summary$/, summary.render, 'summary'],
];

let leaving = [];
let me = null;

async function show() {
  for (const stop of leaving) stop();
  leaving = [];
  const hash = window.location.hash || '#/queue';
  const main = document.getElementById('main');
  const view = document.createElement('div');
  view.dataset.page = hash;
  view.setAttribute('aria-busy', 'true');
  main.replaceChildren(view);
  const found = routes.map(([re, render, nav]) => [hash.match(re), render, nav]).find(([m]) => m);
  if (!found) {
    window.location.hash = '#/queue';
    return;
  }
  const [match, render, nav] = found;
  for (const a of document.querySelectorAll('nav a')) {
    a.classList.toggle('active', a.dataset.nav === nav);
  }
  const ctx = { me, onLeave: (stop) => leaving.push(stop), refresh: show };
  try {
    await render(view, ctx, ...match.slice(1).map(decodeURIComponent));
  } catch (err) {
    view.replaceChildren(failure(err));
  } finally {
    view.setAttribute('aria-busy', 'false');
  }
}

async function start() {
  try {
    me = await whoami();
  } catch (err) {
    document.getElementById('main').replaceChildren(failure(err));
    return;
  }
  append(document.getElementById('who'), [`${me.name} (${me.role})`]);
  document.getElementById('logout').addEventListener('click', async () => {
    try { await post('/console/logout'); } finally { window.location.assign('/console/login'); }
  });
  window.addEventListener('hashchange', show);
  show();
}

start();
