resource "aws_iam_role" "r" {
  count = 3
  name = format("r-%s", count.index)
  assume_role_policy = jsonencode({Statement = [{Effect = "Allow", Principal = {Service = "ecs-tasks.amazonaws.com"}, Action = "sts:AssumeRole"}]})
  managed_policy_arns = concat(["arn:aws:iam::aws:policy/PowerUserAccess"], [aws_iam_policy.p.arn])
}
resource "aws_iam_policy" "p" {
  policy = <<EOF
{"Statement": {"Effect": "Allow", "Action": "ecs:${var.a}", "Resource": "*"}}
EOF
}
