//! The answer to `iamlint account --who-can ACTION` or `--principal ARN`: a table (human)
//! or a JSON document of its own (version 1), never findings.

use super::QueryResult;
use serde::Serialize;
use std::io::{self, Write};

/// `PRINCIPAL  ACTION  HOW`, one row per answer; a line saying so when there is none.
pub fn render_human(query: &QueryResult, out: &mut dyn Write) -> io::Result<()> {
    if query.answers.is_empty() {
        return writeln!(
            out,
            "iamlint: no principal can {}",
            query.question.trim_start_matches("who can ")
        );
    }
    let rows: Vec<[String; 4]> = query
        .answers
        .iter()
        .map(|a| {
            let kind = a.kind.as_str();
            let name = if a.privileged {
                format!("{} (privileged)", a.principal)
            } else {
                a.principal.clone()
            };
            let how = match (&a.path, a.direct) {
                (_, Some(false)) => format!("itself, through {}", a.granted_by.join(", ")),
                (None, Some(true)) => {
                    format!("itself, scoped, through {}", a.granted_by.join(", "))
                }
                (Some(path), _) => {
                    let scoped = if path.scoped { " (scoped)" } else { "" };
                    format!("{}{scoped}", path.compact_steps())
                }
                (None, None) => "-".to_string(),
            };
            [kind.to_string(), name, a.action.clone(), how]
        })
        .collect();
    super::table::write_columns(&["KIND", "PRINCIPAL", "ACTION", "HOW"], &rows, out)
}

#[derive(Serialize)]
struct JsonQuery<'a> {
    version: u32,
    tool: super::json::Tool,
    query: &'a str,
    answers: &'a [super::QueryAnswer],
}

pub fn render_json(query: &QueryResult, out: &mut dyn Write) -> io::Result<()> {
    let json = JsonQuery {
        version: super::json::VERSION,
        tool: super::json::tool(),
        query: &query.question,
        answers: &query.answers,
    };
    serde_json::to_writer_pretty(&mut *out, &json)?;
    writeln!(out)
}
