//! The service's states, named once: what the waits look for and what the local DMS moves
//! through. A reply carries them as strings (`status`); compare with these.
//!
//! The pages show few of them (an instance `RUNNING`, a task `SUCCESS`); the others are those
//! of the Instance Status appendix and of the service's behaviour as the official SDKs and
//! Terraform providers rely on it.

/// Instance states (the `status` of "Querying an Instance").
pub mod instance {
    /// Ready for changes.
    pub const RUNNING: &str = "RUNNING";
    /// Smart Connect is being enabled (or the instance is being scaled up).
    pub const EXTENDING: &str = "EXTENDING";
    /// Smart Connect is being disabled.
    pub const CONNECTOR_DELETING: &str = "CONNECTOR_DELETING";
    /// Not running properly: it does not return to `RUNNING` by itself.
    pub const ERROR: &str = "ERROR";
    /// A change of specifications failed: it does not return to `RUNNING` by itself.
    pub const EXTENDEDFAILED: &str = "EXTENDEDFAILED";

    /// The states that end by themselves (the appendix's `CREATING`, `RESTARTING` and
    /// `EXTENDING`, and the service's other transitional states): a wait for `RUNNING` polls
    /// on through them and ends on any other state.
    pub(crate) const TRANSITIONAL: [&str; 8] = [
        "CREATING",
        EXTENDING,
        "RESTARTING",
        "CONNECTOR_CREATING",
        CONNECTOR_DELETING,
        "SHRINKING",
        "UPGRADING",
        "ROLLBACK",
    ];
}

/// Background task (job) states (the `status` of "Querying a Background Task").
pub mod job {
    /// Still going on.
    pub const EXECUTING: &str = "EXECUTING";
    /// Ended, done.
    pub const SUCCESS: &str = "SUCCESS";
    /// Ended without success.
    pub const FAILED: &str = "FAILED";
    /// Removed by "Deleting a Background Task".
    pub const DELETED: &str = "DELETED";

    /// The states that end a job without success.
    pub(crate) const ENDED_WITHOUT_SUCCESS: [&str; 2] = [FAILED, DELETED];
}

/// Smart Connect task states (the `status` of "Querying Smart Connect Task Details").
pub mod task {
    /// Just created (or restarted), not running yet.
    pub const CREATING: &str = "CREATING";
    /// Running.
    pub const RUNNING: &str = "RUNNING";
    /// Created with `start_later`: waits for "Starting a Smart Connect Task".
    pub const WAITING: &str = "WAITING";
    /// Paused by "Pausing a Smart Connect Task".
    pub const PAUSED: &str = "PAUSED";
    /// Failed: it reaches no other state by itself.
    pub const FAILED: &str = "FAILED";

    /// Whether a task in state `from` can still reach `target` without another call: a
    /// starting task reaches any state; a failed one none; any other only itself.
    pub(crate) fn can_reach(from: &str, target: &str) -> bool {
        from == target || (from == CREATING && target != CREATING)
    }
}
