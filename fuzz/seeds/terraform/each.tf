resource "aws_iam_group" "g" { name = "g" }
resource "aws_iam_user" "names" {
  for_each = toset(["a", "b"])
  name     = each.key
}
resource "aws_iam_user_group_membership" "m" {
  user   = aws_iam_user.names["a"].name
  groups = [aws_iam_group.g.name, "elsewhere"]
}
resource "aws_iam_policy_attachment" "all" {
  name       = "all"
  groups     = [aws_iam_group.g.name]
  policy_arn = "arn:aws:iam::aws:policy/AdministratorAccess"
}
resource "aws_iam_role" "loop" {
  name = local.x
  assume_role_policy = file("../../outside.json")
}
locals { x = local.y
  y = local.x }
