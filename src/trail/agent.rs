//! What made a call, from its `userAgent`: the console, the CLI, an SDK, an
//! infrastructure tool. The first rule that matches wins: tools built on an SDK
//! (Terraform's agent names aws-sdk-go) are named before the SDKs.

/// Classes in the order they are tried, each with the (lower-case) marks that name it.
const CLASSES: &[(&str, &[&str])] = &[
    ("Terraform", &["terraform"]),
    ("Pulumi", &["pulumi"]),
    ("CDK", &["aws-cdk"]),
    ("CloudFormation", &["cloudformation"]),
    ("Copilot", &["copilot"]),
    (
        "Console",
        &["console.amazonaws.com", "signin.amazonaws.com", "mozilla/"],
    ),
    ("CLI", &["aws-cli/"]),
    ("AWS internal", &["aws internal"]),
    (
        "SDK",
        &[
            "aws-sdk",
            "boto3/",
            "botocore/",
            "aws-chalice",
            "aws-amplify",
        ],
    ),
];

/// The class of a user agent: one of [`CLASSES`], `AWS service` for a service's host
/// name, `unknown` when absent, else `other`.
pub fn classify(agent: Option<&str>) -> &'static str {
    let Some(agent) = agent.map(str::trim).filter(|a| !a.is_empty()) else {
        return "unknown";
    };
    let lower = agent.to_ascii_lowercase();
    for (class, marks) in CLASSES {
        if marks.iter().any(|m| lower.contains(m)) {
            return class;
        }
    }
    if lower.ends_with(".amazonaws.com") {
        return "AWS service";
    }
    "other"
}

#[cfg(test)]
mod tests {
    use super::classify;

    #[test]
    fn agents() {
        for (agent, class) in [
            ("console.amazonaws.com", "Console"),
            (
                "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36",
                "Console",
            ),
            (
                "aws-cli/2.15.30 md/awscrt#0.19.19 ua/2.0 os/linux#6.1 md/arch#x86_64 lang/python#3.11.8 command/ecs.update-service",
                "CLI",
            ),
            (
                "aws-cli/1.29.0 Python/3.11.4 Linux/6.1 botocore/1.31.0",
                "CLI",
            ),
            (
                "Boto3/1.34.0 md/Botocore#1.34.0 ua/2.0 os/linux lang/python#3.12.1 Botocore/1.34.0",
                "SDK",
            ),
            (
                "aws-sdk-go-v2/1.24.0 os/linux lang/go#1.21.5 api/ecs#1.35.6",
                "SDK",
            ),
            (
                "aws-sdk-java/2.21.0 Linux/6.1 OpenJDK_64-Bit_Server_VM/17",
                "SDK",
            ),
            (
                "APN/1.0 HashiCorp/1.0 Terraform/1.6.6 (+https://www.terraform.io) terraform-provider-aws/5.31.0 (+https://registry.terraform.io/providers/hashicorp/aws) aws-sdk-go-v2/1.24.0",
                "Terraform",
            ),
            ("cloudformation.amazonaws.com", "CloudFormation"),
            ("aws-cdk/2.110.0", "CDK"),
            ("pulumi-aws/v6", "Pulumi"),
            ("aws-copilot/v1.32", "Copilot"),
            ("AWS Internal", "AWS internal"),
            ("ecs.application-autoscaling.amazonaws.com", "AWS service"),
            ("curl/8.4.0", "other"),
            ("", "unknown"),
        ] {
            assert_eq!(classify(Some(agent)), class, "{agent}");
        }
        assert_eq!(classify(None), "unknown");
    }
}
