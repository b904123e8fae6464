//! `iamlint account`: who in an AWS account (users and roles, not on the privileged list)
//! can make the monitored ECS changes, with the policies that grant it.
//!
//! A principal's effective access: its inline and attached policies (for users, also
//! those of each of its groups), cut by its permissions boundary when it has one and by
//! the SCPs when given, minus any unconditional Deny in any of them. Only the default
//! version of a managed policy counts. Each managed policy is evaluated once.

use crate::config::Settings;
use crate::document::source::decode;
use crate::document::{DocumentKind, Effect, PolicyError, policy::parse_policy_text};
use crate::eval::{DocumentGrants, effective_access, evaluate};
use crate::report::{Report, Subject, SubjectKind};
use crate::rules::ecs_config_change::{self, GrantingDocument};
use crate::rules::{invalid_policy, unknown_action};
use crate::source::SourceFile;
use crate::source::dump::{Document, Dump, Principal};
use crate::source::files::read_limited;
use globset::{GlobBuilder, GlobSet, GlobSetBuilder};
use std::collections::{BTreeMap, HashMap};
use std::path::PathBuf;
use std::sync::Arc;

/// Service-linked roles live under this path; only AWS services can assume them.
pub const SERVICE_LINKED_PATH: &str = "/aws-service-role/";
/// Dumps of large accounts run to hundreds of megabytes; refuse only the absurd.
const MAX_DUMP_SIZE: u64 = 2 * 1024 * 1024 * 1024;

pub struct Options {
    /// Report service-linked roles like any other role (default: they are privileged).
    pub include_service_linked: bool,
}

/// Review the dump held in `pages` (one text per page, each named by its path).
pub fn review(
    pages: Vec<SourceFile>,
    scp_paths: &[PathBuf],
    settings: &Settings,
    options: &Options,
) -> Report {
    let mut report = Report::default();
    let mut dump = Dump::default();
    for (index, page) in pages.iter().enumerate() {
        if let Err(error) = dump.add_page(index, &page.text) {
            invalid(&mut report, &page.path, page, &error.errors);
        }
    }
    let scps = read_scps(scp_paths, settings, &mut report);
    let scp_grants: Vec<&DocumentGrants> = scps.iter().map(|(_, g)| g).collect();
    let privileged = privileged_matcher(&settings.privileged_globs);

    let managed: HashMap<&str, (&crate::source::dump::ManagedPolicy, DocumentGrants)> = dump
        .policies
        .iter()
        .map(|p| (p.arn.as_str(), (p, evaluate(&p.document.document))))
        .collect();
    for (policy, grants) in managed.values() {
        let source = &pages[policy.document.page];
        report
            .findings
            .extend(unknown_action::check(&policy.arn, source, grants));
    }
    // Groups' inline policies, evaluated once for all their members.
    let groups: HashMap<&str, (&Principal, Vec<Evaluated>)> = dump
        .groups
        .iter()
        .map(|group| {
            let inline: Vec<Evaluated> = group
                .inline
                .iter()
                .map(|p| {
                    Evaluated::new(
                        format!("group/{}:inline:{}", group.name, p.name),
                        &p.document,
                    )
                })
                .collect();
            (group.name.as_str(), (group, inline))
        })
        .collect();
    for (group, inline) in groups.values() {
        for evaluated in inline {
            report_unknown(&mut report, &group.arn, &pages, evaluated);
        }
    }

    let principals = dump
        .users
        .iter()
        .map(|p| (p, SubjectKind::User))
        .chain(dump.roles.iter().map(|p| (p, SubjectKind::Role)));
    for (principal, kind) in principals {
        let own: Vec<Evaluated> = principal
            .inline
            .iter()
            .map(|p| Evaluated::new(format!("inline:{}", p.name), &p.document))
            .collect();
        for evaluated in &own {
            report_unknown(&mut report, &principal.arn, &pages, evaluated);
        }
        // Identity policies: own inline, groups' inline, then every attached one.
        let mut identity: Vec<(&str, usize, &DocumentGrants)> = own
            .iter()
            .map(|e| (e.label.as_str(), e.page, &e.grants))
            .collect();
        let mut attached: Vec<&str> = principal.attached.iter().map(String::as_str).collect();
        for group_name in &principal.groups {
            match groups.get(group_name.as_str()) {
                Some((group, inline)) => {
                    identity.extend(inline.iter().map(|e| (e.label.as_str(), e.page, &e.grants)));
                    attached.extend(group.attached.iter().map(String::as_str));
                }
                None => missing(
                    &mut report,
                    principal,
                    &pages,
                    &format!("group {group_name}"),
                ),
            }
        }
        attached.sort_unstable();
        attached.dedup();
        for arn in attached {
            match managed.get(arn) {
                Some((policy, grants)) => identity.push((arn, policy.document.page, grants)),
                None => missing(
                    &mut report,
                    principal,
                    &pages,
                    &format!("managed policy {arn}"),
                ),
            }
        }
        let boundary = principal
            .boundary
            .as_deref()
            .and_then(|arn| match managed.get(arn) {
                Some((_, grants)) => Some(grants),
                None => {
                    missing(
                        &mut report,
                        principal,
                        &pages,
                        &format!("permissions boundary {arn}"),
                    );
                    None
                }
            });
        let identity_grants: Vec<&DocumentGrants> = identity.iter().map(|(_, _, g)| *g).collect();
        let access = effective_access(&identity_grants, boundary, &scp_grants)
            .restrict_to(settings.monitored);

        let is_privileged = (!options.include_service_linked
            && principal.path.starts_with(SERVICE_LINKED_PATH))
            || [&principal.arn, &principal.name, &principal.path]
                .iter()
                .any(|s| privileged.is_match(s.as_str()));
        let mut granted_by: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for action in access.all().iter() {
            let by = identity
                .iter()
                .filter(|(_, _, g)| g.statements.iter().any(|s| s.actions.contains(action)))
                .map(|(label, _, _)| label.to_string())
                .collect();
            granted_by.insert(crate::catalog::qualified_name(action), by);
        }
        report.subjects.push(Subject {
            name: principal.arn.clone(),
            kind,
            privileged: is_privileged,
            allowed: access.unscoped.names(),
            scoped: access.scoped.names(),
            granted_by: Some(granted_by),
            trusted_by: principal.trust.as_ref().map(trusted_by),
        });
        if !is_privileged {
            let documents: Vec<GrantingDocument> = identity
                .iter()
                .map(|(_, page, grants)| GrantingDocument {
                    source: &pages[*page],
                    grants,
                })
                .collect();
            report
                .findings
                .extend(ecs_config_change::check(&principal.arn, access, &documents));
        }
    }
    for page in pages {
        report.sources.insert(page.path.clone(), Arc::new(page));
    }
    for (source, _) in scps {
        report.sources.insert(source.path.clone(), Arc::new(source));
    }
    crate::commands::check::apply_ignores(&mut report, settings);
    report.sort();
    // Freeing a large account's model piece by piece costs more than the review itself;
    // the process ends right after the report is written, and the OS reclaims it whole.
    std::mem::forget(dump);
    report
}

/// An inline policy evaluated, with the name reports give it.
struct Evaluated {
    label: String,
    page: usize,
    grants: DocumentGrants,
}

impl Evaluated {
    fn new(label: String, document: &Document) -> Evaluated {
        Evaluated {
            label,
            page: document.page,
            grants: evaluate(&document.document),
        }
    }
}

/// Unknown actions of an inline policy, reported once, about its owner.
fn report_unknown(report: &mut Report, owner: &str, pages: &[SourceFile], evaluated: &Evaluated) {
    for mut finding in unknown_action::check(owner, &pages[evaluated.page], &evaluated.grants) {
        finding.message = format!("{}: {}", evaluated.label, finding.message);
        report.findings.push(finding);
    }
}

/// The principals a role's trust policy allows, as `Type:id` (`Service:ecs-tasks.amazonaws.com`).
fn trusted_by(trust: &Document) -> Vec<String> {
    let mut out: Vec<String> = trust
        .document
        .statements
        .iter()
        .filter(|s| s.effect.value == Effect::Allow)
        .filter_map(|s| s.principals.as_ref())
        .flat_map(|p| {
            let prefix = if p.negated { "NotPrincipal " } else { "" };
            p.entries.iter().map(move |e| match e.kind.as_str() {
                "*" => format!("{prefix}*"),
                kind => format!("{prefix}{kind}:{}", e.id.value),
            })
        })
        .collect();
    out.sort();
    out.dedup();
    out
}

/// Privileged globs for principals: `*` crosses `/`, as in IAM ARNs patterns.
fn privileged_matcher(globs: &[String]) -> GlobSet {
    let mut builder = GlobSetBuilder::new();
    for glob in globs {
        // Globs were validated when the settings were loaded.
        if let Ok(glob) = GlobBuilder::new(glob).literal_separator(false).build() {
            builder.add(glob);
        }
    }
    builder.build().unwrap_or_else(|_| GlobSet::empty())
}

fn read_scps(
    paths: &[PathBuf],
    settings: &Settings,
    report: &mut Report,
) -> Vec<(SourceFile, DocumentGrants)> {
    let mut out = Vec::new();
    for path in paths {
        let name = crate::source::files::display_path(path);
        let text = read_limited(path, settings.max_file_size)
            .and_then(|bytes| decode(&bytes).map(str::to_string).map_err(|e| e.message));
        let source = match text {
            Ok(text) => SourceFile::new(name.clone(), text),
            Err(reason) => {
                let source = SourceFile::new(name.clone(), String::new());
                report.findings.push(invalid_policy::unreadable(
                    &name,
                    &source,
                    &format!("cannot read: {reason}"),
                ));
                continue;
            }
        };
        match parse_policy_text(&source.text, DocumentKind::Identity) {
            Ok(document) => {
                let grants = evaluate(&document);
                out.push((source, grants));
            }
            Err(errors) => invalid(report, &name, &source, &errors),
        }
    }
    out
}

fn invalid(report: &mut Report, subject: &str, source: &SourceFile, errors: &[PolicyError]) {
    report.findings.extend(
        errors
            .iter()
            .map(|e| invalid_policy::from_policy_error(subject, source, e)),
    );
}

/// A principal refers to something the dump lacks: the review would be incomplete.
fn missing(report: &mut Report, principal: &Principal, pages: &[SourceFile], what: &str) {
    let source = pages.first().expect("a dump has pages");
    let message = format!(
        "{} refers to {what}, which is not in the dump (pass every page, and do not filter out entity types)",
        principal.arn
    );
    let label = "this dump is incomplete";
    report.findings.push(invalid_policy::located(
        &principal.arn,
        source,
        &message,
        label,
        crate::document::Span::default(),
    ));
}

/// Read the dump files named with `--from`.
pub fn read_pages(paths: &[PathBuf]) -> Result<Vec<SourceFile>, String> {
    paths
        .iter()
        .map(|path| {
            let name = crate::source::files::display_path(path);
            let bytes = read_limited(path, MAX_DUMP_SIZE)
                .map_err(|r| format!("cannot read {name}: {r}"))?;
            let text = decode(&bytes).map_err(|e| format!("cannot read {name}: {}", e.message))?;
            Ok(SourceFile::new(name, text))
        })
        .collect()
}
