// A small summary from the gate's own metrics (GET /v1/summary) and the
// evidence chain's verification state (GET /v1/evidence/verify).

import { get } from './api.js';
import { h, badge, facts, section } from './dom.js';

const ms = (v) => (v === null || v === undefined ? '—' : `${Number(v).toFixed(2)} ms`);

export async function render(root) {
  const [s, chain] = await Promise.all([get('/v1/summary'), get('/v1/evidence/verify')]);
  const d = s.decisions || {};
  root.append(
    h('h1', {}, 'Summary'),
    h('div', { class: 'cards', id: 'summary' },
      ['ALLOW', 'DENY', 'ESCALATE'].map((v) => h('div', { class: 'card' }, badge(v), h('div', { class: 'big' }, d[v] ?? 0))),
      h('div', { class: 'card' }, 'pending reviews', h('div', { class: 'big', id: 'pending-count' }, s.reviews.pending))),
    section('Decisions and latency', facts([
      ['Evaluations', s.evaluations], ['Time to decide: mean', ms(s.latency_ms.mean)],
      ['Time to decide: p50 / p99 at most', `${ms(s.latency_ms.p50_at_most)} / ${ms(s.latency_ms.p99_at_most)}`],
      ['Sessions', s.sessions],
      ['Reviews approved / denied / expired', `${s.reviews.approved} / ${s.reviews.denied} / ${s.reviews.expired}`],
      ['Evidence write failures', s.evidence_write_failures], ['Policy set', s.policy_set],
      ['Four-eyes rule', s.four_eyes ? 'on' : 'off'], ['Healthy', s.healthy ? 'yes' : 'NO'],
    ])),
    section('Evidence chain', h('div', { id: 'chain' }, chain.ok
      ? facts([['State', badge('verified')], ['Entries', chain.entries], ['Segments', chain.segments],
        ['Last link', chain.last_hash], ['HEAD at seq', chain.head_seq ?? '(no HEAD)'],
        ['Checked', `${chain.checked_at} in ${ms(chain.took_ms)}`]])
      : facts([['State', badge('broken')], ['First broken link', chain.problem], ['Checked', chain.checked_at]]))),
  );
}
