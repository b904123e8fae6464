variable "names" { default = ["a", "b"] }
locals {
  grouped = { for k, v in { x = "1", y = "2" } : v => k... if k != "y" }
  upper   = [for n in var.names : upper(n)]
}
resource "aws_iam_user" "u" { name = join("-", local.upper) }
resource "aws_iam_user_policy" "p" {
  user   = aws_iam_user.u.name
  policy = jsonencode({ Statement = [{ Effect = "Allow", Action = [for n in var.names : "ecs:${n}"], Resource = "%{ for n in var.names }${n}%{ endfor }%{ if true }x%{ else }y%{ endif }" }] })
}
resource "aws_iam_role_policy" "t" {
  role   = "r"
  policy = templatefile("p.tpl", { a = merge({ b = 1 }, { c = 2 }) })
}
