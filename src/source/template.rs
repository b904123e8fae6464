//! What infrastructure code becomes: the same account model a dump gives ([`Dump`]), the
//! policies it attaches to nothing, and what could not be read or resolved — each located
//! in the file it came from.

use super::dump::{Document, Dump};
use crate::document::PolicyError;

/// The account id of every ARN a template's resources will have: their real account is
/// known only at deploy time.
pub const PLACEHOLDER_ACCOUNT: &str = "123456789012";

/// A policy that no principal of the template uses: checked as a policy file is.
pub struct Detached {
    /// Its logical id or resource address.
    pub name: String,
    pub document: Document,
}

/// Why a value or a whole input could not be taken as written.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ProblemKind {
    /// The input is broken (syntax, duplicate keys, a reference to nothing, a cycle).
    Invalid,
    /// A value iamlint cannot compute; it was read in the direction that does not hide
    /// access (a wildcard in an Allow, a Deny that may not apply).
    Unresolved,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Problem {
    pub kind: ProblemKind,
    /// Index of the file (page) it stands in.
    pub page: usize,
    pub error: PolicyError,
}

/// One template or module, read.
#[derive(Default)]
pub struct Model {
    pub dump: Dump,
    pub detached: Vec<Detached>,
    pub problems: Vec<Problem>,
}
