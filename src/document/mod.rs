//! Input text → typed policy model. Every value keeps the byte span it came from so that
//! rules can point at the exact token; line/column are computed only when a report is
//! rendered (see [`source::LineIndex`]).

pub mod json;
pub mod policy;
pub mod source;
pub mod yaml;

pub use json::{Node, Span, Spanned};
pub use policy::{
    Condition, DocumentKind, Effect, PatternList, PolicyDocument, PolicyError, PrincipalEntry,
    Principals, Statement,
};
