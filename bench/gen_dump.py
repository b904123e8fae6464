#!/usr/bin/env python3
"""Generate a realistic `get-account-authorization-details` dump of N principals.

Usage: gen_dump.py N OUT.json
Mix: 60% users (each in 1-3 of N/50 groups, some with inline policies), 40% roles (with
trust policies, attached policies, some with a permissions boundary); 200 customer
managed policies shared between principals (one to three versions, the default not
always the newest); deterministic (seeded).
"""
import json
import random
import sys

ACTIONS = ["ecs:Describe*", "ecs:List*", "ecs:UpdateService", "ecs:RegisterTaskDefinition", "ecs:*",
           "s3:GetObject", "s3:PutObject", "logs:CreateLogStream", "ecr:GetAuthorizationToken",
           "ssm:GetParameter*", "ecs:RunTask", "ec2:Describe*", "iam:PassRole", "ecs:Create*"]
RESOURCES = ["*", "arn:aws:ecs:*:111122223333:service/prod/*", "arn:aws:s3:::bucket/*",
             "arn:aws:ecs:eu-west-1:111122223333:cluster/dev", "arn:aws:iam::111122223333:role/task-*"]


def document(rng):
    statements = []
    for i in range(rng.randint(1, 4)):
        statement = {
            "Sid": f"S{i}",
            "Effect": "Deny" if rng.random() < 0.1 else "Allow",
            "Action": rng.sample(ACTIONS, rng.randint(1, 4)),
            "Resource": rng.choice(RESOURCES) if rng.random() < 0.7 else rng.sample(RESOURCES, 2),
        }
        if rng.random() < 0.2:
            statement["Condition"] = {"StringEquals": {"aws:RequestedRegion": "eu-west-1"}}
        statements.append(statement)
    return {"Version": "2012-10-17", "Statement": statements}


def main():
    count, out = int(sys.argv[1]), sys.argv[2]
    rng = random.Random(count)
    account = "111122223333"
    policies = []
    for i in range(200):
        versions = rng.randint(1, 3)
        default = rng.randint(1, versions)
        policies.append({
            "PolicyName": f"policy-{i}", "PolicyId": f"ANPA{i:016d}", "Path": "/",
            "Arn": f"arn:aws:iam::{account}:policy/policy-{i}", "DefaultVersionId": f"v{default}",
            "AttachmentCount": 0, "PermissionsBoundaryUsageCount": 0, "IsAttachable": True,
            "PolicyVersionList": [{"Document": document(rng), "VersionId": f"v{v}", "IsDefaultVersion": v == default}
                                  for v in range(versions, 0, -1)],
        })
    arns = [p["Arn"] for p in policies]
    attach = lambda: [{"PolicyName": a.rsplit("/", 1)[1], "PolicyArn": a} for a in rng.sample(arns, rng.randint(0, 3))]
    groups = [{"GroupName": f"group-{g}", "GroupId": f"AGPA{g:016d}", "Path": "/",
               "Arn": f"arn:aws:iam::{account}:group/group-{g}",
               "GroupPolicyList": [{"PolicyName": "inline", "PolicyDocument": document(rng)}] if rng.random() < 0.3 else [],
               "AttachedManagedPolicies": attach()} for g in range(max(1, count // 50))]
    users, roles = [], []
    for n in range(count):
        common = {
            "Path": "/", "AttachedManagedPolicies": attach(),
        }
        if rng.random() < 0.15:
            common["PermissionsBoundary"] = {"PermissionsBoundaryType": "Policy", "PermissionsBoundaryArn": rng.choice(arns)}
        inline = [{"PolicyName": "inline", "PolicyDocument": document(rng)}] if rng.random() < 0.3 else []
        if n % 5 < 3:
            users.append({"UserName": f"user-{n}", "UserId": f"AIDA{n:016d}", "Arn": f"arn:aws:iam::{account}:user/user-{n}",
                          "GroupList": [g["GroupName"] for g in rng.sample(groups, min(len(groups), rng.randint(1, 3)))],
                          "UserPolicyList": inline, **common})
        else:
            trust = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole",
                     "Principal": {"Service": "ecs-tasks.amazonaws.com"} if rng.random() < 0.5 else {"AWS": f"arn:aws:iam::{account}:root"}}]}
            roles.append({"RoleName": f"role-{n}", "RoleId": f"AROA{n:016d}", "Arn": f"arn:aws:iam::{account}:role/role-{n}",
                          "AssumeRolePolicyDocument": trust, "RolePolicyList": inline, **common})
    with open(out, "w") as f:
        json.dump({"UserDetailList": users, "GroupDetailList": groups, "RoleDetailList": roles,
                   "Policies": policies, "IsTruncated": False}, f, indent=1)


if __name__ == "__main__":
    main()
