//! Who is calling: credentials and secrets, the AK/SK signer, IAM tokens.

pub mod credentials;
pub mod iam;
pub mod signer;
