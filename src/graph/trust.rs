//! Whom a role's trust policy lets in, read the way AWS evaluates it.
//!
//! Same account (IAM User Guide, "Policy evaluation logic"; "How IAM roles differ from
//! resource-based policies"): a trust policy that names the caller's own ARN lets it in
//! without any identity permission; one that names the caller's account
//! (`123456789012` or `arn:aws:iam::123456789012:root`) delegates to the account, so the
//! caller's identity policies must also allow `sts:AssumeRole` on the role. Where AWS
//! leaves room iamlint takes the side that does not hide access: `"AWS": "*"`,
//! `"Principal": "*"` and an Allow with `NotPrincipal` count as naming the caller
//! directly. A statement with a condition lets the caller in **scoped**. An
//! unconditional Deny that covers the caller keeps it out.

use crate::document::{Effect, PolicyDocument, Span, Statement};
use crate::eval::pattern::glob_match;

/// Who asks to assume the role.
#[derive(Clone, Copy, Debug)]
pub enum Caller<'a> {
    /// An IAM user or role (of this account or another), by ARN and account id.
    Aws { arn: &'a str, account: &'a str },
    /// An AWS service principal, `lambda.amazonaws.com`.
    Service(&'a str),
    /// A SAML or OIDC provider (ARN or name as the trust policy writes it).
    Federated(&'a str),
    /// Anyone (`*`): an external entry point.
    Anyone,
}

/// How a trust policy lets a caller in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Admission {
    /// The caller is named itself (no identity permission needed in the same account), or
    /// only through its account (its identity policies must allow `sts:AssumeRole`).
    pub direct: bool,
    pub scoped: bool,
    /// The statement that lets it in.
    pub span: Span,
}

/// The action a caller of this kind asks for.
fn action_for(caller: &Caller) -> &'static [&'static str] {
    match caller {
        Caller::Federated(_) => &["sts:AssumeRoleWithWebIdentity", "sts:AssumeRoleWithSAML"],
        _ => &["sts:AssumeRole"],
    }
}

fn covers_action(statement: &Statement, caller: &Caller) -> bool {
    let matched = action_for(caller).iter().any(|action| {
        statement
            .actions
            .patterns
            .iter()
            .any(|p| glob_match(&p.value, action))
    });
    matched != statement.actions.negated
}

/// The account id an AWS principal entry names: `123456789012`, or the root ARN.
fn account_of_entry(id: &str) -> Option<&str> {
    if id.len() == 12 && id.bytes().all(|b| b.is_ascii_digit()) {
        return Some(id);
    }
    let fields: Vec<&str> = id.split(':').collect();
    (fields.len() == 6 && fields[0] == "arn" && fields[2] == "iam" && fields[5] == "root")
        .then(|| fields[4])
}

/// Whether one principal entry names the caller: `Some(direct)`.
fn names(kind: &str, id: &str, caller: &Caller) -> Option<bool> {
    match (kind, caller) {
        ("*", _) => Some(true),
        ("AWS", _) if id == "*" => Some(true),
        ("AWS", Caller::Aws { arn, account }) => {
            if id == *arn {
                Some(true)
            } else if account_of_entry(id) == Some(account) {
                Some(false)
            } else {
                None
            }
        }
        ("Service", Caller::Service(service)) => (id == *service).then_some(true),
        ("Federated", Caller::Federated(provider)) => (id == *provider).then_some(true),
        _ => None,
    }
}

fn has_condition(statement: &Statement) -> bool {
    statement.condition.as_ref().is_some_and(|c| !c.is_empty)
}

/// Whether the statement's Principal (or NotPrincipal) covers the caller: `Some(direct)`.
fn covers_caller(statement: &Statement, caller: &Caller) -> Option<bool> {
    let principals = statement.principals.as_ref()?;
    let named = principals
        .entries
        .iter()
        .filter_map(|e| names(&e.kind, &e.id.value, caller))
        .max();
    if principals.negated {
        // NotPrincipal: everyone the list does not name.
        named.is_none().then_some(true)
    } else {
        named
    }
}

/// How `trust` lets `caller` in, if it does.
pub fn admits(trust: &PolicyDocument, caller: &Caller) -> Option<Admission> {
    let mut best: Option<Admission> = None;
    for statement in &trust.statements {
        if !covers_action(statement, caller) {
            continue;
        }
        let Some(direct) = covers_caller(statement, caller) else {
            continue;
        };
        match statement.effect.value {
            Effect::Deny if !has_condition(statement) => return None,
            // A conditional Deny may not apply: it keeps nobody out.
            Effect::Deny => {}
            Effect::Allow => {
                let scoped = has_condition(statement)
                    || statement.principals.as_ref().is_some_and(|p| p.negated);
                let candidate = Admission {
                    direct,
                    scoped,
                    span: statement.span,
                };
                // Prefer unscoped, then direct.
                let better = best.is_none_or(|b| (!scoped, direct) > (!b.scoped, b.direct));
                if better {
                    best = Some(candidate);
                }
            }
        }
    }
    best
}

/// The principals of a trust policy's Allow statements that are not IAM principals of
/// `own_accounts`: other accounts' principals, `*`, federated providers. Each is an
/// external entry point. Returns `(id, caller kind)` pairs as the policy writes them.
pub fn external_entries(
    trust: &PolicyDocument,
    own_accounts: &[String],
) -> Vec<(String, ExternalKind)> {
    let mut out = Vec::new();
    for statement in &trust.statements {
        if statement.effect.value != Effect::Allow {
            continue;
        }
        let Some(principals) = &statement.principals else {
            continue;
        };
        if principals.negated {
            out.push(("*".to_string(), ExternalKind::Anyone));
            continue;
        }
        for entry in &principals.entries {
            let id = entry.id.value.as_str();
            match entry.kind.as_str() {
                "*" => out.push(("*".to_string(), ExternalKind::Anyone)),
                "AWS" if id == "*" => out.push(("*".to_string(), ExternalKind::Anyone)),
                "AWS" => {
                    let account = account_of_entry(id).or_else(|| id.split(':').nth(4));
                    if let Some(account) = account {
                        if !own_accounts.iter().any(|a| a == account) {
                            out.push((id.to_string(), ExternalKind::Aws(account.to_string())));
                        }
                    }
                }
                "Federated" => out.push((id.to_string(), ExternalKind::Federated)),
                _ => {}
            }
        }
    }
    out.sort_by(|a, b| a.0.cmp(&b.0));
    out.dedup_by(|a, b| a.0 == b.0);
    out
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ExternalKind {
    /// A principal or account of another AWS account (its id).
    Aws(String),
    Federated,
    Anyone,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::document::DocumentKind;
    use crate::document::policy::parse_policy_text;

    fn trust(statements: &str) -> PolicyDocument {
        let text = format!(r#"{{"Version":"2012-10-17","Statement":[{statements}]}}"#);
        parse_policy_text(&text, DocumentKind::Trust).expect("fixture parses")
    }

    const ALICE: Caller = Caller::Aws {
        arn: "arn:aws:iam::111122223333:user/alice",
        account: "111122223333",
    };

    fn admission(statements: &str, caller: &Caller) -> Option<(bool, bool)> {
        admits(&trust(statements), caller).map(|a| (a.direct, a.scoped))
    }

    #[test]
    fn the_callers_arn_is_direct_its_account_delegates() {
        let by_arn = r#"{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:user/alice"},"Action":"sts:AssumeRole"}"#;
        assert_eq!(admission(by_arn, &ALICE), Some((true, false)));
        for account in ["111122223333", "arn:aws:iam::111122223333:root"] {
            let by_account = format!(
                r#"{{"Effect":"Allow","Principal":{{"AWS":"{account}"}},"Action":"sts:AssumeRole"}}"#
            );
            assert_eq!(
                admission(&by_account, &ALICE),
                Some((false, false)),
                "{account}"
            );
        }
        let other = r#"{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::999999999999:root"},"Action":"sts:AssumeRole"}"#;
        assert_eq!(admission(other, &ALICE), None);
    }

    #[test]
    fn principal_entries_with_few_fields_name_no_account() {
        // Found by the template fuzz target: a short entry once indexed past its fields.
        for id in [
            "arn",
            "arn:aws:iam",
            ":SAW:IAM::Use",
            "a:b:c:d:e",
            "arn:aws:iam::1:root:x",
        ] {
            assert_eq!(account_of_entry(id), None, "{id}");
        }
        assert_eq!(account_of_entry("arn:aws:iam::1:root"), Some("1"));
    }

    #[test]
    fn wildcards_and_not_principal_do_not_hide_access() {
        let star = r#"{"Effect":"Allow","Principal":"*","Action":"sts:AssumeRole"}"#;
        assert_eq!(admission(star, &ALICE), Some((true, false)));
        let aws_star = r#"{"Effect":"Allow","Principal":{"AWS":"*"},"Action":"sts:*"}"#;
        assert_eq!(admission(aws_star, &ALICE), Some((true, false)));
        let not = r#"{"Effect":"Allow","NotPrincipal":{"AWS":"arn:aws:iam::111122223333:user/bob"},"Action":"sts:AssumeRole"}"#;
        assert_eq!(admission(not, &ALICE), Some((true, true)));
        let not_alice = r#"{"Effect":"Allow","NotPrincipal":{"AWS":"arn:aws:iam::111122223333:user/alice"},"Action":"sts:AssumeRole"}"#;
        assert_eq!(admission(not_alice, &ALICE), None);
    }

    #[test]
    fn conditions_scope_and_unconditional_denies_keep_out() {
        let conditional = r#"{"Effect":"Allow","Principal":{"AWS":"111122223333"},"Action":"sts:AssumeRole","Condition":{"Bool":{"aws:MultiFactorAuthPresent":"true"}}}"#;
        assert_eq!(admission(conditional, &ALICE), Some((false, true)));
        let allow =
            r#"{"Effect":"Allow","Principal":{"AWS":"111122223333"},"Action":"sts:AssumeRole"}"#;
        let deny = r#"{"Effect":"Deny","Principal":{"AWS":"arn:aws:iam::111122223333:user/alice"},"Action":"sts:AssumeRole"}"#;
        assert_eq!(admission(&format!("{allow},{deny}"), &ALICE), None);
        let conditional_deny = r#"{"Effect":"Deny","Principal":{"AWS":"*"},"Action":"sts:AssumeRole","Condition":{"Bool":{"aws:SecureTransport":"false"}}}"#;
        assert_eq!(
            admission(&format!("{allow},{conditional_deny}"), &ALICE),
            Some((false, false))
        );
    }

    #[test]
    fn services_and_providers_need_their_own_action() {
        let service = r#"{"Effect":"Allow","Principal":{"Service":["ecs-tasks.amazonaws.com"]},"Action":"sts:AssumeRole"}"#;
        assert_eq!(
            admission(service, &Caller::Service("ecs-tasks.amazonaws.com")),
            Some((true, false))
        );
        assert_eq!(
            admission(service, &Caller::Service("lambda.amazonaws.com")),
            None
        );
        assert_eq!(admission(service, &ALICE), None);
        let oidc = r#"{"Effect":"Allow","Principal":{"Federated":"arn:aws:iam::111122223333:oidc-provider/token.actions.githubusercontent.com"},"Action":"sts:AssumeRoleWithWebIdentity"}"#;
        let github = Caller::Federated(
            "arn:aws:iam::111122223333:oidc-provider/token.actions.githubusercontent.com",
        );
        assert_eq!(admission(oidc, &github), Some((true, false)));
        let wrong_action =
            r#"{"Effect":"Allow","Principal":{"AWS":"111122223333"},"Action":"sts:TagSession"}"#;
        assert_eq!(admission(wrong_action, &ALICE), None);
    }

    #[test]
    fn external_entries_are_other_accounts_everyone_and_providers() {
        let doc = trust(
            r#"{"Effect":"Allow","Principal":{"AWS":["arn:aws:iam::999999999999:root","111122223333","arn:aws:iam::111122223333:user/alice"],"Federated":"cognito-identity.amazonaws.com","Service":"ec2.amazonaws.com"},"Action":["sts:AssumeRole","sts:AssumeRoleWithWebIdentity"]}"#,
        );
        let entries: Vec<String> = external_entries(&doc, &["111122223333".to_string()])
            .into_iter()
            .map(|(id, _)| id)
            .collect();
        assert_eq!(
            entries,
            [
                "arn:aws:iam::999999999999:root",
                "cognito-identity.amazonaws.com"
            ]
        );
    }
}
