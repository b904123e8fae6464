//! Who made a call: the principal behind a record's `userIdentity`, as the privileged
//! globs see it (a user or role ARN, with its name and path).

use crate::source::trail::UserIdentity;
use serde::Serialize;

/// The principal a record names, and what the report says about it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Actor {
    /// The principal: a user or role ARN, the root ARN, `service:NAME` for an AWS
    /// service, the identity provider for web-identity and SAML users.
    pub id: String,
    /// `userIdentity.type` as CloudTrail writes it (`Unknown` when absent).
    pub kind: String,
    /// The account the actor belongs to, when the record says.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub account: Option<String>,
    /// Its account differs from the account that received the call.
    pub cross_account: bool,
    /// The person or session behind it: an assumed role's session name (the SSO user of
    /// an `AWSReservedSSO_…` role), a federated user's name, a web-identity or SAML user.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub session: Option<String>,
    /// The AWS service that made the call on the actor's behalf (`invokedBy`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub via: Option<String>,
}

impl Actor {
    /// What privileged globs are matched against: the id, and for IAM ARNs the name and
    /// the path, as in `iamlint account`.
    pub fn names(&self) -> [&str; 3] {
        let (name, path) = name_and_path(&self.id).unwrap_or(("", ""));
        [self.id.as_str(), name, path]
    }

    /// An AWS service acting itself, or a service-linked role: only AWS can be them.
    pub fn is_aws(&self) -> bool {
        self.kind == "AWSService" || self.names()[2].starts_with("/aws-service-role/")
    }
}

/// `arn:aws:iam::1:role/a/b/name` → (`name`, `/a/b/`); `None` for other ids.
fn name_and_path(id: &str) -> Option<(&str, &str)> {
    let resource = id.strip_prefix("arn:")?.splitn(5, ':').nth(4)?;
    let slash = resource.find('/')?;
    let last = resource.rfind('/')?;
    Some((&resource[last + 1..], &resource[slash..=last]))
}

/// The actor of a record received by `recipient` (`recipientAccountId`).
pub fn resolve(identity: &UserIdentity, recipient: Option<&str>) -> Actor {
    let kind = identity.kind.clone().unwrap_or_else(|| "Unknown".into());
    let issuer = identity
        .session_context
        .as_ref()
        .and_then(|c| c.session_issuer.as_ref());
    let account = identity
        .account_id
        .clone()
        .or_else(|| issuer.and_then(|i| i.account_id.clone()))
        .or_else(|| {
            identity
                .arn
                .as_deref()
                .and_then(arn_account)
                .map(String::from)
        });
    let partition = identity
        .arn
        .as_deref()
        .and_then(|a| a.split(':').nth(1))
        .filter(|p| !p.is_empty())
        .unwrap_or("aws");
    let in_account = |resource: &str| {
        account
            .as_deref()
            .map(|a| format!("arn:{partition}:iam::{a}:{resource}"))
    };
    let last_segment = |arn: &str| arn.rsplit('/').next().map(String::from);
    let mut session = None;
    let mut via = identity.invoked_by.clone();
    let id = match kind.as_str() {
        "IAMUser" => identity.arn.clone().or_else(|| {
            identity
                .user_name
                .as_deref()
                .and_then(|n| in_account(&format!("user/{n}")))
        }),
        "Root" => identity.arn.clone().or_else(|| in_account("root")),
        "AssumedRole" => {
            session = identity.arn.as_deref().and_then(last_segment);
            issuer.and_then(|i| i.arn.clone()).or_else(|| {
                // arn:aws:sts::1:assumed-role/ROLE/SESSION, without the role's path.
                let arn = identity.arn.as_deref()?;
                let role = arn.split(":assumed-role/").nth(1)?.split('/').next()?;
                in_account(&format!("role/{role}"))
            })
        }
        "FederatedUser" => {
            session = identity.arn.as_deref().and_then(last_segment);
            issuer
                .and_then(|i| i.arn.clone())
                .or_else(|| identity.arn.clone())
        }
        "AWSService" => {
            via = None;
            identity
                .invoked_by
                .as_ref()
                .map(|service| format!("service:{service}"))
        }
        "WebIdentityUser" | "SAMLUser" => {
            session = identity.user_name.clone();
            identity.identity_provider.clone().or_else(|| {
                let principal = identity.principal_id.as_deref()?;
                principal
                    .rsplit_once(':')
                    .map(|(provider, _)| provider.to_string())
            })
        }
        "AWSAccount" => in_account("root"),
        "IdentityCenterUser" => {
            let behalf = identity.on_behalf_of.as_ref();
            session = behalf.and_then(|b| b.user_id.clone());
            behalf.and_then(|b| b.identity_store_arn.clone())
        }
        _ => identity.arn.clone(),
    };
    // The web identity behind a role (GitHub Actions' OIDC provider, say) joins its session.
    if let Some(provider) = identity
        .session_context
        .as_ref()
        .and_then(|c| c.web_id_federation_data.as_ref())
        .and_then(|w| w.federated_provider.as_deref())
    {
        // arn:aws:iam::1:oidc-provider/token.actions.githubusercontent.com → its host.
        let provider = provider
            .rsplit_once(":oidc-provider/")
            .map_or(provider, |(_, host)| host);
        session = Some(match session {
            Some(name) => format!("{name} (web identity {provider})"),
            None => format!("web identity {provider}"),
        });
    }
    let id = id
        .or_else(|| identity.principal_id.clone())
        .unwrap_or_else(|| format!("unknown {kind}"));
    let cross_account = match (&account, recipient) {
        (Some(a), Some(r)) => a != r,
        _ => false,
    };
    Actor {
        id,
        kind,
        account,
        cross_account,
        session,
        via,
    }
}

fn arn_account(arn: &str) -> Option<&str> {
    arn.split(':').nth(4).filter(|a| !a.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn actor(identity: serde_json::Value, recipient: &str) -> Actor {
        let identity: UserIdentity = serde_json::from_value(identity).unwrap();
        resolve(&identity, Some(recipient))
    }

    const HOME: &str = "111122223333";

    #[test]
    fn iam_user() {
        let a = actor(
            serde_json::json!({"type": "IAMUser", "principalId": "AIDAEXAMPLE", "arn": "arn:aws:iam::111122223333:user/dana", "accountId": HOME, "userName": "dana"}),
            HOME,
        );
        assert_eq!(a.id, "arn:aws:iam::111122223333:user/dana");
        assert_eq!(a.names(), [a.id.as_str(), "dana", "/"]);
        assert!(!a.cross_account && a.session.is_none() && !a.is_aws());
        let a = actor(
            serde_json::json!({"type": "IAMUser", "accountId": HOME, "userName": "sam"}),
            HOME,
        );
        assert_eq!(a.id, "arn:aws:iam::111122223333:user/sam");
    }

    #[test]
    fn assumed_sso_role_names_the_role_and_the_person() {
        let a = actor(
            serde_json::json!({"type": "AssumedRole", "principalId": "AROAEXAMPLE:alice@example.com",
                "arn": "arn:aws:sts::111122223333:assumed-role/AWSReservedSSO_Developer_0123abcd/alice@example.com",
                "accountId": HOME,
                "sessionContext": {"sessionIssuer": {"type": "Role", "principalId": "AROAEXAMPLE",
                    "arn": "arn:aws:iam::111122223333:role/aws-reserved/sso.amazonaws.com/eu-west-1/AWSReservedSSO_Developer_0123abcd",
                    "accountId": HOME, "userName": "AWSReservedSSO_Developer_0123abcd"},
                    "attributes": {"creationDate": "2026-11-20T09:00:00Z", "mfaAuthenticated": "false"}}}),
            HOME,
        );
        assert_eq!(
            a.id,
            "arn:aws:iam::111122223333:role/aws-reserved/sso.amazonaws.com/eu-west-1/AWSReservedSSO_Developer_0123abcd"
        );
        assert_eq!(a.session.as_deref(), Some("alice@example.com"));
        assert_eq!(a.names()[1], "AWSReservedSSO_Developer_0123abcd");
        assert_eq!(a.names()[2], "/aws-reserved/sso.amazonaws.com/eu-west-1/");
    }

    #[test]
    fn assumed_role_without_session_context_keeps_the_role_name() {
        let a = actor(
            serde_json::json!({"type": "AssumedRole", "arn": "arn:aws:sts::111122223333:assumed-role/deployer/run-1", "accountId": HOME}),
            HOME,
        );
        assert_eq!(a.id, "arn:aws:iam::111122223333:role/deployer");
        assert_eq!(a.session.as_deref(), Some("run-1"));
    }

    #[test]
    fn ci_role_through_web_identity_names_the_provider() {
        let a = actor(
            serde_json::json!({"type": "AssumedRole", "arn": "arn:aws:sts::111122223333:assumed-role/ci-deploy/GitHubActions",
                "accountId": HOME,
                "sessionContext": {"sessionIssuer": {"type": "Role", "arn": "arn:aws:iam::111122223333:role/ci-deploy", "accountId": HOME},
                    "webIdFederationData": {"federatedProvider": "arn:aws:iam::111122223333:oidc-provider/token.actions.githubusercontent.com", "attributes": {}}}}),
            HOME,
        );
        assert_eq!(a.id, "arn:aws:iam::111122223333:role/ci-deploy");
        assert_eq!(
            a.session.as_deref(),
            Some("GitHubActions (web identity token.actions.githubusercontent.com)")
        );
    }

    #[test]
    fn service_linked_role_is_aws() {
        let a = actor(
            serde_json::json!({"type": "AssumedRole", "arn": "arn:aws:sts::111122223333:assumed-role/AWSServiceRoleForApplicationAutoScaling_ECSService/AutoScaling",
                "accountId": HOME, "invokedBy": "application-autoscaling.amazonaws.com",
                "sessionContext": {"sessionIssuer": {"type": "Role", "arn": "arn:aws:iam::111122223333:role/aws-service-role/ecs.application-autoscaling.amazonaws.com/AWSServiceRoleForApplicationAutoScaling_ECSService"}}}),
            HOME,
        );
        assert!(a.is_aws());
        assert_eq!(
            a.via.as_deref(),
            Some("application-autoscaling.amazonaws.com")
        );
    }

    #[test]
    fn root() {
        let a = actor(
            serde_json::json!({"type": "Root", "principalId": HOME, "arn": "arn:aws:iam::111122223333:root", "accountId": HOME}),
            HOME,
        );
        assert_eq!(
            (a.id.as_str(), a.kind.as_str()),
            ("arn:aws:iam::111122223333:root", "Root")
        );
        let a = actor(serde_json::json!({"type": "Root", "accountId": HOME}), HOME);
        assert_eq!(a.id, "arn:aws:iam::111122223333:root");
    }

    #[test]
    fn federated_user_is_its_issuing_user() {
        let a = actor(
            serde_json::json!({"type": "FederatedUser", "principalId": "111122223333:bob",
                "arn": "arn:aws:sts::111122223333:federated-user/bob", "accountId": HOME,
                "sessionContext": {"sessionIssuer": {"type": "IAMUser", "arn": "arn:aws:iam::111122223333:user/broker", "userName": "broker"}}}),
            HOME,
        );
        assert_eq!(a.id, "arn:aws:iam::111122223333:user/broker");
        assert_eq!(a.session.as_deref(), Some("bob"));
    }

    #[test]
    fn aws_service() {
        let a = actor(
            serde_json::json!({"type": "AWSService", "invokedBy": "ecs.amazonaws.com"}),
            HOME,
        );
        assert_eq!(a.id, "service:ecs.amazonaws.com");
        assert!(a.is_aws() && a.via.is_none());
    }

    #[test]
    fn web_identity_and_saml_users_are_their_provider() {
        let a = actor(
            serde_json::json!({"type": "WebIdentityUser", "principalId": "accounts.google.com:app:1234", "userName": "1234", "identityProvider": "accounts.google.com"}),
            HOME,
        );
        assert_eq!(
            (a.id.as_str(), a.session.as_deref()),
            ("accounts.google.com", Some("1234"))
        );
        let a = actor(
            serde_json::json!({"type": "SAMLUser", "principalId": "arn:aws:iam::111122223333:saml-provider/Okta:jo", "userName": "jo"}),
            HOME,
        );
        assert_eq!(a.id, "arn:aws:iam::111122223333:saml-provider/Okta");
        assert_eq!(a.session.as_deref(), Some("jo"));
    }

    #[test]
    fn another_account() {
        let a = actor(
            serde_json::json!({"type": "AWSAccount", "principalId": "AIDAOTHER", "accountId": "444455556666"}),
            HOME,
        );
        assert_eq!(a.id, "arn:aws:iam::444455556666:root");
        assert!(a.cross_account);
    }

    #[test]
    fn cross_account_role() {
        let a = actor(
            serde_json::json!({"type": "AssumedRole", "arn": "arn:aws:sts::444455556666:assumed-role/vendor-ops/s1",
                "accountId": "444455556666",
                "sessionContext": {"sessionIssuer": {"type": "Role", "arn": "arn:aws:iam::444455556666:role/vendor-ops"}}}),
            HOME,
        );
        assert_eq!(a.id, "arn:aws:iam::444455556666:role/vendor-ops");
        assert!(a.cross_account);
        assert_eq!(a.account.as_deref(), Some("444455556666"));
    }

    #[test]
    fn identity_center_user() {
        let a = actor(
            serde_json::json!({"type": "IdentityCenterUser", "accountId": HOME,
                "onBehalfOf": {"userId": "94482488-3041-7026-18f3-be45837cd0e4", "identityStoreArn": "arn:aws:identitystore::111122223333:identitystore/d-9067642ac7"}}),
            HOME,
        );
        assert_eq!(
            a.id,
            "arn:aws:identitystore::111122223333:identitystore/d-9067642ac7"
        );
        assert_eq!(
            a.session.as_deref(),
            Some("94482488-3041-7026-18f3-be45837cd0e4")
        );
    }

    #[test]
    fn unknown_or_empty_identity_is_still_an_actor() {
        let a = actor(
            serde_json::json!({"type": "Brand-New", "principalId": "X1"}),
            HOME,
        );
        assert_eq!((a.id.as_str(), a.kind.as_str()), ("X1", "Brand-New"));
        let a = actor(serde_json::json!({}), HOME);
        assert_eq!(
            (a.id.as_str(), a.kind.as_str()),
            ("unknown Unknown", "Unknown")
        );
    }
}
