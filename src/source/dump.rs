//! `aws iam get-account-authorization-details` output: users, groups, roles and managed
//! policies, read with the span-aware JSON reader so findings point into the dump file.
//! Documents arrive as JSON objects (what the AWS CLI prints) or URL-encoded strings
//! (what the IAM API returns); several files are the pages of one dump.

use crate::document::json::{self, Node, Value};
use crate::document::policy::{parse_document, parse_embedded};
use crate::document::{DocumentKind, PolicyDocument, PolicyError, Span};

/// A policy document and where it stands.
pub struct Document {
    /// Index of the dump file (page) it was read from.
    pub page: usize,
    pub document: PolicyDocument,
}

pub struct InlinePolicy {
    pub name: String,
    pub document: Document,
}

pub struct ManagedPolicy {
    pub arn: String,
    pub name: String,
    /// The default version's document: the only one IAM evaluates.
    pub document: Document,
}

pub struct Principal {
    pub name: String,
    pub arn: String,
    pub path: String,
    pub inline: Vec<InlinePolicy>,
    pub attached: Vec<String>,
    pub boundary: Option<String>,
    /// Users: the groups they belong to.
    pub groups: Vec<String>,
    /// Roles: the assume-role (trust) policy.
    pub trust: Option<Document>,
    /// Infrastructure code: where it is declared; reports name it so. None in a dump.
    pub declared: Option<Declared>,
}

/// The name infrastructure code gives a principal (a logical id, a resource address) and
/// where it stands.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Declared {
    pub name: String,
    pub page: usize,
    pub span: Span,
}

#[derive(Default)]
pub struct Dump {
    pub users: Vec<Principal>,
    pub groups: Vec<Principal>,
    pub roles: Vec<Principal>,
    pub policies: Vec<ManagedPolicy>,
}

/// What went wrong reading one page: located errors, or a whole-file problem.
#[derive(Debug)]
pub struct DumpError {
    pub page: usize,
    pub errors: Vec<PolicyError>,
}

fn error(span: Span, message: impl Into<String>, label: impl Into<String>) -> PolicyError {
    PolicyError {
        message: message.into(),
        label: label.into(),
        span,
    }
}

impl Dump {
    /// Add one page (the text of one dump file). Every problem is collected, so the user
    /// sees all of them at once; a page with any error adds nothing.
    pub fn add_page(&mut self, page: usize, text: &str) -> Result<(), DumpError> {
        let fail = |errors| DumpError { page, errors };
        let mut root =
            json::parse(text).map_err(|e| fail(vec![error(e.span, e.message, "here")]))?;
        let Value::Object(_) = &root.value else {
            return Err(fail(vec![error(
                root.span,
                format!(
                    "an authorization-details dump must be a JSON object, found {}",
                    root.type_name()
                ),
                "expected the output of `aws iam get-account-authorization-details`",
            )]));
        };
        let known = [
            "UserDetailList",
            "GroupDetailList",
            "RoleDetailList",
            "Policies",
        ];
        if !known.iter().any(|k| root.get(k).is_some()) {
            return Err(fail(vec![error(
                Span {
                    start: root.span.start,
                    end: root.span.start + 1,
                },
                "not an authorization-details dump: none of UserDetailList, GroupDetailList, RoleDetailList, Policies",
                "expected the output of `aws iam get-account-authorization-details`",
            )]));
        }
        if root
            .get("IsTruncated")
            .is_some_and(|t| t.value == Value::Bool(true))
        {
            return Err(fail(vec![error(
                root.get("IsTruncated").map_or(root.span, |t| t.span),
                "this page is truncated and the next page is missing: pass every page (the AWS CLI paginates for you without --max-items)",
                "IsTruncated is true",
            )]));
        }
        let mut reader = Reader {
            page,
            errors: Vec::new(),
        };
        let part = Dump {
            users: reader.principals(&mut root, "UserDetailList", "UserName", "UserPolicyList"),
            groups: reader.principals(&mut root, "GroupDetailList", "GroupName", "GroupPolicyList"),
            roles: reader.principals(&mut root, "RoleDetailList", "RoleName", "RolePolicyList"),
            policies: reader.policies(&mut root),
        };
        if !reader.errors.is_empty() {
            return Err(fail(reader.errors));
        }
        self.users.extend(part.users);
        self.groups.extend(part.groups);
        self.roles.extend(part.roles);
        self.policies.extend(part.policies);
        Ok(())
    }
}

struct Reader {
    page: usize,
    errors: Vec<PolicyError>,
}

impl Reader {
    /// The list `key` of `node`: mutable, as policy documents are moved out of it.
    fn list<'a>(&mut self, node: &'a mut Node, key: &str) -> &'a mut [Node] {
        match node.get_mut(key) {
            None => &mut [],
            Some(Node {
                value: Value::Array(items),
                ..
            }) => items,
            Some(other) => {
                self.errors.push(error(
                    other.span,
                    format!("`{key}` must be a list, found {}", other.type_name()),
                    "expected a list",
                ));
                &mut []
            }
        }
    }

    fn string(&mut self, node: &Node, key: &str) -> Option<String> {
        match node.get(key) {
            Some(Node {
                value: Value::String(s),
                ..
            }) => Some(s.clone()),
            Some(other) => {
                self.errors.push(error(
                    other.span,
                    format!("`{key}` must be a string, found {}", other.type_name()),
                    "expected a string",
                ));
                None
            }
            None => {
                self.errors.push(error(
                    Span {
                        start: node.span.start,
                        end: node.span.start + 1,
                    },
                    format!("missing `{key}`"),
                    format!("this entry has no `{key}`"),
                ));
                None
            }
        }
    }

    fn document(&mut self, node: &mut Node, key: &str, kind: DocumentKind) -> Option<Document> {
        if node.get(key).is_none() {
            self.string(node, key); // reports the missing key
            return None;
        }
        let value = node.get_mut(key)?;
        let parsed = match &value.value {
            Value::String(encoded) => parse_embedded(encoded, value.span, kind),
            _ => parse_document(value, kind),
        };
        match parsed {
            Ok(document) => Some(Document {
                page: self.page,
                document,
            }),
            Err(errors) => {
                self.errors.extend(errors);
                None
            }
        }
    }

    fn principals(
        &mut self,
        root: &mut Node,
        list: &str,
        name_key: &str,
        inline_key: &str,
    ) -> Vec<Principal> {
        let mut out = Vec::new();
        for entry in self.list(root, list) {
            let (Some(name), Some(arn)) = (self.string(entry, name_key), self.string(entry, "Arn"))
            else {
                continue;
            };
            let path = entry
                .get("Path")
                .and_then(Node::as_str)
                .unwrap_or("/")
                .to_string();
            let mut inline = Vec::new();
            for policy in self.list(entry, inline_key) {
                let policy_name = self.string(policy, "PolicyName");
                let document = self.document(policy, "PolicyDocument", DocumentKind::Identity);
                if let (Some(name), Some(document)) = (policy_name, document) {
                    inline.push(InlinePolicy { name, document });
                }
            }
            let mut attached = Vec::new();
            for policy in self.list(entry, "AttachedManagedPolicies") {
                attached.extend(self.string(policy, "PolicyArn"));
            }
            let boundary = entry
                .get("PermissionsBoundary")
                .and_then(|b| b.get("PermissionsBoundaryArn"))
                .and_then(Node::as_str)
                .map(str::to_string);
            let groups = self
                .list(entry, "GroupList")
                .iter()
                .filter_map(|g| g.as_str().map(str::to_string))
                .collect();
            let trust = if list == "RoleDetailList" {
                self.document(entry, "AssumeRolePolicyDocument", DocumentKind::Trust)
            } else {
                None
            };
            out.push(Principal {
                name,
                arn,
                path,
                inline,
                attached,
                boundary,
                groups,
                trust,
                declared: None,
            });
        }
        out
    }

    fn policies(&mut self, root: &mut Node) -> Vec<ManagedPolicy> {
        let mut out = Vec::new();
        for entry in self.list(root, "Policies") {
            let Some(arn) = self.string(entry, "Arn") else {
                continue;
            };
            // Some IAM-compatible servers leave the name out; the ARN ends with it.
            let name = match entry.get("PolicyName") {
                Some(_) => match self.string(entry, "PolicyName") {
                    Some(name) => name,
                    None => continue,
                },
                None => arn.rsplit('/').next().unwrap_or(&arn).to_string(),
            };
            let versions = self.list(entry, "PolicyVersionList");
            let default = versions.iter_mut().find(|v| {
                v.get("IsDefaultVersion")
                    .is_some_and(|d| d.value == Value::Bool(true))
            });
            match default {
                Some(version) => {
                    if let Some(document) =
                        self.document(version, "Document", DocumentKind::Identity)
                    {
                        out.push(ManagedPolicy {
                            arn,
                            name,
                            document,
                        });
                    }
                }
                None => self.errors.push(error(
                    Span {
                        start: entry.span.start,
                        end: entry.span.start + 1,
                    },
                    format!("managed policy {arn} has no default version in `PolicyVersionList`"),
                    "expected one version with \"IsDefaultVersion\": true",
                )),
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const PAGE: &str = r#"{
      "UserDetailList": [{"UserName": "dev", "Arn": "arn:aws:iam::1:user/dev", "Path": "/",
        "GroupList": ["deployers"],
        "UserPolicyList": [{"PolicyName": "own", "PolicyDocument": "%7B%22Statement%22%3A%7B%22Effect%22%3A%22Allow%22%2C%22Action%22%3A%22ecs%3A%2A%22%2C%22Resource%22%3A%22%2A%22%7D%7D"}],
        "AttachedManagedPolicies": [{"PolicyName": "P", "PolicyArn": "arn:aws:iam::1:policy/P"}],
        "PermissionsBoundary": {"PermissionsBoundaryType": "Policy", "PermissionsBoundaryArn": "arn:aws:iam::1:policy/B"}}],
      "GroupDetailList": [{"GroupName": "deployers", "Arn": "arn:aws:iam::1:group/deployers", "GroupPolicyList": [], "AttachedManagedPolicies": []}],
      "RoleDetailList": [{"RoleName": "app", "Arn": "arn:aws:iam::1:role/app", "Path": "/",
        "AssumeRolePolicyDocument": {"Statement": [{"Effect": "Allow", "Principal": {"Service": "ecs-tasks.amazonaws.com"}, "Action": "sts:AssumeRole"}]},
        "RolePolicyList": [], "AttachedManagedPolicies": []}],
      "Policies": [{"PolicyName": "P", "Arn": "arn:aws:iam::1:policy/P", "DefaultVersionId": "v2",
        "PolicyVersionList": [
          {"VersionId": "v3", "IsDefaultVersion": false, "Document": {"Statement": {"Effect": "Allow", "Action": "ecs:*", "Resource": "*"}}},
          {"VersionId": "v2", "IsDefaultVersion": true, "Document": {"Statement": {"Effect": "Allow", "Action": "ecs:Describe*", "Resource": "*"}}}]}],
      "IsTruncated": false
    }"#;

    #[test]
    fn reads_every_entity_and_the_default_version_only() {
        let mut dump = Dump::default();
        dump.add_page(0, PAGE).unwrap();
        let user = &dump.users[0];
        assert_eq!(
            (user.name.as_str(), user.groups.as_slice()),
            ("dev", &["deployers".to_string()][..])
        );
        assert_eq!(
            user.inline[0].document.document.statements[0]
                .actions
                .patterns[0]
                .value,
            "ecs:*"
        );
        assert_eq!(user.attached, ["arn:aws:iam::1:policy/P"]);
        assert_eq!(user.boundary.as_deref(), Some("arn:aws:iam::1:policy/B"));
        assert_eq!(dump.groups[0].name, "deployers");
        let trust = dump.roles[0].trust.as_ref().unwrap();
        assert_eq!(
            trust.document.statements[0]
                .principals
                .as_ref()
                .unwrap()
                .entries[0]
                .id
                .value,
            "ecs-tasks.amazonaws.com"
        );
        assert_eq!(
            dump.policies[0].document.document.statements[0]
                .actions
                .patterns[0]
                .value,
            "ecs:Describe*"
        );
    }

    fn errors(text: &str) -> Vec<String> {
        Dump::default()
            .add_page(0, text)
            .unwrap_err()
            .errors
            .into_iter()
            .map(|e| e.message)
            .collect()
    }

    #[test]
    fn a_managed_policy_without_a_name_is_named_by_its_arn() {
        let mut dump = Dump::default();
        let page = r#"{"Policies": [{"Arn": "arn:aws:iam::1:policy/team/Deploy", "PolicyVersionList": [{"IsDefaultVersion": true, "Document": {"Statement": {"Effect": "Allow", "Action": "ecs:*", "Resource": "*"}}}]}]}"#;
        dump.add_page(0, page).unwrap();
        assert_eq!(dump.policies[0].name, "Deploy");
    }

    #[test]
    fn malformed_dumps_are_located_errors() {
        assert_eq!(
            errors("[]"),
            ["an authorization-details dump must be a JSON object, found array"]
        );
        assert_eq!(
            errors("{\"Foo\": 1}")[0],
            "not an authorization-details dump: none of UserDetailList, GroupDetailList, RoleDetailList, Policies"
        );
        assert_eq!(
            errors(r#"{"UserDetailList": {}}"#),
            ["`UserDetailList` must be a list, found object"]
        );
        assert_eq!(
            errors(r#"{"UserDetailList": [{"Arn": "x"}]}"#),
            ["missing `UserName`"]
        );
        assert_eq!(
            errors(r#"{"Policies": [], "IsTruncated": true, "Marker": "m"}"#)[0]
                .split(':')
                .next(),
            Some("this page is truncated and the next page is missing")
        );
        assert_eq!(
            errors(
                r#"{"Policies": [{"PolicyName": "P", "Arn": "a", "PolicyVersionList": [{"IsDefaultVersion": false, "Document": {}}]}]}"#
            ),
            ["managed policy a has no default version in `PolicyVersionList`"]
        );
        assert_eq!(
            errors(
                r#"{"RoleDetailList": [{"RoleName": "r", "Arn": "a", "AssumeRolePolicyDocument": {"Statement": {"Effect": "Allow", "Action": "sts:AssumeRole"}}}]}"#
            ),
            ["trust policy statement has neither `Principal` nor `NotPrincipal`"]
        );
    }
}
