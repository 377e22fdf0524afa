-- clawlaw's evidence in PostgreSQL: one hash chain per session, every entry
-- exactly as written (the hash covers these bytes), and checkpoints that
-- chain the sessions' heads so removed entries show.
CREATE TABLE clawlaw_evidence (
    -- Global order of insertion (not of commit).
    seq         bigserial PRIMARY KEY,
    session_id  text        NOT NULL,
    -- Position in the session's chain, from 1 without gaps.
    session_seq bigint      NOT NULL,
    prev        text        NOT NULL,
    hash        text        NOT NULL,
    -- The entry's type: session, action, review, outcome.
    kind        text        NOT NULL,
    -- The review an action opened or a review entry decided.
    review_id   text,
    written_at  timestamptz NOT NULL DEFAULT now(),
    entry       text        NOT NULL,
    UNIQUE (session_id, session_seq)
);

CREATE INDEX clawlaw_evidence_review ON clawlaw_evidence (review_id) WHERE review_id IS NOT NULL;
CREATE INDEX clawlaw_evidence_sessions ON clawlaw_evidence (session_id) WHERE kind = 'session';

CREATE TABLE clawlaw_checkpoints (
    id        bigserial   PRIMARY KEY,
    -- Every entry with seq <= upto_seq was committed when it was taken.
    upto_seq  bigint      NOT NULL,
    -- [[session_id, session_seq, hash], ...] of the sessions changed since
    -- the checkpoint before, sorted by session_id.
    heads     jsonb       NOT NULL,
    prev      text        NOT NULL,
    hash      text        NOT NULL,
    taken_at  timestamptz NOT NULL DEFAULT now()
);
