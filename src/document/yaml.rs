//! YAML → the span-aware JSON tree ([`Node`]), with spans into the YAML text, so that the
//! policy grammar reads YAML documents unchanged. CloudFormation's short tags become the
//! one-member objects they stand for (`!Ref X` → `{"Ref": X}`, `!Sub s` →
//! `{"Fn::Sub": s}`), as CloudFormation itself reads them.
//!
//! Built on saphyr-parser's event stream: every event carries the span of its text.

use super::json::{MAX_DEPTH, Member, Node, Span, Spanned, SyntaxError, Value};
use saphyr_parser::{Event, Parser, ScalarStyle, Tag};

/// Aliases copy their anchor's tree: a bound on the nodes they may add keeps a "billion
/// laughs" document from exhausting memory.
const MAX_ALIAS_NODES: usize = 100_000;

/// The short tags CloudFormation defines, and the key each stands for.
fn cloudformation_key(suffix: &str) -> Option<String> {
    const FUNCTIONS: &[&str] = &[
        "And",
        "Base64",
        "Cidr",
        "Contains",
        "EachMemberEquals",
        "EachMemberIn",
        "Equals",
        "FindInMap",
        "GetAZs",
        "GetAtt",
        "If",
        "ImportValue",
        "Join",
        "Length",
        "Not",
        "Or",
        "RefAll",
        "Select",
        "Split",
        "Sub",
        "ToJsonString",
        "Transform",
        "ValueOf",
        "ValueOfAll",
    ];
    match suffix {
        "Ref" | "Condition" => Some(suffix.to_string()),
        _ if FUNCTIONS.contains(&suffix) => Some(format!("Fn::{suffix}")),
        _ => None,
    }
}

/// Character index → byte offset (saphyr's markers count characters).
struct Offsets {
    /// Byte offset of each character; empty when the text is ASCII.
    bytes: Vec<usize>,
    len: usize,
}

impl Offsets {
    fn new(text: &str) -> Self {
        let bytes = if text.is_ascii() {
            Vec::new()
        } else {
            text.char_indices().map(|(i, _)| i).collect()
        };
        Offsets {
            bytes,
            len: text.len(),
        }
    }

    fn byte(&self, char_index: usize) -> usize {
        if self.bytes.is_empty() {
            char_index.min(self.len)
        } else {
            self.bytes.get(char_index).copied().unwrap_or(self.len)
        }
    }

    fn span(&self, span: saphyr_parser::Span) -> Span {
        Span {
            start: self.byte(span.start.index()),
            end: self.byte(span.end.index()),
        }
    }
}

enum Frame {
    Sequence {
        start: usize,
        tag: Option<String>,
        anchor: usize,
        items: Vec<Node>,
    },
    Mapping {
        start: usize,
        tag: Option<String>,
        anchor: usize,
        members: Vec<Member>,
        key: Option<Spanned<String>>,
    },
}

struct Builder {
    stack: Vec<Frame>,
    root: Option<Node>,
    anchors: Vec<(usize, Node)>,
    alias_nodes: usize,
}

fn error(message: impl Into<String>, span: Span) -> SyntaxError {
    SyntaxError {
        message: message.into(),
        span,
    }
}

/// Read a YAML text holding one document.
pub fn parse(text: &str) -> Result<Node, SyntaxError> {
    let offsets = Offsets::new(text);
    let mut builder = Builder {
        stack: Vec::new(),
        root: None,
        anchors: Vec::new(),
        alias_nodes: 0,
    };
    let mut documents = 0;
    for event in Parser::new_from_str(text) {
        let (event, span) = event.map_err(|e| {
            let at = offsets.byte(e.marker().index());
            let end = text[at..].chars().next().map_or(at, |c| at + c.len_utf8());
            error(
                format!("YAML syntax error: {}", e.info()),
                Span { start: at, end },
            )
        })?;
        let span = offsets.span(span);
        match event {
            Event::DocumentStart(_) => {
                documents += 1;
                if documents > 1 {
                    return Err(error(
                        "a template holds one YAML document; this is a second one",
                        span,
                    ));
                }
            }
            Event::Scalar(value, style, anchor, tag) => {
                let node = scalar(&value, style, tag.as_deref(), span)?;
                builder.finish(node, anchor, None)?;
            }
            Event::SequenceStart(anchor, tag) => {
                builder.open(span)?;
                let tag = collection_tag(tag.as_deref(), "seq", span)?;
                builder.stack.push(Frame::Sequence {
                    start: span.start,
                    tag,
                    anchor,
                    items: Vec::new(),
                });
            }
            Event::MappingStart(anchor, tag) => {
                builder.open(span)?;
                let tag = collection_tag(tag.as_deref(), "map", span)?;
                builder.stack.push(Frame::Mapping {
                    start: span.start,
                    tag,
                    anchor,
                    members: Vec::new(),
                    key: None,
                });
            }
            Event::SequenceEnd | Event::MappingEnd => builder.close(span)?,
            Event::Alias(id) => builder.alias(id, span)?,
            Event::StreamStart | Event::StreamEnd | Event::DocumentEnd | Event::Nothing => {}
        }
    }
    builder
        .root
        .ok_or_else(|| error("the YAML text holds no document", Span::default()))
}

/// A collection's tag: none, the core one it already is, or a CloudFormation short tag.
fn collection_tag(
    tag: Option<&Tag>,
    core: &str,
    span: Span,
) -> Result<Option<String>, SyntaxError> {
    match tag {
        None => Ok(None),
        Some(tag) if tag.is_yaml_core_schema() && tag.suffix == core => Ok(None),
        Some(tag) => local_tag(tag, span).map(Some),
    }
}

fn local_tag(tag: &Tag, span: Span) -> Result<String, SyntaxError> {
    if tag.handle == "!" {
        if let Some(key) = cloudformation_key(&tag.suffix) {
            return Ok(key);
        }
    }
    Err(error(
        format!("unsupported YAML tag `{tag}`"),
        Span {
            start: span.start,
            end: (span.start + 1).min(span.end.max(span.start + 1)),
        },
    ))
}

/// Wrap a tagged node into the one-member object its tag stands for.
fn tagged(key: String, node: Node, span: Span) -> Node {
    Node {
        span,
        value: Value::Object(vec![Member {
            key: Spanned { value: key, span },
            value: node,
        }]),
    }
}

/// A scalar typed by YAML 1.2's core schema (plain scalars only: quoted ones are strings).
fn scalar(
    value: &str,
    style: ScalarStyle,
    tag: Option<&Tag>,
    span: Span,
) -> Result<Node, SyntaxError> {
    let string = |s: &str| Node {
        value: Value::String(s.to_string()),
        span,
    };
    let Some(tag) = tag else {
        return Ok(if style == ScalarStyle::Plain {
            plain(value, span)
        } else {
            string(value)
        });
    };
    if tag.is_yaml_core_schema() {
        return match tag.suffix.as_str() {
            "str" => Ok(string(value)),
            "int" | "float" | "bool" | "null" => Ok(plain(value, span)),
            _ => Err(error(format!("unsupported YAML tag `{tag}`"), span)),
        };
    }
    let key = local_tag(tag, span)?;
    Ok(tagged(key, string(value), span))
}

fn plain(value: &str, span: Span) -> Node {
    let value = match value {
        "" | "~" | "null" | "Null" | "NULL" => Value::Null,
        "true" | "True" | "TRUE" => Value::Bool(true),
        "false" | "False" | "FALSE" => Value::Bool(false),
        _ if is_number(value) => Value::Number(value.to_string()),
        _ => Value::String(value.to_string()),
    };
    Node { value, span }
}

fn is_number(text: &str) -> bool {
    let digits = text.strip_prefix(['-', '+']).unwrap_or(text);
    if let Some(hex) = digits.strip_prefix("0x") {
        return !hex.is_empty() && hex.bytes().all(|b| b.is_ascii_hexdigit());
    }
    if let Some(octal) = digits.strip_prefix("0o") {
        return !octal.is_empty() && octal.bytes().all(|b| (b'0'..=b'7').contains(&b));
    }
    let (mantissa, exponent) = match digits.find(['e', 'E']) {
        Some(i) => (&digits[..i], Some(&digits[i + 1..])),
        None => (digits, None),
    };
    let (whole, fraction) = match mantissa.split_once('.') {
        Some((w, f)) => (w, Some(f)),
        None => (mantissa, None),
    };
    let all_digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    let mantissa_ok = all_digits(whole)
        && fraction.is_none_or(all_digits)
        && (!whole.is_empty() || fraction.is_some_and(|f| !f.is_empty()));
    let exponent_ok = exponent.is_none_or(|e| {
        let e = e.strip_prefix(['-', '+']).unwrap_or(e);
        !e.is_empty() && all_digits(e)
    });
    mantissa_ok && exponent_ok
}

impl Builder {
    fn open(&self, span: Span) -> Result<(), SyntaxError> {
        if self.stack.len() >= MAX_DEPTH {
            return Err(error(
                format!("nesting deeper than {MAX_DEPTH} levels"),
                span,
            ));
        }
        Ok(())
    }

    fn close(&mut self, end: Span) -> Result<(), SyntaxError> {
        let Some(frame) = self.stack.pop() else {
            return Ok(());
        };
        let (start, tag, anchor, value, last) = match frame {
            Frame::Sequence {
                start,
                tag,
                anchor,
                items,
            } => {
                let last = items.last().map(|n| n.span.end);
                (start, tag, anchor, Value::Array(items), last)
            }
            Frame::Mapping {
                start,
                tag,
                anchor,
                members,
                ..
            } => {
                let last = members.last().map(|m| m.value.span.end);
                (start, tag, anchor, Value::Object(members), last)
            }
        };
        // A flow collection ends at its bracket; a block one at its last entry (its end
        // event stands wherever the next token is).
        let end = if end.end > end.start {
            end.end
        } else {
            last.unwrap_or(start).max(start)
        };
        let node = Node {
            value,
            span: Span { start, end },
        };
        self.finish(node, anchor, tag)
    }

    fn finish(
        &mut self,
        node: Node,
        anchor: usize,
        tag: Option<String>,
    ) -> Result<(), SyntaxError> {
        let span = node.span;
        let node = match tag {
            Some(key) => tagged(key, node, span),
            None => node,
        };
        if anchor > 0 {
            self.anchors.push((anchor, node.clone()));
        }
        self.push(node)
    }

    fn alias(&mut self, id: usize, span: Span) -> Result<(), SyntaxError> {
        let Some((_, node)) = self.anchors.iter().rev().find(|(a, _)| *a == id) else {
            return Err(error("alias to an unknown anchor", span));
        };
        self.alias_nodes += count(node);
        if self.alias_nodes > MAX_ALIAS_NODES {
            return Err(error(
                format!("aliases expand to more than {MAX_ALIAS_NODES} nodes"),
                span,
            ));
        }
        let node = node.clone();
        self.push(node)
    }

    fn push(&mut self, node: Node) -> Result<(), SyntaxError> {
        match self.stack.last_mut() {
            None => {
                self.root = Some(node);
                Ok(())
            }
            Some(Frame::Sequence { items, .. }) => {
                items.push(node);
                Ok(())
            }
            Some(Frame::Mapping { members, key, .. }) => match key.take() {
                Some(key) => {
                    members.push(Member { key, value: node });
                    Ok(())
                }
                None => {
                    let text = match node.value {
                        Value::String(s) | Value::Number(s) => s,
                        Value::Bool(b) => b.to_string(),
                        Value::Null => String::new(),
                        _ => return Err(error("a mapping key must be a scalar", node.span)),
                    };
                    if members.iter().any(|m| m.key.value == text) {
                        return Err(error(format!("duplicate key `{text}`"), node.span));
                    }
                    *key = Some(Spanned {
                        value: text,
                        span: node.span,
                    });
                    Ok(())
                }
            },
        }
    }
}

fn count(node: &Node) -> usize {
    1 + match &node.value {
        Value::Array(items) => items.iter().map(count).sum(),
        Value::Object(members) => members.iter().map(|m| count(&m.value)).sum(),
        _ => 0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text_of<'a>(text: &'a str, node: &Node) -> &'a str {
        &text[node.span.start..node.span.end]
    }

    #[test]
    fn block_and_flow_collections_keep_the_spans_of_their_text() {
        let text = "Statement:\n  - Effect: Allow\n    Action: [ecs:UpdateService, \"ecs:Describe*\"]\n    Resource: '*'\n";
        let root = parse(text).unwrap();
        let statement = &root.get("Statement").unwrap();
        let Value::Array(items) = &statement.value else {
            panic!()
        };
        let action = items[0].get("Action").unwrap();
        assert_eq!(
            text_of(text, action),
            "[ecs:UpdateService, \"ecs:Describe*\"]"
        );
        let Value::Array(actions) = &action.value else {
            panic!()
        };
        assert_eq!(text_of(text, &actions[0]), "ecs:UpdateService");
        assert_eq!(actions[1].as_str(), Some("ecs:Describe*"));
        assert_eq!(items[0].get("Resource").unwrap().as_str(), Some("*"));
        assert!(text_of(text, &items[0]).starts_with("Effect: Allow"));
        assert!(text_of(text, &items[0]).ends_with("'*'"));
    }

    #[test]
    fn short_tags_are_the_objects_they_stand_for() {
        let text =
            "A: !Ref Role\nB: !GetAtt Role.Arn\nC: !Sub\n  - x-${Y}\n  - Y: 1\nD: !If [C, a, b]\n";
        let root = parse(text).unwrap();
        let a = root.get("A").unwrap();
        assert_eq!(a.get("Ref").and_then(Node::as_str), Some("Role"));
        assert_eq!(text_of(text, a), "!Ref Role");
        assert_eq!(
            root.get("B")
                .unwrap()
                .get("Fn::GetAtt")
                .and_then(Node::as_str),
            Some("Role.Arn")
        );
        assert!(matches!(
            root.get("C").unwrap().get("Fn::Sub").unwrap().value,
            Value::Array(_)
        ));
        assert!(root.get("D").unwrap().get("Fn::If").is_some());
    }

    #[test]
    fn plain_scalars_follow_the_core_schema_and_dates_stay_strings() {
        let root = parse("v: 2012-10-17\nn: 12\nf: 1.5e3\nb: true\nz: ~\nq: '12'\n").unwrap();
        assert_eq!(root.get("v").unwrap().as_str(), Some("2012-10-17"));
        assert_eq!(root.get("n").unwrap().value, Value::Number("12".into()));
        assert_eq!(root.get("f").unwrap().value, Value::Number("1.5e3".into()));
        assert_eq!(root.get("b").unwrap().value, Value::Bool(true));
        assert_eq!(root.get("z").unwrap().value, Value::Null);
        assert_eq!(root.get("q").unwrap().as_str(), Some("12"));
    }

    #[test]
    fn spans_are_bytes_past_non_ascii_text() {
        let text = "# é\nk: vé\n";
        let root = parse(text).unwrap();
        assert_eq!(text_of(text, root.get("k").unwrap()), "vé");
    }

    #[test]
    fn bad_yaml_is_a_located_error() {
        let duplicate = parse("a: 1\nb: 2\na: 3\n").unwrap_err();
        assert_eq!(duplicate.message, "duplicate key `a`");
        assert_eq!(duplicate.span, Span { start: 10, end: 11 });
        let syntax = parse("a: [1, 2\nb: 3\n").unwrap_err();
        assert!(
            syntax.message.starts_with("YAML syntax error"),
            "{syntax:?}"
        );
        let tag = parse("a: !Bogus x\n").unwrap_err();
        assert_eq!(tag.message, "unsupported YAML tag `!Bogus`");
        assert_eq!(
            parse("a: 1\n---\nb: 2\n").unwrap_err().message,
            "a template holds one YAML document; this is a second one"
        );
        let deep = "[".repeat(100) + &"]".repeat(100);
        assert!(
            parse(&deep)
                .unwrap_err()
                .message
                .starts_with("nesting deeper")
        );
    }

    #[test]
    fn aliases_copy_their_anchor_within_a_bound() {
        let root = parse("a: &x [1, 2]\nb: *x\n").unwrap();
        assert_eq!(root.get("a").unwrap().value, root.get("b").unwrap().value);
        let mut laughs = String::from("a: &a [x, x, x, x, x, x, x, x, x, x]\n");
        for (i, name) in ["b", "c", "d", "e", "f", "g"].iter().enumerate() {
            let prev = ["a", "b", "c", "d", "e", "f"][i];
            laughs.push_str(&format!(
                "{name}: &{name} [*{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}]\n"
            ));
        }
        assert!(
            parse(&laughs)
                .unwrap_err()
                .message
                .starts_with("aliases expand")
        );
    }
}
