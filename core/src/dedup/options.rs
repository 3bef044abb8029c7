//! Ranges of the stores' and the deduplicator's options, checked when an object is built.
//!
//! A zero lease or retention would silently turn deduplication off, a zero timeout would fail
//! every call, and an absurdly large duration overflows the clocks the stores compute expiries
//! with. The bindings convert their own units (seconds, milliseconds, `time.Duration`) into a
//! [`Duration`] and report an [`InvalidOption`] as their language's value error.

use std::fmt;
use std::time::Duration;

/// The shortest duration any option accepts: 1 ms (the stores count expiries in milliseconds).
pub const MIN_DURATION: Duration = Duration::from_millis(1);
/// The longest lease, retention or memory TTL: 3650 days (about ten years).
pub const MAX_EXPIRY: Duration = Duration::from_secs(3650 * 24 * 3600);
/// The longest timeout (Redis command and connect timeouts, SQLite busy timeout): 1 hour.
pub const MAX_TIMEOUT: Duration = Duration::from_secs(3600);

/// An option outside its range, found when a store or a deduplicator is built.
///
/// It is a mistake in the caller's configuration, not a runtime failure: the Python binding
/// raises it as `ValueError`, Node as `RangeError`, Go as an error matching
/// `ErrInvalidArgument`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InvalidOption {
    option: &'static str,
    requirement: String,
    given: String,
}

impl InvalidOption {
    fn new(option: &'static str, requirement: String, given: String) -> Self {
        InvalidOption {
            option,
            requirement,
            given,
        }
    }

    /// The option's name in the Rust API (`"lease"`, `"timeout"`, `"max_entries"`, ...).
    pub fn option(&self) -> &'static str {
        self.option
    }

    /// What the value must be, without the option's name: e.g. `"must be at least 1 ms and at
    /// most 3650 days"`. The bindings put their own parameter name and value around it.
    pub fn requirement(&self) -> &str {
        &self.requirement
    }
}

impl fmt::Display for InvalidOption {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} {}, not {}",
            self.option, self.requirement, self.given
        )
    }
}

impl std::error::Error for InvalidOption {}

/// A lease, retention or TTL: [`MIN_DURATION`] ..= [`MAX_EXPIRY`].
pub(crate) fn expiry(option: &'static str, d: Duration) -> Result<Duration, InvalidOption> {
    within(option, d, MAX_EXPIRY)
}

/// A timeout: [`MIN_DURATION`] ..= [`MAX_TIMEOUT`].
#[cfg(any(feature = "redis", feature = "sqlite"))]
pub(crate) fn timeout(option: &'static str, d: Duration) -> Result<Duration, InvalidOption> {
    within(option, d, MAX_TIMEOUT)
}

/// A count of at least 1.
pub(crate) fn positive(option: &'static str, n: usize) -> Result<usize, InvalidOption> {
    if n == 0 {
        return Err(InvalidOption::new(
            option,
            "must be at least 1".into(),
            "0".into(),
        ));
    }
    Ok(n)
}

/// A count of 1 ..= `max`.
#[cfg(feature = "redis")]
pub(crate) fn between_one_and(
    option: &'static str,
    n: usize,
    max: usize,
) -> Result<usize, InvalidOption> {
    if (1..=max).contains(&n) {
        return Ok(n);
    }
    Err(InvalidOption::new(
        option,
        format!("must be at least 1 and at most {max}"),
        n.to_string(),
    ))
}

fn within(option: &'static str, d: Duration, max: Duration) -> Result<Duration, InvalidOption> {
    if (MIN_DURATION..=max).contains(&d) {
        return Ok(d);
    }
    Err(InvalidOption::new(
        option,
        format!(
            "must be at least {} and at most {}",
            human(MIN_DURATION),
            human(max)
        ),
        format!("{d:?}"),
    ))
}

/// `1 ms`, `1 h`, `3650 days`: the bounds as a person writes them.
fn human(d: Duration) -> String {
    let secs = d.as_secs();
    match secs {
        0 => format!("{} ms", d.as_millis()),
        s if s % 86_400 == 0 => format!("{} days", s / 86_400),
        s if s % 3600 == 0 => format!("{} h", s / 3600),
        s => format!("{s} s"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bounds_are_inclusive_and_named() {
        assert_eq!(expiry("lease", MIN_DURATION), Ok(MIN_DURATION));
        assert_eq!(expiry("lease", MAX_EXPIRY), Ok(MAX_EXPIRY));
        #[cfg(any(feature = "redis", feature = "sqlite"))]
        assert_eq!(timeout("timeout", MAX_TIMEOUT), Ok(MAX_TIMEOUT));
        let e = expiry("lease", Duration::ZERO).unwrap_err();
        assert_eq!(e.option(), "lease");
        assert_eq!(
            e.requirement(),
            "must be at least 1 ms and at most 3650 days"
        );
        assert_eq!(
            e.to_string(),
            "lease must be at least 1 ms and at most 3650 days, not 0ns"
        );
        assert!(expiry("retention", MAX_EXPIRY + Duration::from_nanos(1)).is_err());
        assert!(expiry("ttl", Duration::from_micros(999)).is_err());
        assert!(expiry("ttl", Duration::MAX).is_err());
        #[cfg(any(feature = "redis", feature = "sqlite"))]
        {
            let e = timeout("timeout", Duration::from_secs(3601)).unwrap_err();
            assert_eq!(e.requirement(), "must be at least 1 ms and at most 1 h");
        }
        assert_eq!(positive("max_entries", 1), Ok(1));
        #[cfg(feature = "redis")]
        {
            assert_eq!(between_one_and("connections", 64, 64), Ok(64));
            assert_eq!(
                between_one_and("connections", 65, 64)
                    .unwrap_err()
                    .to_string(),
                "connections must be at least 1 and at most 64, not 65"
            );
            assert!(between_one_and("connections", 0, 64).is_err());
        }
        assert_eq!(
            positive("max_entries", 0).unwrap_err().to_string(),
            "max_entries must be at least 1, not 0"
        );
    }
}
