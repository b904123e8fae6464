//! `iamlint trail --emit cloudformation`: a ready CloudFormation template (JSON, so that
//! the event pattern is the very text `--emit eventbridge` prints) with the EventBridge
//! rule of [`super::eventbridge`], an SNS topic as its target, the topic policy that lets
//! EventBridge publish for that rule only, and an optional email subscription.

use super::eventbridge::Pattern;
use serde_json::{Value, json};
use std::io::{self, Write};

/// The template for `pattern`, which selects `monitored` actions.
pub fn template(pattern: &Pattern, monitored: usize) -> Value {
    let mut metadata = json!({"Generator": format!("iamlint {}", env!("CARGO_PKG_VERSION"))});
    if !pattern.notes.is_empty() {
        metadata["Notes"] = json!(pattern.notes);
    }
    json!({
        "AWSTemplateFormatVersion": "2010-09-09",
        "Description": format!(
            "iamlint trail: an alert for the monitored ECS changes ({monitored} actions) made or tried by actors outside the privileged list, from CloudTrail's events in this region"
        ),
        "Metadata": {"iamlint": metadata},
        "Parameters": {
            "NotificationEmail": {
                "Type": "String",
                "Default": "",
                "AllowedPattern": "^$|^[^@\\s]+@[^@\\s]+$",
                "Description": "An email address to subscribe to the alerts (SNS mails a confirmation link first); empty for none"
            }
        },
        "Conditions": {
            "HasNotificationEmail": {"Fn::Not": [{"Fn::Equals": [{"Ref": "NotificationEmail"}, ""]}]}
        },
        "Resources": {
            "AlertTopic": {
                "Type": "AWS::SNS::Topic",
                "Properties": {"DisplayName": "iamlint ECS changes"}
            },
            "AlertTopicPolicy": {
                "Type": "AWS::SNS::TopicPolicy",
                "Properties": {
                    "Topics": [{"Ref": "AlertTopic"}],
                    "PolicyDocument": {
                        "Version": "2012-10-17",
                        "Statement": [{
                            "Sid": "EventBridgePublishesForTheRule",
                            "Effect": "Allow",
                            "Principal": {"Service": "events.amazonaws.com"},
                            "Action": "sns:Publish",
                            "Resource": {"Ref": "AlertTopic"},
                            "Condition": {"ArnEquals": {"aws:SourceArn": {"Fn::GetAtt": ["EcsChangeRule", "Arn"]}}}
                        }]
                    }
                }
            },
            "EcsChangeRule": {
                "Type": "AWS::Events::Rule",
                "Properties": {
                    "Description": "Monitored ECS changes by actors outside the privileged list (iamlint trail --emit)",
                    "State": "ENABLED",
                    "EventPattern": pattern.pattern,
                    "Targets": [{"Arn": {"Ref": "AlertTopic"}, "Id": "iamlint-alert-topic"}]
                }
            },
            "EmailSubscription": {
                "Type": "AWS::SNS::Subscription",
                "Condition": "HasNotificationEmail",
                "Properties": {
                    "TopicArn": {"Ref": "AlertTopic"},
                    "Protocol": "email",
                    "Endpoint": {"Ref": "NotificationEmail"}
                }
            }
        },
        "Outputs": {
            "TopicArn": {
                "Description": "Subscribe further endpoints (SMS, HTTPS, a chat integration) to this topic",
                "Value": {"Ref": "AlertTopic"}
            },
            "RuleArn": {"Value": {"Fn::GetAtt": ["EcsChangeRule", "Arn"]}}
        }
    })
}

pub fn render(template: &Value, out: &mut dyn Write) -> io::Result<()> {
    serde_json::to_writer_pretty(&mut *out, template)?;
    writeln!(out)
}
