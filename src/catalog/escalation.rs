//! Privilege-escalation paths: the ways a principal can *become* able to act beyond its
//! own policies. Each path names the permissions it needs and what the holder becomes.
//!
//! The ids and names are those of DataDog's pathfinding.cloud catalog (Apache-2.0, see
//! NOTICE), whose `data/paths/**.yaml` this table follows; the techniques are the public
//! ones of Rhino Security Labs' list and PMapper's edge checkers. Ids starting with
//! `iamlint-` are paths that catalog does not list. The table is written by hand (the
//! source is not a package iamlint can pin); `tests` below check every permission against
//! the action catalog, and README says which catalog commit it was compared with.

use std::sync::LazyLock;

/// The permissions of path `path` of [`PATHS`] as catalog indices, in the same order:
/// the graph asks for them for every node, and a name lookup each time would cost more
/// than the question.
pub fn permission_ids(path: usize) -> &'static [usize] {
    static IDS: LazyLock<Vec<Vec<usize>>> = LazyLock::new(|| {
        PATHS
            .iter()
            .map(|p| p.permissions.iter().map(|q| super::known(q)).collect())
            .collect()
    });
    &IDS[path]
}

/// What holding a path's permissions lets the holder become.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// `sts:AssumeRole` on a role whose trust policy lets the holder in: it becomes the role.
    AssumeRole,
    /// The first permission acts on the holder itself (see [`Target`]): it rewrites its own
    /// permissions and becomes unrestricted, within its permissions boundary and the SCPs.
    SelfModify(Target),
    /// The first permission acts on another principal (its credentials or its trust
    /// policy): the holder becomes that principal.
    TakeOver(Target),
    /// The first permission rewrites another principal's permissions; with a way to
    /// become it (assume, take over) the holder becomes it unrestricted. Each such
    /// combination has its own id (see [`combination`]).
    ModifyOther(Target),
    /// Removing or replacing the holder's own permissions boundary: its identity policies
    /// apply unbounded.
    DropBoundary(Target),
    /// `iam:PassRole` to a service that runs code as the passed role, with the service's
    /// actions: the holder becomes each role its PassRole reaches that trusts a service
    /// principal of `services`.
    PassRole { services: &'static [&'static str] },
    /// Code runs inside a resource that already exists: the holder may become each role
    /// that trusts a service principal of `services`. Always **scoped**: an IAM dump does
    /// not say which function, stack or instance runs as which role.
    ExistingResource { services: &'static [&'static str] },
}

/// The resource the first permission of a path must be allowed on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Target {
    /// The holder's own user or role ARN (self), or another user's / role's ARN (others).
    User,
    Role,
    /// A group: one the holder is in (self), or any group it may join (`AddUserToGroup`).
    Group,
    /// A customer managed policy attached to the principal (directly or through a group).
    AttachedPolicy,
}

#[derive(Debug)]
pub struct Path {
    pub id: &'static str,
    pub name: &'static str,
    pub kind: Kind,
    /// Every permission the path needs, qualified (`iam:PassRole`).
    pub permissions: &'static [&'static str],
}

impl Path {
    /// Where pathfinding.cloud documents it (none for iamlint's own paths).
    pub fn help_uri(&self) -> Option<String> {
        (!self.id.starts_with("iamlint-"))
            .then(|| format!("https://pathfinding.cloud/paths/{}", self.id))
    }
}

const ECS_TASKS: &[&str] = &["ecs-tasks.amazonaws.com"];
const LAMBDA: &[&str] = &["lambda.amazonaws.com"];
const EC2: &[&str] = &["ec2.amazonaws.com"];
const CLOUDFORMATION: &[&str] = &["cloudformation.amazonaws.com"];
const CODEBUILD: &[&str] = &["codebuild.amazonaws.com"];
const GLUE: &[&str] = &["glue.amazonaws.com"];
const SAGEMAKER: &[&str] = &["sagemaker.amazonaws.com"];
const APPRUNNER: &[&str] = &["tasks.apprunner.amazonaws.com"];
const BEDROCK_AGENTCORE: &[&str] = &["bedrock-agentcore.amazonaws.com"];
const DATAPIPELINE: &[&str] = &[
    "datapipeline.amazonaws.com",
    "elasticmapreduce.amazonaws.com",
];

macro_rules! path {
    ($id:literal, $kind:expr, [$($p:literal),+ $(,)?]) => {
        Path { id: $id, name: concat!($($p, " + "),+), kind: $kind, permissions: &[$($p),+] }
    };
}

/// Every path iamlint follows. `name` ends with " + " (a macro artefact): use [`Path::title`].
pub static PATHS: &[Path] = &[
    path!("sts-001", Kind::AssumeRole, ["sts:AssumeRole"]),
    // Self-escalation: the holder rewrites its own permissions.
    path!(
        "iam-001",
        Kind::SelfModify(Target::AttachedPolicy),
        ["iam:CreatePolicyVersion"]
    ),
    path!(
        "iam-005",
        Kind::SelfModify(Target::Role),
        ["iam:PutRolePolicy"]
    ),
    path!(
        "iam-007",
        Kind::SelfModify(Target::User),
        ["iam:PutUserPolicy"]
    ),
    path!(
        "iam-008",
        Kind::SelfModify(Target::User),
        ["iam:AttachUserPolicy"]
    ),
    path!(
        "iam-009",
        Kind::SelfModify(Target::Role),
        ["iam:AttachRolePolicy"]
    ),
    path!(
        "iam-010",
        Kind::SelfModify(Target::Group),
        ["iam:AttachGroupPolicy"]
    ),
    path!(
        "iam-011",
        Kind::SelfModify(Target::Group),
        ["iam:PutGroupPolicy"]
    ),
    path!(
        "iam-013",
        Kind::SelfModify(Target::Group),
        ["iam:AddUserToGroup"]
    ),
    path!(
        "iamlint-001",
        Kind::DropBoundary(Target::User),
        ["iam:DeleteUserPermissionsBoundary"]
    ),
    path!(
        "iamlint-002",
        Kind::DropBoundary(Target::Role),
        ["iam:DeleteRolePermissionsBoundary"]
    ),
    path!(
        "iamlint-003",
        Kind::DropBoundary(Target::User),
        ["iam:PutUserPermissionsBoundary"]
    ),
    path!(
        "iamlint-004",
        Kind::DropBoundary(Target::Role),
        ["iam:PutRolePermissionsBoundary"]
    ),
    // Taking over another principal.
    path!(
        "iam-002",
        Kind::TakeOver(Target::User),
        ["iam:CreateAccessKey"]
    ),
    path!(
        "iam-004",
        Kind::TakeOver(Target::User),
        ["iam:CreateLoginProfile"]
    ),
    path!(
        "iam-006",
        Kind::TakeOver(Target::User),
        ["iam:UpdateLoginProfile"]
    ),
    path!(
        "iam-012",
        Kind::TakeOver(Target::Role),
        ["iam:UpdateAssumeRolePolicy"]
    ),
    // Rewriting another principal's permissions (combined with becoming it).
    path!(
        "iam-009",
        Kind::ModifyOther(Target::Role),
        ["iam:AttachRolePolicy"]
    ),
    path!(
        "iam-005",
        Kind::ModifyOther(Target::Role),
        ["iam:PutRolePolicy"]
    ),
    path!(
        "iam-001",
        Kind::ModifyOther(Target::AttachedPolicy),
        ["iam:CreatePolicyVersion"]
    ),
    path!(
        "iam-008",
        Kind::ModifyOther(Target::User),
        ["iam:AttachUserPolicy"]
    ),
    path!(
        "iam-007",
        Kind::ModifyOther(Target::User),
        ["iam:PutUserPolicy"]
    ),
    // Passing a role to a service that runs code as it.
    path!(
        "ecs-001",
        Kind::PassRole {
            services: ECS_TASKS
        },
        [
            "iam:PassRole",
            "ecs:CreateCluster",
            "ecs:RegisterTaskDefinition",
            "ecs:CreateService"
        ]
    ),
    path!(
        "ecs-002",
        Kind::PassRole {
            services: ECS_TASKS
        },
        [
            "iam:PassRole",
            "ecs:CreateCluster",
            "ecs:RegisterTaskDefinition",
            "ecs:RunTask"
        ]
    ),
    path!(
        "ecs-003",
        Kind::PassRole {
            services: ECS_TASKS
        },
        [
            "iam:PassRole",
            "ecs:RegisterTaskDefinition",
            "ecs:CreateService"
        ]
    ),
    path!(
        "ecs-004",
        Kind::PassRole {
            services: ECS_TASKS
        },
        ["iam:PassRole", "ecs:RegisterTaskDefinition", "ecs:RunTask"]
    ),
    path!(
        "ecs-005",
        Kind::PassRole {
            services: ECS_TASKS
        },
        [
            "iam:PassRole",
            "ecs:RegisterTaskDefinition",
            "ecs:StartTask"
        ]
    ),
    path!(
        "lambda-001",
        Kind::PassRole { services: LAMBDA },
        [
            "iam:PassRole",
            "lambda:CreateFunction",
            "lambda:InvokeFunction"
        ]
    ),
    path!(
        "lambda-002",
        Kind::PassRole { services: LAMBDA },
        [
            "iam:PassRole",
            "lambda:CreateFunction",
            "lambda:CreateEventSourceMapping"
        ]
    ),
    path!(
        "lambda-006",
        Kind::PassRole { services: LAMBDA },
        [
            "iam:PassRole",
            "lambda:CreateFunction",
            "lambda:AddPermission"
        ]
    ),
    path!(
        "ec2-001",
        Kind::PassRole { services: EC2 },
        ["iam:PassRole", "ec2:RunInstances"]
    ),
    path!(
        "ec2-003",
        Kind::PassRole { services: EC2 },
        ["iam:PassRole", "ec2:RequestSpotInstances"]
    ),
    path!(
        "cloudformation-001",
        Kind::PassRole {
            services: CLOUDFORMATION
        },
        ["iam:PassRole", "cloudformation:CreateStack"]
    ),
    path!(
        "cloudformation-003",
        Kind::PassRole {
            services: CLOUDFORMATION
        },
        [
            "iam:PassRole",
            "cloudformation:CreateStackSet",
            "cloudformation:CreateStackInstances"
        ]
    ),
    path!(
        "cloudformation-004",
        Kind::PassRole {
            services: CLOUDFORMATION
        },
        ["iam:PassRole", "cloudformation:UpdateStackSet"]
    ),
    path!(
        "codebuild-001",
        Kind::PassRole {
            services: CODEBUILD
        },
        [
            "iam:PassRole",
            "codebuild:CreateProject",
            "codebuild:StartBuild"
        ]
    ),
    path!(
        "codebuild-004",
        Kind::PassRole {
            services: CODEBUILD
        },
        [
            "iam:PassRole",
            "codebuild:CreateProject",
            "codebuild:StartBuildBatch"
        ]
    ),
    path!(
        "datapipeline-001",
        Kind::PassRole {
            services: DATAPIPELINE
        },
        [
            "iam:PassRole",
            "datapipeline:CreatePipeline",
            "datapipeline:PutPipelineDefinition"
        ]
    ),
    path!(
        "glue-001",
        Kind::PassRole { services: GLUE },
        ["iam:PassRole", "glue:CreateDevEndpoint"]
    ),
    path!(
        "glue-003",
        Kind::PassRole { services: GLUE },
        ["iam:PassRole", "glue:CreateJob", "glue:StartJobRun"]
    ),
    path!(
        "glue-004",
        Kind::PassRole { services: GLUE },
        ["iam:PassRole", "glue:CreateJob", "glue:CreateTrigger"]
    ),
    path!(
        "glue-005",
        Kind::PassRole { services: GLUE },
        ["iam:PassRole", "glue:UpdateJob", "glue:StartJobRun"]
    ),
    path!(
        "glue-006",
        Kind::PassRole { services: GLUE },
        ["iam:PassRole", "glue:UpdateJob", "glue:CreateTrigger"]
    ),
    path!(
        "sagemaker-001",
        Kind::PassRole {
            services: SAGEMAKER
        },
        ["iam:PassRole", "sagemaker:CreateNotebookInstance"]
    ),
    path!(
        "sagemaker-002",
        Kind::PassRole {
            services: SAGEMAKER
        },
        ["iam:PassRole", "sagemaker:CreateTrainingJob"]
    ),
    path!(
        "sagemaker-003",
        Kind::PassRole {
            services: SAGEMAKER
        },
        ["iam:PassRole", "sagemaker:CreateProcessingJob"]
    ),
    path!(
        "apprunner-001",
        Kind::PassRole {
            services: APPRUNNER
        },
        ["iam:PassRole", "apprunner:CreateService"]
    ),
    path!(
        "bedrock-001",
        Kind::PassRole {
            services: BEDROCK_AGENTCORE
        },
        [
            "iam:PassRole",
            "bedrock-agentcore:CreateCodeInterpreter",
            "bedrock-agentcore:StartCodeInterpreterSession"
        ]
    ),
    // Running code inside a resource that already exists.
    path!(
        "iamlint-ecs-exec",
        Kind::ExistingResource {
            services: ECS_TASKS
        },
        ["ecs:ExecuteCommand"]
    ),
    path!(
        "lambda-003",
        Kind::ExistingResource { services: LAMBDA },
        ["lambda:UpdateFunctionCode"]
    ),
    path!(
        "lambda-004",
        Kind::ExistingResource { services: LAMBDA },
        ["lambda:UpdateFunctionCode", "lambda:InvokeFunction"]
    ),
    path!(
        "lambda-005",
        Kind::ExistingResource { services: LAMBDA },
        ["lambda:UpdateFunctionCode", "lambda:AddPermission"]
    ),
    path!(
        "cloudformation-002",
        Kind::ExistingResource {
            services: CLOUDFORMATION
        },
        ["cloudformation:UpdateStack"]
    ),
    path!(
        "cloudformation-005",
        Kind::ExistingResource {
            services: CLOUDFORMATION
        },
        [
            "cloudformation:CreateChangeSet",
            "cloudformation:ExecuteChangeSet"
        ]
    ),
    path!(
        "codebuild-002",
        Kind::ExistingResource {
            services: CODEBUILD
        },
        ["codebuild:StartBuild"]
    ),
    path!(
        "codebuild-003",
        Kind::ExistingResource {
            services: CODEBUILD
        },
        ["codebuild:StartBuildBatch"]
    ),
    path!(
        "glue-002",
        Kind::ExistingResource { services: GLUE },
        ["glue:UpdateDevEndpoint"]
    ),
    path!(
        "ec2-002",
        Kind::ExistingResource { services: EC2 },
        [
            "ec2:ModifyInstanceAttribute",
            "ec2:StopInstances",
            "ec2:StartInstances"
        ]
    ),
    path!(
        "ec2-004",
        Kind::ExistingResource { services: EC2 },
        [
            "ec2:CreateLaunchTemplateVersion",
            "ec2:ModifyLaunchTemplate"
        ]
    ),
    path!(
        "ec2instanceconnect-003",
        Kind::ExistingResource { services: EC2 },
        ["ec2-instance-connect:SendSSHPublicKey"]
    ),
    path!(
        "ssm-001",
        Kind::ExistingResource { services: EC2 },
        ["ssm:StartSession"]
    ),
    path!(
        "ssm-002",
        Kind::ExistingResource { services: EC2 },
        ["ssm:SendCommand"]
    ),
    path!(
        "sagemaker-004",
        Kind::ExistingResource {
            services: SAGEMAKER
        },
        ["sagemaker:CreatePresignedNotebookInstanceUrl"]
    ),
    path!(
        "sagemaker-005",
        Kind::ExistingResource {
            services: SAGEMAKER
        },
        [
            "sagemaker:CreateNotebookInstanceLifecycleConfig",
            "sagemaker:StopNotebookInstance",
            "sagemaker:UpdateNotebookInstance",
            "sagemaker:StartNotebookInstance"
        ]
    ),
    path!(
        "apprunner-002",
        Kind::ExistingResource {
            services: APPRUNNER
        },
        ["apprunner:UpdateService"]
    ),
    path!(
        "bedrock-002",
        Kind::ExistingResource {
            services: BEDROCK_AGENTCORE
        },
        [
            "bedrock-agentcore:StartCodeInterpreterSession",
            "bedrock-agentcore:InvokeCodeInterpreter"
        ]
    ),
];

impl Path {
    /// `iam:PassRole + lambda:CreateFunction`, as pathfinding.cloud names it.
    pub fn title(&self) -> &'static str {
        self.name.strip_suffix(" + ").unwrap_or(self.name)
    }
}

/// The id of "rewrite X's permissions, then become X" for one pair of paths, as
/// pathfinding.cloud numbers them; other pairs are named `MODIFY+BECOME`.
pub fn combination(modify: &str, become_: &str) -> String {
    let known = [
        ("iam-009", "sts-001", "iam-014"),
        ("iam-008", "iam-002", "iam-015"),
        ("iam-001", "sts-001", "iam-016"),
        ("iam-005", "sts-001", "iam-017"),
        ("iam-007", "iam-002", "iam-018"),
        ("iam-009", "iam-012", "iam-019"),
        ("iam-001", "iam-012", "iam-020"),
        ("iam-005", "iam-012", "iam-021"),
    ];
    known
        .iter()
        .find(|(m, b, _)| *m == modify && *b == become_)
        .map_or_else(
            || format!("{modify}+{become_}"),
            |(_, _, id)| id.to_string(),
        )
}

/// Every permission any path names, for the tracked action space.
pub fn tracked_actions() -> impl Iterator<Item = &'static str> {
    PATHS.iter().flat_map(|p| p.permissions.iter().copied())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog;

    #[test]
    fn every_permission_is_a_catalog_action_spelled_as_aws_does() {
        for path in PATHS {
            for permission in path.permissions {
                let (prefix, name) = permission.split_once(':').unwrap();
                let service = catalog::service(prefix)
                    .unwrap_or_else(|| panic!("{}: unknown service {prefix}", path.id));
                let info = service
                    .action(name)
                    .unwrap_or_else(|| panic!("{}: {permission} not in the catalog", path.id));
                assert_eq!(info.name, name, "{}", path.id);
            }
        }
    }

    #[test]
    fn titles_and_ids() {
        let lambda = PATHS.iter().find(|p| p.id == "lambda-001").unwrap();
        assert_eq!(
            lambda.title(),
            "iam:PassRole + lambda:CreateFunction + lambda:InvokeFunction"
        );
        assert_eq!(
            lambda.help_uri().as_deref(),
            Some("https://pathfinding.cloud/paths/lambda-001")
        );
        assert_eq!(combination("iam-009", "sts-001"), "iam-014");
        assert_eq!(combination("iam-008", "iam-004"), "iam-008+iam-004");
    }
}
