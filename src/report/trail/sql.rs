//! `iamlint trail --emit-sql athena|cloudtrail-lake`: the trail's selection as a query for
//! an engine that reads an organisation's logs where they are. It selects the monitored
//! ECS calls in the window, drops the actors that privileged ARN globs name, and returns
//! the columns `--from-query` reads ([`crate::source::query::COLUMNS`]), which applies
//! every rule again: the query may return more rows, never fewer.

use crate::source::query::COLUMNS;
use crate::source::trail::format_time;
use std::io::{self, Write};

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Dialect {
    /// Amazon Athena over the CloudTrail table AWS documents (`cloudtrail_logs`).
    Athena,
    /// CloudTrail Lake, over an event data store.
    CloudtrailLake,
}

/// What the query selects.
pub struct Selection<'a> {
    pub dialect: Dialect,
    /// The table (Athena) or event data store id (CloudTrail Lake).
    pub table: &'a str,
    /// Monitored actions, `ecs:Name`.
    pub monitored: &'a [String],
    pub since: Option<i64>,
    pub until: Option<i64>,
    pub privileged_globs: &'a [String],
}

/// The source expression of each result column, per dialect.
fn expression(dialect: Dialect, column: &str) -> &'static str {
    let athena = dialect == Dialect::Athena;
    match column {
        "event_time" => {
            if athena {
                "eventtime"
            } else {
                "eventTime"
            }
        }
        "event_source" => {
            if athena {
                "eventsource"
            } else {
                "eventSource"
            }
        }
        "event_name" => {
            if athena {
                "eventname"
            } else {
                "eventName"
            }
        }
        "aws_region" => {
            if athena {
                "awsregion"
            } else {
                "awsRegion"
            }
        }
        "source_ip" => {
            if athena {
                "sourceipaddress"
            } else {
                "sourceIPAddress"
            }
        }
        "user_agent" => {
            if athena {
                "useragent"
            } else {
                "userAgent"
            }
        }
        "error_code" => {
            if athena {
                "errorcode"
            } else {
                "errorCode"
            }
        }
        "recipient_account_id" => {
            if athena {
                "recipientaccountid"
            } else {
                "recipientAccountId"
            }
        }
        "event_id" => {
            if athena {
                "eventid"
            } else {
                "eventID"
            }
        }
        "identity_type" => "useridentity.type",
        "principal_id" => "useridentity.principalid",
        "arn" => "useridentity.arn",
        "account_id" => "useridentity.accountid",
        "user_name" => "useridentity.username",
        "invoked_by" => "useridentity.invokedby",
        "issuer_type" => "useridentity.sessioncontext.sessionissuer.type",
        "issuer_arn" => "useridentity.sessioncontext.sessionissuer.arn",
        "issuer_account_id" => "useridentity.sessioncontext.sessionissuer.accountid",
        "web_identity_provider" => {
            "useridentity.sessioncontext.webidfederationdata.federatedprovider"
        }
        "on_behalf_of_user_id" => "useridentity.onbehalfof.userid",
        "identity_store_arn" => "useridentity.onbehalfof.identitystorearn",
        // Athena's table holds them as JSON text; CloudTrail Lake as maps.
        "request_parameters" => {
            if athena {
                "requestparameters"
            } else {
                "json_format(CAST(requestParameters AS JSON))"
            }
        }
        "response_elements" => {
            if athena {
                "responseelements"
            } else {
                "json_format(CAST(responseElements AS JSON))"
            }
        }
        _ => unreachable!("a column of source::query::COLUMNS"),
    }
}

/// A SQL string literal.
fn literal(text: &str) -> String {
    format!("'{}'", text.replace('\'', "''"))
}

/// A glob as a LIKE pattern (escape `\`), or `None` when it uses what LIKE cannot say
/// (`[…]`, `{…}`).
pub fn like_pattern(glob: &str) -> Option<String> {
    if glob.contains(['[', ']', '{', '}']) {
        return None;
    }
    let mut out = String::new();
    let mut chars = glob.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '*' => {
                while chars.peek() == Some(&'*') {
                    chars.next();
                }
                out.push('%');
            }
            '?' => out.push('_'),
            '%' | '_' | '\\' => {
                out.push('\\');
                out.push(c);
            }
            _ => out.push(c),
        }
    }
    Some(out)
}

/// A time as the dialect compares `eventTime`: Athena's is CloudTrail's text, CloudTrail
/// Lake's a timestamp.
fn time(dialect: Dialect, seconds: i64) -> String {
    let text = format_time(seconds);
    match dialect {
        Dialect::Athena => literal(&text),
        Dialect::CloudtrailLake => literal(&text.replace('T', " ").replace('Z', "")),
    }
}

pub fn render(selection: &Selection, out: &mut dyn Write) -> io::Result<()> {
    let dialect = selection.dialect;
    let (name, run) = match dialect {
        Dialect::Athena => (
            "athena",
            "Run it in Athena over the CloudTrail table AWS documents, download the result as CSV",
        ),
        Dialect::CloudtrailLake => (
            "cloudtrail-lake",
            "Run it in CloudTrail Lake, save `aws cloudtrail get-query-results` output as JSON",
        ),
    };
    writeln!(
        out,
        "-- iamlint trail --emit-sql {name}: the monitored ECS calls ({} actions) of actors outside the privileged list.",
        selection.monitored.len()
    )?;
    writeln!(
        out,
        "-- {run}, and report it with: iamlint trail --from-query RESULT"
    )?;
    let (in_sql, elsewhere): (Vec<&String>, Vec<&String>) = selection
        .privileged_globs
        .iter()
        .partition(|g| g.contains(':') && like_pattern(g).is_some());
    if !elsewhere.is_empty() {
        let globs: Vec<&str> = elsewhere.iter().map(|g| g.as_str()).collect();
        writeln!(
            out,
            "-- Privileged globs applied by --from-query, not here (names, paths, classes): {}",
            globs.join(", ")
        )?;
    }
    writeln!(out, "SELECT")?;
    for (i, column) in COLUMNS.iter().enumerate() {
        let comma = if i + 1 < COLUMNS.len() { "," } else { "" };
        writeln!(out, "  {} AS {column}{comma}", expression(dialect, column))?;
    }
    writeln!(out, "FROM {}", selection.table)?;
    writeln!(
        out,
        "WHERE {} = 'ecs.amazonaws.com'",
        expression(dialect, "event_source")
    )?;
    let names: Vec<String> = selection
        .monitored
        .iter()
        .map(|a| literal(a.strip_prefix("ecs:").unwrap_or(a)))
        .collect();
    writeln!(
        out,
        "  AND {} IN ({})",
        expression(dialect, "event_name"),
        names.join(", ")
    )?;
    let event_time = expression(dialect, "event_time");
    if let Some(since) = selection.since {
        writeln!(out, "  AND {event_time} >= {}", time(dialect, since))?;
    }
    if let Some(until) = selection.until {
        writeln!(out, "  AND {event_time} < {}", time(dialect, until))?;
    }
    if !in_sql.is_empty() {
        // The actor's ARN: the role or issuing user of a session, else the caller's own.
        let actor = format!(
            "COALESCE({}, {}, '')",
            expression(dialect, "issuer_arn"),
            expression(dialect, "arn")
        );
        let likes: Vec<String> = in_sql
            .iter()
            .filter_map(|g| like_pattern(g))
            .map(|p| format!("{actor} LIKE {} ESCAPE '\\'", literal(&p)))
            .collect();
        writeln!(out, "  AND NOT ({})", likes.join("\n    OR "))?;
    }
    writeln!(out, "ORDER BY {event_time}")?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn globs_become_like_patterns() {
        assert_eq!(
            like_pattern("arn:aws:iam::*:role/platform/*").as_deref(),
            Some("arn:aws:iam::%:role/platform/%")
        );
        assert_eq!(like_pattern("a?b**c").as_deref(), Some("a_b%c"));
        assert_eq!(like_pattern("x_y%z\\").as_deref(), Some("x\\_y\\%z\\\\"));
        assert_eq!(like_pattern("role/[ab]*"), None);
        assert_eq!(like_pattern("role/{a,b}"), None);
        assert_eq!(literal("it's"), "'it''s'");
    }
}
