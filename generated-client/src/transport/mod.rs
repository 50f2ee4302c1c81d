//! What every request goes through on its way to the wire and back.

pub(crate) mod body;
pub(crate) mod hooks;
pub(crate) mod http;

pub(crate) use hooks::HookState;
