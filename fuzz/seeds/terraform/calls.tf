module "child" {
  source = "./child"
  name   = aws_iam_user.u.name
}
module "remote" {
  source = "terraform-aws-modules/iam/aws"
}
resource "aws_iam_user" "u" { name = "u" }
resource "aws_iam_user_policy" "p" {
  user   = aws_iam_user.u.name
  policy = jsonencode({ Statement = [{ Effect = "Allow", Action = "sts:AssumeRole", Resource = [module.child.arn, module.remote.arn] }] })
}
