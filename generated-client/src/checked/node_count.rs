//! The number of connectors: a number to Rust code, a decimal string on the wire.

use std::fmt;
use std::str::FromStr;

use serde::de::{self, Deserializer, Visitor};
use serde::{Deserialize, Serialize, Serializer};

/// Number of Smart Connect nodes (`node_cnt`), at least [`NodeCount::MIN`].
///
/// The API's table types `node_cnt` as a String, so it is sent as `"2"`; reading accepts the
/// string or a JSON number (the document's example writes `2`). Every way of making one checks
/// the documented minimum, so a too-small count fails before anything is sent.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct NodeCount(u32);

/// A value that is not a valid [`NodeCount`].
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum NodeCountError {
    /// Below the documented minimum.
    #[error("node_cnt must be at least {min}, got {0}", min = NodeCount::MIN)]
    BelowMinimum(u64),
    /// Not a plain decimal integer (no sign, no leading zero, no spaces).
    #[error("node_cnt must be a decimal integer of at least {min}, got {0:?}", min = NodeCount::MIN)]
    NotANumber(String),
    /// Larger than this client can represent.
    #[error("node_cnt {0} is larger than {max}", max = u32::MAX)]
    TooLarge(String),
}

impl NodeCount {
    /// The documented minimum: 2.
    pub const MIN: u32 = 2;
    /// The documented default, used by the service when `node_cnt` is absent: 2.
    pub const DEFAULT: NodeCount = NodeCount(2);

    /// `count`, when it is at least [`NodeCount::MIN`].
    pub const fn new(count: u32) -> Result<Self, NodeCountError> {
        if count < Self::MIN {
            Err(NodeCountError::BelowMinimum(count as u64))
        } else {
            Ok(NodeCount(count))
        }
    }

    /// The count as a number.
    pub const fn get(self) -> u32 {
        self.0
    }
}

impl Default for NodeCount {
    fn default() -> Self {
        Self::DEFAULT
    }
}

impl fmt::Display for NodeCount {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.0, f)
    }
}

impl FromStr for NodeCount {
    type Err = NodeCountError;

    /// Accepts what the spec's pattern `^([2-9]|[1-9][0-9]+)$` accepts, plus `0` and `1` to
    /// report them as below the minimum.
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let digits_only = !text.is_empty() && text.bytes().all(|b| b.is_ascii_digit());
        if !digits_only || (text.len() > 1 && text.starts_with('0')) {
            return Err(NodeCountError::NotANumber(text.to_owned()));
        }
        let count: u32 = text
            .parse()
            .map_err(|_| NodeCountError::TooLarge(text.to_owned()))?;
        Self::new(count)
    }
}

impl TryFrom<u32> for NodeCount {
    type Error = NodeCountError;
    fn try_from(count: u32) -> Result<Self, Self::Error> {
        Self::new(count)
    }
}

impl TryFrom<&str> for NodeCount {
    type Error = NodeCountError;
    fn try_from(text: &str) -> Result<Self, Self::Error> {
        text.parse()
    }
}

impl TryFrom<String> for NodeCount {
    type Error = NodeCountError;
    fn try_from(text: String) -> Result<Self, Self::Error> {
        text.parse()
    }
}

impl From<NodeCount> for u32 {
    fn from(count: NodeCount) -> u32 {
        count.0
    }
}

impl Serialize for NodeCount {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        // What `Display` writes, without the formatting machinery.
        serializer.serialize_str(itoa::Buffer::new().format(self.0))
    }
}

impl<'de> Deserialize<'de> for NodeCount {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct CountVisitor;

        impl Visitor<'_> for CountVisitor {
            type Value = NodeCount;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(
                    f,
                    "a connector count of at least {} (string or integer)",
                    NodeCount::MIN
                )
            }

            fn visit_str<E: de::Error>(self, text: &str) -> Result<NodeCount, E> {
                text.parse().map_err(E::custom)
            }

            fn visit_u64<E: de::Error>(self, count: u64) -> Result<NodeCount, E> {
                let count = u32::try_from(count)
                    .map_err(|_| E::custom(NodeCountError::TooLarge(count.to_string())))?;
                NodeCount::new(count).map_err(E::custom)
            }

            fn visit_i64<E: de::Error>(self, count: i64) -> Result<NodeCount, E> {
                match u64::try_from(count) {
                    Ok(count) => self.visit_u64(count),
                    Err(_) => Err(E::custom(NodeCountError::NotANumber(count.to_string()))),
                }
            }
        }

        deserializer.deserialize_any(CountVisitor)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_minimum_is_checked_on_every_way_in() {
        assert_eq!(NodeCount::new(2).unwrap().get(), 2);
        assert_eq!(NodeCount::new(1), Err(NodeCountError::BelowMinimum(1)));
        assert_eq!(
            NodeCount::try_from(0u32),
            Err(NodeCountError::BelowMinimum(0))
        );
        assert_eq!(
            "1".parse::<NodeCount>(),
            Err(NodeCountError::BelowMinimum(1))
        );
        assert_eq!("17".parse::<NodeCount>().unwrap().get(), 17);
        for bad in ["", " 2", "+2", "-3", "02", "2.0", "two"] {
            assert_eq!(
                bad.parse::<NodeCount>(),
                Err(NodeCountError::NotANumber(bad.into())),
                "{bad:?}"
            );
        }
        assert!(matches!(
            "99999999999".parse::<NodeCount>(),
            Err(NodeCountError::TooLarge(_))
        ));
        assert_eq!(
            NodeCount::new(1).unwrap_err().to_string(),
            "node_cnt must be at least 2, got 1"
        );
    }

    #[test]
    fn the_wire_carries_a_string_and_reading_takes_either() {
        let count = NodeCount::new(3).unwrap();
        assert_eq!(serde_json::to_string(&count).unwrap(), r#""3""#);
        assert_eq!(serde_json::from_str::<NodeCount>(r#""3""#).unwrap(), count);
        assert_eq!(serde_json::from_str::<NodeCount>("3").unwrap(), count);
        for bad in ["1", r#""1""#, "-2", "2.5", "null", r#""x""#, "4294967296"] {
            let err = serde_json::from_str::<NodeCount>(bad)
                .unwrap_err()
                .to_string();
            assert!(!err.is_empty(), "{bad}");
            assert!(serde_json::from_str::<NodeCount>(bad).is_err(), "{bad}");
        }
        assert_eq!(NodeCount::default().get(), 2);
    }
}
