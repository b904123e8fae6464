//! Where documents come from: files and folders on disk ([`files`]), and the text they
//! hold once read ([`SourceFile`]), so that spans can be turned into lines and columns.

pub mod cloudformation;
pub mod dump;
pub mod files;
pub mod git;
#[cfg(feature = "aws")]
pub mod live;
pub mod plan;
pub mod query;
pub mod sam;
pub mod template;
pub mod terraform;
pub mod trail;
#[cfg(feature = "aws")]
pub mod trail_live;

use crate::document::Span;
use crate::document::source::LineIndex;
use serde::Serialize;

/// A document's text under the path findings name.
pub struct SourceFile {
    pub path: String,
    pub text: String,
    /// Built on first use: most files checked have no finding to locate.
    lines: std::sync::OnceLock<LineIndex>,
}

impl SourceFile {
    pub fn new(path: impl Into<String>, text: impl Into<String>) -> Self {
        let text = text.into();
        SourceFile {
            path: path.into(),
            lines: std::sync::OnceLock::new(),
            text,
        }
    }

    /// The place of `span` in this file. Lines and columns are worked out only when a
    /// report renders it ([`SourceFile::position`]): rules and the graph deal in spans.
    pub fn locate(&self, span: Span) -> Location {
        Location {
            path: self.path.clone(),
            span,
        }
    }

    fn lines(&self) -> &LineIndex {
        self.lines.get_or_init(|| LineIndex::new(&self.text))
    }

    /// Find the line starts now rather than when a report first needs them: reports are
    /// written on one thread, files are checked on all of them.
    pub fn index_lines(&self) {
        self.lines();
    }

    /// The text of the lines around `span` (see [`LineIndex::lines_around`]): its byte
    /// offset in the file, the text, and the 0-based number of its first line.
    pub fn lines_around(&self, span: Span, before: usize, after: usize) -> (usize, &str, usize) {
        let (from, to, line) =
            self.lines()
                .lines_around(self.text.len(), span.start, span.end, before, after);
        (from, &self.text[from..to], line)
    }

    /// 1-based lines and columns (in characters) of a span of this file.
    pub fn position(&self, span: Span) -> Position {
        let lines = self.lines();
        let (line, column) = lines.position(&self.text, span.start);
        let (end_line, end_column) = lines.position(&self.text, span.end);
        Position {
            line,
            column,
            end_line,
            end_column,
        }
    }
}

/// A place in a source document: the path findings name (the key of the report's
/// sources) and a byte span of its text.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Location {
    pub path: String,
    pub span: Span,
}

/// A [`Location`] resolved against its text, as every output format shows it.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Position {
    pub line: usize,
    pub column: usize,
    pub end_line: usize,
    pub end_column: usize,
}
