//! Hand-written value types that progenitor swaps in for spec schemas (type replacements):
//! checked on construction, so a value the service would refuse never leaves the process.

mod node_count;
mod path_segment;

pub use node_count::{NodeCount, NodeCountError};
pub use path_segment::{PathSegment, PathSegmentError};
