//! `iamlint trail --format csv`: one row per actor, action and outcome (privileged ones
//! too, with a column saying so), RFC 4180 quoting, lists joined with `;`.

use crate::source::trail::format_time;
use crate::trail::{Distinct, Summary};
use std::io::{self, Write};

const HEADER: &[&str] = &[
    "actor",
    "kind",
    "account",
    "cross_account",
    "privileged",
    "action",
    "outcome",
    "calls",
    "first",
    "last",
    "regions",
    "source_ips",
    "user_agents",
    "sessions",
    "via",
    "resources",
    "error_codes",
];

/// A field quoted when it holds a separator, a quote or a line break. A leading `=`, `+`,
/// `-` or `@` is prefixed with `'` so that a spreadsheet does not run it as a formula.
fn field(text: &str) -> String {
    let text = if text.starts_with(['=', '+', '-', '@']) {
        format!("'{text}")
    } else {
        text.to_string()
    };
    if text.contains([',', '"', '\n', '\r', ';']) {
        format!("\"{}\"", text.replace('"', "\"\""))
    } else {
        text
    }
}

fn joined(list: &Distinct) -> String {
    list.iter().collect::<Vec<_>>().join(";")
}

pub fn render(summary: &Summary, out: &mut dyn Write) -> io::Result<()> {
    writeln!(out, "{}", HEADER.join(","))?;
    for a in &summary.activity {
        let agents: Vec<String> = a
            .user_agents
            .iter()
            .map(|(class, n)| format!("{class}={n}"))
            .collect();
        let row = [
            a.actor.id.clone(),
            a.actor.kind.clone(),
            a.actor.account.clone().unwrap_or_default(),
            a.actor.cross_account.to_string(),
            a.privileged.to_string(),
            a.action_name(),
            a.outcome.as_str().to_string(),
            a.count.to_string(),
            format_time(a.first),
            format_time(a.last),
            joined(&a.regions),
            joined(&a.source_ips),
            agents.join(";"),
            joined(&a.sessions),
            joined(&a.via),
            joined(&a.resources),
            joined(&a.error_codes),
        ];
        let fields: Vec<String> = row.iter().map(|f| field(f)).collect();
        writeln!(out, "{}", fields.join(","))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::field;

    #[test]
    fn fields_are_quoted_and_defused() {
        assert_eq!(field("plain"), "plain");
        assert_eq!(field("a,b"), "\"a,b\"");
        assert_eq!(field("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(field("x;y"), "\"x;y\"");
        assert_eq!(field("=HYPERLINK(1)"), "'=HYPERLINK(1)");
        assert_eq!(field("line\nbreak"), "\"line\nbreak\"");
    }
}
