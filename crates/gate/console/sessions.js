// Sessions: the list (GET /v1/sessions, newest first), one session's
// declaration, composition and timeline of decisions and outcomes (from its
// evidence records), and one action's full evidence record.

import { get } from './api.js';
import { h, link, badge, facts, section, actionLine } from './dom.js';

/** Most records a session's timeline shows (the newest). */
const TIMELINE = 200;

export async function renderList(root) {
  const list = await get('/v1/sessions?limit=200');
  root.append(
    h('div', { class: 'heading' }, h('h1', {}, 'Sessions'), h('span', { class: 'muted' }, `${list.length} newest`)),
    h('table', { class: 'list', id: 'sessions' },
      h('thead', {}, h('tr', {},
        ['Opened', 'Session', 'Intent', 'Principal', 'Actions', 'Denied', 'Escalated', 'Risk', 'Labels']
          .map((t) => h('th', {}, t)))),
      h('tbody', {}, list.map((s) => h('tr', {},
        h('td', {}, s.opened_at), h('td', { class: 'mono' }, link(s.session_id.slice(0, 13), 'session', s.session_id)),
        h('td', {}, s.intent || ''), h('td', {}, s.principal || ''), h('td', {}, s.actions),
        h('td', {}, s.denials), h('td', {}, s.escalations), h('td', {}, Number(s.risk).toFixed(2)),
        h('td', {}, (s.labels || []).map((l) => h('span', { class: 'label-chip' }, l))))))),
  );
}

/** The panels describing a session: declaration, composition, budgets, recent actions. */
export function sessionPanels(s) {
  const d = s.declaration || {};
  const scope = d.scope || {};
  const counters = Object.entries(s.counters || {});
  const budgets = Object.entries(s.budgets || {}).filter(([, v]) => v && typeof v === 'object');
  return [
    section('Session',
      facts([
        ['Session', link(s.session_id, 'session', s.session_id)], ['Opened', s.opened_at],
        ['Intent', d.intent || '(none declared)'], ['Principal', d.principal],
        ['Scope: roots', (scope.roots || []).join(', ')], ['Scope: hosts', (scope.hosts || []).join(', ')],
        ['Scope: tools', (scope.tools || []).join(', ')],
      ])),
    section('Composition',
      facts([
        ['Actions', s.actions], ['Cumulative risk', Number(s.risk ?? 0).toFixed(2)],
        ['Labels', (s.labels || []).length ? s.labels.map((l) => h('span', { class: 'label-chip' }, l)) : '(none)'],
      ]),
      h('table', { class: 'list compact', id: 'counters' }, h('tbody', {},
        counters.map(([k, v]) => h('tr', {}, h('td', { class: 'mono' }, k), h('td', {}, v)))))),
    section('Budgets',
      h('table', { class: 'list compact', id: 'budgets' }, h('tbody', {},
        budgets.map(([k, v]) => h('tr', {}, h('td', { class: 'mono' }, k),
          h('td', {}, v.max === null || v.max === undefined ? `${v.used} (no limit)` : `${v.used} of ${v.max}`)))))),
    section('Recent actions',
      h('ol', { class: 'timeline', id: 'recent' }, (s.recent || []).map((a) => h('li', {},
        badge(a.verdict), ' ', h('span', { class: 'mono' }, a.kind), ' ', a.target || '',
        (a.labels || []).map((l) => h('span', { class: 'label-chip' }, l)))))),
  ];
}

export async function renderSession(root, ctx, id) {
  const sid = encodeURIComponent(id);
  const [summary, records] = await Promise.all([get(`/v1/sessions/${sid}`), get(`/v1/sessions/${sid}/evidence`)]);
  const shown = records.slice(-TIMELINE).reverse();
  root.append(
    h('div', { class: 'heading' }, h('h1', {}, 'Session ', h('span', { class: 'mono' }, id))),
    ...sessionPanels(summary),
    section(`Timeline (${records.length} actions${records.length > TIMELINE ? `, newest ${TIMELINE} shown` : ''})`,
      h('ol', { class: 'timeline', id: 'timeline' }, shown.map(timelineEntry))),
  );
}

function timelineEntry(r) {
  const review = r.principal_review;
  const outcome = r.execution_result;
  return h('li', {},
    h('span', { class: 'muted' }, r.timestamp), ' ', badge(r.evaluation), ' ',
    h('span', { class: 'mono' }, (r.proposed_action || {}).kind || ''), ' ',
    h('span', { class: 'mono' }, actionLine(r.proposed_action)), ' ',
    ((r.policy_matched || {}).matched || []).map((m) => h('span', { class: 'rule' }, m)),
    review ? h('div', { class: 'sub' }, review.expired ? 'expired: ' : `${review.verdict === 'ALLOW' ? 'approved' : 'denied'} by ${review.by}: `, review.reason) : null,
    outcome !== null && outcome !== undefined
      ? h('div', { class: 'sub' }, 'outcome: ', h('span', { class: 'mono' }, JSON.stringify(outcome).slice(0, 300))) : null,
    h('div', { class: 'sub' }, link('evidence record', 'evidence', r.session_id, r.action_id)));
}

export async function renderEvidence(root, ctx, sid, aid) {
  const records = await get(`/v1/sessions/${encodeURIComponent(sid)}/evidence?action=${encodeURIComponent(aid)}`);
  root.append(
    h('div', { class: 'heading' }, h('h1', {}, 'Evidence record'), link('session', 'session', sid)),
    records.length
      ? h('pre', { class: 'json', id: 'evidence' }, JSON.stringify(records[0], null, 2))
      : h('p', { class: 'muted' }, 'No record for this action.'),
  );
}
