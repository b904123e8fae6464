//! `iamlint rules`, `iamlint explain RULE`, `iamlint expand PATTERN…`: what iamlint knows.

use crate::catalog::{self, ServiceInfo};
use crate::eval::pattern::{expand, glob_match};
use crate::rules::{self, RULES, unknown_action};
use std::io::{self, Write};

pub fn list_rules(out: &mut dyn Write) -> io::Result<()> {
    let width = RULES.iter().map(|r| r.id.len()).max().unwrap_or(0);
    for rule in RULES {
        writeln!(
            out,
            "{:width$}  {:7}  {}",
            rule.id,
            rule.level.as_str(),
            rule.summary
        )?;
    }
    writeln!(
        out,
        "\nPacks of monitored actions (--monitor PACK; default ecs-config):"
    )?;
    for pack in catalog::PACKS {
        let names = pack.names();
        writeln!(
            out,
            "\n{} ({} actions): {}",
            pack.name,
            names.len(),
            pack.summary
        )?;
        for line in wrap(&names.join(", "), 88) {
            writeln!(out, "  {line}")?;
        }
    }
    Ok(())
}

/// Break text at spaces into lines of at most `width` characters (longer words stand alone).
fn wrap(text: &str, width: usize) -> Vec<String> {
    let mut lines: Vec<String> = Vec::new();
    for word in text.split(' ') {
        match lines.last_mut() {
            Some(line) if line.len() + 1 + word.len() <= width => {
                line.push(' ');
                line.push_str(word);
            }
            _ => lines.push(word.to_string()),
        }
    }
    lines
}

/// Explanation of a rule, or `Err` listing the known ids.
pub fn explain(id: &str, out: &mut dyn Write) -> io::Result<Result<(), String>> {
    match rules::rule(id) {
        Some(rule) => {
            out.write_all(rule.explanation.as_bytes())?;
            Ok(Ok(()))
        }
        None => {
            let known: Vec<&str> = RULES.iter().map(|r| r.id).collect();
            Ok(Err(format!(
                "unknown rule `{id}` (rules: {})",
                known.join(", ")
            )))
        }
    }
}

/// The catalog actions the patterns match (or, with `not`, the actions of the services
/// the patterns name that they do not match: what `NotAction` grants there), one per line
/// with its access level, sorted. Returns a warning for each pattern that names an unknown
/// service or matches no action of its service.
pub fn expand_patterns(
    patterns: &[String],
    not: bool,
    out: &mut dyn Write,
) -> io::Result<Vec<String>> {
    let warnings = patterns
        .iter()
        .filter_map(|p| {
            expand(p)
                .unknown
                .map(|kind| unknown_action::message(p, kind))
        })
        .collect();
    let matches = |qualified: &str| patterns.iter().any(|p| glob_match(p, qualified));
    let named = |service: &ServiceInfo| {
        patterns.iter().any(|p| {
            let part = p.split_once(':').map_or(p.as_str(), |(s, _)| s);
            glob_match(part, service.prefix)
        })
    };
    let mut lines: Vec<(String, &str)> = Vec::new();
    for service in catalog::SERVICES {
        if not && !named(service) {
            continue;
        }
        for action in service.actions {
            let qualified = format!("{}:{}", service.prefix, action.name);
            if matches(&qualified) != not {
                lines.push((qualified, action.access.as_str()));
            }
        }
    }
    lines.sort();
    for (qualified, access) in lines {
        writeln!(out, "{qualified:40} {access}")?;
    }
    Ok(warnings)
}
