//! Per-evaluation sandbox limits: what each policy may spend on one action,
//! with the gate's defaults and per-policy overrides.

use serde::{Deserialize, Serialize};

/// The limits one policy evaluation runs under. Every one that trips is a
/// DENY naming the policy and the limit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Limits {
    /// Wall-clock deadline for one call into the policy, in milliseconds.
    pub deadline_ms: u64,
    /// Largest linear memory the policy may grow to, in bytes.
    pub memory_bytes: usize,
    /// Largest table (e.g. indirect-call table) in elements.
    pub table_elements: usize,
    /// Largest decision the policy may return: reason, rules, labels and
    /// counter names together, in bytes.
    pub max_output_bytes: usize,
    /// Log lines kept per evaluation; further lines are counted and dropped.
    pub max_log_lines: usize,
}

impl Default for Limits {
    fn default() -> Limits {
        Limits {
            deadline_ms: 100,
            memory_bytes: 64 << 20,
            table_elements: 20_000,
            max_output_bytes: 64 << 10,
            max_log_lines: 32,
        }
    }
}

/// The absolute ceilings the engine is built with; no override may exceed
/// them (the pooling allocator reserves slots of this size).
pub const MAX_MEMORY_BYTES: usize = 1 << 30;
/// Longest deadline an override may ask for.
pub const MAX_DEADLINE_MS: u64 = 60_000;

/// Overrides of some limits, as a config file writes them.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct LimitOverrides {
    pub deadline_ms: Option<u64>,
    pub memory_mib: Option<usize>,
    pub table_elements: Option<usize>,
    pub max_output_bytes: Option<usize>,
    pub max_log_lines: Option<usize>,
}

/// A limit asked for beyond what the engine allows.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum LimitError {
    #[error("deadline_ms must be between 1 and {MAX_DEADLINE_MS}, got {0}")]
    Deadline(u64),
    #[error("memory_mib must be between 1 and {max}, got {0}", max = MAX_MEMORY_BYTES >> 20)]
    Memory(usize),
    #[error("max_output_bytes must be at least 256, got {0}")]
    Output(usize),
}

impl Limits {
    /// These limits with `overrides` applied, checked against the ceilings.
    pub fn with(self, overrides: &LimitOverrides) -> Result<Limits, LimitError> {
        let mut l = self;
        if let Some(ms) = overrides.deadline_ms {
            if ms == 0 || ms > MAX_DEADLINE_MS {
                return Err(LimitError::Deadline(ms));
            }
            l.deadline_ms = ms;
        }
        if let Some(mib) = overrides.memory_mib {
            if mib == 0 || mib > MAX_MEMORY_BYTES >> 20 {
                return Err(LimitError::Memory(mib));
            }
            l.memory_bytes = mib << 20;
        }
        if let Some(n) = overrides.table_elements {
            l.table_elements = n;
        }
        if let Some(n) = overrides.max_output_bytes {
            if n < 256 {
                return Err(LimitError::Output(n));
            }
            l.max_output_bytes = n;
        }
        if let Some(n) = overrides.max_log_lines {
            l.max_log_lines = n;
        }
        Ok(l)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn overrides_apply_only_what_they_name() {
        let l = Limits::default()
            .with(&LimitOverrides {
                deadline_ms: Some(5),
                memory_mib: Some(8),
                ..Default::default()
            })
            .unwrap();
        assert_eq!(l.deadline_ms, 5);
        assert_eq!(l.memory_bytes, 8 << 20);
        assert_eq!(l.max_output_bytes, Limits::default().max_output_bytes);
    }

    #[test]
    fn overrides_beyond_the_ceilings_are_refused() {
        let too_long = LimitOverrides {
            deadline_ms: Some(MAX_DEADLINE_MS + 1),
            ..Default::default()
        };
        assert_eq!(
            Limits::default().with(&too_long),
            Err(LimitError::Deadline(MAX_DEADLINE_MS + 1))
        );
        let zero_mem = LimitOverrides {
            memory_mib: Some(0),
            ..Default::default()
        };
        assert_eq!(
            Limits::default().with(&zero_mem),
            Err(LimitError::Memory(0))
        );
    }
}
