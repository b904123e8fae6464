//! Paths as reports show them: owned, named, serializable.

use serde::Serialize;

/// A chain of steps by which a principal becomes able to make `actions`.
#[derive(Clone, Debug, Serialize)]
pub struct AccessPath {
    pub actions: Vec<String>,
    pub scoped: bool,
    pub steps: Vec<AccessStep>,
}

#[derive(Clone, Debug, Serialize)]
pub struct AccessStep {
    /// `assume-role` or `escalation`.
    pub kind: &'static str,
    /// The catalog path id: `sts-001`, `iam-005`, `lambda-001`, …
    pub id: String,
    pub from: String,
    pub to: String,
    pub permissions: Vec<&'static str>,
    pub granted_by: Vec<String>,
}

impl AccessPath {
    /// `assume role/deploy → lambda-001 → role/x`: the steps only.
    pub fn compact_steps(&self) -> String {
        let steps: Vec<String> = self
            .steps
            .iter()
            .map(|step| {
                let to = short_arn(&step.to);
                match step.kind {
                    "assume-role" => format!("assume {to}"),
                    _ => format!("{} → {to}", step.id),
                }
            })
            .collect();
        steps.join(" → ")
    }

    /// `assume role/deploy → ecs:UpdateService`, `iam-008 → user/alice (unrestricted) → …`.
    pub fn compact(&self) -> String {
        let mut text = self.compact_steps();
        text.push_str(" → ");
        let shown: Vec<&str> = self.actions.iter().take(2).map(String::as_str).collect();
        text.push_str(&shown.join(", "));
        if self.actions.len() > 2 {
            text.push_str(&format!(" (+{} more)", self.actions.len() - 2));
        }
        text
    }
}

/// `role/deploy` for `arn:aws:iam::1:role/deploy` (suffixes such as " (unrestricted)" kept).
pub fn short_arn(arn: &str) -> &str {
    match arn.split(':').collect::<Vec<_>>().as_slice() {
        ["arn", _, "iam", _, _, resource] if !resource.is_empty() && *resource != "root" => {
            let start = arn.len() - resource.len();
            &arn[start..]
        }
        _ => arn,
    }
}
