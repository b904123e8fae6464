//! Raw bytes → text, and byte offsets → 1-based line and column (columns count characters).

use super::json::{Span, SyntaxError};

/// Strips a UTF-8 BOM and checks the rest is UTF-8 and not empty/whitespace-only.
/// Errors are located: invalid UTF-8 at the first bad byte, empty at 0..0.
pub fn decode(bytes: &[u8]) -> Result<&str, SyntaxError> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let text = std::str::from_utf8(bytes).map_err(|e| {
        let start = e.valid_up_to();
        SyntaxError {
            message: "file is not valid UTF-8".into(),
            span: Span {
                start,
                end: start + e.error_len().unwrap_or(bytes.len() - start),
            },
        }
    })?;
    if text.trim_matches([' ', '\t', '\n', '\r']).is_empty() {
        return Err(SyntaxError {
            message: "file is empty".into(),
            span: Span::default(),
        });
    }
    Ok(text)
}

pub struct LineIndex {
    /// Byte offset where each line starts; the first is 0.
    line_starts: Vec<usize>,
    /// Whether each line is all ASCII: there a column is a byte count. A dump written
    /// without newlines is one line of megabytes, and every finding in it is located.
    /// `None` when the whole text is ASCII, as policies nearly always are.
    ascii: Option<Vec<bool>>,
}

impl LineIndex {
    pub fn new(text: &str) -> Self {
        let bytes = text.as_bytes();
        let mut line_starts = vec![0];
        line_starts.extend(memchr::memchr_iter(b'\n', bytes).map(|i| i + 1));
        let ascii = (!text.is_ascii()).then(|| {
            line_starts
                .iter()
                .enumerate()
                .map(|(line, &start)| {
                    let end = line_starts.get(line + 1).copied().unwrap_or(text.len());
                    bytes[start..end].is_ascii()
                })
                .collect()
        });
        LineIndex { line_starts, ascii }
    }

    /// The byte range of the lines from `before` lines above the one holding `start` to
    /// `after` lines below the one holding `end` (clamped to the text), and the 0-based
    /// number of its first line.
    pub fn lines_around(
        &self,
        text_len: usize,
        start: usize,
        end: usize,
        before: usize,
        after: usize,
    ) -> (usize, usize, usize) {
        let first = self.line_of(start.min(text_len)).saturating_sub(before);
        let last = self.line_of(end.min(text_len)) + after + 1;
        let to = self.line_starts.get(last).copied().unwrap_or(text_len);
        (self.line_starts[first], to, first)
    }

    /// The 0-based line holding byte offset `at`.
    fn line_of(&self, at: usize) -> usize {
        self.line_starts.partition_point(|start| *start <= at) - 1
    }

    /// 1-based (line, column) of byte offset `at` in `text`; the column counts chars.
    /// Offsets past the end clamp to the end; offsets inside a character count it.
    pub fn position(&self, text: &str, at: usize) -> (usize, usize) {
        let at = at.min(text.len());
        let line = self.line_of(at);
        let start = self.line_starts[line].min(at);
        let column = if self.ascii.as_ref().is_none_or(|ascii| ascii[line]) {
            at - start
        } else {
            // Characters starting before `at`: the bytes that do not continue one.
            text.as_bytes()[start..at]
                .iter()
                .filter(|&&b| (b & 0xC0) != 0x80)
                .count()
        };
        (line + 1, column + 1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decode_strips_one_bom_and_rejects_empty_and_invalid_utf8() {
        assert_eq!(decode(b"\xEF\xBB\xBF{}").unwrap(), "{}");
        assert_eq!(decode(b" \n\t").unwrap_err().message, "file is empty");
        assert_eq!(decode(b"").unwrap_err().message, "file is empty");
        assert_eq!(
            decode(b"\xEF\xBB\xBF").unwrap_err().message,
            "file is empty"
        );
        let e = decode(b"{\"a\": \"\xff\"}").unwrap_err();
        assert_eq!(
            (e.message.as_str(), e.span),
            ("file is not valid UTF-8", Span { start: 7, end: 8 })
        );
        let truncated = decode(b"{\"a\": \"\xE2\x82").unwrap_err();
        assert_eq!(truncated.span, Span { start: 7, end: 9 });
    }

    #[test]
    fn positions_agree_with_counting_characters_at_every_offset() {
        // ASCII lines take the byte shortcut; others count characters, also from inside one.
        let text = "{\"a\": 1}\n  \"\u{e9}t\u{e9}\": \"\u{1F600}\"\nplain ascii\n\u{e9}";
        let index = LineIndex::new(text);
        for at in 0..=text.len() + 2 {
            let clamped = at.min(text.len());
            let before = &text.as_bytes()[..clamped];
            let start = before
                .iter()
                .rposition(|&b| b == b'\n')
                .map_or(0, |i| i + 1);
            let line = before.iter().filter(|&&b| b == b'\n').count() + 1;
            let column = text[start..]
                .char_indices()
                .take_while(|(i, _)| start + i < clamped)
                .count()
                + 1;
            assert_eq!(index.position(text, at), (line, column), "offset {at}");
        }
    }

    #[test]
    fn positions_are_one_based_and_count_characters() {
        let text = "ab\n\u{e9}\u{1F600}x\r\nlast";
        let index = LineIndex::new(text);
        assert_eq!(index.position(text, 0), (1, 1));
        assert_eq!(index.position(text, 2), (1, 3));
        assert_eq!(index.position(text, 3), (2, 1));
        let x = text.find('x').unwrap();
        assert_eq!(
            index.position(text, x),
            (2, 3),
            "é and 😀 are one column each"
        );
        assert_eq!(
            index.position(text, text.find("last").unwrap()),
            (3, 1),
            "\\r\\n is one break"
        );
        assert_eq!(index.position(text, text.len()), (3, 5));
        assert_eq!(index.position(text, text.len() + 10), (3, 5));
        assert_eq!(
            index.position(text, 4),
            (2, 2),
            "inside a character counts it"
        );
    }
}
