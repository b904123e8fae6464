//! `iamlint rules`, `iamlint explain RULE`, `iamlint expand PATTERN…`: what iamlint knows.

use crate::catalog::{self, ActionSet, ECS_ACTIONS};
use crate::eval::pattern::expand;
use crate::rules::{self, RULES};
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
    Ok(())
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

/// The catalog actions the patterns match (or, with `not`, do not match), one per line
/// with its access level. Returns the patterns that named our service but matched nothing.
pub fn expand_patterns(
    patterns: &[String],
    not: bool,
    out: &mut dyn Write,
) -> io::Result<Vec<String>> {
    let mut matched = ActionSet::EMPTY;
    let mut unknown = Vec::new();
    for pattern in patterns {
        let expansion = expand(pattern);
        if expansion.unknown {
            unknown.push(pattern.clone());
        }
        matched = matched.union(expansion.actions);
    }
    if not {
        matched = matched.complement();
    }
    for index in matched.iter() {
        let info = &ECS_ACTIONS[index];
        writeln!(
            out,
            "{:40} {}",
            catalog::qualified_name(index),
            info.access.as_str()
        )?;
    }
    Ok(unknown)
}
