//! What every request goes through on its way to the wire and back.

pub mod hooks;

pub use hooks::HookState;
pub mod retry;
