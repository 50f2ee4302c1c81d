//! What every request goes through on its way to the wire and back.

pub(crate) mod body;
pub(crate) mod carrier;
pub(crate) mod hooks;
pub(crate) mod http;
pub(crate) mod retry;

pub(crate) use hooks::ClientContext;

use crate::{Client, PathSegment};

/// The configured project as a path segment, for the generated `Client::<operation>()` methods
/// that pre-fill `project_id` (a generator setting of xtask). `None` when no project is
/// configured or the configured id cannot be one path segment (the builder then reports the
/// missing `project_id`, unless the caller sets one).
pub(crate) fn default_project_id(client: &Client) -> Option<PathSegment> {
    client
        .context()
        .project_id()
        .and_then(|id| PathSegment::new(id).ok())
}
