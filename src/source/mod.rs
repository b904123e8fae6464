//! Where documents come from: files and folders on disk ([`files`]), and the text they
//! hold once read ([`SourceFile`]), so that spans can be turned into lines and columns.

pub mod dump;
pub mod files;
#[cfg(feature = "aws")]
pub mod live;

use crate::document::Span;
use crate::document::source::LineIndex;
use crate::rules::Location;

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
