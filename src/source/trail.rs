//! CloudTrail logs on disk: the files AWS delivers to S3 (`{"Records": [...]}`, plain or
//! gzipped, under `AWSLogs/<account>/CloudTrail/<region>/YYYY/MM/DD/`) and the output of
//! `aws cloudtrail lookup-events` (`{"Events": [{"CloudTrailEvent": "<json>"}]}`).
//!
//! Records are streamed: the reader visits the array one record at a time and hands each
//! kept record to a sink, so memory stays constant whatever the size of a file. Fields a
//! kept record does not need are skipped without being built.

use crate::globs::PathMatcher;
use crate::source::files::{Collected, collect_named, io_reason};
use serde::Deserialize;
use serde::de::{self, DeserializeSeed, IgnoredAny, MapAccess, SeqAccess, Visitor};
use std::fmt;
use std::io::{BufReader, Read};
use std::path::{Path, PathBuf};

/// The caller's choice of records, by `eventSource` and `eventName`: records it refuses
/// are counted but not built.
pub type Keep<'a> = &'a (dyn Fn(&str, &str) -> bool + Sync);

/// One CloudTrail record, with the fields iamlint reports.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Record {
    /// `eventTime` in seconds since the Unix epoch.
    pub time: i64,
    pub event_time: String,
    pub event_source: String,
    pub event_name: String,
    pub event_id: Option<String>,
    pub aws_region: Option<String>,
    pub source_ip: Option<String>,
    pub user_agent: Option<String>,
    pub error_code: Option<String>,
    pub recipient_account: Option<String>,
    pub user_identity: UserIdentity,
    pub request: Option<serde_json::Value>,
    pub response: Option<serde_json::Value>,
}

/// `userIdentity`, as CloudTrail documents it; unknown keys are ignored.
#[derive(Clone, Debug, Default, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct UserIdentity {
    #[serde(rename = "type")]
    pub kind: Option<String>,
    pub principal_id: Option<String>,
    pub arn: Option<String>,
    pub account_id: Option<String>,
    pub user_name: Option<String>,
    pub invoked_by: Option<String>,
    pub identity_provider: Option<String>,
    pub session_context: Option<SessionContext>,
    pub on_behalf_of: Option<OnBehalfOf>,
}

#[derive(Clone, Debug, Default, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SessionContext {
    pub session_issuer: Option<SessionIssuer>,
    pub web_id_federation_data: Option<WebIdFederationData>,
    pub source_identity: Option<String>,
}

#[derive(Clone, Debug, Default, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SessionIssuer {
    #[serde(rename = "type")]
    pub kind: Option<String>,
    pub arn: Option<String>,
    pub account_id: Option<String>,
    pub user_name: Option<String>,
}

#[derive(Clone, Debug, Default, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct WebIdFederationData {
    pub federated_provider: Option<String>,
}

/// IAM Identity Center users (`type: IdentityCenterUser`).
#[derive(Clone, Debug, Default, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OnBehalfOf {
    pub user_id: Option<String>,
    pub identity_store_arn: Option<String>,
}

/// How many records a file held and how many the caller kept.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ReadStats {
    pub records: u64,
    pub kept: u64,
}

/// Why a file could not be read (completely), and where.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct TrailError {
    pub path: String,
    /// 1-based line and column of the (decompressed) text; 0 when the fault has no place
    /// in the text (the file cannot be opened, the gzip stream is broken).
    pub line: usize,
    pub column: usize,
    pub message: String,
}

impl TrailError {
    /// A fault with no place in the text (the file cannot be opened, say).
    pub fn unlocated(path: &str, message: &str) -> Self {
        TrailError {
            path: path.to_string(),
            line: 0,
            column: 0,
            message: message.to_string(),
        }
    }
}

impl fmt::Display for TrailError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.line == 0 {
            write!(f, "{}: {}", self.path, self.message)
        } else {
            write!(
                f,
                "{}:{}:{}: {}",
                self.path, self.line, self.column, self.message
            )
        }
    }
}

/// Folders are walked for these names: S3's `.json.gz`, and `.json`. CloudTrail's digest
/// and Insights files live beside the logs and are not records of calls.
pub fn is_trail_name(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    (lower.ends_with(".json") || lower.ends_with(".json.gz"))
        && !lower.starts_with('.')
        && !lower.contains("_cloudtrail-digest_")
        && !lower.contains("_cloudtrail-insight_")
}

/// The files the command-line paths name (files as given, folders walked).
pub fn collect(paths: &[PathBuf]) -> Collected {
    collect_named(paths, &PathMatcher::default(), |name, _| {
        is_trail_name(name)
    })
}

/// Read one file (gzip recognised by its magic bytes, whatever its name), handing each
/// kept record to `sink`. On an error the records before it have been handed over, and
/// the stats count them.
pub fn read_file(
    path: &Path,
    display: &str,
    keep: Keep,
    sink: &mut dyn FnMut(Record),
) -> (ReadStats, Option<TrailError>) {
    let mut stats = ReadStats::default();
    let error = read_file_into(path, display, keep, sink, &mut stats).err();
    (stats, error)
}

/// Read a log held in memory (a page fetched from the LookupEvents API, say), as a file
/// named `display` is read.
pub fn read_text(
    text: &str,
    display: &str,
    keep: Keep,
    sink: &mut dyn FnMut(Record),
) -> (ReadStats, Option<TrailError>) {
    let mut stats = ReadStats::default();
    let (gzip, result) = read_detected(text.as_bytes(), keep, sink, &mut stats);
    (stats, result.err().map(|e| located(display, &e, gzip)))
}

fn read_file_into(
    path: &Path,
    display: &str,
    keep: Keep,
    sink: &mut dyn FnMut(Record),
    stats: &mut ReadStats,
) -> Result<(), TrailError> {
    let unlocated = |message: String| TrailError::unlocated(display, &message);
    let meta = std::fs::metadata(path).map_err(|e| unlocated(io_reason(&e)))?;
    if meta.is_dir() {
        return Err(unlocated("is a directory".into()));
    }
    if !meta.is_file() {
        return Err(unlocated(
            "not a regular file (a FIFO, socket or device)".into(),
        ));
    }
    let file = std::fs::File::open(path).map_err(|e| unlocated(io_reason(&e)))?;
    let (gzip, result) = read_detected(
        BufReader::with_capacity(256 * 1024, file),
        keep,
        sink,
        stats,
    );
    result.map_err(|e| located(display, &e, gzip))
}

/// Why reading stopped: the text (located by serde_json), or the bytes under it (a broken
/// gzip stream), placed where the text read so far ends.
#[derive(Debug)]
pub enum Fault {
    Json(serde_json::Error),
    Io {
        error: std::io::Error,
        line: usize,
        column: usize,
    },
}

impl From<serde_json::Error> for Fault {
    fn from(error: serde_json::Error) -> Self {
        Fault::Json(error)
    }
}

/// Read plain or gzipped text (told apart by gzip's magic bytes), counting into `stats`.
/// Says whether it was gzip, for the message of an I/O error.
pub fn read_detected<R: std::io::BufRead>(
    mut reader: R,
    keep: Keep,
    sink: &mut dyn FnMut(Record),
    stats: &mut ReadStats,
) -> (bool, Result<(), Fault>) {
    let gzip = match reader.fill_buf() {
        Ok(head) => head.starts_with(&[0x1f, 0x8b]),
        Err(error) => {
            let fault = Fault::Io {
                error,
                line: 0,
                column: 0,
            };
            return (false, Err(fault));
        }
    };
    let result = if gzip {
        let decoder = flate2::read::MultiGzDecoder::new(reader);
        read_buffered(decoder, IN_MEMORY, keep, sink, stats)
    } else {
        read_buffered(reader, IN_MEMORY, keep, sink, stats)
    };
    (gzip, result)
}

fn located(display: &str, fault: &Fault, gzip: bool) -> TrailError {
    let error = match fault {
        Fault::Json(error) => error,
        Fault::Io {
            error,
            line,
            column,
        } => {
            let reason = io_reason(error);
            let message = if gzip {
                format!("the gzip stream is broken or truncated ({reason})")
            } else {
                format!("cannot read: {reason}")
            };
            return TrailError {
                path: display.to_string(),
                line: *line,
                column: *column,
                message,
            };
        }
    };
    let text = serde_message(error);
    let message = match (error.is_io(), gzip) {
        (true, true) => format!("the gzip stream is broken or truncated ({text})"),
        (true, false) => format!("cannot read: {}", text.to_lowercase()),
        (false, _) => text,
    };
    let message = if error.is_data() || error.is_syntax() || error.is_eof() {
        format!("not a CloudTrail log: {message}")
    } else {
        message
    };
    let (line, column) = position(error);
    TrailError {
        path: display.to_string(),
        line,
        column,
        message,
    }
}

/// serde_json's message without the " at line L column C" it appends: the location says it.
pub(crate) fn serde_message(error: &serde_json::Error) -> String {
    let text = error.to_string();
    match text.rfind(" at line ") {
        Some(at) => text[..at].to_string(),
        None => text,
    }
}

/// Where serde_json stopped, 1-based: it counts columns from 1 but says 0 at the start of
/// a line (the end of a text that ends with a line break), which is column 1 here.
pub(crate) fn position(error: &serde_json::Error) -> (usize, usize) {
    (error.line(), error.column().max(1))
}

/// Texts up to this size are parsed from memory (serde_json reads a slice about twice as
/// fast as a stream); a larger one is streamed on from what was read, so memory stays
/// bounded by this per thread whatever the size of a file.
const IN_MEMORY: u64 = 64 * 1024 * 1024;

fn read_buffered<R: Read>(
    mut reader: R,
    in_memory: u64,
    keep: Keep,
    sink: &mut dyn FnMut(Record),
    stats: &mut ReadStats,
) -> Result<(), Fault> {
    let mut head = Vec::new();
    // On an error the bytes read before it are in `head`.
    let read = (&mut reader).take(in_memory).read_to_end(&mut head);
    if let Err(error) = read {
        // The records before the fault count; it is placed where the text stops.
        let mut de = serde_json::Deserializer::from_slice(&head);
        let parsed = TopSeed { keep, sink, stats }.deserialize(&mut de);
        let (line, column) = match parsed.and_then(|()| de.end()) {
            Err(e) if e.is_eof() => position(&e),
            Err(e) => return Err(e.into()),
            Ok(()) => (0, 0),
        };
        return Err(Fault::Io {
            error,
            line,
            column,
        });
    }
    if (head.len() as u64) < in_memory {
        let mut de = serde_json::Deserializer::from_slice(&head);
        TopSeed { keep, sink, stats }.deserialize(&mut de)?;
        return Ok(de.end()?);
    }
    let rest = std::io::Cursor::new(head).chain(reader);
    // An I/O error here is serde_json's, placed where the text stops.
    Ok(read_counting(
        BufReader::with_capacity(256 * 1024, rest),
        keep,
        sink,
        stats,
    )?)
}

/// Read a CloudTrail JSON text from `reader`, handing each kept record to `sink`.
pub fn read<R: Read>(
    reader: R,
    keep: Keep,
    sink: &mut dyn FnMut(Record),
) -> Result<ReadStats, serde_json::Error> {
    let mut stats = ReadStats::default();
    read_counting(reader, keep, sink, &mut stats)?;
    Ok(stats)
}

fn read_counting<R: Read>(
    reader: R,
    keep: Keep,
    sink: &mut dyn FnMut(Record),
    stats: &mut ReadStats,
) -> Result<(), serde_json::Error> {
    let mut de = serde_json::Deserializer::from_reader(reader);
    TopSeed { keep, sink, stats }.deserialize(&mut de)?;
    de.end()
}

/// The top-level object: `Records` (S3 delivery) or `Events` (lookup-events).
struct TopSeed<'a, 'k> {
    keep: Keep<'k>,
    sink: &'a mut dyn FnMut(Record),
    stats: &'a mut ReadStats,
}

#[derive(Deserialize)]
enum TopKey {
    Records,
    Events,
    #[serde(other)]
    Other,
}

impl<'de> DeserializeSeed<'de> for TopSeed<'_, '_> {
    type Value = ();
    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for TopSeed<'_, '_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str(
            r#"a CloudTrail log: {"Records": [...]} or lookup-events output {"Events": [...]}"#,
        )
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let mut found = false;
        while let Some(key) = map.next_key::<TopKey>()? {
            let events = match key {
                TopKey::Records => false,
                TopKey::Events => true,
                TopKey::Other => {
                    map.next_value::<IgnoredAny>()?;
                    continue;
                }
            };
            found = true;
            map.next_value_seed(ArraySeed {
                keep: self.keep,
                sink: &mut *self.sink,
                stats: &mut *self.stats,
                events,
            })?;
        }
        if !found {
            return Err(de::Error::custom(
                "no `Records` array (S3 delivery) or `Events` array (lookup-events output)",
            ));
        }
        Ok(())
    }
}

struct ArraySeed<'a, 'k> {
    keep: Keep<'k>,
    sink: &'a mut dyn FnMut(Record),
    stats: &'a mut ReadStats,
    /// lookup-events: each element holds the record as a JSON string.
    events: bool,
}

impl<'de> DeserializeSeed<'de> for ArraySeed<'_, '_> {
    type Value = ();
    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_seq(self)
    }
}

impl<'de> Visitor<'de> for ArraySeed<'_, '_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("an array of CloudTrail records")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        let mut index = 0usize;
        loop {
            let record = if self.events {
                let Some(event) = seq.next_element::<LookupEvent>()? else {
                    break;
                };
                let mut de = serde_json::Deserializer::from_str(&event.cloud_trail_event);
                RecordSeed { keep: self.keep }
                    .deserialize(&mut de)
                    .and_then(|r| de.end().map(|()| r))
                    .map_err(|e| {
                        de::Error::custom(format!("Events[{index}].CloudTrailEvent: {e}"))
                    })?
            } else {
                let Some(record) = seq.next_element_seed(RecordSeed { keep: self.keep })? else {
                    break;
                };
                record
            };
            index += 1;
            self.stats.records += 1;
            if let Some(record) = record {
                self.stats.kept += 1;
                (self.sink)(record);
            }
        }
        Ok(())
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct LookupEvent {
    cloud_trail_event: String,
}

/// One record; `None` when the caller does not keep it.
struct RecordSeed<'k> {
    keep: Keep<'k>,
}

#[derive(Deserialize)]
#[serde(field_identifier, rename_all = "camelCase")]
enum Field {
    EventTime,
    EventSource,
    EventName,
    #[serde(rename = "eventID")]
    EventId,
    AwsRegion,
    #[serde(rename = "sourceIPAddress")]
    SourceIp,
    UserAgent,
    ErrorCode,
    RecipientAccountId,
    UserIdentity,
    RequestParameters,
    ResponseElements,
    #[serde(other)]
    Other,
}

impl<'de> DeserializeSeed<'de> for RecordSeed<'_> {
    type Value = Option<Record>;
    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for RecordSeed<'_> {
    type Value = Option<Record>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a CloudTrail record (an object)")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut record = Record::default();
        let (mut time, mut source, mut name, mut identity) = (false, false, false, false);
        // CloudTrail writes eventSource and eventName before most fields: a record the
        // caller refuses builds none of those that follow. Decided once both are known.
        let (mut refused, mut decided) = (false, false);
        while let Some(field) = map.next_key::<Field>()? {
            if !decided && source && name {
                refused = !(self.keep)(&record.event_source, &record.event_name);
                decided = true;
            }
            match field {
                Field::EventTime => {
                    record.event_time = map.next_value()?;
                    record.time = parse_time(&record.event_time).ok_or_else(|| {
                        de::Error::custom(format!(
                            "eventTime `{}` is not an RFC 3339 time",
                            record.event_time
                        ))
                    })?;
                    time = true;
                }
                Field::EventSource => {
                    record.event_source = map.next_value()?;
                    source = true;
                }
                Field::EventName => {
                    record.event_name = map.next_value()?;
                    name = true;
                }
                // A refused record builds none of the fields that follow.
                _ if refused => {
                    map.next_value::<IgnoredAny>()?;
                    identity |= matches!(field, Field::UserIdentity);
                }
                Field::EventId => record.event_id = map.next_value()?,
                Field::AwsRegion => record.aws_region = map.next_value()?,
                Field::SourceIp => record.source_ip = map.next_value()?,
                Field::UserAgent => record.user_agent = map.next_value()?,
                Field::ErrorCode => record.error_code = map.next_value()?,
                Field::RecipientAccountId => record.recipient_account = map.next_value()?,
                Field::UserIdentity => {
                    record.user_identity = map.next_value()?;
                    identity = true;
                }
                Field::RequestParameters => record.request = map.next_value()?,
                Field::ResponseElements => record.response = map.next_value()?,
                Field::Other => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        for (present, field) in [
            (time, "eventTime"),
            (source, "eventSource"),
            (name, "eventName"),
            (identity, "userIdentity"),
        ] {
            if !present {
                return Err(de::Error::missing_field(field));
            }
        }
        Ok((self.keep)(&record.event_source, &record.event_name).then_some(record))
    }
}

/// An RFC 3339 time (`2026-11-20T10:15:00Z`, fractions and offsets allowed, `T` or a
/// space) or a bare date (midnight UTC), in seconds since the Unix epoch.
pub fn parse_time(text: &str) -> Option<i64> {
    let b = text.as_bytes();
    let digits = |from: usize, len: usize| -> Option<i64> {
        let part = b.get(from..from + len)?;
        part.iter()
            .all(u8::is_ascii_digit)
            .then(|| part.iter().fold(0i64, |n, d| n * 10 + i64::from(d - b'0')))
    };
    let (year, month, day) = (digits(0, 4)?, digits(5, 2)?, digits(8, 2)?);
    if b.get(4) != Some(&b'-') || b.get(7) != Some(&b'-') || !(1..=12).contains(&month) {
        return None;
    }
    if day < 1 || day > days_in_month(year, month) {
        return None;
    }
    let date = days_from_civil(year, month, day) * 86_400;
    if b.len() == 10 {
        return Some(date);
    }
    if !matches!(b.get(10), Some(b'T' | b't' | b' '))
        || b.get(13) != Some(&b':')
        || b.get(16) != Some(&b':')
    {
        return None;
    }
    let (hour, minute, second) = (digits(11, 2)?, digits(14, 2)?, digits(17, 2)?);
    if hour > 23 || minute > 59 || second > 60 {
        return None;
    }
    let mut at = 19;
    if b.get(at) == Some(&b'.') {
        at += 1;
        let start = at;
        while b.get(at).is_some_and(u8::is_ascii_digit) {
            at += 1;
        }
        if at == start {
            return None;
        }
    }
    let offset = match b.get(at..)? {
        [b'Z' | b'z'] => 0,
        [sign @ (b'+' | b'-'), _, _, b':', _, _] => {
            let (h, m) = (digits(at + 1, 2)?, digits(at + 4, 2)?);
            if h > 23 || m > 59 {
                return None;
            }
            let minutes = h * 60 + m;
            if *sign == b'+' {
                minutes * 60
            } else {
                -minutes * 60
            }
        }
        _ => return None,
    };
    Some(date + hour * 3600 + minute * 60 + second - offset)
}

/// Seconds since the epoch as `2026-11-20T10:15:00Z`.
pub fn format_time(seconds: i64) -> String {
    let days = seconds.div_euclid(86_400);
    let rest = seconds.rem_euclid(86_400);
    let (year, month, day) = civil_from_days(days);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}Z",
        rest / 3600,
        rest % 3600 / 60,
        rest % 60
    )
}

fn days_in_month(year: i64, month: i64) -> i64 {
    match month {
        2 if year % 4 == 0 && (year % 100 != 0 || year % 400 == 0) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

// Howard Hinnant's civil-date algorithms (proleptic Gregorian calendar).
fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (month + 9) % 12;
    let doy = (153 * mp + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

fn civil_from_days(days: i64) -> (i64, i64, i64) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    (yoe + era * 400 + i64::from(month <= 2), month, day)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ecs(source: &str, _: &str) -> bool {
        source == "ecs.amazonaws.com"
    }

    fn read_text(text: &str) -> Result<(ReadStats, Vec<Record>), serde_json::Error> {
        let mut records = Vec::new();
        let stats = read(text.as_bytes(), &ecs, &mut |r| records.push(r))?;
        Ok((stats, records))
    }

    const RECORD: &str = r#"{"eventVersion":"1.08","userIdentity":{"type":"IAMUser","arn":"arn:aws:iam::111122223333:user/dana","accountId":"111122223333","userName":"dana"},"eventTime":"2026-11-20T10:15:00Z","eventSource":"ecs.amazonaws.com","eventName":"UpdateService","awsRegion":"eu-west-1","sourceIPAddress":"203.0.113.7","userAgent":"aws-cli/2.15.0","requestParameters":{"cluster":"prod","service":"web"},"responseElements":null,"eventID":"e1","recipientAccountId":"111122223333"}"#;

    #[test]
    fn records_are_read_and_chosen_by_the_caller() {
        let noise = r#"{"userIdentity":{"type":"Root"},"eventTime":"2026-11-20T10:00:00Z","eventSource":"s3.amazonaws.com","eventName":"GetObject","requestParameters":{"bucketName":"x"}}"#;
        let (stats, records) = read_text(&format!(r#"{{"Records":[{RECORD},{noise}]}}"#)).unwrap();
        assert_eq!(
            stats,
            ReadStats {
                records: 2,
                kept: 1
            }
        );
        let r = &records[0];
        assert_eq!(r.event_name, "UpdateService");
        assert_eq!(r.aws_region.as_deref(), Some("eu-west-1"));
        assert_eq!(r.source_ip.as_deref(), Some("203.0.113.7"));
        assert_eq!(r.user_identity.user_name.as_deref(), Some("dana"));
        assert_eq!(r.request.as_ref().unwrap()["cluster"], "prod");
        assert_eq!(r.response, None);
        assert_eq!(r.recipient_account.as_deref(), Some("111122223333"));
    }

    #[test]
    fn lookup_events_output_is_read() {
        let embedded = serde_json::to_string(RECORD).unwrap();
        let text = format!(
            r#"{{"Events":[{{"EventId":"e1","EventName":"UpdateService","CloudTrailEvent":{embedded}}}],"NextToken":"x"}}"#
        );
        let (stats, records) = read_text(&text).unwrap();
        assert_eq!(stats.kept, 1);
        assert_eq!(records[0].event_id.as_deref(), Some("e1"));
    }

    #[test]
    fn a_log_cut_after_a_line_break_ends_on_the_next_line_at_column_one() {
        let error = read_text("{\"Records\":[\n").unwrap_err();
        let located = located("cut.json", &Fault::Json(error), false);
        assert_eq!(
            (located.line, located.column),
            (2, 1),
            "{}",
            located.message
        );
        assert!(
            !located.message.contains(" at line "),
            "{}",
            located.message
        );
    }

    #[test]
    fn faults_are_located() {
        let missing = RECORD.replace(r#""userIdentity""#, r#""identity""#);
        let error = read_text(&format!("{{\"Records\":[\n{missing}]}}")).unwrap_err();
        assert!(
            error.to_string().contains("missing field `userIdentity`"),
            "{error}"
        );
        assert_eq!(error.line(), 2);

        let error = read_text(r#"{"Version":"2012-10-17","Statement":[]}"#).unwrap_err();
        assert!(error.to_string().contains("no `Records` array"), "{error}");
        assert!(error.column() > 0);

        let error = read_text("[1, 2]").unwrap_err();
        assert!(error.is_data(), "{error}");
        let error = read_text(r#"{"Records":[{"eventTime":1}]}"#).unwrap_err();
        assert!(error.is_data(), "{error}");
        let error = read_text(r#"{"Records":[]} trailing"#).unwrap_err();
        assert!(error.is_syntax(), "{error}");
        let error = read_text(r#"{"Events":[{"CloudTrailEvent":"{}"}]}"#).unwrap_err();
        assert!(
            error
                .to_string()
                .contains("Events[0].CloudTrailEvent: missing field"),
            "{error}"
        );
    }

    #[test]
    fn a_refused_record_builds_nothing_after_its_name() {
        // A field of the wrong type after eventName: skipped unread when refused, an
        // error when kept.
        let late = |source: &str| {
            format!(
                r#"{{"Records":[{{"userIdentity":{{}},"eventTime":"2026-11-20T10:00:00Z","eventSource":"{source}","eventName":"PutObject","awsRegion":5,"requestParameters":{{"deep":[1,2,{{"x":"y"}}]}}}}]}}"#
            )
        };
        let (stats, records) = read_text(&late("s3.amazonaws.com")).unwrap();
        assert_eq!((stats.records, records.len()), (1, 0));
        let error = read_text(&late("ecs.amazonaws.com")).unwrap_err();
        assert!(error.is_data(), "{error}");
    }

    #[test]
    fn times() {
        assert_eq!(parse_time("1970-01-01T00:00:00Z"), Some(0));
        assert_eq!(parse_time("2026-11-20T10:15:00Z"), Some(1_795_169_700));
        assert_eq!(
            parse_time("2026-11-20T11:15:00.123+01:00"),
            Some(1_795_169_700)
        );
        assert_eq!(parse_time("2026-11-20"), Some(1_795_132_800));
        assert_eq!(parse_time("2024-02-29T00:00:00Z"), Some(1_709_164_800));
        for bad in [
            "",
            "2026-11-20T10:15:00",
            "2026-13-01",
            "2026-02-29",
            "2026-11-20T24:00:00Z",
            "2026-11-20T10:15:00+0100",
            "20261120",
            "2026-11-20T10:15:00.Z",
            "2026-11-20x",
        ] {
            assert_eq!(parse_time(bad), None, "{bad}");
        }
        for t in [0, 1_795_169_700, 951_782_400, -86_400] {
            assert_eq!(parse_time(&format_time(t)), Some(t));
        }
        assert_eq!(format_time(1_795_169_700), "2026-11-20T10:15:00Z");
    }

    #[test]
    fn large_texts_are_streamed_on_from_what_was_read() {
        let body = format!("{{\"Records\":[\n{}]}}", vec![RECORD; 50].join(",\n"));
        for limit in [
            1,
            100,
            1000,
            body.len() as u64 - 1,
            body.len() as u64,
            1 << 20,
        ] {
            let mut stats = ReadStats::default();
            let mut seen = 0;
            read_buffered(body.as_bytes(), limit, &ecs, &mut |_| seen += 1, &mut stats).unwrap();
            assert_eq!((stats.kept, seen), (50, 50), "{limit}");
        }
        // Faults keep their place in the streamed text, and the records before them.
        let mut records = vec![RECORD.to_string(); 50];
        records[29] = RECORD.replace(r#""userIdentity""#, r#""identity""#);
        let broken = format!("{{\"Records\":[\n{}]}}", records.join(",\n"));
        let mut stats = ReadStats::default();
        let error = read_buffered(broken.as_bytes(), 200, &ecs, &mut |_| {}, &mut stats);
        let Err(Fault::Json(error)) = error else {
            panic!("{error:?}")
        };
        assert_eq!((error.line(), stats.kept), (31, 29));
        let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        std::io::Write::write_all(&mut encoder, body.as_bytes()).unwrap();
        let gz = encoder.finish().unwrap();
        let cut = flate2::read::MultiGzDecoder::new(&gz[..gz.len() - 20]);
        let mut stats = ReadStats::default();
        let error = read_buffered(cut, 300, &ecs, &mut |_| {}, &mut stats);
        assert!(
            matches!(&error, Err(Fault::Json(e)) if e.is_io() && e.line() > 0),
            "{error:?}"
        );
        assert!(stats.kept > 0 && stats.kept < 50);
    }

    #[test]
    fn trail_names() {
        assert!(is_trail_name(
            "111122223333_CloudTrail_eu-west-1_20261120T1015Z_abc.json.gz"
        ));
        assert!(is_trail_name("events.JSON"));
        assert!(!is_trail_name(
            "111122223333_CloudTrail-Digest_eu-west-1_x_20261120T101500Z.json.gz"
        ));
        assert!(!is_trail_name(
            "111122223333_CloudTrail-Insight_eu-west-1_x.json.gz"
        ));
        assert!(!is_trail_name("notes.txt"));
    }

    #[test]
    fn truncated_gzip_is_an_unlocated_fault_after_the_records_before_it() {
        use std::io::Write;
        let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        let body = format!(r#"{{"Records":[{}]}}"#, vec![RECORD; 200].join(","));
        encoder.write_all(body.as_bytes()).unwrap();
        let bytes = encoder.finish().unwrap();
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("cut.json.gz");
        std::fs::write(&path, &bytes[..bytes.len() / 2]).unwrap();
        let mut seen = 0;
        let (stats, error) = read_file(&path, "cut.json.gz", &ecs, &mut |_| seen += 1);
        let error = error.unwrap();
        assert!(
            error.message.contains("gzip stream is broken or truncated"),
            "{error}"
        );
        assert!(seen > 0 && seen < 200, "{seen}");
        assert_eq!(stats.kept, seen);
        std::fs::write(&path, &bytes).unwrap();
        let (stats, error) = read_file(&path, "cut.json.gz", &ecs, &mut |_| {});
        assert_eq!((stats.kept, error), (200, None));
    }
}
