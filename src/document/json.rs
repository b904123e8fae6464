//! A strict, span-aware JSON reader (RFC 8259). serde_json loses positions and silently
//! accepts duplicate keys; IAM rejects both, so we read JSON ourselves.

use std::collections::HashSet;

/// Byte offsets into the (BOM-stripped) text; `end` is exclusive.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Default, Hash)]
pub struct Span {
    pub start: usize,
    pub end: usize,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Spanned<T> {
    pub value: T,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    Null,
    Bool(bool),
    /// The number's raw text (IAM never needs its numeric value).
    Number(String),
    String(String),
    Array(Vec<Node>),
    /// Members in document order; keys are unique (duplicates are a syntax error).
    Object(Vec<Member>),
}

#[derive(Clone, Debug, PartialEq)]
pub struct Node {
    pub value: Value,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Member {
    pub key: Spanned<String>,
    pub value: Node,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SyntaxError {
    pub message: String,
    pub span: Span,
}

/// Deeper nesting is refused (IAM documents nest four levels at most); keeps the
/// recursive reader safe from stack exhaustion on hostile input.
pub const MAX_DEPTH: usize = 64;

/// Objects with more keys than this check duplicates with a hash set.
const SCAN_LIMIT: usize = 16;

pub fn parse(text: &str) -> Result<Node, SyntaxError> {
    let mut reader = Reader {
        bytes: text.as_bytes(),
        text,
        pos: 0,
    };
    reader.skip_whitespace()?;
    let node = reader.value(0)?;
    reader.skip_whitespace()?;
    if reader.pos < reader.bytes.len() {
        return Err(reader.error_here("trailing characters after the JSON value"));
    }
    Ok(node)
}

impl Node {
    /// The member `key` of an object (exact, case-sensitive), if any.
    pub fn get(&self, key: &str) -> Option<&Node> {
        match &self.value {
            Value::Object(members) => members
                .iter()
                .find(|m| m.key.value == key)
                .map(|m| &m.value),
            _ => None,
        }
    }

    /// The member `key` of an object, to change or move out of.
    pub fn get_mut(&mut self, key: &str) -> Option<&mut Node> {
        match &mut self.value {
            Value::Object(members) => members
                .iter_mut()
                .find(|m| m.key.value == key)
                .map(|m| &mut m.value),
            _ => None,
        }
    }

    /// "null", "boolean", "number", "string", "array" or "object", for messages.
    pub fn type_name(&self) -> &'static str {
        match self.value {
            Value::Null => "null",
            Value::Bool(_) => "boolean",
            Value::Number(_) => "number",
            Value::String(_) => "string",
            Value::Array(_) => "array",
            Value::Object(_) => "object",
        }
    }

    pub fn as_str(&self) -> Option<&str> {
        match &self.value {
            Value::String(s) => Some(s),
            _ => None,
        }
    }
}

struct Reader<'a> {
    bytes: &'a [u8],
    text: &'a str,
    pos: usize,
}

impl Reader<'_> {
    fn error(&self, message: impl Into<String>, start: usize, end: usize) -> SyntaxError {
        SyntaxError {
            message: message.into(),
            span: Span { start, end },
        }
    }

    /// An error on the character at the current position (or at the end of the text).
    fn error_here(&self, message: impl Into<String>) -> SyntaxError {
        let end = self.text[self.pos..]
            .chars()
            .next()
            .map_or(self.pos, |c| self.pos + c.len_utf8());
        self.error(message, self.pos, end)
    }

    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.pos).copied()
    }

    fn skip_whitespace(&mut self) -> Result<(), SyntaxError> {
        while let Some(b) = self.peek() {
            match b {
                b' ' | b'\t' | b'\n' | b'\r' => self.pos += 1,
                b'/' if matches!(self.bytes.get(self.pos + 1), Some(b'/' | b'*')) => {
                    return Err(self.error(
                        "comments are not allowed in JSON",
                        self.pos,
                        self.pos + 2,
                    ));
                }
                _ => break,
            }
        }
        Ok(())
    }

    fn value(&mut self, depth: usize) -> Result<Node, SyntaxError> {
        let start = self.pos;
        match self.peek() {
            None => Err(self.error_here("unexpected end of file, expected a JSON value")),
            Some(b'{') | Some(b'[') if depth >= MAX_DEPTH => Err(self.error(
                format!("nesting deeper than {MAX_DEPTH} levels"),
                start,
                start + 1,
            )),
            Some(b'{') => self.object(depth),
            Some(b'[') => self.array(depth),
            Some(b'"') => {
                let value = self.string()?;
                Ok(self.node(Value::String(value), start))
            }
            Some(b't') => self.literal("true", Value::Bool(true)),
            Some(b'f') => self.literal("false", Value::Bool(false)),
            Some(b'n') => self.literal("null", Value::Null),
            Some(b'-' | b'0'..=b'9') => self.number(),
            Some(_) => Err(self.error_here("expected a JSON value")),
        }
    }

    fn node(&self, value: Value, start: usize) -> Node {
        Node {
            value,
            span: Span {
                start,
                end: self.pos,
            },
        }
    }

    fn literal(&mut self, word: &str, value: Value) -> Result<Node, SyntaxError> {
        let start = self.pos;
        if self.bytes[self.pos..].starts_with(word.as_bytes()) {
            self.pos += word.len();
            if self.peek().is_some_and(|b| b.is_ascii_alphanumeric()) {
                return Err(self.error_here("expected a JSON value"));
            }
            Ok(self.node(value, start))
        } else {
            let end = self.text[start..]
                .find(|c: char| !c.is_alphanumeric())
                .map_or(self.text.len(), |n| start + n);
            Err(self.error("expected a JSON value", start, end.max(start + 1)))
        }
    }

    fn number(&mut self) -> Result<Node, SyntaxError> {
        let start = self.pos;
        if self.peek() == Some(b'-') {
            self.pos += 1;
        }
        match self.peek() {
            Some(b'0') => {
                self.pos += 1;
                if self.peek().is_some_and(|b| b.is_ascii_digit()) {
                    return Err(self.error(
                        "leading zeros are not allowed in numbers",
                        start,
                        self.pos + 1,
                    ));
                }
            }
            Some(b'1'..=b'9') => self.digits(),
            _ => return Err(self.error_here("expected a digit")),
        }
        if self.peek() == Some(b'.') {
            self.pos += 1;
            if !self.peek().is_some_and(|b| b.is_ascii_digit()) {
                return Err(self.error_here("expected a digit after the decimal point"));
            }
            self.digits();
        }
        if matches!(self.peek(), Some(b'e' | b'E')) {
            self.pos += 1;
            if matches!(self.peek(), Some(b'+' | b'-')) {
                self.pos += 1;
            }
            if !self.peek().is_some_and(|b| b.is_ascii_digit()) {
                return Err(self.error_here("expected a digit in the exponent"));
            }
            self.digits();
        }
        let raw = self.text[start..self.pos].to_string();
        Ok(self.node(Value::Number(raw), start))
    }

    fn digits(&mut self) {
        while self.peek().is_some_and(|b| b.is_ascii_digit()) {
            self.pos += 1;
        }
    }

    /// A string token; the reader stands on its opening quote.
    fn string(&mut self) -> Result<String, SyntaxError> {
        let open = self.pos;
        self.pos += 1;
        // Most strings have no escape: one exact allocation.
        let rest = &self.bytes[self.pos..];
        if let Some(close) = memchr::memchr2(b'"', b'\\', rest) {
            if rest[close] == b'"' && rest[..close].iter().all(|&b| b >= 0x20) {
                let out = self.text[self.pos..self.pos + close].to_string();
                self.pos += close + 1;
                return Ok(out);
            }
        }
        let mut out = String::new();
        loop {
            // Copy the run of plain characters in one go: up to the next quote or
            // backslash, or the first control character before it.
            let run_start = self.pos;
            let rest = &self.bytes[run_start..];
            let mut run = memchr::memchr2(b'"', b'\\', rest).unwrap_or(rest.len());
            if let Some(control) = rest[..run].iter().position(|&b| b < 0x20) {
                run = control;
            }
            self.pos += run;
            out.push_str(&self.text[run_start..self.pos]);
            match self.peek() {
                None => return Err(self.error("unterminated string", open, self.pos)),
                Some(b'"') => {
                    self.pos += 1;
                    return Ok(out);
                }
                Some(b'\\') => self.escape(&mut out)?,
                Some(_) => return Err(self.error_here("control character in string (escape it)")),
            }
        }
    }

    fn escape(&mut self, out: &mut String) -> Result<(), SyntaxError> {
        let start = self.pos;
        self.pos += 1;
        let Some(b) = self.peek() else {
            return Err(self.error("unterminated string", start, self.pos));
        };
        self.pos += 1;
        let c = match b {
            b'"' => '"',
            b'\\' => '\\',
            b'/' => '/',
            b'b' => '\u{8}',
            b'f' => '\u{c}',
            b'n' => '\n',
            b'r' => '\r',
            b't' => '\t',
            b'u' => return self.unicode_escape(start, out),
            _ => {
                self.pos -= 1;
                let end = self.pos
                    + self.text[self.pos..]
                        .chars()
                        .next()
                        .map_or(0, char::len_utf8);
                return Err(self.error(
                    format!("invalid escape `\\{}`", &self.text[self.pos..end]),
                    start,
                    end,
                ));
            }
        };
        out.push(c);
        Ok(())
    }

    fn hex4(&mut self, escape_start: usize) -> Result<u32, SyntaxError> {
        let digits = self.bytes.get(self.pos..self.pos + 4);
        let value = digits
            .filter(|d| d.iter().all(u8::is_ascii_hexdigit))
            .and_then(|d| u32::from_str_radix(std::str::from_utf8(d).ok()?, 16).ok());
        match value {
            Some(v) => {
                self.pos += 4;
                Ok(v)
            }
            None => Err(self.error(
                "invalid \\u escape (expected four hex digits)",
                escape_start,
                self.pos,
            )),
        }
    }

    fn unicode_escape(&mut self, start: usize, out: &mut String) -> Result<(), SyntaxError> {
        let first = self.hex4(start)?;
        let code = if (0xD800..0xDC00).contains(&first) {
            // A high surrogate must be followed by an escaped low surrogate.
            if !self.bytes[self.pos..].starts_with(b"\\u") {
                return Err(self.error("lone surrogate in \\u escape", start, self.pos));
            }
            self.pos += 2;
            let second = self.hex4(start)?;
            if !(0xDC00..0xE000).contains(&second) {
                return Err(self.error("lone surrogate in \\u escape", start, self.pos));
            }
            0x10000 + ((first - 0xD800) << 10) + (second - 0xDC00)
        } else if (0xDC00..0xE000).contains(&first) {
            return Err(self.error("lone surrogate in \\u escape", start, self.pos));
        } else {
            first
        };
        match char::from_u32(code) {
            Some(c) => {
                out.push(c);
                Ok(())
            }
            None => Err(self.error("invalid \\u escape", start, self.pos)),
        }
    }

    /// After an array item or object member: `true` when `close` ends the container,
    /// `false` after a comma that another item follows.
    fn closed_after_item(&mut self, close: u8) -> Result<bool, SyntaxError> {
        let close_char = close as char;
        self.skip_whitespace()?;
        match self.peek() {
            Some(b',') => {
                let comma = self.pos;
                self.pos += 1;
                self.skip_whitespace()?;
                if self.peek() == Some(close) {
                    return Err(self.error("trailing comma", comma, comma + 1));
                }
                Ok(false)
            }
            Some(b) if b == close => {
                self.pos += 1;
                Ok(true)
            }
            None => Err(self.error_here(format!(
                "unexpected end of file, expected `,` or `{close_char}`"
            ))),
            Some(_) => Err(self.error_here(format!("expected `,` or `{close_char}`"))),
        }
    }

    fn array(&mut self, depth: usize) -> Result<Node, SyntaxError> {
        let start = self.pos;
        self.pos += 1;
        let mut items = Vec::new();
        self.skip_whitespace()?;
        if self.peek() == Some(b']') {
            self.pos += 1;
            return Ok(self.node(Value::Array(items), start));
        }
        loop {
            self.skip_whitespace()?;
            items.push(self.value(depth + 1)?);
            if self.closed_after_item(b']')? {
                return Ok(self.node(Value::Array(items), start));
            }
        }
    }

    fn object(&mut self, depth: usize) -> Result<Node, SyntaxError> {
        let start = self.pos;
        self.pos += 1;
        let mut members: Vec<Member> = Vec::new();
        // Duplicate keys: a scan is fastest for the few keys IAM objects have; a hash set
        // takes over for large objects so hostile input stays linear.
        let mut index: Option<HashSet<String>> = None;
        self.skip_whitespace()?;
        if self.peek() == Some(b'}') {
            self.pos += 1;
            return Ok(self.node(Value::Object(members), start));
        }
        loop {
            self.skip_whitespace()?;
            let key_start = self.pos;
            match self.peek() {
                Some(b'"') => {}
                None => return Err(self.error_here("unexpected end of file, expected a key")),
                Some(_) => return Err(self.error_here("expected a string key")),
            }
            let key = self.string()?;
            let key_span = Span {
                start: key_start,
                end: self.pos,
            };
            let duplicate = match &mut index {
                Some(seen) => !seen.insert(key.clone()),
                None => members.iter().any(|m| m.key.value == key),
            };
            if duplicate {
                return Err(SyntaxError {
                    message: format!("duplicate key `{key}`"),
                    span: key_span,
                });
            }
            self.skip_whitespace()?;
            if self.peek() != Some(b':') {
                return Err(self.error_here("expected `:` after the key"));
            }
            self.pos += 1;
            self.skip_whitespace()?;
            let value = self.value(depth + 1)?;
            members.push(Member {
                key: Spanned {
                    value: key,
                    span: key_span,
                },
                value,
            });
            if index.is_none() && members.len() >= SCAN_LIMIT {
                index = Some(members.iter().map(|m| m.key.value.clone()).collect());
            }
            if self.closed_after_item(b'}')? {
                return Ok(self.node(Value::Object(members), start));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn err(text: &str) -> (String, &str) {
        let e = parse(text).expect_err(text);
        (e.message, &text[e.span.start..e.span.end])
    }

    #[test]
    fn parses_values_with_spans() {
        let text = r#" {"a": [1, -2.5e3, true, null, "x\n\u00e9\ud83d\ude00"]} "#;
        let node = parse(text).unwrap();
        assert_eq!(
            node.span,
            Span {
                start: 1,
                end: text.len() - 1
            }
        );
        let a = node.get("a").unwrap();
        let Value::Array(items) = &a.value else {
            panic!()
        };
        assert_eq!(items[0].value, Value::Number("1".into()));
        assert_eq!(items[1].value, Value::Number("-2.5e3".into()));
        assert_eq!(items[4].value, Value::String("x\né😀".into()));
        assert_eq!(a.type_name(), "array");
        assert!(node.get("b").is_none());
    }

    #[test]
    fn rejects_what_rfc_8259_rejects() {
        assert_eq!(err(r#"{"a": 1,}"#), ("trailing comma".into(), ","));
        assert_eq!(err("[1,]"), ("trailing comma".into(), ","));
        assert_eq!(
            err("{\"a\": 1 // c\n}"),
            ("comments are not allowed in JSON".into(), "//")
        );
        assert_eq!(
            err("/* c */ {}"),
            ("comments are not allowed in JSON".into(), "/*")
        );
        assert_eq!(
            err(r#"{"a": 1} x"#),
            ("trailing characters after the JSON value".into(), "x")
        );
        assert_eq!(
            err(r#"{"a" 1}"#),
            ("expected `:` after the key".into(), "1")
        );
        assert_eq!(err(r#"{a: 1}"#), ("expected a string key".into(), "a"));
        assert_eq!(
            err(r#"{"a": 1 "b": 2}"#),
            ("expected `,` or `}`".into(), "\"")
        );
        assert_eq!(err(r#"[1 2]"#), ("expected `,` or `]`".into(), "2"));
        assert_eq!(
            err(r#"{"a": 01}"#).0,
            "leading zeros are not allowed in numbers"
        );
        assert_eq!(err(r#"{"a": +1}"#), ("expected a JSON value".into(), "+"));
        assert_eq!(err(r#"{"a": NaN}"#).0, "expected a JSON value");
        assert_eq!(
            err(r#"{"a": tru}"#),
            ("expected a JSON value".into(), "tru")
        );
        assert_eq!(
            err(r#"{"a": 1.}"#).0,
            "expected a digit after the decimal point"
        );
        assert_eq!(err(r#""\q""#), ("invalid escape `\\q`".into(), "\\q"));
        assert_eq!(err("\"a\tb\"").0, "control character in string (escape it)");
        assert_eq!(err(r#""\ud800""#).0, "lone surrogate in \\u escape");
        assert_eq!(err(r#""\udc00""#).0, "lone surrogate in \\u escape");
        assert_eq!(
            err(r#""\u12""#).0,
            "invalid \\u escape (expected four hex digits)"
        );
        assert_eq!(err(r#"{"a": "x"#).0, "unterminated string");
        assert_eq!(
            err(r#"{"a": 1"#).0,
            "unexpected end of file, expected `,` or `}`"
        );
        assert_eq!(err("").0, "unexpected end of file, expected a JSON value");
        assert_eq!(err("'a'").0, "expected a JSON value");
    }

    #[test]
    fn duplicate_keys_are_errors_at_any_depth_on_the_second_key() {
        assert_eq!(
            err(r#"{"a": 1, "a": 2}"#),
            ("duplicate key `a`".into(), r#""a""#)
        );
        let text = r#"{"x": [{"y": {"k": 1, "z": 2, "k": 3}}]}"#;
        let e = parse(text).unwrap_err();
        assert_eq!(e.message, "duplicate key `k`");
        assert_eq!(e.span.start, text.rfind("\"k\"").unwrap());
        // Keys are compared after unescaping, as every JSON consumer sees them.
        assert_eq!(err(r#"{"a": 1, "\u0061": 2}"#).0, "duplicate key `a`");
    }

    #[test]
    fn duplicate_keys_in_large_objects() {
        let keys: Vec<String> = (0..40).map(|i| format!("\"k{i}\": {i}")).collect();
        assert!(parse(&format!("{{{}}}", keys.join(","))).is_ok());
        for dup in ["k3", "k39"] {
            let text = format!("{{{}, \"{dup}\": 0}}", keys.join(","));
            assert_eq!(err(&text).0, format!("duplicate key `{dup}`"));
        }
        let many: Vec<String> = (0..100_000).map(|i| format!("\"{i}\":0")).collect();
        assert!(
            parse(&format!("{{{}}}", many.join(","))).is_ok(),
            "linear, not quadratic"
        );
    }

    #[test]
    fn deep_nesting_is_refused_without_overflowing_the_stack() {
        let deep = "[".repeat(10_000) + &"]".repeat(10_000);
        let e = parse(&deep).unwrap_err();
        assert_eq!(e.message, "nesting deeper than 64 levels");
        assert_eq!(e.span, Span { start: 64, end: 65 });
        let ok = "[".repeat(64) + &"]".repeat(64);
        assert!(parse(&ok).is_ok());
    }

    #[test]
    fn spans_of_multibyte_errors_stay_on_char_boundaries() {
        let (message, token) = err(r#"{"a": é}"#);
        assert_eq!((message.as_str(), token), ("expected a JSON value", "é"));
    }
}
