//! `iamlint trail --emit eventbridge`: the trail's selection as an EventBridge event
//! pattern, for an alert in real time. It matches CloudTrail's "AWS API Call via
//! CloudTrail" events of the monitored ECS actions whose actor the privileged globs do not
//! name, successful or not (denied and failed attempts are findings too). The actor is
//! the field [`crate::trail::actor`] resolves it from: the session issuer of a role
//! session or federated user, the caller's own ARN for users and root. What EventBridge
//! cannot say is matched anyway and listed in [`Pattern::notes`]: the rule may alert on
//! more calls than the reader reports, never on fewer.

use serde_json::{Value, json};
use std::io::{self, Write};

/// What the pattern selects.
pub struct Selection<'a> {
    /// Monitored actions, `ecs:Name`.
    pub monitored: &'a [String],
    pub privileged_globs: &'a [String],
    /// Count service-linked roles and AWS services like any actor.
    pub include_service_linked: bool,
}

/// The pattern and what it matches beyond the reader's selection.
pub struct Pattern {
    pub pattern: Value,
    pub notes: Vec<String>,
}

/// EventBridge's limit on a rule's pattern (`PutRule`'s `EventPattern`), in characters.
const MAX_PATTERN: usize = 4096;

/// Service-linked roles are privileged unless asked: only AWS can be them.
const SERVICE_LINKED: &str = "arn:*:iam::*:role/aws-service-role/*";

/// `userIdentity.type`s whose actor is the session issuer, and those whose actor is their
/// own ARN.
const ISSUED: [&str; 2] = ["AssumedRole", "FederatedUser"];
const OWN_ARN: [&str; 2] = ["IAMUser", "Root"];

/// One value an `anything-but` excludes.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Excluded {
    Exact(String),
    Prefix(String),
    Suffix(String),
    Wildcard(String),
    /// Every value: `*`.
    Everything,
}

impl Excluded {
    /// A glob of literal characters and `*` (nothing EventBridge's wildcard escapes).
    fn of_wildcard(glob: &str) -> Excluded {
        let mut collapsed = String::with_capacity(glob.len());
        for c in glob.chars() {
            // EventBridge refuses consecutive wildcards; `**` means `*` here too.
            if !(c == '*' && collapsed.ends_with('*')) {
                collapsed.push(c);
            }
        }
        let stars = collapsed.matches('*').count();
        if collapsed == "*" {
            Excluded::Everything
        } else if stars == 0 {
            Excluded::Exact(collapsed)
        } else if stars == 1 && collapsed.ends_with('*') {
            Excluded::Prefix(collapsed[..collapsed.len() - 1].to_string())
        } else if stars == 1 && collapsed.starts_with('*') {
            Excluded::Suffix(collapsed[1..].to_string())
        } else {
            Excluded::Wildcard(collapsed)
        }
    }

    fn as_wildcard(&self) -> String {
        match self {
            Excluded::Exact(v) | Excluded::Wildcard(v) => v.clone(),
            Excluded::Prefix(v) => format!("{v}*"),
            Excluded::Suffix(v) => format!("*{v}"),
            Excluded::Everything => "*".into(),
        }
    }
}

/// Characters of a glob that EventBridge's wildcard cannot say (it has only `*`).
const UNSAYABLE: [char; 6] = ['?', '[', ']', '{', '}', '\\'];

/// What a privileged glob excludes of an ARN actor (a user, role, root or issuing user),
/// or why EventBridge cannot say it. Globs match the actor's ARN, name or path
/// ([`crate::trail::actor::Actor::names`]); a glob that can only match the ARN (it has a
/// `:`, or a `/` and ends in neither `/` nor `*`) is the ARN's wildcard, a plain name is
/// the ARN's suffix `/NAME`. Paths and name patterns are a part of the ARN between
/// slashes, which no EventBridge operator isolates.
fn arn_exclusion(glob: &str) -> Result<Excluded, String> {
    if glob.chars().all(|c| c == '*') {
        return Ok(Excluded::Everything);
    }
    if glob.contains(UNSAYABLE) {
        return Err(format!(
            "`{glob}` uses ?, […], {{…}} or \\, which EventBridge's wildcard cannot say"
        ));
    }
    let glob = without_any_folders(glob)?;
    let arn_only =
        glob.contains(':') || (glob.contains('/') && !glob.ends_with('/') && !glob.ends_with('*'));
    if arn_only {
        Ok(Excluded::of_wildcard(glob))
    } else if !glob.contains(['*', '/']) {
        Ok(Excluded::Suffix(format!("/{glob}")))
    } else {
        Err(format!(
            "`{glob}` matches a name or path, a part of the ARN that EventBridge cannot isolate"
        ))
    }
}

/// The glob with a leading `**/` said as EventBridge can. The matcher (globset) reads
/// `**/` as "any folders, or none", so `**/REST` also matches `REST` itself, which the
/// wildcard `*/REST` would not (found by the property test against the matcher). When
/// `REST` starts with `*` it already covers `*/REST`: the glob is `REST`. Any other `**/`
/// cannot be said in one wildcard, and is noted (and matched, never excluded).
fn without_any_folders(glob: &str) -> Result<&str, String> {
    let glob = match glob.strip_prefix("**/") {
        Some(rest) if rest.starts_with('*') => rest,
        _ => glob,
    };
    if glob.contains("**/") {
        return Err(format!(
            "`{glob}` has `**/` (any folders, or none), which EventBridge's wildcard cannot say"
        ));
    }
    Ok(glob)
}

/// What a glob excludes of AWS services, whose actor is `service:` + `invokedBy`
/// (matched only with `--include-service-linked`): `Ok(None)` when it cannot match one.
fn service_exclusion(glob: &str) -> Result<Option<Excluded>, String> {
    if !glob.is_empty() && glob.chars().all(|c| c == '*') {
        return Ok(Some(Excluded::Everything));
    }
    if let Some(rest) = glob.strip_prefix("service:") {
        if !rest.contains(UNSAYABLE) {
            return Ok(Some(Excluded::of_wildcard(without_any_folders(rest)?)));
        }
    }
    let literal = match glob.find(|c| c == '*' || UNSAYABLE.contains(&c)) {
        // Literal text only, and not `service:…`: no service is named so.
        None => return Ok(None),
        Some(at) => &glob[..at],
    };
    if !"service:".starts_with(literal) && !literal.starts_with("service:") {
        return Ok(None);
    }
    Err(format!(
        "`{glob}` may match AWS services (`service:NAME`) in a way EventBridge cannot say"
    ))
}

/// One `anything-but` condition excluding every value given, in the plainest form that
/// says them all; `{"exists": true}` when nothing is excluded, `None` when everything is.
fn anything_but(excluded: &[Excluded]) -> Option<Value> {
    if excluded.contains(&Excluded::Everything) {
        return None;
    }
    if excluded.is_empty() {
        return Some(json!({"exists": true}));
    }
    let one_or_list = |values: Vec<String>| match values.as_slice() {
        [one] => json!(one),
        _ => json!(values),
    };
    // All exact values, all prefixes or all suffixes; else every one as a wildcard.
    for (kind, form) in [
        ("exact", None),
        ("prefix", Some("prefix")),
        ("suffix", Some("suffix")),
    ] {
        let values: Option<Vec<String>> = excluded
            .iter()
            .map(|e| match (e, kind) {
                (Excluded::Exact(v), "exact")
                | (Excluded::Prefix(v), "prefix")
                | (Excluded::Suffix(v), "suffix") => Some(v.clone()),
                _ => None,
            })
            .collect();
        if let Some(values) = values {
            return Some(match form {
                None => json!({"anything-but": one_or_list(values)}),
                Some(form) => json!({"anything-but": {form: one_or_list(values)}}),
            });
        }
    }
    let mut values: Vec<String> = excluded.iter().map(Excluded::as_wildcard).collect();
    values.dedup();
    Some(json!({"anything-but": {"wildcard": one_or_list(values)}}))
}

fn distinct(mut excluded: Vec<Excluded>) -> Vec<Excluded> {
    let mut seen = Vec::new();
    excluded.retain(|e| {
        let new = !seen.contains(e);
        if new {
            seen.push(e.clone());
        }
        new
    });
    excluded
}

/// The pattern for `selection`, with the notes on what it matches beyond it.
pub fn pattern(selection: &Selection) -> Pattern {
    let mut notes = Vec::new();
    let mut arn_excluded = Vec::new();
    let mut service_excluded = Vec::new();
    // An empty glob matches no actor.
    for glob in selection.privileged_globs.iter().filter(|g| !g.is_empty()) {
        match arn_exclusion(glob) {
            Ok(excluded) => arn_excluded.push(excluded),
            Err(why) => notes.push(format!(
                "privileged glob {why}: calls of the users and roles it names are matched"
            )),
        }
        if selection.include_service_linked {
            match service_exclusion(glob) {
                Ok(Some(excluded)) => service_excluded.push(excluded),
                Ok(None) => {}
                Err(why) => notes.push(format!(
                    "privileged glob {why}: calls of those services are matched"
                )),
            }
        }
    }
    if !selection.include_service_linked {
        arn_excluded.push(Excluded::of_wildcard(SERVICE_LINKED));
    }
    let arn_excluded = distinct(arn_excluded);
    let mut branches = Vec::new();
    if let Some(condition) = anything_but(&arn_excluded) {
        branches.push(json!({"userIdentity": {"type": ISSUED,
            "sessionContext": {"sessionIssuer": {"arn": [condition.clone()]}}}}));
        branches.push(json!({"userIdentity": {"type": OWN_ARN, "arn": [condition]}}));
    }
    // A record without the actor's field: the reader builds the actor from other fields
    // (a role from its session ARN, a user from its name), which no pattern can; match.
    branches.push(json!({"userIdentity": {"type": ISSUED,
        "sessionContext": {"sessionIssuer": {"arn": [{"exists": false}]}}}}));
    branches.push(json!({"userIdentity": {"type": OWN_ARN, "arn": [{"exists": false}]}}));
    let mut handled: Vec<&str> = ISSUED.iter().chain(&OWN_ARN).copied().collect();
    if selection.include_service_linked {
        if let Some(condition) = anything_but(&distinct(service_excluded)) {
            branches
                .push(json!({"userIdentity": {"type": ["AWSService"], "invokedBy": [condition]}}));
        }
    }
    // AWS services are privileged by default, and handled above when they are not.
    handled.push("AWSService");
    branches.push(json!({"userIdentity": {"type": [{"anything-but": handled}]}}));
    if !selection.privileged_globs.is_empty() {
        notes.push(
            "privileged globs are not applied to callers of other types (WebIdentityUser, SAMLUser, AWSAccount, IdentityCenterUser …) nor to records without the actor's ARN: their calls are matched".into(),
        );
    }
    let names: Vec<&str> = selection
        .monitored
        .iter()
        .map(|a| a.strip_prefix("ecs:").unwrap_or(a))
        .collect();
    let pattern = json!({
        "source": ["aws.ecs"],
        "detail-type": ["AWS API Call via CloudTrail"],
        "detail": {
            "eventSource": [crate::trail::ECS_EVENT_SOURCE],
            "eventName": names,
            "$or": branches,
        },
    });
    let size = pattern.to_string().len();
    if size > MAX_PATTERN {
        notes.push(format!(
            "the pattern has {size} characters, more than the {MAX_PATTERN} EventBridge accepts: monitor fewer actions or name fewer privileged globs"
        ));
    }
    Pattern { pattern, notes }
}

/// The pattern, pretty-printed, on `out`; the notes are the caller's to show.
pub fn render(pattern: &Pattern, out: &mut dyn Write) -> io::Result<()> {
    serde_json::to_writer_pretty(&mut *out, &pattern.pattern)?;
    writeln!(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn globs_become_the_plainest_exclusion() {
        assert_eq!(
            arn_exclusion("arn:aws:iam::111122223333:user/sam"),
            Ok(Excluded::Exact("arn:aws:iam::111122223333:user/sam".into()))
        );
        assert_eq!(
            arn_exclusion("arn:aws:iam::111122223333:**"),
            Ok(Excluded::Prefix("arn:aws:iam::111122223333:".into()))
        );
        assert_eq!(
            arn_exclusion("*:root"),
            Ok(Excluded::Suffix(":root".into()))
        );
        assert_eq!(
            arn_exclusion("*/dana"),
            Ok(Excluded::Suffix("/dana".into()))
        );
        assert_eq!(arn_exclusion("dana"), Ok(Excluded::Suffix("/dana".into())));
        assert_eq!(
            arn_exclusion("arn:aws:iam::*:role/platform/*"),
            Ok(Excluded::Wildcard("arn:aws:iam::*:role/platform/*".into()))
        );
        for unsayable in ["/platform/", "dev*", "arn:aws:iam::?:root", "role/[ab]*"] {
            assert!(arn_exclusion(unsayable).is_err(), "{unsayable}");
        }
        assert_eq!(arn_exclusion("*"), Ok(Excluded::Everything));
    }

    #[test]
    fn any_folders_or_none() {
        // `**/*:iam::*` matches `arn:aws:iam::1:user/dana`: so must the exclusion.
        assert_eq!(
            arn_exclusion("**/*:iam::*"),
            Ok(Excluded::Wildcard("*:iam::*".into()))
        );
        assert!(arn_exclusion("**/deploy:x").is_err());
        assert!(arn_exclusion("arn:aws:iam::1:role/**/deploy").is_err());
        assert_eq!(
            arn_exclusion("arn:aws:iam::1:role/**"),
            Ok(Excluded::Prefix("arn:aws:iam::1:role/".into()))
        );
    }

    #[test]
    fn service_globs() {
        assert_eq!(
            service_exclusion("service:*"),
            Ok(Some(Excluded::Everything))
        );
        assert_eq!(
            service_exclusion("service:ecs.amazonaws.com"),
            Ok(Some(Excluded::Exact("ecs.amazonaws.com".into())))
        );
        assert_eq!(service_exclusion("arn:aws:iam::*"), Ok(None));
        assert_eq!(service_exclusion("dana"), Ok(None));
        assert!(service_exclusion("serv*").is_err());
        assert!(service_exclusion("*ecs*").is_err());
    }

    #[test]
    fn one_condition_per_field() {
        let exact = [Excluded::Exact("a".into()), Excluded::Exact("b".into())];
        assert_eq!(
            anything_but(&exact),
            Some(json!({"anything-but": ["a", "b"]}))
        );
        let prefix = [Excluded::Prefix("a".into())];
        assert_eq!(
            anything_but(&prefix),
            Some(json!({"anything-but": {"prefix": "a"}}))
        );
        let mixed = [Excluded::Prefix("a".into()), Excluded::Suffix("/b".into())];
        assert_eq!(
            anything_but(&mixed),
            Some(json!({"anything-but": {"wildcard": ["a*", "*/b"]}}))
        );
        assert_eq!(anything_but(&[]), Some(json!({"exists": true})));
        assert_eq!(anything_but(&[Excluded::Everything]), None);
    }
}
