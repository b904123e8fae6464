//! What one policy document grants and denies of the tracked actions.

use super::Grants;
use super::pattern::{Unknown, expand};
use super::resource::can_name_resource_of;
use crate::catalog::{self, ActionSet};
use crate::document::{Effect, PatternList, PolicyDocument, Span, Statement};

/// One Allow statement's contribution, kept to locate findings at the statement and to
/// match its resources against an account's concrete ARNs.
#[derive(Clone, Debug, PartialEq)]
pub struct StatementGrant {
    /// 0-based position in the document's Statement list.
    pub index: usize,
    pub sid: Option<String>,
    /// Tracked actions granted: matched by the action part, on resources that can be of
    /// the action's service.
    pub actions: ActionSet,
    pub scoped: bool,
    /// A non-empty `Condition`.
    pub conditional: bool,
    pub resources: Resources,
    /// The `Action`/`NotAction` value.
    pub span: Span,
}

/// The resources of a statement, for matching concrete ARNs.
#[derive(Clone, Debug, PartialEq)]
pub enum Resources {
    /// `Resource` holds `*`.
    Star,
    /// `NotResource`: counts as able to name any resource (scoped).
    Not,
    /// ARN patterns, variables unresolved (`${aws:username}`).
    Patterns(Vec<String>),
}

impl Resources {
    fn of(statement: &Statement) -> Resources {
        match &statement.resources {
            None => Resources::Star,
            Some(r) if r.negated => Resources::Not,
            Some(r) if r.patterns.iter().any(|p| p.value == "*") => Resources::Star,
            Some(r) => Resources::Patterns(r.patterns.iter().map(|p| p.value.clone()).collect()),
        }
    }
}

/// An unconditional Deny whose `Resource` names particular ARNs: it removes its actions
/// for those targets only.
#[derive(Clone, Debug, PartialEq)]
pub struct TargetedDeny {
    pub actions: ActionSet,
    pub patterns: Vec<String>,
}

/// A pattern that names an unknown service, or no action of a known one.
#[derive(Clone, Debug, PartialEq)]
pub struct UnknownAction {
    pub pattern: String,
    pub kind: Unknown,
    pub span: Span,
}

#[derive(Clone, Debug, Default, PartialEq)]
pub struct DocumentGrants {
    /// Union of the Allow statements, before any Deny.
    pub allowed: Grants,
    /// Actions removed by unconditional `Resource: "*"` Denies.
    pub denied: ActionSet,
    /// Unconditional Denies limited to named resources (actions of other services than
    /// the monitored one, whose targets an account review knows).
    pub targeted_denies: Vec<TargetedDeny>,
    /// Allow statements that grant at least one tracked action, in document order.
    pub statements: Vec<StatementGrant>,
    pub unknown_actions: Vec<UnknownAction>,
}

impl DocumentGrants {
    /// The document's own effect: its Allows minus its unconditional Denies.
    pub fn net(&self) -> Grants {
        self.allowed.minus(self.denied)
    }
}

pub fn evaluate(document: &PolicyDocument) -> DocumentGrants {
    let mut grants = DocumentGrants::default();
    for statement in &document.statements {
        let matched = matched_actions(&statement.actions, &mut grants.unknown_actions);
        if matched.is_empty() {
            continue;
        }
        let actions = nameable(statement, matched);
        if actions.is_empty() {
            continue;
        }
        match statement.effect.value {
            Effect::Allow => {
                let scoped = is_scoped(statement);
                grants.allowed.add(actions, scoped);
                grants.statements.push(StatementGrant {
                    index: statement.index,
                    sid: statement.sid.as_ref().map(|s| s.value.clone()),
                    actions,
                    scoped,
                    conditional: has_condition(statement),
                    resources: Resources::of(statement),
                    span: statement.actions.span,
                });
            }
            Effect::Deny if has_condition(statement) => {
                // A conditional Deny may not apply: a linter must not hide possible
                // access, so it removes nothing.
            }
            Effect::Deny => match Resources::of(statement) {
                Resources::Star => grants.denied = grants.denied.union(actions),
                Resources::Patterns(patterns) => {
                    // Only concrete targets (roles, users, policies) can be matched;
                    // monitored actions act on resources iamlint does not enumerate.
                    let actions = actions.minus(catalog::tracked_of(catalog::MONITORED_SERVICE));
                    if !actions.is_empty() {
                        grants
                            .targeted_denies
                            .push(TargetedDeny { actions, patterns });
                    }
                }
                // A NotResource Deny may not cover the target: it removes nothing.
                Resources::Not => {}
            },
        }
    }
    grants
}

/// Tracked actions the Action/NotAction value covers; records unknown patterns.
fn matched_actions(list: &PatternList, unknown: &mut Vec<UnknownAction>) -> ActionSet {
    let mut matched = ActionSet::EMPTY;
    for pattern in &list.patterns {
        let expansion = expand(&pattern.value);
        if let Some(kind) = expansion.unknown {
            unknown.push(UnknownAction {
                pattern: pattern.value.clone(),
                kind,
                span: pattern.span,
            });
        }
        matched = matched.union(expansion.actions);
    }
    if list.negated {
        matched.complement()
    } else {
        matched
    }
}

fn has_condition(statement: &Statement) -> bool {
    statement.condition.as_ref().is_some_and(|c| !c.is_empty)
}

fn resource_has_star(statement: &Statement) -> bool {
    statement
        .resources
        .as_ref()
        .is_some_and(|r| !r.negated && r.patterns.iter().any(|p| p.value == "*"))
}

/// The matched actions whose service's resources the statement's `Resource` can name.
/// `NotResource` (and a trust policy's missing Resource) counts as able to.
fn nameable(statement: &Statement, matched: ActionSet) -> ActionSet {
    let patterns = match &statement.resources {
        Some(r) if !r.negated => &r.patterns,
        _ => return matched,
    };
    if patterns.iter().any(|p| p.value == "*") {
        return matched;
    }
    let mut out = ActionSet::EMPTY;
    for &(service, of_service) in catalog::tracked_services() {
        let here = matched.intersect(of_service);
        if !here.is_empty()
            && patterns
                .iter()
                .any(|p| can_name_resource_of(service, &p.value))
        {
            out = out.union(here);
        }
    }
    out
}

fn is_scoped(statement: &Statement) -> bool {
    has_condition(statement) || !resource_has_star(statement)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::document::DocumentKind;
    use crate::document::policy::parse_policy_text;

    /// Evaluate the statements given as JSON text (joined into a policy).
    fn grants(statements: &str) -> DocumentGrants {
        let text = format!(r#"{{"Version":"2012-10-17","Statement":[{statements}]}}"#);
        let document = parse_policy_text(&text, DocumentKind::Identity)
            .unwrap_or_else(|e| panic!("fixture does not parse: {e:?}\n{text}"));
        evaluate(&document)
    }

    fn names(set: ActionSet) -> Vec<String> {
        set.names()
    }

    fn net(statements: &str) -> (Vec<String>, Vec<String>) {
        let g = grants(statements).net();
        (names(g.unscoped), names(g.scoped))
    }

    const ALL_STAR: &str = r#"{"Effect":"Allow","Action":"ecs:*","Resource":"*"}"#;

    #[test]
    fn allow_with_star_resource_grants_unscoped() {
        let g = grants(ALL_STAR).net();
        assert_eq!(g.unscoped, catalog::tracked_of("ecs"));
        assert!(g.scoped.is_empty());
    }

    #[test]
    fn question_mark_and_mixed_case_patterns() {
        let (unscoped, _) = net(
            r#"{"Effect":"Allow","Action":["ECS:?pdateservice","eCs:deleteCLUSTER"],"Resource":"*"}"#,
        );
        assert_eq!(unscoped, ["ecs:DeleteCluster", "ecs:UpdateService"]);
    }

    #[test]
    fn not_action_grants_every_catalog_action_it_does_not_match() {
        let g = grants(
            r#"{"Effect":"Allow","NotAction":["ecs:Describe*","ecs:List*","s3:*"],"Resource":"*"}"#,
        )
        .net();
        assert!(
            g.unscoped.contains(catalog::known("iam:PassRole")),
            "other services too"
        );
        let g = g.restrict_to(catalog::tracked_of("ecs"));
        let names = names(g.unscoped);
        assert!(names.contains(&"ecs:UpdateService".to_string()));
        assert!(
            !names
                .iter()
                .any(|n| n.starts_with("ecs:Describe") || n.starts_with("ecs:List"))
        );
        assert_eq!(
            g.unscoped,
            catalog::tracked_of("ecs").minus(
                crate::eval::pattern::expand("ecs:Describe*")
                    .actions
                    .union(crate::eval::pattern::expand("ecs:List*").actions)
            )
        );
    }

    #[test]
    fn not_action_in_an_unconditional_deny_removes_everything_else() {
        let (unscoped, scoped) = net(&format!(
            r#"{ALL_STAR},{{"Effect":"Deny","NotAction":"ecs:UpdateService","Resource":"*"}}"#
        ));
        assert_eq!(unscoped, ["ecs:UpdateService"]);
        assert!(scoped.is_empty());
    }

    #[test]
    fn arns_that_can_name_ecs_resources_grant_scoped() {
        for resource in [
            "arn:aws:ecs:*:*:*",
            "arn:*:ecs:*:*:cluster/prod",
            "arn:aws:ecs:us-east-?:123456789012:service/prod/*",
        ] {
            let (unscoped, scoped) = net(&format!(
                r#"{{"Effect":"Allow","Action":"ecs:UpdateService","Resource":"{resource}"}}"#
            ));
            assert!(unscoped.is_empty(), "{resource}");
            assert_eq!(scoped, ["ecs:UpdateService"], "{resource}");
        }
    }

    #[test]
    fn foreign_service_arns_grant_nothing() {
        let g = grants(
            r#"{"Effect":"Allow","Action":"ecs:*","Resource":["arn:aws:s3:::*","arn:aws:iam::*:role/*"]}"#,
        );
        assert_eq!(g.net(), Grants::default());
        assert!(g.statements.is_empty());
    }

    #[test]
    fn a_resource_list_with_star_is_unscoped() {
        let (unscoped, scoped) = net(
            r#"{"Effect":"Allow","Action":"ecs:UpdateService","Resource":["arn:aws:s3:::x","*"]}"#,
        );
        assert_eq!((unscoped.len(), scoped.len()), (1, 0));
    }

    #[test]
    fn not_resource_counts_as_able_and_scoped() {
        let (unscoped, scoped) = net(
            r#"{"Effect":"Allow","Action":"ecs:UpdateService","NotResource":"arn:aws:ecs:*:*:cluster/prod"}"#,
        );
        assert!(unscoped.is_empty());
        assert_eq!(scoped, ["ecs:UpdateService"]);
    }

    #[test]
    fn a_non_empty_condition_scopes_and_an_empty_one_does_not() {
        let (unscoped, scoped) = net(
            r#"{"Effect":"Allow","Action":"ecs:UpdateService","Resource":"*","Condition":{"StringEquals":{"ecs:cluster":"x"}}}"#,
        );
        assert_eq!((unscoped.len(), scoped.len()), (0, 1));
        let (unscoped, scoped) =
            net(r#"{"Effect":"Allow","Action":"ecs:UpdateService","Resource":"*","Condition":{}}"#);
        assert_eq!((unscoped.len(), scoped.len()), (1, 0));
    }

    #[test]
    fn granted_both_ways_counts_as_unscoped() {
        let (unscoped, scoped) = net(r#"
            {"Effect":"Allow","Action":"ecs:UpdateService","Resource":"arn:aws:ecs:*:*:*"},
            {"Effect":"Allow","Action":["ecs:UpdateService","ecs:DeleteService"],"Resource":"*"},
            {"Effect":"Allow","Action":"ecs:CreateService","Resource":"*","Condition":{"Bool":{"aws:SecureTransport":"true"}}}
        "#);
        assert_eq!(unscoped, ["ecs:DeleteService", "ecs:UpdateService"]);
        assert_eq!(scoped, ["ecs:CreateService"]);
    }

    #[test]
    fn only_an_unconditional_star_deny_subtracts() {
        let deny = |extra: &str| {
            net(&format!(
                r#"{ALL_STAR},{{"Effect":"Deny","Action":"ecs:UpdateService",{extra}}}"#
            ))
            .0
            .contains(&"ecs:UpdateService".to_string())
        };
        assert!(!deny(r#""Resource":"*""#), "unconditional * deny removes");
        assert!(
            !deny(r#""Resource":["arn:aws:s3:::x","*"]"#),
            "a list including * counts"
        );
        assert!(
            !deny(r#""Resource":"*","Condition":{}"#),
            "an empty condition is no condition"
        );
        assert!(
            deny(r#""Resource":"*","Condition":{"Bool":{"aws:MultiFactorAuthPresent":"false"}}"#),
            "conditional deny keeps"
        );
        assert!(
            deny(r#""Resource":"arn:aws:ecs:*:*:*""#),
            "a deny without * keeps"
        );
        assert!(
            deny(r#""NotResource":"arn:aws:ecs:*:*:cluster/x""#),
            "a NotResource deny keeps"
        );
    }

    #[test]
    fn a_deny_never_removes_from_other_services_patterns() {
        let (unscoped, _) = net(&format!(
            r#"{ALL_STAR},{{"Effect":"Deny","Action":"s3:*","Resource":"*"}}"#
        ));
        assert_eq!(unscoped.len(), catalog::tracked_of("ecs").len());
    }

    #[test]
    fn statement_grants_keep_their_location_sid_and_strength() {
        let g = grants(
            r#"
            {"Sid":"A","Effect":"Allow","Action":"ecs:UpdateService","Resource":"*"},
            {"Effect":"Allow","Action":"s3:GetObject","Resource":"*"},
            {"Effect":"Allow","Action":"ecs:DeleteService","Resource":"arn:aws:ecs:*:*:*"}
        "#,
        );
        assert_eq!(g.statements.len(), 2);
        assert_eq!(
            (
                g.statements[0].index,
                g.statements[0].sid.as_deref(),
                g.statements[0].scoped
            ),
            (0, Some("A"), false)
        );
        assert_eq!(
            (
                g.statements[1].index,
                g.statements[1].sid.as_deref(),
                g.statements[1].scoped
            ),
            (2, None, true)
        );
    }

    #[test]
    fn unknown_ecs_patterns_are_recorded_in_allow_deny_and_not_action() {
        let g = grants(
            r#"
            {"Effect":"Allow","Action":["ecs:UpdateServices","s3:Nope"],"Resource":"*"},
            {"Effect":"Deny","NotAction":"ecs:DescribeClustr","Resource":"*"}
        "#,
        );
        let unknown: Vec<&str> = g
            .unknown_actions
            .iter()
            .map(|u| u.pattern.as_str())
            .collect();
        assert_eq!(
            unknown,
            ["ecs:UpdateServices", "s3:Nope", "ecs:DescribeClustr"]
        );
    }
}
