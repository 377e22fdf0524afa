//! How the commands of a parsed line relate to one another: which command
//! is nested in which, and whose output may reach whose standard input
//! through pipes, subshells, groups and shell strings.

use super::model::{Command, CommandLine, Origin};

impl CommandLine {
    /// The commands `i` is nested in, innermost first.
    pub fn ancestors(&self, i: usize) -> impl Iterator<Item = usize> + '_ {
        let mut next = self.commands.get(i).and_then(|c| c.parent);
        std::iter::from_fn(move || {
            let cur = next?;
            next = self.commands.get(cur).and_then(|c| c.parent);
            Some(cur)
        })
    }

    /// The `find` whose `-exec` (or the `fd` whose `-x`) runs command `i`,
    /// directly (`find -exec rm {} +`) or through a shell string it starts
    /// (`find -exec sh -c 'rm "$1"' _ {} \;`): the command its `{}` stands
    /// for the found paths in.
    pub fn find_of_exec(&self, i: usize) -> Option<usize> {
        let mut cur = i;
        for _ in 0..8 {
            let c = self.commands.get(cur)?;
            match c.origin {
                Origin::FindExec => return c.parent,
                Origin::ShellString | Origin::Eval | Origin::Group => cur = c.parent?,
                _ => return None,
            }
        }
        None
    }

    /// Whether command `i` is nested (at any depth) in command `ancestor`.
    pub fn is_within(&self, i: usize, ancestor: usize) -> bool {
        self.ancestors(i).any(|a| a == ancestor)
    }

    /// The commands whose output may reach command `i`'s standard input
    /// through pipes: the commands before it in its pipeline and everything
    /// nested in them, and, when `i` sits in a subshell, group, `sh -c`
    /// string, `eval` or `case` arm, whatever feeds that. `O(commands)`.
    pub fn upstream(&self, i: usize) -> Vec<usize> {
        let n = self.commands.len();
        let mut mark = vec![false; n];
        let mut cur = i;
        while let Some(c) = self.commands.get(cur) {
            if let Some(p) = self.pipelines.get(c.pipeline) {
                for &e in p.commands.iter().take_while(|&&e| e != cur) {
                    mark[e] = true;
                }
            }
            match c.parent {
                Some(p) if inherits_stdio(c.origin) => cur = p,
                _ => break,
            }
        }
        for j in 0..n {
            if !mark[j] && self.commands[j].parent.is_some_and(|p| mark[p]) {
                mark[j] = true;
            }
        }
        (0..n).filter(|&j| mark[j]).collect()
    }

    /// For every command, whether it or a command nested in it matches
    /// `pred`. `O(commands)`.
    pub fn nested_any(&self, pred: impl Fn(&Command) -> bool) -> Vec<bool> {
        let mut any: Vec<bool> = self.commands.iter().map(&pred).collect();
        for j in (0..self.commands.len()).rev() {
            if any[j]
                && let Some(p) = self.commands[j].parent
            {
                any[p] = true;
            }
        }
        any
    }

    /// For every command, whether the output of a command matching `pred`
    /// (or of a command with one nested in it) may reach its standard input
    /// ([`upstream`](Self::upstream) for all commands at once, in
    /// `O(commands)`; a pipeline's later commands also count what feeds its
    /// first, since `cat`/`tee` pass data on).
    pub fn piped_from_any(&self, pred: impl Fn(&Command) -> bool) -> Vec<bool> {
        let sub = self.nested_any(pred);
        let mut res = vec![false; self.commands.len()];
        for p in &self.pipelines {
            let mut acc = false;
            for &e in &p.commands {
                if let Some(r) = res.get_mut(e) {
                    *r = acc;
                }
                acc |= sub.get(e).copied().unwrap_or(false);
            }
        }
        for j in 0..self.commands.len() {
            let c = &self.commands[j];
            if let Some(p) = c.parent
                && inherits_stdio(c.origin)
                && res[p]
            {
                res[j] = true;
            }
        }
        res
    }
}

/// Whether a command nested with `origin` shares its parent's standard
/// input and output.
pub(super) fn inherits_stdio(origin: Origin) -> bool {
    matches!(
        origin,
        Origin::Subshell | Origin::Group | Origin::ShellString | Origin::Eval | Origin::CaseArm
    )
}
