//! The result of the query `iamlint trail --emit-sql` prints, as Athena or CloudTrail Lake
//! (or any engine standing in for them) saves it: CSV with a header, a JSON array of
//! objects, or CloudTrail Lake's `get-query-results` output (`{"QueryResultRows":
//! [[{"column": "value"}, …], …]}`). Each row becomes the [`Record`] the log reader
//! would have built from the same event, so the result is reported exactly as files are.

use crate::source::trail::{
    Keep, ReadStats, Record, SessionContext, SessionIssuer, TrailError, UserIdentity,
    WebIdFederationData, parse_time,
};
use std::collections::HashMap;

/// The result columns, in the order the query selects them.
pub const COLUMNS: &[&str] = &[
    "event_time",
    "event_source",
    "event_name",
    "aws_region",
    "source_ip",
    "user_agent",
    "error_code",
    "recipient_account_id",
    "event_id",
    "identity_type",
    "principal_id",
    "arn",
    "account_id",
    "user_name",
    "invoked_by",
    "issuer_type",
    "issuer_arn",
    "issuer_account_id",
    "web_identity_provider",
    "on_behalf_of_user_id",
    "identity_store_arn",
    "request_parameters",
    "response_elements",
];

/// Columns a row cannot do without.
const REQUIRED: &[&str] = &["event_time", "event_source", "event_name"];

/// Read a query result, handing each kept row to `sink` as a record. Errors name the
/// line (CSV: where the row starts; JSON: serde's line and column).
pub fn read(
    display: &str,
    text: &str,
    keep: Keep,
    sink: &mut dyn FnMut(Record),
) -> (ReadStats, Option<TrailError>) {
    let mut stats = ReadStats::default();
    let error = if text.trim_start().starts_with(['[', '{']) {
        read_json(text, keep, sink, &mut stats)
    } else {
        read_csv(text, keep, sink, &mut stats)
    };
    let error = error.err().map(|(line, column, message)| TrailError {
        path: display.to_string(),
        line,
        column,
        message,
    });
    (stats, error)
}

type Located = (usize, usize, String);

fn read_json(
    text: &str,
    keep: Keep,
    sink: &mut dyn FnMut(Record),
    stats: &mut ReadStats,
) -> Result<(), Located> {
    let at = |e: serde_json::Error| {
        let (line, column) = super::trail::position(&e);
        let message = super::trail::serde_message(&e);
        (line, column, format!("not a query result: {message}"))
    };
    let value: serde_json::Value = serde_json::from_str(text).map_err(at)?;
    let rows: Vec<HashMap<String, String>> = match &value {
        serde_json::Value::Array(rows) => {
            rows.iter().map(object_row).collect::<Option<_>>().ok_or((
                1,
                1,
                "not a query result: an element is not an object".into(),
            ))?
        }
        serde_json::Value::Object(o) => match o.get("QueryResultRows") {
            Some(serde_json::Value::Array(rows)) => {
                rows.iter().map(lake_row).collect::<Option<_>>().ok_or((
                    1,
                    1,
                    "not a query result: a QueryResultRows row is not a list of one-column objects"
                        .into(),
                ))?
            }
            _ => {
                return Err((
                    1,
                    1,
                    "not a query result: neither an array of rows nor CloudTrail Lake's {\"QueryResultRows\": […]}".into(),
                ));
            }
        },
        _ => {
            return Err((
                1,
                1,
                "not a query result: the top level is not an array or object".into(),
            ));
        }
    };
    for (index, row) in rows.iter().enumerate() {
        let record = record(row).map_err(|m| (1, 1, format!("row {}: {m}", index + 1)))?;
        count(record, keep, sink, stats);
    }
    Ok(())
}

fn scalar(value: &serde_json::Value) -> Option<String> {
    match value {
        serde_json::Value::Null => Some(String::new()),
        serde_json::Value::String(s) => Some(s.clone()),
        serde_json::Value::Bool(_) | serde_json::Value::Number(_) => Some(value.to_string()),
        // An engine that kept the parameters as JSON rather than text.
        other => Some(other.to_string()),
    }
}

fn object_row(row: &serde_json::Value) -> Option<HashMap<String, String>> {
    row.as_object()?
        .iter()
        .map(|(k, v)| Some((k.to_ascii_lowercase(), scalar(v)?)))
        .collect()
}

/// `[{"event_time": "…"}, {"event_source": "…"}, …]`: one object per column.
fn lake_row(row: &serde_json::Value) -> Option<HashMap<String, String>> {
    let mut out = HashMap::new();
    for cell in row.as_array()? {
        let (k, v) = cell.as_object()?.iter().next()?;
        out.insert(k.to_ascii_lowercase(), scalar(v)?);
    }
    Some(out)
}

fn read_csv(
    text: &str,
    keep: Keep,
    sink: &mut dyn FnMut(Record),
    stats: &mut ReadStats,
) -> Result<(), Located> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut rows = CsvRows {
        text,
        at: 0,
        line: 1,
    };
    let Some((_, header)) = rows.next_row().map_err(|l| (l, 1, unclosed()))? else {
        return Err((1, 1, "not a query result: the file is empty".into()));
    };
    let header: Vec<String> = header
        .iter()
        .map(|h| h.trim().to_ascii_lowercase())
        .collect();
    if let Some(missing) = REQUIRED.iter().find(|c| !header.iter().any(|h| h == *c)) {
        return Err((
            1,
            1,
            format!(
                "not a query result of `iamlint trail --emit-sql`: no column `{missing}` in the header"
            ),
        ));
    }
    while let Some((line, cells)) = rows.next_row().map_err(|l| (l, 1, unclosed()))? {
        if cells.len() == 1 && cells[0].is_empty() {
            continue;
        }
        if cells.len() != header.len() {
            return Err((
                line,
                1,
                format!(
                    "{} fields where the header has {}",
                    cells.len(),
                    header.len()
                ),
            ));
        }
        let row: HashMap<String, String> = header.iter().cloned().zip(cells).collect();
        let record = record(&row).map_err(|m| (line, 1, m))?;
        count(record, keep, sink, stats);
    }
    Ok(())
}

fn unclosed() -> String {
    "a quoted field is never closed".into()
}

fn count(record: Record, keep: Keep, sink: &mut dyn FnMut(Record), stats: &mut ReadStats) {
    stats.records += 1;
    if keep(&record.event_source, &record.event_name) {
        stats.kept += 1;
        sink(record);
    }
}

/// RFC 4180 rows: fields separated by commas, quoted with `"` (doubled inside), CRLF or
/// LF line ends, line breaks allowed inside quotes.
struct CsvRows<'a> {
    text: &'a str,
    at: usize,
    line: usize,
}

impl CsvRows<'_> {
    /// The next row and the line it starts on; `Err(line)` for an unclosed quote.
    #[allow(clippy::type_complexity)]
    fn next_row(&mut self) -> Result<Option<(usize, Vec<String>)>, usize> {
        if self.at >= self.text.len() {
            return Ok(None);
        }
        let start_line = self.line;
        let mut fields = Vec::new();
        let mut field = String::new();
        let mut chars = self.text[self.at..].char_indices();
        let mut quoted = false;
        let mut end = self.text.len();
        while let Some((i, c)) = chars.next() {
            if quoted {
                match c {
                    '"' if self.text[self.at + i + 1..].starts_with('"') => {
                        field.push('"');
                        chars.next();
                    }
                    '"' => quoted = false,
                    '\n' => {
                        self.line += 1;
                        field.push(c);
                    }
                    _ => field.push(c),
                }
                continue;
            }
            match c {
                '"' if field.is_empty() => quoted = true,
                ',' => fields.push(std::mem::take(&mut field)),
                '\r' if self.text[self.at + i + 1..].starts_with('\n') => {}
                '\n' => {
                    self.line += 1;
                    end = self.at + i + 1;
                    break;
                }
                _ => field.push(c),
            }
        }
        if quoted {
            return Err(start_line);
        }
        fields.push(field);
        self.at = end;
        Ok(Some((start_line, fields)))
    }
}

/// A result row as the record the log reader would have built.
fn record(row: &HashMap<String, String>) -> Result<Record, String> {
    let get = |column: &str| {
        row.get(column)
            .map(|v| v.trim())
            .filter(|v| !v.is_empty())
            .map(str::to_string)
    };
    let required = |column: &str| get(column).ok_or_else(|| format!("`{column}` is empty"));
    let event_time = required("event_time")?;
    // CloudTrail Lake writes `2026-11-20 10:15:00.000`, in UTC without a zone.
    let time = parse_time(&event_time)
        .or_else(|| parse_time(&format!("{event_time}Z")))
        .ok_or_else(|| format!("event_time `{event_time}` is not an RFC 3339 time"))?;
    let json = |column: &str| -> Result<Option<serde_json::Value>, String> {
        match get(column) {
            None => Ok(None),
            Some(text) => serde_json::from_str(&text)
                .map(Some)
                .map_err(|e| format!("`{column}` is not JSON: {e}")),
        }
    };
    let issuer = SessionIssuer {
        kind: get("issuer_type"),
        arn: get("issuer_arn"),
        account_id: get("issuer_account_id"),
        user_name: None,
    };
    let web = get("web_identity_provider").map(|p| WebIdFederationData {
        federated_provider: Some(p),
    });
    let has_issuer = issuer.arn.is_some() || issuer.kind.is_some();
    let session_context = (has_issuer || web.is_some()).then(|| SessionContext {
        session_issuer: has_issuer.then_some(issuer),
        web_id_federation_data: web,
        source_identity: None,
    });
    let on_behalf_of = (get("on_behalf_of_user_id").is_some()
        || get("identity_store_arn").is_some())
    .then(|| crate::source::trail::OnBehalfOf {
        user_id: get("on_behalf_of_user_id"),
        identity_store_arn: get("identity_store_arn"),
    });
    Ok(Record {
        time,
        event_time: crate::source::trail::format_time(time),
        event_source: required("event_source")?,
        event_name: required("event_name")?,
        event_id: get("event_id"),
        aws_region: get("aws_region"),
        source_ip: get("source_ip"),
        user_agent: get("user_agent"),
        error_code: get("error_code"),
        recipient_account: get("recipient_account_id"),
        user_identity: UserIdentity {
            kind: get("identity_type"),
            principal_id: get("principal_id"),
            arn: get("arn"),
            account_id: get("account_id"),
            user_name: get("user_name"),
            invoked_by: get("invoked_by"),
            identity_provider: None,
            session_context,
            on_behalf_of,
        },
        request: json("request_parameters")?,
        response: json("response_elements")?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn all(_: &str, _: &str) -> bool {
        true
    }

    fn rows(text: &str) -> (Vec<Record>, Option<TrailError>) {
        let mut out = Vec::new();
        let (_, error) = read("result", text, &all, &mut |r| out.push(r));
        (out, error)
    }

    #[test]
    fn csv_rows_with_quotes_and_line_breaks() {
        let text = "event_time,event_source,event_name,user_agent,identity_type,issuer_arn,request_parameters\r\n\
            2026-11-20T10:15:00Z,ecs.amazonaws.com,UpdateService,\"a, \"\"b\"\"\nc\",AssumedRole,arn:aws:iam::1:role/r,\"{\"\"cluster\"\":\"\"prod\"\"}\"\r\n\
            2026-11-20 10:16:00.000,ecs.amazonaws.com,CreateCluster,,IAMUser,,\n";
        let (records, error) = rows(text);
        assert_eq!(error, None);
        assert_eq!(records.len(), 2);
        assert_eq!(records[0].user_agent.as_deref(), Some("a, \"b\"\nc"));
        assert_eq!(records[0].request.as_ref().unwrap()["cluster"], "prod");
        let issuer = records[0].user_identity.session_context.as_ref().unwrap();
        assert_eq!(
            issuer.session_issuer.as_ref().unwrap().arn.as_deref(),
            Some("arn:aws:iam::1:role/r")
        );
        assert_eq!(records[1].time, records[0].time + 60);
        assert!(records[1].user_identity.session_context.is_none());
    }

    #[test]
    fn json_arrays_and_lake_results() {
        let (records, error) = rows(
            r#"[{"event_time":"2026-11-20T10:15:00Z","event_source":"ecs.amazonaws.com","event_name":"UpdateService","request_parameters":null}]"#,
        );
        assert_eq!((records.len(), error), (1, None));
        let (records, error) = rows(
            r#"{"QueryStatus":"FINISHED","QueryResultRows":[[{"event_time":"2026-11-20 10:15:00.000"},{"event_source":"ecs.amazonaws.com"},{"event_name":"DeleteCluster"},{"error_code":"AccessDenied"}]]}"#,
        );
        assert_eq!(error, None);
        assert_eq!(records[0].error_code.as_deref(), Some("AccessDenied"));
    }

    #[test]
    fn a_json_fault_at_the_end_is_on_the_last_line_at_column_one() {
        let (_, error) = rows("[n\n");
        let error = error.unwrap();
        assert_eq!((error.line, error.column), (2, 1), "{error}");
        assert!(
            error
                .message
                .starts_with("not a query result: expected ident"),
            "{error}"
        );
    }

    #[test]
    fn faults_name_the_line() {
        let header = "event_time,event_source,event_name\n";
        let (_, error) = rows(&format!("{header}2026-11-20T10:15:00Z,ecs.amazonaws.com\n"));
        let error = error.unwrap();
        assert_eq!(error.line, 2);
        assert!(
            error.message.contains("2 fields where the header has 3"),
            "{error}"
        );
        let (_, error) = rows(&format!("{header}yesterday,ecs.amazonaws.com,X\n"));
        assert!(error.unwrap().message.contains("not an RFC 3339 time"));
        let (_, error) = rows(&format!("{header}\"2026,x,y\n"));
        assert_eq!(error.unwrap().message, "a quoted field is never closed");
        let (_, error) = rows("a,b\n1,2\n");
        assert!(error.unwrap().message.contains("no column `event_time`"));
        let (_, error) = rows("");
        assert!(error.unwrap().message.contains("empty"));
        let (_, error) = rows(r#"{"Records": []}"#);
        assert!(error.unwrap().message.contains("QueryResultRows"));
        let (_, error) = rows("[1]");
        assert!(error.unwrap().message.contains("not an object"));
        let (_, error) = rows(&format!(
            "{header}2026-11-20T10:15:00Z,ecs.amazonaws.com,\n"
        ));
        assert!(error.unwrap().message.contains("`event_name` is empty"));
    }
}
