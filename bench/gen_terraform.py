"""A generated Terraform repository for the infrastructure-code benchmark: N modules of
ten IAM resources each. Every module has a developer who may assume a deploy role that
holds ecs:UpdateService (a two-step path only a graph finds), a scoped role built with
for_each, a policy document with a condition and a Deny, and a policy attached to nothing.
Usage: gen_terraform.py OUT [--modules N]"""

import argparse
import pathlib

MODULE = """\
locals {{
  team = "team{i}"
}}

resource "aws_iam_user" "dev" {{
  name = "${{local.team}}-dev"
}}

resource "aws_iam_user_policy" "assume" {{
  name = "assume-deploy"
  user = aws_iam_user.dev.name
  policy = jsonencode({{
    Version   = "2012-10-17"
    Statement = [{{ Effect = "Allow", Action = "sts:AssumeRole", Resource = aws_iam_role.deploy.arn }}]
  }})
}}

resource "aws_iam_role" "deploy" {{
  name = "${{local.team}}-deploy"
  assume_role_policy = jsonencode({{
    Version   = "2012-10-17"
    Statement = [{{ Effect = "Allow", Principal = {{ AWS = aws_iam_user.dev.arn }}, Action = "sts:AssumeRole" }}]
  }})
}}

data "aws_iam_policy_document" "deploy" {{
  statement {{
    actions   = ["ecs:UpdateService", "ecs:DescribeServices"]
    resources = ["*"]
  }}
  statement {{
    actions   = ["ecs:RegisterTaskDefinition"]
    resources = ["*"]
    condition {{
      test     = "StringEquals"
      variable = "aws:RequestedRegion"
      values   = ["us-east-1"]
    }}
  }}
  statement {{
    effect    = "Deny"
    actions   = ["ecs:DeleteCluster"]
    resources = ["*"]
  }}
}}

resource "aws_iam_role_policy" "deploy" {{
  name   = "deploy"
  role   = aws_iam_role.deploy.id
  policy = data.aws_iam_policy_document.deploy.json
}}

resource "aws_iam_role" "service" {{
  for_each = toset(["api", "worker"])
  name     = "${{local.team}}-${{each.key}}"
  assume_role_policy = jsonencode({{
    Version   = "2012-10-17"
    Statement = [{{ Effect = "Allow", Principal = {{ Service = "ecs-tasks.amazonaws.com" }}, Action = "sts:AssumeRole" }}]
  }})
}}

resource "aws_iam_group" "readers" {{
  name = "${{local.team}}-readers"
}}

resource "aws_iam_group_policy_attachment" "readers" {{
  group      = aws_iam_group.readers.name
  policy_arn = "arn:aws:iam::aws:policy/AmazonECS_FullAccess"
}}

resource "aws_iam_policy" "audit" {{
  name = "${{local.team}}-audit"
  policy = jsonencode({{
    Version   = "2012-10-17"
    Statement = [{{ Effect = "Allow", Action = ["ecs:Describe*", "ecs:List*"], Resource = "*" }}]
  }})
}}
"""


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("out")
    parser.add_argument("--modules", type=int, default=1000)
    args = parser.parse_args()
    out = pathlib.Path(args.out)
    for i in range(args.modules):
        module = out / f"module{i:04}"
        module.mkdir(parents=True, exist_ok=True)
        (module / "main.tf").write_text(MODULE.format(i=i))


if __name__ == "__main__":
    main()
