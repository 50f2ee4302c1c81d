//! The local DMS as the workflow tests start it: one project, one instance, one AK/SK pair.

use std::time::Duration;

use generated_client::local_dms::LocalDms;
use generated_client::{ClientConfig, Credentials};

pub const AK: &str = "LOCALDMSEXAMPLEAK001";
pub const SK: &str = "local-dms-example-secret-key-0123456789";
pub const PROJECT: &str = "proj-local-1";
pub const INSTANCE: &str = "5b4c3c43-2b5e-4f7a-9b1e-0c1d2e3f4a5b";

/// The local DMS with [`PROJECT`], [`INSTANCE`] and the keys, busy for `busy_for` after each
/// change it starts.
pub async fn start(busy_for: Duration) -> LocalDms {
    LocalDms::builder()
        .project_id(PROJECT)
        .credentials(AK, SK)
        .instance(INSTANCE)
        .busy_for(busy_for)
        .start()
        .await
        .expect("the local DMS starts")
}

/// Client settings for `dms`: AK/SK, the project, its address.
pub fn config(dms: &LocalDms) -> ClientConfig {
    ClientConfig::new()
        .credentials(Credentials::ak_sk(AK, SK))
        .project_id(PROJECT)
        .endpoint(dms.base_url())
}
