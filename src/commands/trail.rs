//! `iamlint trail`: the monitored ECS changes that CloudTrail recorded, per actor — who
//! outside the privileged list made or tried them, when, from where and on what.
//!
//! The command orchestrates: files are found and read by [`crate::source::trail`] (in
//! parallel, each streamed), records tallied by [`crate::trail`], reports rendered by
//! [`crate::report::trail`].

use crate::config::{FailOn, Settings};
use crate::globs::PrincipalMatcher;
use crate::rules::Level;
use crate::source::SourceFile;
use crate::source::files::{display_path, read_limited};
use crate::source::query;
use crate::source::trail::{self as reader, TrailError};
use crate::trail::actor::Actor;
use crate::trail::{Selection, Summary, Tally};
use rayon::prelude::*;
use std::path::PathBuf;

/// A query result is read whole (the logs are streamed); refuse only the absurd.
const MAX_RESULT_SIZE: u64 = 2 * 1024 * 1024 * 1024;

/// What a candidate holds.
enum Input {
    Log,
    Query,
    /// A page fetched from the LookupEvents API.
    Fetched(String),
}

/// A log file, a query result or a fetched page to read.
struct Candidate {
    display: String,
    path: PathBuf,
    problem: Option<String>,
    input: Input,
}

pub struct Options {
    /// Results of the `--emit-sql` query, read beside the logs.
    pub from_query: Vec<PathBuf>,
    /// Pages fetched from CloudTrail's LookupEvents API, as `lookup-events` output.
    pub live: Vec<SourceFile>,
    pub since: Option<i64>,
    pub until: Option<i64>,
    /// Count service-linked roles and AWS services like any actor (default: privileged).
    pub include_service_linked: bool,
}

/// Read every file under `paths` and tally the monitored calls. Also returns the folders
/// given whose walk found no log file.
pub fn run(paths: &[PathBuf], settings: &Settings, options: &Options) -> (Summary, Vec<String>) {
    let collected = reader::collect(paths);
    let query_results = options.from_query.iter().map(|path| Candidate {
        display: display_path(path),
        path: path.clone(),
        problem: None,
        input: Input::Query,
    });
    let fetched = options.live.iter().map(|page| Candidate {
        display: page.path.clone(),
        path: PathBuf::new(),
        problem: None,
        input: Input::Fetched(page.text.clone()),
    });
    let candidates: Vec<Candidate> = collected
        .candidates
        .into_iter()
        .map(|c| Candidate {
            display: c.display,
            path: c.path,
            problem: c.problem,
            input: Input::Log,
        })
        .chain(query_results)
        .chain(fetched)
        .collect();
    let selection = Selection {
        monitored: settings.monitored,
        since: options.since,
        until: options.until,
    };
    let matcher = PrincipalMatcher::new(&settings.privileged_globs);
    let privileged = |actor: &Actor| {
        (!options.include_service_linked && actor.is_aws())
            || actor
                .names()
                .iter()
                .any(|name| !name.is_empty() && matcher.is_match(name))
    };
    let keep = |source: &str, name: &str| selection.action(source, name).is_some();
    let read_one = |candidate: &Candidate| -> (Tally, Option<TrailError>) {
        let mut tally = Tally::default();
        if let Some(problem) = &candidate.problem {
            return (
                tally,
                Some(TrailError::unlocated(&candidate.display, problem)),
            );
        }
        let mut add = |record: reader::Record| tally.add(&record, &selection, &privileged);
        let (stats, error) = match &candidate.input {
            Input::Query => {
                let text = read_limited(&candidate.path, MAX_RESULT_SIZE).and_then(|bytes| {
                    String::from_utf8(bytes).map_err(|_| "not UTF-8 text".into())
                });
                match text {
                    Ok(text) => query::read(&candidate.display, &text, &keep, &mut add),
                    Err(reason) => (
                        Default::default(),
                        Some(TrailError::unlocated(&candidate.display, &reason)),
                    ),
                }
            }
            Input::Log => reader::read_file(&candidate.path, &candidate.display, &keep, &mut add),
            Input::Fetched(text) => reader::read_text(text, &candidate.display, &keep, &mut add),
        };
        tally.records += stats.records;
        (tally, error)
    };
    // Tallies merge as files finish: memory holds one tally per thread, not per file.
    let (total, mut errors) = candidates
        .par_iter()
        .map(|candidate| {
            let (tally, error) = read_one(candidate);
            (tally, error.into_iter().collect::<Vec<_>>())
        })
        .reduce(
            || (Tally::default(), Vec::new()),
            |(a, mut a_errors), (b, b_errors)| {
                a_errors.extend(b_errors);
                (a.merge(b), a_errors)
            },
        );
    errors.sort();
    let summary = Summary {
        files: candidates.len(),
        records: total.records,
        selected: total.selected,
        outside_window: total.outside_window,
        since: options.since,
        until: options.until,
        monitored: settings.monitored.names(),
        activity: total.into_activity(),
        errors,
    };
    (summary, collected.empty_folders)
}

/// 2 when a file could not be read, 1 when a non-privileged actor made or tried a
/// monitored change (each is an error-level finding), else 0.
pub fn exit_code(summary: &Summary, fail_on: FailOn) -> u8 {
    if !summary.errors.is_empty() {
        2
    } else if summary.findings().next().is_some() && fail_on.fails(Level::Error) {
        1
    } else {
        0
    }
}

/// `--since` / `--until`: an RFC 3339 time, a date (midnight UTC), or an age before `now`
/// such as `90d`, `12h`, `30m`, `2w`, `45s`.
pub fn parse_bound(text: &str, now: i64) -> Result<i64, String> {
    if let Some(time) = reader::parse_time(text) {
        return Ok(time);
    }
    let unit = text.chars().last().and_then(|c| match c {
        's' => Some(1),
        'm' => Some(60),
        'h' => Some(3600),
        'd' => Some(86_400),
        'w' => Some(7 * 86_400),
        _ => None,
    });
    let amount = text[..text.len().saturating_sub(1)].parse::<i64>().ok();
    match (amount, unit) {
        (Some(n), Some(unit)) if n >= 0 => n
            .checked_mul(unit)
            .and_then(|age| now.checked_sub(age))
            .ok_or_else(|| format!("`{text}` is too far back")),
        _ => Err(format!(
            "`{text}` is not a time: give RFC 3339 (2026-11-20T10:15:00Z), a date (2026-11-20) or an age (90d, 12h, 30m, 2w)"
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bounds() {
        let now = 1_795_169_700;
        assert_eq!(parse_bound("2026-11-20T10:15:00Z", now), Ok(now));
        assert_eq!(parse_bound("7d", now), Ok(now - 7 * 86_400));
        assert_eq!(parse_bound("12h", now), Ok(now - 12 * 3600));
        assert_eq!(parse_bound("30m", now), Ok(now - 1800));
        assert_eq!(parse_bound("2w", now), Ok(now - 14 * 86_400));
        assert_eq!(parse_bound("0s", now), Ok(now));
        for bad in [
            "",
            "d",
            "7",
            "-3d",
            "7y",
            "yesterday",
            "99999999999999999999d",
        ] {
            assert!(parse_bound(bad, now).is_err(), "{bad}");
        }
    }
}
