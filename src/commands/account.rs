//! `iamlint account`: who in an AWS account (users and roles, not on the privileged list,
//! and the outside principals its trust policies let in) can make the monitored ECS
//! changes — directly, or by becoming another principal — with the policies and paths.
//!
//! The command only orchestrates: the dump is read into an account model
//! ([`graph::Account`]), effective access comes from [`crate::eval`], the paths from
//! [`crate::graph`], findings from [`crate::rules`].

use crate::catalog::managed;
use crate::config::Settings;
use crate::document::source::decode;
use crate::document::{DocumentKind, PolicyDocument, PolicyError, policy::parse_policy_text};
use crate::eval::{DocumentGrants, Identity, Policies, evaluate};
use crate::globs::PrincipalMatcher;
use crate::graph::{self, Graph, PrincipalKind};
use crate::report::{
    AccessPath, AccessStep, QueryAnswer, QueryResult, Report, Subject, SubjectKind,
};
use crate::rules::ecs_config_change::{self, GrantingDocument};
use crate::rules::{Finding, ecs_config_change_indirect, invalid_policy, unknown_action};
use crate::source::SourceFile;
use crate::source::dump::{Document, Dump, Principal};
use crate::source::files::read_limited;
use rayon::prelude::*;
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
    /// Answer a question instead of linting (`--who-can`, `--principal`).
    pub query: Option<Query>,
    /// The process ends after this review: leave its memory to the OS instead of freeing
    /// it (the command line); a library caller that goes on (the fuzzer) frees it.
    pub exit_after: bool,
    /// Groups are subjects too (infrastructure code, where a group's members are often
    /// declared elsewhere); an account review reports their access on their members.
    pub group_subjects: bool,
}

/// A question about the account's transitive access.
#[derive(Clone, Debug)]
pub enum Query {
    /// Every principal, privileged or not, that can cause this tracked action.
    WhoCan(usize),
    /// Everything this principal (ARN) can cause, and how.
    Principal(String),
}

/// A policy document evaluated once, with the name reports give it and its source.
struct Evaluated {
    label: String,
    source: usize,
    grants: DocumentGrants,
}

/// A managed policy, from the dump or from the bundled AWS managed policies.
struct Managed {
    source: usize,
    grants: DocumentGrants,
}

/// Review the dump held in `pages` (one text per page, each named by its path).
pub fn review(
    pages: Vec<SourceFile>,
    scp_paths: &[PathBuf],
    settings: &Settings,
    options: &Options,
) -> Report {
    let phases = Phases::new();
    let mut report = Report::default();
    let mut dump = Dump::default();
    for (index, page) in pages.iter().enumerate() {
        if let Err(error) = dump.add_page(index, &page.text) {
            invalid(&mut report, &page.path, page, &error.errors);
        }
    }
    let mut sources = pages;
    let scps = read_scps(scp_paths, settings, &mut report, &mut sources);
    review_timed(report, dump, sources, &scps, settings, options, phases)
}

/// The account model → the report: effective access, paths and findings of every
/// principal. Every source of principals (a dump, the live account, a template) ends
/// here; `report` may already hold the source's own findings, `sources` are the texts
/// the model's documents point into (by page index).
pub fn review_model(
    report: Report,
    dump: Dump,
    sources: Vec<SourceFile>,
    scps: &[(usize, DocumentGrants)],
    settings: &Settings,
    options: &Options,
) -> Report {
    review_timed(
        report,
        dump,
        sources,
        scps,
        settings,
        options,
        Phases::new(),
    )
}

/// [`review_model`], its phases timed from `phases` on (`IAMLINT_GRAPH_STATS`).
fn review_timed(
    mut report: Report,
    dump: Dump,
    mut sources: Vec<SourceFile>,
    scps: &[(usize, DocumentGrants)],
    settings: &Settings,
    options: &Options,
    mut phases: Phases,
) -> Report {
    let scp_grants: Vec<&DocumentGrants> = scps.iter().map(|(_, g)| g).collect();
    let privileged = PrincipalMatcher::new(&settings.privileged_globs);

    // Managed policies, each evaluated once; AWS managed ones the dump lacks come from
    // the bundled table (parsed only when named).
    let mut managed: HashMap<String, Managed> = dump
        .policies
        .iter()
        .map(|p| {
            (
                p.arn.clone(),
                Managed {
                    source: p.document.page,
                    grants: evaluate(&p.document.document),
                },
            )
        })
        .collect();
    for policy in &dump.policies {
        let source = &sources[policy.document.page];
        let grants = &managed[&policy.arn].grants;
        report
            .findings
            .extend(unknown_action::check(&policy.arn, source, grants));
    }
    let named = dump
        .users
        .iter()
        .chain(&dump.groups)
        .chain(&dump.roles)
        .flat_map(|p| p.attached.iter().chain(p.boundary.as_ref()));
    for arn in named {
        if managed.contains_key(arn.as_str()) || !managed::is_aws_managed(arn) {
            continue;
        }
        if let Some(text) = managed::document(arn) {
            if let Ok(document) = parse_policy_text(text, DocumentKind::Identity) {
                sources.push(SourceFile::new(format!("<aws-managed>/{arn}"), text));
                let source = sources.len() - 1;
                let grants = evaluate(&document);
                managed.insert(arn.clone(), Managed { source, grants });
            }
        }
    }

    // Groups: inline policies evaluated once for all members; attached ones by label.
    let group_inline: Vec<Vec<Evaluated>> = dump
        .groups
        .iter()
        .map(|group| {
            group
                .inline
                .iter()
                .map(|p| {
                    evaluated(
                        format!("group/{}:inline:{}", group.name, p.name),
                        &p.document,
                    )
                })
                .collect()
        })
        .collect();
    for (group, inline) in dump.groups.iter().zip(&group_inline) {
        for evaluated in inline {
            report_unknown(&mut report, &subject_name(group), &sources, evaluated);
        }
        for arn in &group.attached {
            if !managed.contains_key(arn.as_str()) {
                missing(
                    &mut report,
                    group,
                    &sources,
                    &format!("managed policy {arn}"),
                );
            }
        }
    }
    let group_index: HashMap<&str, usize> = dump
        .groups
        .iter()
        .enumerate()
        .map(|(i, g)| (g.name.as_str(), i))
        .collect();
    let group_labels: Vec<Vec<String>> = dump
        .groups
        .iter()
        .map(|g| {
            g.attached
                .iter()
                .map(|arn| format!("group/{}:{arn}", g.name))
                .collect()
        })
        .collect();

    // Principals' own inline policies.
    let entries: Vec<(&Principal, SubjectKind)> = dump
        .users
        .iter()
        .map(|p| (p, SubjectKind::User))
        .chain(dump.roles.iter().map(|p| (p, SubjectKind::Role)))
        .collect();
    let own_inline: Vec<Vec<Evaluated>> = entries
        .iter()
        .map(|(p, _)| {
            p.inline
                .iter()
                .map(|i| evaluated(format!("inline:{}", i.name), &i.document))
                .collect()
        })
        .collect();
    for ((principal, _), inline) in entries.iter().zip(&own_inline) {
        for evaluated in inline {
            report_unknown(&mut report, &subject_name(principal), &sources, evaluated);
        }
    }

    // Groups as subjects: their own policies, named as a principal's own are.
    let group_own_labels: Vec<Vec<String>> = if options.group_subjects {
        dump.groups
            .iter()
            .map(|group| {
                let inline = group.inline.iter().map(|p| format!("inline:{}", p.name));
                let attached = group
                    .attached
                    .iter()
                    .filter(|arn| managed.contains_key(arn.as_str()))
                    .cloned();
                inline.chain(attached).collect()
            })
            .collect()
    } else {
        Vec::new()
    };

    // The account model.
    let mut model = graph::Account {
        principals: Vec::new(),
        groups: Vec::new(),
        monitored: settings.monitored,
    };
    for (group, (inline, labels)) in dump
        .groups
        .iter()
        .zip(group_inline.iter().zip(&group_labels))
    {
        let mut identity: Vec<Identity> = inline
            .iter()
            .map(|e| Identity {
                label: &e.label,
                grants: &e.grants,
            })
            .collect();
        let mut identity_sources: Vec<usize> = inline.iter().map(|e| e.source).collect();
        for (arn, label) in group.attached.iter().zip(labels) {
            if let Some(m) = managed.get(arn.as_str()) {
                identity.push(Identity {
                    label,
                    grants: &m.grants,
                });
                identity_sources.push(m.source);
            }
        }
        model.groups.push(graph::Group {
            arn: group.arn.clone(),
            name: group.name.clone(),
            identity,
            identity_sources,
        });
    }
    let mut trust_lists = Vec::new();
    for ((principal, kind), inline) in entries.iter().zip(&own_inline) {
        let mut identity: Vec<Identity> = inline
            .iter()
            .map(|e| Identity {
                label: &e.label,
                grants: &e.grants,
            })
            .collect();
        let mut identity_sources: Vec<usize> = inline.iter().map(|e| e.source).collect();
        let mut customer: Vec<String> = Vec::new();
        let mut groups = Vec::new();
        for arn in &principal.attached {
            match managed.get(arn.as_str()) {
                Some(m) => {
                    identity.push(Identity {
                        label: arn,
                        grants: &m.grants,
                    });
                    identity_sources.push(m.source);
                    if !managed::is_aws_managed(arn) {
                        customer.push(arn.clone());
                    }
                }
                None => missing(
                    &mut report,
                    principal,
                    &sources,
                    &format!("managed policy {arn}"),
                ),
            }
        }
        for group_name in &principal.groups {
            let Some(&g) = group_index.get(group_name.as_str()) else {
                missing(
                    &mut report,
                    principal,
                    &sources,
                    &format!("group {group_name}"),
                );
                continue;
            };
            groups.push(g);
            identity.extend(model.groups[g].identity.iter().copied());
            identity_sources.extend(&model.groups[g].identity_sources);
            for arn in &dump.groups[g].attached {
                if managed.contains_key(arn.as_str()) && !managed::is_aws_managed(arn) {
                    customer.push(arn.clone());
                }
            }
        }
        customer.sort();
        customer.dedup();
        let boundary = principal
            .boundary
            .as_deref()
            .and_then(|arn| match managed.get(arn) {
                Some(m) => Some(&m.grants),
                None => {
                    missing(
                        &mut report,
                        principal,
                        &sources,
                        &format!("permissions boundary {arn}"),
                    );
                    None
                }
            });
        let is_privileged = (!options.include_service_linked
            && principal.path.starts_with(SERVICE_LINKED_PATH))
            || matches_privileged(principal, &privileged);
        trust_lists.push(principal.trust.as_ref().map(trusted_by));
        model.principals.push(graph::Principal {
            arn: principal.arn.clone(),
            name: principal.name.clone(),
            kind: if *kind == SubjectKind::User {
                PrincipalKind::User
            } else {
                PrincipalKind::Role
            },
            account: principal.arn.split(':').nth(4).unwrap_or("").to_string(),
            policies: Policies {
                identity,
                boundary,
                scps: &scp_grants,
            },
            trust: principal.trust.as_ref().map(|t| (&t.document, t.page)),
            groups,
            attached_customer_policies: customer,
            identity_sources,
            privileged: is_privileged,
        });
    }
    for (g, labels) in group_own_labels.iter().enumerate() {
        let group = &dump.groups[g];
        // The same documents as the members get, in the same order as the labels.
        let identity = model.groups[g]
            .identity
            .iter()
            .zip(labels)
            .map(|(shared, label)| Identity {
                label,
                grants: shared.grants,
            })
            .collect();
        let mut customer: Vec<String> = group
            .attached
            .iter()
            .filter(|arn| managed.contains_key(arn.as_str()) && !managed::is_aws_managed(arn))
            .cloned()
            .collect();
        customer.sort();
        customer.dedup();
        trust_lists.push(None);
        model.principals.push(graph::Principal {
            arn: group.arn.clone(),
            name: group.name.clone(),
            kind: PrincipalKind::Group,
            account: group.arn.split(':').nth(4).unwrap_or("").to_string(),
            policies: Policies {
                identity,
                boundary: None,
                scps: &scp_grants,
            },
            trust: None,
            groups: vec![g],
            attached_customer_policies: customer,
            identity_sources: model.groups[g].identity_sources.clone(),
            privileged: matches_privileged(group, &privileged),
        });
    }
    let declared_count = model.principals.len();
    add_externals(&mut model, &privileged);
    // Subjects are named by ARN, or by the name infrastructure code gives them.
    let declared: Vec<(String, Option<String>)> = entries
        .iter()
        .map(|(p, _)| *p)
        .chain(dump.groups.iter().take(group_own_labels.len()))
        .map(|p| {
            let file = p.declared.as_ref().and_then(|d| sources.get(d.page));
            (subject_name(p), file.map(|f| f.path.clone()))
        })
        .chain(
            model.principals[declared_count..]
                .iter()
                .map(|p| (p.arn.clone(), None)),
        )
        .collect();
    phases.done("read and evaluate");

    // Transitive access, for every non-privileged principal, in parallel.
    let graph = Graph::build(&model);
    phases.done("graph");
    // A question is answered for privileged principals too.
    let everyone = options.query.is_some();
    let reaches: Vec<Option<graph::Reach>> = (0..model.principals.len())
        .into_par_iter()
        .map(|i| (everyone || !model.principals[i].privileged).then(|| graph.reach(i)))
        .collect();
    phases.done("reach");

    let locate = |origin: graph::Origin| sources.get(origin.source).map(|s| s.locate(origin.span));
    // Each principal's subject and findings, in parallel, kept in principal order.
    let reviewed: Vec<(Subject, Vec<Finding>)> = model
        .principals
        .par_iter()
        .enumerate()
        .map(|(i, principal)| {
            let node = graph.plain(i);
            let access = graph.access(node);
            let reach = reaches[i].as_ref();
            let kind = match principal.kind {
                PrincipalKind::User => SubjectKind::User,
                PrincipalKind::Role => SubjectKind::Role,
                PrincipalKind::External => SubjectKind::External,
                PrincipalKind::Group => SubjectKind::Group,
            };
            let mut granted_by: BTreeMap<String, Vec<String>> = BTreeMap::new();
            for action in access.all().iter() {
                let by = principal
                    .policies
                    .identity
                    .iter()
                    .filter(|id| {
                        id.grants
                            .statements
                            .iter()
                            .any(|s| s.actions.contains(action))
                    })
                    .map(|id| id.label.to_string())
                    .collect();
                granted_by.insert(crate::catalog::qualified_name(action), by);
            }
            let reachable = reach.map_or(access, |r| r.reachable);
            // Every principal reviewed for paths (the non-privileged) lists them, even none.
            let paths: Option<Vec<AccessPath>> =
                reach.map(|r| r.paths.iter().map(|p| access_path(&graph, p)).collect());
            let (name, file) = &declared[i];
            let subject = Subject {
                name: name.clone(),
                file: file.clone(),
                kind,
                privileged: principal.privileged,
                allowed: access.unscoped.names(),
                scoped: access.scoped.names(),
                reachable: reachable.all().names(),
                paths,
                granted_by: (kind != SubjectKind::External).then_some(granted_by),
                trusted_by: trust_lists.get(i).cloned().flatten(),
            };
            let mut findings = Vec::new();
            if principal.privileged {
                return (subject, findings);
            }
            let documents: Vec<GrantingDocument> = principal
                .policies
                .identity
                .iter()
                .zip(&principal.identity_sources)
                .map(|(id, source)| GrantingDocument {
                    label: id.label,
                    source: &sources[*source],
                    grants: id.grants,
                })
                .collect();
            findings.extend(ecs_config_change::check(name, access, &documents));
            if let (Some(reach), Some(paths)) = (reach, &subject.paths) {
                let evidence: Vec<Vec<(graph::Origin, String)>> = reach
                    .paths
                    .iter()
                    .map(|p| {
                        p.steps
                            .iter()
                            .flat_map(|step| {
                                let label = format!(
                                    "{} {} → {}",
                                    step.id,
                                    crate::report::short_arn(&graph.describe(step.from)),
                                    crate::report::short_arn(&graph.describe(step.to))
                                );
                                step.evidence.iter().map(move |o| (*o, label.clone()))
                            })
                            .collect()
                    })
                    .collect();
                findings.extend(ecs_config_change_indirect::check(
                    name,
                    reach,
                    paths,
                    &evidence,
                    &locate,
                    &sources[0],
                ));
            }
            (subject, findings)
        })
        .collect();
    for (subject, findings) in reviewed {
        report.subjects.push(subject);
        report.findings.extend(findings);
    }
    if let Some(query) = &options.query {
        report.query = Some(answer(query, &report.subjects));
    }
    for source in sources {
        report.sources.insert(source.path.clone(), Arc::new(source));
    }
    crate::commands::check::apply_ignores(&mut report, settings);
    report.sort();
    phases.done("findings");
    if options.exit_after {
        // Freeing a large account's model piece by piece costs more than the review
        // itself; the process ends right after the report is written, and the OS
        // reclaims it whole.
        std::mem::forget(graph);
        std::mem::forget(model);
        std::mem::forget(managed);
        std::mem::forget(dump);
    }
    report
}

/// With `IAMLINT_GRAPH_STATS` set, how long each phase of a review took (stderr).
struct Phases(Option<std::time::Instant>);

impl Phases {
    fn new() -> Phases {
        Phases(std::env::var_os("IAMLINT_GRAPH_STATS").map(|_| std::time::Instant::now()))
    }

    fn done(&mut self, phase: &str) {
        if let Some(started) = self.0 {
            eprintln!("review: {phase} in {:?}", started.elapsed());
            self.0 = Some(std::time::Instant::now());
        }
    }
}

/// The answer to a question, from the subjects' access and paths.
fn answer(query: &Query, subjects: &[Subject]) -> QueryResult {
    let how = |subject: &Subject, action: &str| -> Option<QueryAnswer> {
        let direct = subject.allowed.iter().any(|a| a == action);
        let scoped = subject.scoped.iter().any(|a| a == action);
        let path = subject
            .paths
            .iter()
            .flatten()
            .find(|p| p.actions.iter().any(|a| a == action))
            .cloned();
        if !direct && !scoped && path.is_none() {
            return None;
        }
        Some(QueryAnswer {
            principal: subject.name.clone(),
            kind: subject.kind,
            privileged: subject.privileged,
            action: action.to_string(),
            // Held directly unscoped: no path can do better.
            direct: if direct {
                Some(false)
            } else if scoped && path.is_none() {
                Some(true)
            } else {
                None
            },
            granted_by: subject
                .granted_by
                .as_ref()
                .and_then(|g| g.get(action))
                .cloned()
                .unwrap_or_default(),
            path: if direct { None } else { path },
        })
    };
    match query {
        Query::WhoCan(action) => {
            let name = crate::catalog::qualified_name(*action);
            let mut answers: Vec<QueryAnswer> =
                subjects.iter().filter_map(|s| how(s, &name)).collect();
            answers.sort_by(|a, b| a.principal.cmp(&b.principal));
            QueryResult {
                question: format!("who can {name}"),
                answers,
            }
        }
        Query::Principal(arn) => {
            let answers = subjects
                .iter()
                .filter(|s| s.name == *arn)
                .flat_map(|s| s.reachable.iter().filter_map(|a| how(s, a)))
                .collect();
            QueryResult {
                question: format!("what can {arn} cause"),
                answers,
            }
        }
    }
}

/// The outside principals trust policies let in, as principals without policies.
fn add_externals(model: &mut graph::Account, privileged: &PrincipalMatcher) {
    let own: Vec<String> = {
        let mut own: Vec<String> = model.principals.iter().map(|p| p.account.clone()).collect();
        own.sort();
        own.dedup();
        own
    };
    let mut seen: Vec<String> = Vec::new();
    let mut externals = Vec::new();
    for principal in &model.principals {
        let Some((trust, _)) = principal.trust else {
            continue;
        };
        for (id, kind) in graph::trust::external_entries(trust, &own) {
            if seen.contains(&id) {
                continue;
            }
            seen.push(id.clone());
            let account = match &kind {
                graph::trust::ExternalKind::Aws(account) => account.clone(),
                _ => String::new(),
            };
            externals.push(graph::Principal {
                privileged: privileged.is_match(&id),
                arn: id.clone(),
                name: id,
                kind: PrincipalKind::External,
                account,
                policies: Policies::default(),
                trust: None,
                groups: Vec::new(),
                attached_customer_policies: Vec::new(),
                identity_sources: Vec::new(),
            });
        }
    }
    model.principals.extend(externals);
}

fn access_path(graph: &Graph, path: &graph::PathResult) -> AccessPath {
    AccessPath {
        actions: path.actions.names(),
        scoped: path.scoped,
        steps: path
            .steps
            .iter()
            .map(|step| AccessStep {
                kind: step.kind.as_str(),
                id: step.id.clone(),
                from: graph.describe(step.from),
                to: graph.describe(step.to),
                permissions: step.permissions.clone(),
                granted_by: step.granted_by.clone(),
            })
            .collect(),
    }
}

fn evaluated(label: String, document: &Document) -> Evaluated {
    Evaluated {
        label,
        source: document.page,
        grants: evaluate(&document.document),
    }
}

/// Unknown actions of an inline policy, reported once, about its owner.
fn report_unknown(report: &mut Report, owner: &str, sources: &[SourceFile], evaluated: &Evaluated) {
    for mut finding in unknown_action::check(owner, &sources[evaluated.source], &evaluated.grants) {
        finding.message = format!("{}: {}", evaluated.label, finding.message);
        report.findings.push(finding);
    }
}

/// The principals a role's trust policy allows, as `Type:id` (`Service:ecs-tasks.amazonaws.com`).
fn trusted_by(trust: &Document) -> Vec<String> {
    trusted_by_document(&trust.document)
}

fn trusted_by_document(trust: &PolicyDocument) -> Vec<String> {
    let mut out: Vec<String> = trust
        .statements
        .iter()
        .filter(|s| s.effect.value == crate::document::Effect::Allow)
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

/// Read the SCP files; each readable one is appended to `sources`.
fn read_scps(
    paths: &[PathBuf],
    settings: &Settings,
    report: &mut Report,
    sources: &mut Vec<SourceFile>,
) -> Vec<(usize, DocumentGrants)> {
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
                report.sources.insert(name, Arc::new(source));
                continue;
            }
        };
        match parse_policy_text(&source.text, DocumentKind::Identity) {
            Ok(document) => {
                let grants = evaluate(&document);
                sources.push(source);
                out.push((sources.len() - 1, grants));
            }
            Err(errors) => {
                invalid(report, &name, &source, &errors);
                report.sources.insert(name, Arc::new(source));
            }
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

/// Whether a `--privileged` glob matches a principal's ARN, name, path or declared name.
fn matches_privileged(principal: &Principal, privileged: &PrincipalMatcher) -> bool {
    [&principal.arn, &principal.name, &principal.path]
        .into_iter()
        .chain(principal.declared.as_ref().map(|d| &d.name))
        .any(|s| privileged.is_match(s.as_str()))
}

/// The name reports give a principal: its ARN, or its name in infrastructure code.
fn subject_name(principal: &Principal) -> String {
    match &principal.declared {
        Some(declared) => declared.name.clone(),
        None => principal.arn.clone(),
    }
}

/// An entity refers to something the model lacks: a dump is then incomplete (invalid);
/// infrastructure code refers to something outside it (unresolved, at the declaration).
fn missing(report: &mut Report, owner: &Principal, sources: &[SourceFile], what: &str) {
    if let Some(declared) = &owner.declared {
        let source = &sources[declared.page];
        report.findings.push(crate::rules::document_finding(
            &crate::rules::unresolved::RULE,
            &declared.name,
            source,
            &format!(
                "{} refers to {what}, which iamlint cannot evaluate",
                declared.name
            ),
            "refers to something outside the input",
            declared.span,
        ));
        return;
    }
    let source = sources.first().expect("a dump has pages");
    let message = format!(
        "{} refers to {what}, which is not in the dump (pass every page, and do not filter out entity types)",
        owner.arn
    );
    let label = "this dump is incomplete";
    report.findings.push(invalid_policy::located(
        &owner.arn,
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
