#!/usr/bin/env python3
"""Generate a realistic `get-account-authorization-details` dump of N principals.

Usage: gen_dump.py N OUT.json [--stats]

The account looks like a real organisation's, so the transitive review (assume-role and
escalation edges) sees a graph of a real shape, not a random dense one. About 60% of the
principals are users, 40% roles; deterministic (seeded by N).

- Teams of 20-50 users, each with a group `team-NAME` whose inline policy allows
  `sts:AssumeRole` on exactly the team's 1-3 roles (`NAME-developer`, `-readonly`,
  `-oncall`). The roles trust the account root; some name a few of the team's user ARNs
  instead, some require MFA.
- Per ~500 principals a delivery unit: a CI role `ci-K`, a pipeline role `pipeline-K` and
  three deploy roles `deploy/deploy-K-J` holding the monitored ECS actions
  (`ecs:UpdateService`, `ecs:RegisterTaskDefinition`, or `ecs:*`, or scoped), trusted by
  the CI role and the unit's platform team role `platform/platform-K-operator`. Chains
  are 2-4 hops: user -> platform operator -> deploy; user -> team developer role -> CI ->
  deploy; user -> team developer role -> pipeline -> CI -> deploy.
- Service roles `app-TEAM-SVC-task|fn|ec2` trusting `ecs-tasks`, `lambda` or `ec2`; the
  deploy roles may pass their unit's task roles (with `iam:PassedToService`), some team
  developer roles their own team's `app-TEAM-*` roles, and a few developers (inline)
  `role/app-*` with `lambda:CreateFunction` / `lambda:InvokeFunction`. A few service
  roles hold ECS write actions (deploy hooks).
- Cross-account roles `xacct-*` trusting other accounts' roots with `sts:ExternalId`, an
  `org-tooling` role trusted by the organisation's tooling account, one GitHub OIDC role
  (`github-actions`) that may assume the CI roles.
- A small `admins` group with the AWS managed `AdministratorAccess` (included in
  `Policies` with its document, as a real dump does) and a force-MFA conditional Deny; a
  `break-glass` role trusting the admins with MFA.
- Escalation mistakes: a self-service user with `iam:AttachUserPolicy` on
  `user/${aws:username}`, helpdesk users with `iam:CreateLoginProfile` on `*`, an
  `ops-automation` role with `iam:PutRolePolicy` on itself, an SRE group with
  `ssm:StartSession` / `ecs:ExecuteCommand`.
- 200 shared customer managed policies of realistic themes (S3, logs, ECR, SSM, DynamoDB,
  SQS, ECS read, scoped ECS deploys, region guards) with one to three versions, the
  default not always the newest (older versions broader); three boundary policies on
  ~15% of principals; inline policies; unconditional and conditional Denies; conditions;
  contractors whose group denies assuming deploy and platform roles directly.

With --stats, a summary of what was generated goes to stderr.
"""
import json
import random
import sys

ACCOUNT = "111122223333"
OTHER_ACCOUNTS = ["444455556666", "777788889999", "210987654321", "135792468024", "246813579135"]
TOOLING_ACCOUNT = "999988887777"
ORG_ID = "o-a1b2c3d4e5"
REGIONS = ["eu-west-1", "us-east-1"]
OIDC = f"arn:aws:iam::{ACCOUNT}:oidc-provider/token.actions.githubusercontent.com"
ADMIN_ACCESS = "arn:aws:iam::aws:policy/AdministratorAccess"

FIRST = ["alex", "maria", "li", "sam", "noor", "jonas", "aiko", "omar", "eva", "raj", "lena", "tom",
         "sofia", "ken", "amara", "pablo", "ines", "yusuf", "mia", "igor", "zoe", "dan", "hana", "leo"]
LAST = ["kim", "garcia", "chen", "smith", "khan", "berg", "sato", "haddad", "novak", "patel", "weber",
        "rossi", "silva", "tanaka", "okafor", "lopez", "costa", "yilmaz", "müller", "ivanov", "dubois"]
WORDS = ["payments", "checkout", "search", "identity", "billing", "catalog", "mobile", "web", "data",
         "ml", "growth", "ads", "risk", "fraud", "ledger", "notify", "messaging", "media", "maps",
         "logistics", "pricing", "orders", "inventory", "support", "reporting", "auth", "gateway"]
SERVICES = ["api", "worker", "scheduler", "ingest", "export", "cache", "router", "sync", "indexer",
            "renderer", "webhook", "cron", "consumer", "publisher", "resizer", "auditor"]
VENDORS = ["monitoring", "security-scanner", "cost-tool", "backup", "release-tool", "log-shipper"]


def iam_arn(kind, name, path="/"):
    return f"arn:aws:iam::{ACCOUNT}:{kind}{path}{name}"


def doc(*statements):
    return {"Version": "2012-10-17", "Statement": list(statements)}


def stmt(effect, actions, resources="*", sid=None, condition=None, not_action=False):
    s = {}
    if sid:
        s["Sid"] = sid
    s["Effect"] = effect
    s["NotAction" if not_action else "Action"] = actions
    s["Resource"] = resources
    if condition:
        s["Condition"] = condition
    return s


def allow(actions, resources="*", sid=None, condition=None):
    return stmt("Allow", actions, resources, sid, condition)


def deny(actions, resources="*", sid=None, condition=None, not_action=False):
    return stmt("Deny", actions, resources, sid, condition, not_action)


def trust(*statements):
    return doc(*statements)


def trusts(principal, condition=None, action="sts:AssumeRole"):
    s = {"Effect": "Allow", "Principal": principal, "Action": action}
    if condition:
        s["Condition"] = condition
    return s


MFA = {"Bool": {"aws:MultiFactorAuthPresent": "true"}}
ROOT = {"AWS": f"arn:aws:iam::{ACCOUNT}:root"}


# Themes of the shared customer managed policies: each returns the statements of one
# version; `broad` (older versions) is wider, as policies tend to be before a review.
def theme_s3_read(rng, x, broad):
    bucket = f"arn:aws:s3:::{x}-data"
    return [allow(["s3:*"] if broad else ["s3:GetObject", "s3:ListBucket"], [bucket, f"{bucket}/*"], "Read")]


def theme_s3_write(rng, x, broad):
    bucket = f"arn:aws:s3:::{x}-artifacts"
    return [allow(["s3:GetObject", "s3:PutObject", "s3:DeleteObject"], f"{bucket}/*" if not broad else "*", "Write"),
            deny("s3:DeleteBucket", sid="NoBucketDeletes")]


def theme_logs(rng, x, broad):
    return [allow(["logs:CreateLogStream", "logs:PutLogEvents", "logs:CreateLogGroup"],
                  "*" if broad else f"arn:aws:logs:*:{ACCOUNT}:log-group:/app/{x}*", "Logs")]


def theme_ecr(rng, x, broad):
    return [allow("ecr:GetAuthorizationToken", sid="Token"),
            allow(["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"] + (["ecr:PutImage", "ecr:*"] if broad else []),
                  f"arn:aws:ecr:*:{ACCOUNT}:repository/{x}/*", "Pull")]


def theme_ssm(rng, x, broad):
    return [allow(["ssm:GetParameter*"], f"arn:aws:ssm:*:{ACCOUNT}:parameter/{x}/*", "Params"),
            allow("kms:Decrypt", condition={"StringEquals": {"kms:ViaService": "ssm.eu-west-1.amazonaws.com"}}, sid="Kms")]


def theme_dynamodb(rng, x, broad):
    return [allow(["dynamodb:*"] if broad else ["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:Query", "dynamodb:UpdateItem"],
                  f"arn:aws:dynamodb:*:{ACCOUNT}:table/{x}*", "Table")]


def theme_sqs(rng, x, broad):
    return [allow(["sqs:SendMessage", "sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes"],
                  f"arn:aws:sqs:*:{ACCOUNT}:{x}-*", "Queues"),
            allow("sns:Publish", f"arn:aws:sns:*:{ACCOUNT}:{x}-events", "Topic")]


def theme_ecs_read(rng, x, broad):
    actions = ["ecs:Describe*", "ecs:List*"] + (["ecs:*"] if broad else [])
    return [allow(actions, sid="EcsRead"), allow(["cloudwatch:GetMetricData", "cloudwatch:ListMetrics"], sid="Metrics")]


def theme_ecs_deploy_scoped(rng, x, broad):
    if broad:
        return [allow(["ecs:UpdateService", "ecs:RegisterTaskDefinition"], sid="Deploy")]
    return [allow("ecs:UpdateService", f"arn:aws:ecs:*:{ACCOUNT}:service/{x}/*", "Deploy"),
            allow("ecs:RegisterTaskDefinition", condition={"StringEquals": {"aws:RequestedRegion": rng.choice(REGIONS)}}, sid="Register")]


def theme_region_guard(rng, x, broad):
    return [allow(["cloudwatch:PutMetricData"], condition={"StringEquals": {"cloudwatch:namespace": x}}, sid="Metrics"),
            deny(["iam:*", "organizations:*", "sts:*", "support:*"], sid="RegionGuard", not_action=True,
                 condition={"StringNotEquals": {"aws:RequestedRegion": REGIONS}})]


THEMES = {"s3-read": (theme_s3_read, 16), "s3-write": (theme_s3_write, 10), "logs": (theme_logs, 12),
          "ecr": (theme_ecr, 10), "ssm": (theme_ssm, 10), "dynamodb": (theme_dynamodb, 12), "sqs": (theme_sqs, 10),
          "ecs-read": (theme_ecs_read, 8), "ecs-deploy": (theme_ecs_deploy_scoped, 5),
          "region-guard": (theme_region_guard, 7)}


def pick_theme(rng):
    return rng.choices(list(THEMES), [w for _, w in THEMES.values()])[0]


def themed_document(rng, theme, x, broad):
    statements = THEMES[theme][0](rng, x, broad)
    if rng.random() < 0.25:
        statements += THEMES[pick_theme(rng)][0](rng, rng.choice(WORDS), False)
    # Sids are unique within a document.
    seen = set()
    for i, s in enumerate(statements):
        if s.get("Sid") in seen:
            s["Sid"] = f"{s['Sid']}{i}"
        seen.add(s.get("Sid"))
    return doc(*statements)


def random_document(rng, x):
    return themed_document(rng, pick_theme(rng), x, False)


def managed_policy(name, versions, path="/", arn=None):
    """versions: documents, oldest first; the default is the last one unless `default` is set."""
    return {"PolicyName": name, "PolicyId": f"ANPA{hash_name(name) % 10 ** 16:016d}", "Path": path,
            "Arn": arn or f"arn:aws:iam::{ACCOUNT}:policy{path}{name}", "DefaultVersionId": f"v{len(versions)}",
            "AttachmentCount": 0, "PermissionsBoundaryUsageCount": 0, "IsAttachable": True,
            "PolicyVersionList": [{"Document": d, "VersionId": f"v{v}", "IsDefaultVersion": v == len(versions)}
                                  for v, d in reversed(list(enumerate(versions, 1)))]}


def hash_name(name):
    # Stable across runs (str hash is salted).
    h = 1469598103934665603
    for b in name.encode():
        h = ((h ^ b) * 1099511628211) % (1 << 63)
    return h


class Account:
    def __init__(self, count):
        self.rng = random.Random(count)
        self.count = count
        self.users, self.groups, self.roles, self.policies = [], [], [], []
        self.policy_by_arn = {}
        self.stats = {}

    def bump(self, key, n=1):
        self.stats[key] = self.stats.get(key, 0) + n

    def add_policy(self, policy):
        self.policies.append(policy)
        self.policy_by_arn[policy["Arn"]] = policy
        return policy["Arn"]

    def attached(self, arns):
        for a in arns:
            self.policy_by_arn[a]["AttachmentCount"] += 1
        return [{"PolicyName": a.rsplit("/", 1)[1], "PolicyArn": a} for a in arns]

    def boundary(self, common, arn):
        self.policy_by_arn[arn]["PermissionsBoundaryUsageCount"] += 1
        common["PermissionsBoundary"] = {"PermissionsBoundaryType": "Policy", "PermissionsBoundaryArn": arn}

    def add_group(self, name, inline=(), attached=()):
        self.groups.append({"GroupName": name, "GroupId": f"AGPA{len(self.groups):016d}", "Path": "/",
                            "Arn": iam_arn("group", name),
                            "GroupPolicyList": [{"PolicyName": n, "PolicyDocument": d} for n, d in inline],
                            "AttachedManagedPolicies": self.attached(attached)})
        return name

    def add_user(self, name, groups, inline=(), attached=(), boundary=None, path="/"):
        user = {"UserName": name, "UserId": f"AIDA{len(self.users):016d}", "Arn": iam_arn("user", name, path),
                "Path": path, "GroupList": list(groups),
                "UserPolicyList": [{"PolicyName": n, "PolicyDocument": d} for n, d in inline],
                "AttachedManagedPolicies": self.attached(attached)}
        if boundary:
            self.boundary(user, boundary)
        self.users.append(user)
        return user["Arn"]

    def add_role(self, name, trust_doc, inline=(), attached=(), boundary=None, path="/", kind="other"):
        role = {"RoleName": name, "RoleId": f"AROA{len(self.roles):016d}", "Arn": iam_arn("role", name, path),
                "Path": path, "AssumeRolePolicyDocument": trust_doc,
                "RolePolicyList": [{"PolicyName": n, "PolicyDocument": d} for n, d in inline],
                "AttachedManagedPolicies": self.attached(attached)}
        if boundary:
            self.boundary(role, boundary)
        self.roles.append(role)
        self.bump(f"roles: {kind}")
        return role["Arn"]


def main():
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    count, out = int(args[0]), args[1]
    acct = Account(count)
    rng = acct.rng

    # Shared customer managed policies: 200, one to three versions, the default not always
    # the newest; older versions broader.
    shared = []
    for i in range(200):
        theme = pick_theme(rng)
        x = f"{rng.choice(WORDS)}-{i}"
        versions = rng.randint(1, 3)
        docs = [themed_document(rng, theme, x, v < versions - 1) for v in range(versions)]
        policy = managed_policy(f"{theme}-{x}", docs)
        default = rng.randint(1, versions)
        policy["DefaultVersionId"] = f"v{default}"
        for version in policy["PolicyVersionList"]:
            version["IsDefaultVersion"] = version["VersionId"] == f"v{default}"
        shared.append(acct.add_policy(policy))
    popular = [1 / (i + 1) ** 0.7 for i in range(len(shared))]

    # Humans get ECS access through roles: their shared policies are of the other themes.
    human = [(a, w) for a, w in zip(shared, popular) if not a.rsplit("/", 1)[1].startswith(("ecs-deploy-", "ecs-read-"))]

    def some_shared(low, high, humans=False):
        k = rng.randint(low, high)
        if humans:
            return list(dict.fromkeys(rng.choices([a for a, _ in human], [w for _, w in human], k=k)))
        return list(dict.fromkeys(rng.choices(shared, popular, k=k)))

    # Boundaries.
    b_dev = acct.add_policy(managed_policy("boundary-developer", [doc(
        allow(["ecs:*", "ecr:*", "logs:*", "s3:*", "ssm:Get*", "sts:AssumeRole", "dynamodb:*", "sqs:*", "sns:*",
               "lambda:*", "cloudwatch:*", "kms:Decrypt", "iam:PassRole", "iam:Get*", "iam:List*"], sid="Services"),
        deny(["iam:*User*", "iam:*Policy*", "iam:*AccessKey*", "iam:*PermissionsBoundary*", "organizations:*"],
             sid="NoIamWrites"))], path="/boundaries/"))
    b_workload = acct.add_policy(managed_policy("boundary-workload", [doc(
        allow(["s3:*", "dynamodb:*", "sqs:*", "sns:*", "logs:*", "ssm:GetParameter*", "kms:Decrypt", "ecr:*",
               "xray:*", "ecs:Describe*", "ecs:List*", "cloudwatch:PutMetricData"], sid="Workload"))],
        path="/boundaries/"))
    b_contractor = acct.add_policy(managed_policy("boundary-contractor", [doc(
        allow(["ecs:Describe*", "ecs:List*", "logs:Get*", "logs:FilterLogEvents", "s3:GetObject", "sts:AssumeRole",
               "ecs:UpdateService"], sid="Contractor",
              condition={"StringEquals": {"aws:RequestedRegion": "eu-west-1"}}))], path="/boundaries/"))
    acct.add_policy(managed_policy("AdministratorAccess", [doc(allow("*"))], arn=ADMIN_ACCESS))
    ecs_deploy = acct.add_policy(managed_policy("ecs-deploy", [
        doc(allow("ecs:*", sid="Deploy")),
        doc(allow(["ecs:UpdateService", "ecs:RegisterTaskDefinition", "ecs:DescribeServices",
                   "ecs:DescribeTaskDefinition"], sid="Deploy"))]))
    readonly = acct.add_policy(managed_policy("readonly", [doc(
        allow(["ecs:Describe*", "ecs:List*", "logs:Describe*", "logs:Get*", "logs:FilterLogEvents",
               "cloudwatch:Get*", "cloudwatch:List*", "s3:ListAllMyBuckets"], sid="ReadOnly"))]))
    ecs_deploy_full = acct.add_policy(managed_policy("ecs-deploy-full", [doc(allow("ecs:*", sid="Everything"))]))

    # Sizes.
    users_total = round(count * 0.6)
    roles_total = count - users_total
    units = max(1, round(count / 500))
    n_admins = max(3, count // 5000)
    n_helpdesk = max(1, count // 20000)
    n_selfservice = max(1, count // 10000)
    n_sre = max(3, count // 20000)
    n_auditors = max(2, count // 10000)
    n_lambda_devs = max(2, count // 5000)
    n_vendors = max(2, count // 1000)
    n_ops = max(1, count // 20000)
    team_users_total = users_total - n_admins - n_helpdesk

    # Teams of 20-50 users (the last one merged into its neighbour when small).
    sizes = []
    left = team_users_total
    while left > 0:
        size = min(left, rng.randint(20, 50))
        sizes.append(size)
        left -= size
    if len(sizes) > 1 and sizes[-1] < 20:
        last = sizes.pop()
        sizes[-1] += last
    teams = []
    for t, size in enumerate(sizes):
        name = f"{WORDS[t % len(WORDS)]}{t // len(WORDS) + 1}" if t >= len(WORDS) else WORDS[t]
        teams.append({"name": name, "size": size, "unit": t % units, "platform": t < units})

    # Names of the roles the units share, known before the roles are written.
    def ci(k):
        return iam_arn("role", f"ci-{k}")

    def pipeline(k):
        return iam_arn("role", f"pipeline-{k}")

    def operator(k):
        return iam_arn("role", f"platform-{k}-operator", "/platform/")

    def deploy(k, j):
        return iam_arn("role", f"deploy-{k}-{j}", "/deploy/")

    # Service roles, spread over the teams; decided first so the deploy roles can name
    # their unit's task roles. Counted so that users + roles = N.
    team_role_kinds = []
    for team in teams:
        kinds = ["developer"] + rng.sample(["readonly", "oncall"], rng.randint(0, 2))
        team_role_kinds.append(kinds)
    fixed_roles = (units * 5 + sum(len(k) for k in team_role_kinds) + units  # operators
                   + n_vendors + 1 + 1 + 1 + n_ops + 1)  # org-tooling, github, break-glass, ops, security-audit
    n_service = max(0, roles_total - fixed_roles)

    # Groups.
    contractor_deny = deny("sts:AssumeRole", [iam_arn("role", "*", "/deploy/"), iam_arn("role", "*", "/platform/")],
                           sid="NoDirectDeploys")
    acct.add_group("developers", attached=some_shared(2, 3, humans=True))
    acct.add_group("readonly", attached=[readonly])
    acct.add_group("contractors", inline=[("no-direct-deploys", doc(contractor_deny))])
    acct.add_group("admins", attached=[ADMIN_ACCESS], inline=[("force-mfa", doc(
        deny(["iam:ChangePassword", "iam:CreateVirtualMFADevice", "iam:EnableMFADevice", "iam:GetUser",
              "iam:ListMFADevices", "sts:GetSessionToken"], sid="DenyWithoutMfa", not_action=True,
             condition={"BoolIfExists": {"aws:MultiFactorAuthPresent": "false"}})))])
    acct.add_group("helpdesk", inline=[("reset-passwords", doc(
        allow(["iam:CreateLoginProfile", "iam:GetLoginProfile", "iam:ListUsers", "iam:GetUser"], sid="Passwords")))])
    acct.add_group("sre", inline=[("sessions", doc(
        allow("ssm:StartSession", f"arn:aws:ec2:*:{ACCOUNT}:instance/*", "Sessions",
              {"StringEquals": {"ssm:resourceTag/Environment": "prod"}}),
        allow("ecs:ExecuteCommand", f"arn:aws:ecs:*:{ACCOUNT}:cluster/*", "Exec"),
        allow(["ecs:Describe*", "ecs:List*", "logs:*"], sid="Read")))])
    acct.add_group("auditors", inline=[("assume-readonly", doc(
        allow("sts:AssumeRole", iam_arn("role", "*-readonly"), "AssumeReadonly"),
        allow(["iam:Get*", "iam:List*", "iam:GenerateCredentialReport", "access-analyzer:*"], sid="Audit")))],
        attached=[readonly])

    # Admins and break-glass.
    admin_arns = []
    for i in range(n_admins):
        admin_arns.append(acct.add_user(f"admin-{FIRST[i % len(FIRST)]}{i}", ["admins"], path="/admins/"))
    acct.add_role("break-glass", trust(trusts({"AWS": admin_arns[:3]}, {
        "Bool": {"aws:MultiFactorAuthPresent": "true"}, "NumericLessThan": {"aws:MultiFactorAuthAge": "3600"}})),
        attached=[ADMIN_ACCESS], kind="break-glass")
    for i in range(n_helpdesk):
        acct.add_user(f"helpdesk-{i}", ["helpdesk", "readonly"])

    # Team users and team roles.
    all_team_users = []
    team_users = []
    for t, team in enumerate(teams):
        members = []
        for m in range(team["size"]):
            n = len(all_team_users)
            name = f"{FIRST[n % len(FIRST)]}.{LAST[(n // len(FIRST)) % len(LAST)]}{n}"
            members.append((name, iam_arn("user", name)))
            all_team_users.append((t, name))
        team_users.append(members)

    specials = rng.sample(range(len(all_team_users)), min(len(all_team_users),
                          n_selfservice + n_sre + n_auditors + n_lambda_devs))
    selfservice = set(specials[:n_selfservice])
    sre = set(specials[n_selfservice:n_selfservice + n_sre])
    auditors = set(specials[n_selfservice + n_sre:n_selfservice + n_sre + n_auditors])
    lambda_devs = set(specials[n_selfservice + n_sre + n_auditors:])

    service_per_team = [n_service // len(teams) + (1 if t < n_service % len(teams) else 0)
                        for t in range(len(teams))] if teams else []
    service_roles = []  # (team index, name, trusted service)
    for t, team in enumerate(teams):
        for s in range(service_per_team[t]):
            kind = rng.choices(["task", "fn", "ec2"], [6, 3, 1])[0]
            svc = f"{SERVICES[s % len(SERVICES)]}{s // len(SERVICES) or ''}"
            service_roles.append((t, f"app-{team['name']}-{svc}-{kind}", kind))

    n = 0
    for t, team in enumerate(teams):
        kinds = team_role_kinds[t]
        k = team["unit"]
        members = team_users[t]
        role_arns = []
        for kind in kinds:
            rname = f"{team['name']}-{kind}"
            variant = rng.random()
            if variant < 0.55:
                trust_doc = trust(trusts(ROOT))
            elif variant < 0.8:
                leads = [a for _, a in rng.sample(members, min(len(members), rng.randint(3, 6)))]
                trust_doc = trust(trusts({"AWS": leads}, MFA if rng.random() < 0.3 else None))
            else:
                trust_doc = trust(trusts(ROOT, MFA))
            if kind == "oncall":
                trust_doc = trust(trusts(ROOT, MFA))
            inline = []
            attached = some_shared(1, 3)
            if kind == "developer":
                if not team["platform"]:
                    hop = rng.random()
                    if hop < 0.5:
                        inline.append(("ci", doc(allow("sts:AssumeRole", ci(k), "AssumeCi"))))
                    elif hop < 0.75:
                        inline.append(("pipeline", doc(allow("sts:AssumeRole", pipeline(k), "AssumePipeline"))))
                if rng.random() < 0.3:
                    inline.append(("pass-own-roles", doc(
                        allow("iam:PassRole", iam_arn("role", f"app-{team['name']}-*"), "PassOwn",
                              {"StringEquals": {"iam:PassedToService": "lambda.amazonaws.com"}}),
                        allow(["lambda:CreateFunction", "lambda:InvokeFunction", "lambda:GetFunction"],
                              f"arn:aws:lambda:*:{ACCOUNT}:function:{team['name']}-*", "Functions"))))
            elif kind == "readonly":
                attached = [readonly] + some_shared(0, 1)
            elif kind == "oncall":
                inline.append(("oncall", doc(
                    allow(["ecs:UpdateService", "ecs:Describe*"],
                          [f"arn:aws:ecs:*:{ACCOUNT}:service/{team['name']}-*/*",
                           f"arn:aws:ecs:*:{ACCOUNT}:cluster/{team['name']}-*"], "Restart"),
                    deny("ecs:DeleteService", sid="NeverDelete"))))
            boundary = b_dev if rng.random() < 0.15 else None
            role_arns.append(acct.add_role(rname, trust_doc, inline, list(dict.fromkeys(attached)), boundary,
                                           kind=f"team {kind}"))
        if team["platform"]:
            role_arns.append(operator(k))
        group = acct.add_group(f"team-{team['name']}",
                               inline=[("assume-team-roles", doc(allow("sts:AssumeRole", role_arns, "AssumeTeamRoles")))],
                               attached=some_shared(0, 2, humans=True))
        acct.bump("assume pairs: team users x team roles", len(members) * len(role_arns))
        for name, _ in members:
            groups = [group]
            r = rng.random()
            if r < 0.5:
                groups.append("developers")
            elif r < 0.6:
                groups.append("readonly")
            inline = []
            boundary = None
            if rng.random() < 0.05:
                groups.append("contractors")
                boundary = b_contractor
            elif rng.random() < 0.11:
                boundary = b_dev
            if rng.random() < 0.2:
                inline.append(("personal", doc(
                    allow(["s3:GetObject", "s3:PutObject"], f"arn:aws:s3:::home-{ACCOUNT}/${{aws:username}}/*", "Home"),
                    *(random_document(rng, team["name"])["Statement"] if rng.random() < 0.5 else []))))
            if n in selfservice:
                inline.append(("manage-own-policies", doc(allow(
                    ["iam:AttachUserPolicy", "iam:DetachUserPolicy", "iam:ListAttachedUserPolicies"],
                    iam_arn("user", "${aws:username}"), "OwnPolicies"))))
                acct.bump("escalation: self-attaching users")
            if n in sre:
                groups.append("sre")
            if n in auditors:
                groups.append("auditors")
            if n in lambda_devs:
                inline.append(("lambda-dev", doc(
                    allow("iam:PassRole", iam_arn("role", "app-*"), "PassAppRoles"),
                    allow(["lambda:CreateFunction", "lambda:InvokeFunction", "lambda:GetFunction",
                           "lambda:UpdateFunctionConfiguration"], sid="Lambda"))))
                acct.bump("PassRole on role/app-* users")
            acct.add_user(name, groups, inline, some_shared(0, 2, humans=True) if rng.random() < 0.3 else [], boundary)
            n += 1

    # Service roles.
    unit_task_patterns = [[] for _ in range(units)]
    for t, team in enumerate(teams):
        unit_task_patterns[team["unit"]].append(iam_arn("role", f"app-{team['name']}-*-task"))
    services = {"task": "ecs-tasks.amazonaws.com", "fn": "lambda.amazonaws.com", "ec2": "ec2.amazonaws.com"}
    for t, name, kind in service_roles:
        inline = []
        if rng.random() < 0.3:
            inline.append(("app", random_document(rng, teams[t]["name"])))
        if rng.random() < 0.03:
            inline.append(("deploy-hook", doc(allow(["ecs:UpdateService", "ecs:DescribeServices"],
                                                     "*" if rng.random() < 0.4 else
                                                     f"arn:aws:ecs:*:{ACCOUNT}:service/{teams[t]['name']}-*/*",
                                                     "Hook"))))
            acct.bump("service roles with ECS writes")
        acct.add_role(name, trust(trusts({"Service": services[kind]})), inline, some_shared(1, 3),
                      b_workload if rng.random() < 0.15 else None, kind=f"service ({services[kind]})")

    # Delivery units: operator, pipeline, CI, deploy roles.
    for k in range(units):
        deploys = [deploy(k, j) for j in range(3)]
        acct.add_role(f"platform-{k}-operator", trust(trusts(ROOT, MFA)), [("operate", doc(
            allow("sts:AssumeRole", deploys, "AssumeDeploy"),
            allow(["ecs:Describe*", "ecs:List*", "logs:*"], sid="Read")))], some_shared(0, 2),
            path="/platform/", kind="platform operator")
        acct.add_role(f"pipeline-{k}", trust(trusts(ROOT)), [("pipeline", doc(
            allow("sts:AssumeRole", ci(k), "AssumeCi"),
            allow(["codebuild:StartBuild", "codebuild:BatchGetBuilds"],
                  f"arn:aws:codebuild:*:{ACCOUNT}:project/unit-{k}-*", "Builds")))], some_shared(0, 1),
            kind="pipeline")
        acct.add_role(f"ci-{k}", trust(
            trusts(ROOT, {"StringEquals": {"aws:PrincipalTag/ci": "true"}} if k % 4 == 3 else None),
            trusts({"AWS": [pipeline(k), iam_arn("role", "github-actions")]})), [("ci", doc(
                allow("sts:AssumeRole", deploys, "AssumeDeploy"),
                allow(["ecr:GetAuthorizationToken", "ecr:PutImage", "ecr:InitiateLayerUpload",
                       "ecr:UploadLayerPart", "ecr:CompleteLayerUpload"], sid="Push")))], some_shared(0, 2), kind="ci")
        for j in range(3):
            # Two deploy roles with the shared deploy policy or `ecs:*`, one scoped.
            attached = [[ecs_deploy, ecs_deploy_full if k % 2 else ecs_deploy, readonly][j]]
            inline = [("pass-task-roles", doc(allow("iam:PassRole", unit_task_patterns[k] or iam_arn("role", "none"),
                                                     "PassTaskRoles",
                                                     {"StringEquals": {"iam:PassedToService": "ecs-tasks.amazonaws.com"}})))]
            if j == 2:
                inline.append(("deploy", doc(allow(["ecs:UpdateService", "ecs:RegisterTaskDefinition"],
                                                   f"arn:aws:ecs:*:{ACCOUNT}:service/unit-{k}/*", "Deploy"),
                                             allow("ecs:DescribeServices", sid="Read"))))
            acct.add_role(f"deploy-{k}-{j}", trust(trusts({"AWS": [ci(k), operator(k)]})), inline, attached,
                          path="/deploy/", kind="deploy")

    # Cross-account and federated entry points.
    for v in range(n_vendors):
        vendor = VENDORS[v % len(VENDORS)]
        other = OTHER_ACCOUNTS[v % len(OTHER_ACCOUNTS)]
        if vendor == "release-tool":
            policies = [("release", doc(allow(["ecs:UpdateService", "ecs:RegisterTaskDefinition", "ecs:Describe*"],
                                              sid="Release")))]
        else:
            policies = [("read", doc(allow(["ecs:Describe*", "ecs:List*", "cloudwatch:Get*", "cloudwatch:List*",
                                            "logs:Describe*", "tag:GetResources"], sid="Read")))]
        acct.add_role(f"xacct-{vendor}-{v}", trust(trusts({"AWS": f"arn:aws:iam::{other}:root"},
                                                          {"StringEquals": {"sts:ExternalId": f"ext-{v:04d}-{other}"}})),
                      policies, kind="cross-account (ExternalId)")
    acct.add_role("org-tooling", trust(trusts({"AWS": f"arn:aws:iam::{TOOLING_ACCOUNT}:root"},
                                              {"StringEquals": {"aws:PrincipalOrgID": ORG_ID}})),
                  [("tooling", doc(allow("sts:AssumeRole", iam_arn("role", "ci-*"), "AssumeCi")))],
                  kind="cross-account (organisation)")
    acct.add_role("github-actions", trust(trusts({"Federated": OIDC}, {
        "StringEquals": {"token.actions.githubusercontent.com:aud": "sts.amazonaws.com"},
        "StringLike": {"token.actions.githubusercontent.com:sub": "repo:example-org/*:ref:refs/heads/main"}},
        action="sts:AssumeRoleWithWebIdentity")),
        [("assume-ci", doc(allow("sts:AssumeRole", iam_arn("role", "ci-*"), "AssumeCi")))], kind="github oidc")
    acct.add_role("security-audit", trust(trusts(ROOT, MFA)), [("audit", doc(
        allow(["iam:Get*", "iam:List*", "ecs:Describe*", "ecs:List*", "config:*"], sid="Audit")))],
        kind="security audit")
    for i in range(n_ops):
        name = f"ops-automation-{i}"
        acct.add_role(name, trust(trusts(ROOT)), [("self-manage", doc(
            allow(["iam:PutRolePolicy", "iam:GetRolePolicy"], iam_arn("role", name), "OwnPolicy"),
            allow(["ssm:GetParameter*", "logs:*"], sid="Run")))], kind="escalation: PutRolePolicy on itself")
    # The first platform team may run the automation.
    if teams:
        first = next(g for g in acct.groups if g["GroupName"] == f"team-{teams[0]['name']}")
        first["GroupPolicyList"].append({"PolicyName": "run-automation", "PolicyDocument": doc(
            allow("sts:AssumeRole", [iam_arn("role", f"ops-automation-{i}") for i in range(n_ops)], "Automation"))})

    assert len(acct.users) + len(acct.roles) == count or count < 1000, (len(acct.users), len(acct.roles))
    with open(out, "w") as f:
        json.dump({"UserDetailList": acct.users, "GroupDetailList": acct.groups, "RoleDetailList": acct.roles,
                   "Policies": acct.policies, "IsTruncated": False}, f, indent=1)

    if "--stats" in sys.argv:
        s = acct.stats
        print(f"principals: {len(acct.users) + len(acct.roles)} ({len(acct.users)} users, {len(acct.roles)} roles); "
              f"{len(acct.groups)} groups ({len(teams)} teams); {len(acct.policies)} managed policies; "
              f"{units} delivery units", file=sys.stderr)
        for key in sorted(s):
            print(f"  {key}: {s[key]}", file=sys.stderr)


if __name__ == "__main__":
    main()
