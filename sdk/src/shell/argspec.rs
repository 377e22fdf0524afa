//! How a wrapper's or a runner's own options and operands are read before
//! the command it runs (`timeout -s KILL 5 CMD`, `conda run -n ENV CMD`):
//! which options take a value, how many operands come first.

#[derive(Clone, Copy)]
pub(super) struct Spec {
    /// Short options that take a value.
    pub valued: &'static str,
    /// Long options that take a value (as the next word when no `=`).
    pub long_valued: &'static [&'static str],
    /// Operands before the command (`timeout DURATION`, `chroot DIR`).
    pub operands: usize,
    /// Accepts `NAME=value` before the command (`env`, `sudo`).
    pub assignments: bool,
}

pub(super) const fn spec(
    valued: &'static str,
    long_valued: &'static [&'static str],
    operands: usize,
    assignments: bool,
) -> Spec {
    Spec {
        valued,
        long_valued,
        operands,
        assignments,
    }
}
