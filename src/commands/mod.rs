//! One module per subcommand; `cli` parses arguments and calls these.

pub mod account;
pub mod baseline;
pub mod check;
pub mod iac;
pub mod info;
pub mod trail;
pub mod usage;
