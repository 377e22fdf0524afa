// One review: the proposed action (a diff for edits, the command line with
// the matched rules), why the gate escalated, every policy's verdict (from
// the action's evidence record), the session behind it (intent, scope,
// composition, budgets, recent actions) and the reviewer's answer.

import { get, post, reviewEvents } from './api.js';
import { h, link, badge, facts, section, age, countdown, failure } from './dom.js';
import { proposedEdits, renderDiff } from './diff.js';
import { sessionPanels } from './sessions.js';

export async function render(root, ctx, id) {
  const review = await get(`/v1/reviews/${encodeURIComponent(id)}`);
  const sid = encodeURIComponent(review.session_id);
  const [session, records] = await Promise.all([
    get(`/v1/sessions/${sid}`).catch((e) => ({ error: e })),
    get(`/v1/sessions/${sid}/evidence?action=${encodeURIComponent(review.action_id)}`).catch(() => []),
  ]);
  const record = Array.isArray(records) ? records[0] : undefined;

  const left = h('span', { class: 'countdown', id: 'expires' });
  const tick = () => {
    left.textContent = review.status === 'pending' ? `expires in ${countdown(review.expires_at)}` : '';
  };
  tick();
  const timer = setInterval(tick, 1000);
  ctx.onLeave(() => clearInterval(timer));
  if (review.status === 'pending') {
    // Decided elsewhere (another reviewer, the CLI, an expiry): show it.
    const events = reviewEvents();
    events.addEventListener('review', (message) => {
      const event = JSON.parse(message.data);
      if (event.review.id === review.id && event.kind === 'decided') ctx.refresh();
    });
    ctx.onLeave(() => events.close());
  }

  root.append(
    h('div', { class: 'heading' },
      h('h1', {}, 'Review ', h('span', { class: 'mono' }, review.id)),
      badge(review.status), left),
    h('p', { class: 'muted' }, `opened ${age(review.opened_at)} ago · policy set `,
      h('span', { class: 'mono' }, review.policy_set.slice(0, 19))),
    actionPanel(review),
    section('Why it was escalated', h('p', { class: 'reason', id: 'reason' }, review.reason)),
    policiesPanel(record),
    review.status === 'pending' ? answerPanel(review, ctx) : decisionPanel(review),
    ...(session.error ? [section('Session', failure(session.error))] : sessionPanels(session)),
  );
}

function actionPanel(review) {
  const a = review.proposed_action || {};
  const rules = (review.rules || []).map((rule) => h('span', { class: 'rule hit', 'data-rule': rule }, rule));
  const parts = [
    facts([
      ['Kind', a.kind], ['Tool', a.tool], ['Target', a.target], ['Working directory', a.cwd],
      ['Session', link(review.session_id, 'session', review.session_id)],
      ['Evidence', link('this action\'s record', 'evidence', review.session_id, review.action_id)],
    ]),
  ];
  if (a.command) {
    parts.push(h('div', { class: 'command' },
      h('div', { class: 'label' }, 'Command line'),
      h('pre', { class: 'cmd', id: 'command' }, a.command),
      h('div', { class: 'rules' }, 'matched: ', rules.length ? rules : 'no rule named')));
  } else if (rules.length) {
    parts.push(h('div', { class: 'rules' }, 'matched: ', rules));
  }
  for (const edit of proposedEdits(a)) {
    parts.push(h('div', { class: 'edit' }, h('div', { class: 'label mono' }, edit.title),
      renderDiff(edit.before, edit.after)));
  }
  parts.push(h('details', {}, h('summary', {}, 'The action as received (JSON)'),
    h('pre', { class: 'json' }, JSON.stringify(a, null, 2))));
  return section('Proposed action', ...parts);
}

function policiesPanel(record) {
  if (!record) return section('Policies', h('p', { class: 'muted' }, 'No evidence record found for this action.'));
  const pm = record.policy_matched || {};
  const rows = (pm.policies || []).map((p) => h('tr', {},
    h('td', {}, p.name), h('td', { class: 'mono' }, p.version),
    h('td', {}, badge(p.verdict)),
    h('td', {}, (p.rules || []).map((r) => h('span', { class: 'rule' }, r))),
    h('td', {}, p.fault || '')));
  const gateRules = (pm.matched || []).filter((r) => r.startsWith('gate/'));
  return section('Every policy\'s verdict',
    h('table', { class: 'list', id: 'policies' },
      h('thead', {}, h('tr', {}, ['Policy', 'Version', 'Verdict', 'Rules', 'Fault'].map((t) => h('th', {}, t)))),
      h('tbody', {}, rows)),
    gateRules.length ? h('p', {}, 'The gate\'s own rules: ', gateRules.map((r) => h('span', { class: 'rule' }, r))) : null,
    h('p', { class: 'muted' }, `combined: ${record.evaluation} · risk ${Number(pm.risk ?? 0).toFixed(2)}`));
}

function decisionPanel(review) {
  const d = review.decision || {};
  return section('Decision', facts([
    ['Status', badge(review.status)], ['By', d.by], ['At', d.at], ['Reason', d.reason],
    ['Approval valid until', review.approval_valid_until],
    ['Approval used', review.status === 'approved' ? (review.consumed ? 'yes' : 'not yet') : undefined],
  ]));
}

function answerPanel(review, ctx) {
  const reason = h('textarea', { id: 'decision-reason', rows: 3, placeholder: 'Why (recorded in the evidence)' });
  const message = h('p', { class: 'error', role: 'alert', id: 'decision-error', hidden: true });
  const decide = (verdict) => async () => {
    message.hidden = true;
    for (const b of buttons) b.disabled = true;
    try {
      await post(`/v1/reviews/${encodeURIComponent(review.id)}/${verdict}`, { reason: reason.value });
      ctx.refresh();
    } catch (err) {
      message.textContent = err.message;
      message.hidden = false;
      for (const b of buttons) b.disabled = false;
    }
  };
  const buttons = [
    h('button', { type: 'button', class: 'approve', id: 'approve', onclick: decide('approve') }, 'Approve'),
    h('button', { type: 'button', class: 'deny', id: 'deny', onclick: decide('deny') }, 'Deny'),
  ];
  return section('Your answer',
    h('p', { class: 'muted' }, `Signed in as ${ctx.me.name}. An approval lets exactly this action through once.`),
    reason, h('div', { class: 'buttons' }, buttons), message);
}
