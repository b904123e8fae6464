#!/usr/bin/env python3
"""Seed a moto IAM server for tests/moto.rs. Usage: moto_seed.py ENDPOINT_URL

Creates: a managed policy with three versions whose default is neither the first nor the
newest, a group with that policy, users (in the group; with an inline conditional
policy; with another managed policy), a role trusted by ECS tasks, a service-linked
role, and an assume-role chain: user chain-user may assume hop-a (trusting the account),
which may assume hop-b (trusting hop-a), which holds ecs:UpdateService.
"""
import json
import sys

import boto3

iam = boto3.client("iam", endpoint_url=sys.argv[1], region_name="us-east-1",
                   aws_access_key_id="testing", aws_secret_access_key="testing")


def doc(*statements):
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


def allow(action, resource="*", **extra):
    return {"Effect": "Allow", "Action": action, "Resource": resource, **extra}


deploy = iam.create_policy(PolicyName="EcsDeploy", PolicyDocument=doc(allow("ecs:DeleteCluster")))["Policy"]["Arn"]
iam.create_policy_version(PolicyArn=deploy, PolicyDocument=doc(allow(["ecs:UpdateService", "ecs:RegisterTaskDefinition"])), SetAsDefault=True)
iam.create_policy_version(PolicyArn=deploy, PolicyDocument=doc(allow("ecs:*")), SetAsDefault=False)
boundary = iam.create_policy(PolicyName="Boundary", PolicyDocument=doc(allow("ecs:UpdateService")))["Policy"]["Arn"]

iam.create_group(GroupName="deployers")
iam.attach_group_policy(GroupName="deployers", PolicyArn=deploy)
iam.create_user(UserName="alice")
iam.add_user_to_group(GroupName="deployers", UserName="alice")
iam.create_user(UserName="bob")
iam.put_user_policy(UserName="bob", PolicyName="scoped", PolicyDocument=doc(
    allow("ecs:CreateCluster", Condition={"Bool": {"aws:MultiFactorAuthPresent": "true"}})))
# moto 5.2.5 leaves PermissionsBoundary out of GetAccountAuthorizationDetails, so
# boundaries are tested with recorded dumps and the scripted endpoint instead.
iam.create_user(UserName="carol")
iam.attach_user_policy(UserName="carol", PolicyArn=boundary)

trust = doc({"Effect": "Allow", "Principal": {"Service": "ecs-tasks.amazonaws.com"}, "Action": "sts:AssumeRole"})
iam.create_role(RoleName="app-task", AssumeRolePolicyDocument=trust)
iam.put_role_policy(RoleName="app-task", PolicyName="read", PolicyDocument=doc(allow("ecs:Describe*")))
slr = iam.create_service_linked_role(AWSServiceName="ecs.amazonaws.com")["Role"]["RoleName"]
iam.put_role_policy(RoleName=slr, PolicyName="ecs", PolicyDocument=doc(allow("ecs:*")))

# The chain: chain-user -> hop-a -> hop-b.
account = boto3.client("sts", endpoint_url=sys.argv[1], region_name="us-east-1", aws_access_key_id="testing",
                       aws_secret_access_key="testing").get_caller_identity()["Account"]
hop_a = iam.create_role(RoleName="hop-a", AssumeRolePolicyDocument=doc(
    {"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{account}:root"}, "Action": "sts:AssumeRole"}))["Role"]["Arn"]
hop_b = iam.create_role(RoleName="hop-b", AssumeRolePolicyDocument=doc(
    {"Effect": "Allow", "Principal": {"AWS": hop_a}, "Action": "sts:AssumeRole"}))["Role"]["Arn"]
iam.put_role_policy(RoleName="hop-a", PolicyName="next-hop", PolicyDocument=doc(allow("sts:AssumeRole", hop_b)))
iam.put_role_policy(RoleName="hop-b", PolicyName="deploy", PolicyDocument=doc(allow("ecs:UpdateService")))
iam.create_user(UserName="chain-user")
iam.put_user_policy(UserName="chain-user", PolicyName="first-hop", PolicyDocument=doc(allow("sts:AssumeRole", hop_a)))
print("seeded")
