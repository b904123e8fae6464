//! Where documents come from: files and folders on disk ([`files`]), and the text they
//! hold once read ([`SourceFile`]), so that spans can be turned into lines and columns.

pub mod dump;
pub mod files;
#[cfg(feature = "aws")]
pub mod live;

use crate::document::Span;
use crate::document::source::LineIndex;
use serde::Serialize;

/// A document's text under the path findings name.
pub struct SourceFile {
    pub path: String,
    pub text: String,
    lines: LineIndex,
}

impl SourceFile {
    pub fn new(path: impl Into<String>, text: impl Into<String>) -> Self {
        let text = text.into();
        SourceFile {
            path: path.into(),
            lines: LineIndex::new(&text),
            text,
        }
    }

    pub fn locate(&self, span: Span) -> Location {
        let (line, column) = self.lines.position(&self.text, span.start);
        let (end_line, end_column) = self.lines.position(&self.text, span.end);
        Location {
            path: self.path.clone(),
            line,
            column,
            end_line,
            end_column,
            span,
        }
    }
}

/// A place in a source document, resolved to 1-based lines and columns (in characters).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Location {
    pub path: String,
    pub line: usize,
    pub column: usize,
    pub end_line: usize,
    pub end_column: usize,
    #[serde(skip)]
    pub span: Span,
}

impl Location {
    fn sort_key(&self) -> (&str, usize, usize, usize, usize) {
        (
            &self.path,
            self.line,
            self.column,
            self.end_line,
            self.end_column,
        )
    }
}

impl PartialOrd for Location {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Location {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.sort_key().cmp(&other.sort_key())
    }
}
