//! A one-entry memo for state a policy derives from its settings.
//!
//! The gate parses a policy's settings once per instance (see
//! `export_policy!`), and an instance it reuses (pooled mode) or
//! pre-initialises keeps them from one evaluation to the next. What a policy
//! builds from its settings — compiled glob sets, say — belongs next to them,
//! in a [`Memo`] field of the settings type marked `#[serde(skip)]`, so it is
//! built once instead of on every evaluation. The memo is keyed because such
//! state often depends on the action too (a `~` in a glob is the action's
//! home directory); it keeps the last key's value only.
//!
//! ```
//! use clawlaw_sdk::memo::Memo;
//! let memo: Memo<Option<String>, String> = Memo::default();
//! let built = memo.get_or_try_build(Some("/home/a".into()), |home| {
//!     Ok::<_, String>(format!("{home:?}"))
//! });
//! assert_eq!(*built.unwrap(), "Some(\"/home/a\")");
//! ```

use std::cell::RefCell;
use std::fmt;
use std::rc::Rc;

/// The last value built, with the key it was built for.
pub struct Memo<K, V> {
    last: RefCell<Option<(K, Rc<V>)>>,
}

impl<K, V> Default for Memo<K, V> {
    fn default() -> Self {
        Memo {
            last: RefCell::new(None),
        }
    }
}

/// A clone starts empty: the memo is a cache, not part of the settings.
impl<K, V> Clone for Memo<K, V> {
    fn clone(&self) -> Self {
        Memo::default()
    }
}

impl<K, V> fmt::Debug for Memo<K, V> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Memo")
    }
}

impl<K: PartialEq, V> Memo<K, V> {
    /// The value for `key`: the memoised one when it was built for an equal
    /// key, else `build(&key)`, kept when it succeeds.
    pub fn get_or_try_build<E>(
        &self,
        key: K,
        build: impl FnOnce(&K) -> Result<V, E>,
    ) -> Result<Rc<V>, E> {
        if let Some((built_for, value)) = &*self.last.borrow()
            && *built_for == key
        {
            return Ok(value.clone());
        }
        let value = Rc::new(build(&key)?);
        *self.last.borrow_mut() = Some((key, value.clone()));
        Ok(value)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::cell::Cell;

    #[test]
    fn builds_once_per_key_and_keeps_only_successes() {
        let memo: Memo<u32, u32> = Memo::default();
        let builds = Cell::new(0);
        let build = |k: &u32| {
            builds.set(builds.get() + 1);
            if *k == 0 { Err("zero") } else { Ok(k * 10) }
        };
        assert_eq!(*memo.get_or_try_build(1, build).unwrap(), 10);
        assert_eq!(*memo.get_or_try_build(1, build).unwrap(), 10);
        assert_eq!(builds.get(), 1);
        assert_eq!(*memo.get_or_try_build(2, build).unwrap(), 20);
        assert_eq!(builds.get(), 2);
        assert_eq!(memo.get_or_try_build(0, build).unwrap_err(), "zero");
        // A failure keeps the last success.
        assert_eq!(*memo.get_or_try_build(2, build).unwrap(), 20);
        assert_eq!(builds.get(), 3);
        // A clone is empty.
        let copy = memo.clone();
        assert_eq!(*copy.get_or_try_build(2, build).unwrap(), 20);
        assert_eq!(builds.get(), 4);
    }
}
