//! The shared store's tamper evidence: one hash chain per session, and
//! checkpoints that chain the sessions' heads.
//!
//! An entry's hash is SHA-256 over
//! `clawlaw-evidence-pg-v1\n<session>\n<session_seq>\n<prev>\n<entry bytes>`
//! (the entry's JSON exactly as stored). Replicas append to different
//! sessions concurrently; each session's chain is linear because its
//! changes hold its lock. A checkpoint (taken while no append is in flight)
//! lists the head of every session changed since the one before and
//! chains to it: `sha256(clawlaw-checkpoint-v1\n<upto_seq>\n<prev>\n<heads JSON>)`.
//!
//! Verification (`super::checkpoint`) walks every chain (an edited byte, a removed, inserted or
//! reordered entry inside a chain shows) and every checkpoint, and checks
//! each checkpointed head is still in its chain with the same hash, so
//! entries cut from a session's end, or a whole session removed, show too
//! once a checkpoint covered them. What no checkpoint covers yet (the last
//! second or so) is only as safe as the chains.

use sha2::{Digest, Sha256};

/// `sha256:` and 64 zeros: the link before a chain's first entry.
pub const GENESIS: &str = "sha256:0000000000000000000000000000000000000000000000000000000000000000";

/// A place in a session's chain: the last entry's number and hash.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChainPos {
    pub seq: u64,
    pub hash: String,
}

impl Default for ChainPos {
    fn default() -> Self {
        ChainPos {
            seq: 0,
            hash: GENESIS.to_string(),
        }
    }
}

fn sha(parts: &[&[u8]]) -> String {
    let mut h = Sha256::new();
    for (i, p) in parts.iter().enumerate() {
        if i > 0 {
            h.update(b"\n");
        }
        h.update(p);
    }
    format!("sha256:{}", hex::encode(h.finalize()))
}

/// The position of the entry `bytes` appended after `pos` in `session`.
pub fn link(session: &str, pos: &ChainPos, bytes: &[u8]) -> ChainPos {
    let seq = pos.seq + 1;
    ChainPos {
        seq,
        hash: sha(&[
            b"clawlaw-evidence-pg-v1",
            session.as_bytes(),
            seq.to_string().as_bytes(),
            pos.hash.as_bytes(),
            bytes,
        ]),
    }
}

/// The hash of a checkpoint over `heads` (their JSON) following `prev`.
pub fn checkpoint_hash(upto: i64, prev: &str, heads: &str) -> String {
    sha(&[
        b"clawlaw-checkpoint-v1",
        upto.to_string().as_bytes(),
        prev.as_bytes(),
        heads.as_bytes(),
    ])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn links_chain_and_depend_on_every_part() {
        let a = link("s", &ChainPos::default(), b"{}");
        assert_eq!(a.seq, 1);
        let b = link("s", &a, b"{}");
        assert_eq!(b.seq, 2);
        assert_ne!(a.hash, b.hash);
        assert_ne!(link("t", &ChainPos::default(), b"{}").hash, a.hash);
        assert_ne!(link("s", &ChainPos::default(), b"{ }").hash, a.hash);
        assert!(a.hash.starts_with("sha256:") && a.hash.len() == 71);
    }
}
