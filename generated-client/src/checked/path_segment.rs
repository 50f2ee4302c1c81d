//! A path parameter value that stays exactly one path segment on the wire.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// The value of a path parameter (`project_id`, `instance_id`).
///
/// The generated code percent-encodes it (`/`, `%`, `?`, `#`, space, non-ASCII...), so it
/// reaches the server as one segment whatever it holds, with three exceptions that URL
/// parsing would resolve before anything is signed or sent: the empty string, `.` and `..`
/// (removed as dot segments) and any `\` (read as `/`). Those are refused here, so a value can
/// never point a request at another path.
#[derive(Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct PathSegment(String);

/// A value that cannot be a [`PathSegment`].
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum PathSegmentError {
    /// The value is empty.
    #[error("a path parameter must not be empty")]
    Empty,
    /// The value is `.` or `..`.
    #[error("a path parameter must not be {0:?}: URL parsing would remove it from the path")]
    DotSegment(String),
    /// The value contains `\`.
    #[error("a path parameter must not contain a backslash: URLs read it as \"/\" (got {0:?})")]
    Backslash(String),
}

impl PathSegment {
    /// `value`, when it stays one path segment.
    pub fn new(value: impl Into<String>) -> Result<Self, PathSegmentError> {
        let value = value.into();
        if value.is_empty() {
            Err(PathSegmentError::Empty)
        } else if value == "." || value == ".." {
            Err(PathSegmentError::DotSegment(value))
        } else if value.contains('\\') {
            Err(PathSegmentError::Backslash(value))
        } else {
            Ok(PathSegment(value))
        }
    }

    /// The value, unencoded.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for PathSegment {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&self.0, f)
    }
}

/// The unencoded value (the generated code encodes it).
impl fmt::Display for PathSegment {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl AsRef<str> for PathSegment {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl FromStr for PathSegment {
    type Err = PathSegmentError;
    fn from_str(value: &str) -> Result<Self, Self::Err> {
        Self::new(value)
    }
}

impl TryFrom<&str> for PathSegment {
    type Error = PathSegmentError;
    fn try_from(value: &str) -> Result<Self, Self::Error> {
        Self::new(value)
    }
}

impl TryFrom<&String> for PathSegment {
    type Error = PathSegmentError;
    fn try_from(value: &String) -> Result<Self, Self::Error> {
        Self::new(value.as_str())
    }
}

impl TryFrom<String> for PathSegment {
    type Error = PathSegmentError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::new(value)
    }
}

impl Serialize for PathSegment {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for PathSegment {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let value = String::deserialize(deserializer)?;
        Self::new(value).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_that_would_leave_their_segment_are_refused() {
        assert_eq!(PathSegment::new(""), Err(PathSegmentError::Empty));
        for dots in [".", ".."] {
            assert_eq!(
                PathSegment::new(dots),
                Err(PathSegmentError::DotSegment(dots.into()))
            );
        }
        for slashy in ["\\", "a\\b", ".\\x", "..\\..\\p\\instances\\z"] {
            assert_eq!(
                PathSegment::new(slashy),
                Err(PathSegmentError::Backslash(slashy.into()))
            );
        }
        for fine in [
            "inst-1", "...", "a/b", "50%", "q?x#y", "sp ace", "c:o@l", "ünï", "%2e",
        ] {
            assert_eq!(PathSegment::new(fine).unwrap().as_str(), fine);
        }
    }
}
