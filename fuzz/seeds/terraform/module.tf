variable "env" { default = "prod" }
locals { role = "${var.env}-deploy" }
resource "aws_iam_user" "u" { name = "u" }
resource "aws_iam_user_policy" "u" {
  user   = aws_iam_user.u.name
  policy = jsonencode({ Statement = [{ Effect = "Allow", Action = ["sts:AssumeRole"], Resource = [aws_iam_role.r.arn] }] })
}
resource "aws_iam_role" "r" {
  name               = local.role
  assume_role_policy = jsonencode({ Statement = { Effect = "Allow", Principal = { AWS = [aws_iam_user.u.arn] }, Action = "sts:AssumeRole" } })
  inline_policy {
    name   = "d"
    policy = data.aws_iam_policy_document.d.json
  }
}
data "aws_iam_policy_document" "base" {
  statement {
    sid     = "Base"
    actions = ["ecs:Describe*"]
    resources = ["*"]
  }
}
data "aws_iam_policy_document" "d" {
  version                 = "2012-10-17"
  source_policy_documents = [data.aws_iam_policy_document.base.json]
  statement {
    effect    = "Allow"
    sid       = "Deploy"
    actions   = ["ecs:UpdateService"]
    resources = ["arn:aws:ecs:*:*:service/${var.env}/*"]
    principals {
      identifiers = ["*"]
      type        = "AWS"
    }
    condition {
      test     = "Bool"
      variable = "aws:MultiFactorAuthPresent"
      values   = ["true"]
    }
  }
  statement {
    effect      = "Deny"
    not_actions = ["ecs:*"]
    resources   = ["*"]
  }
}
