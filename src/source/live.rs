//! The live account through the IAM API: `GetAccountAuthorizationDetails`, every page,
//! with aws-config's default credential chain, standard retries and timeouts. Each page
//! becomes the same JSON a dump file holds (documents decoded, pretty-printed), so the
//! review reads live and offline accounts through one path, and `--snapshot` can write
//! exactly what was reviewed.

use crate::document::policy::percent_decode;
use crate::source::SourceFile;
use aws_config::BehaviorVersion;
use aws_config::retry::RetryConfig;
use aws_config::timeout::TimeoutConfig;
use aws_sdk_iam::error::{DisplayErrorContext, ProvideErrorMetadata, SdkError};
use aws_sdk_iam::types::{AttachedPolicy, EntityType, PolicyDetail};
use serde_json::{Value, json};
use std::time::Duration;

#[derive(Clone, Debug, Default)]
pub struct Options {
    pub profile: Option<String>,
    pub region: Option<String>,
    pub endpoint_url: Option<String>,
}

/// Every page of the account's authorization details, or one message saying why not.
/// A failure on any page fails the whole fetch: never a partial account.
pub fn fetch(options: &Options, mut on_page: impl FnMut(usize)) -> Result<Vec<String>, String> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| format!("cannot start the async runtime: {e}"))?;
    runtime.block_on(async {
        let mut loader = aws_config::defaults(BehaviorVersion::latest())
            .retry_config(RetryConfig::standard().with_max_attempts(4))
            .timeout_config(
                TimeoutConfig::builder()
                    .connect_timeout(Duration::from_secs(5))
                    .read_timeout(Duration::from_secs(60))
                    .build(),
            );
        if let Some(profile) = &options.profile {
            loader = loader.profile_name(profile);
        }
        if let Some(region) = &options.region {
            loader = loader.region(aws_config::Region::new(region.clone()));
        }
        if let Some(url) = &options.endpoint_url {
            loader = loader.endpoint_url(url);
        }
        let config = loader.load().await;
        let client = aws_sdk_iam::Client::new(&config);
        let mut pages = Vec::new();
        let mut marker: Option<String> = None;
        loop {
            let output = client
                .get_account_authorization_details()
                .filter(EntityType::User)
                .filter(EntityType::Group)
                .filter(EntityType::Role)
                .filter(EntityType::LocalManagedPolicy)
                .filter(EntityType::AwsManagedPolicy)
                .set_marker(marker.clone())
                .send()
                .await
                .map_err(|e| describe(&e, pages.len() + 1))?;
            pages.push(page_json(&output));
            on_page(pages.len());
            match (output.is_truncated(), output.marker()) {
                (true, Some(next)) => marker = Some(next.to_string()),
                (true, None) => {
                    return Err(format!(
                        "page {} of the IAM answer is truncated but has no Marker: cannot fetch the rest",
                        pages.len()
                    ))
                }
                (false, _) => break,
            }
        }
        Ok(pages)
    })
}

/// Pages as source files: under `dir` when snapshotting, else with virtual names.
pub fn sources(
    pages: Vec<String>,
    snapshot: Option<&std::path::Path>,
) -> Result<Vec<SourceFile>, String> {
    pages
        .into_iter()
        .enumerate()
        .map(|(i, text)| {
            let name = format!("authorization-details-{}.json", i + 1);
            let path = match snapshot {
                Some(dir) => {
                    std::fs::create_dir_all(dir)
                        .and_then(|()| std::fs::write(dir.join(&name), &text))
                        .map_err(|e| {
                            format!("cannot write snapshot {}: {e}", dir.join(&name).display())
                        })?;
                    crate::source::files::display_path(&dir.join(&name))
                }
                None => format!("<live>/{name}"),
            };
            Ok(SourceFile::new(path, text))
        })
        .collect()
}

/// A policy document as the API returns it (URL-encoded JSON), decoded to JSON when
/// possible; otherwise kept as the string, for the reader to report.
fn document(encoded: Option<&str>) -> Value {
    let encoded = encoded.unwrap_or_default();
    percent_decode(encoded)
        .and_then(|text| serde_json::from_str(&text).ok())
        .unwrap_or_else(|| Value::String(encoded.to_string()))
}

fn inline(list: &[PolicyDetail]) -> Value {
    list.iter()
        .map(|p| json!({"PolicyName": p.policy_name(), "PolicyDocument": document(p.policy_document())}))
        .collect()
}

fn attached(list: &[AttachedPolicy]) -> Value {
    list.iter()
        .map(|p| json!({"PolicyName": p.policy_name(), "PolicyArn": p.policy_arn()}))
        .collect()
}

fn page_json(
    output: &aws_sdk_iam::operation::get_account_authorization_details::GetAccountAuthorizationDetailsOutput,
) -> String {
    let boundary = |b: Option<&aws_sdk_iam::types::AttachedPermissionsBoundary>| {
        b.map(|b| json!({"PermissionsBoundaryType": "Policy", "PermissionsBoundaryArn": b.permissions_boundary_arn()}))
    };
    let users: Vec<Value> = output
        .user_detail_list()
        .iter()
        .map(|u| {
            json!({"UserName": u.user_name(), "Arn": u.arn(), "Path": u.path(), "GroupList": u.group_list(),
                   "UserPolicyList": inline(u.user_policy_list()), "AttachedManagedPolicies": attached(u.attached_managed_policies()),
                   "PermissionsBoundary": boundary(u.permissions_boundary())})
        })
        .collect();
    let groups: Vec<Value> = output
        .group_detail_list()
        .iter()
        .map(|g| {
            json!({"GroupName": g.group_name(), "Arn": g.arn(), "Path": g.path(),
                   "GroupPolicyList": inline(g.group_policy_list()), "AttachedManagedPolicies": attached(g.attached_managed_policies())})
        })
        .collect();
    let roles: Vec<Value> = output
        .role_detail_list()
        .iter()
        .map(|r| {
            json!({"RoleName": r.role_name(), "Arn": r.arn(), "Path": r.path(),
                   "AssumeRolePolicyDocument": document(r.assume_role_policy_document()),
                   "RolePolicyList": inline(r.role_policy_list()), "AttachedManagedPolicies": attached(r.attached_managed_policies()),
                   "PermissionsBoundary": boundary(r.permissions_boundary())})
        })
        .collect();
    let policies: Vec<Value> = output
        .policies()
        .iter()
        .map(|p| {
            let versions: Vec<Value> = p
                .policy_version_list()
                .iter()
                .map(|v| json!({"VersionId": v.version_id(), "IsDefaultVersion": v.is_default_version(), "Document": document(v.document())}))
                .collect();
            json!({"PolicyName": p.policy_name(), "Arn": p.arn(), "Path": p.path(), "PolicyVersionList": versions})
        })
        .collect();
    let mut page = json!({"UserDetailList": users, "GroupDetailList": groups, "RoleDetailList": roles, "Policies": policies});
    strip_nulls(&mut page);
    serde_json::to_string_pretty(&page).unwrap_or_default()
}

/// Absent optional fields (`PermissionsBoundary: null`) are left out, as the CLI does.
fn strip_nulls(value: &mut Value) {
    match value {
        Value::Object(map) => {
            map.retain(|_, v| !v.is_null());
            map.values_mut().for_each(strip_nulls);
        }
        Value::Array(items) => items.iter_mut().for_each(strip_nulls),
        _ => {}
    }
}

/// One clear sentence: the cause and what to do. Never a stack trace or a secret (AWS
/// error messages name the principal ARN at most, never keys or tokens).
fn describe<E: ProvideErrorMetadata + std::error::Error + 'static>(
    error: &SdkError<E, aws_sdk_iam::config::http::HttpResponse>,
    page: usize,
) -> String {
    let context = DisplayErrorContext(error).to_string();
    let at = format!("IAM GetAccountAuthorizationDetails (page {page})");
    match error {
        SdkError::ServiceError(service) => {
            let code = service.err().code().unwrap_or("");
            let message = service.err().message().unwrap_or("");
            let status = service.raw().status().as_u16();
            match code {
                "AccessDenied" | "AccessDeniedException" => format!(
                    "{at}: access denied ({message}). The credentials need iam:GetAccountAuthorizationDetails; policies/iamlint-readonly.json is the policy to attach"
                ),
                "Throttling"
                | "ThrottlingException"
                | "RequestLimitExceeded"
                | "TooManyRequestsException" => format!(
                    "{at}: the IAM API kept throttling after 4 attempts with backoff; try again later"
                ),
                "ExpiredToken"
                | "ExpiredTokenException"
                | "RequestExpired"
                | "TokenRefreshRequired" => format!(
                    "{at}: the credentials have expired; refresh them (for SSO: aws sso login) and run again"
                ),
                "InvalidClientTokenId"
                | "SignatureDoesNotMatch"
                | "UnrecognizedClientException"
                | "IncompleteSignature" => format!(
                    "{at}: the credentials were rejected ({code}); check the access key, profile or session"
                ),
                "" if service.raw().status().is_success() => {
                    format!("{at}: the IAM endpoint sent a response that is not a valid IAM answer")
                }
                "" => format!(
                    "{at}: the endpoint answered HTTP {status} without an AWS error, 4 times"
                ),
                _ => format!("{at}: the IAM API answered {code} (HTTP {status}): {message}"),
            }
        }
        SdkError::TimeoutError(_) => format!(
            "{at}: the IAM endpoint did not answer in time; check the network or --endpoint-url"
        ),
        SdkError::ResponseError(_) => {
            format!("{at}: the IAM endpoint sent a response that is not a valid IAM answer")
        }
        _ if context.contains("credentials") || context.contains("Credentials") => format!(
            "{at}: no AWS credentials found; set AWS_PROFILE (or --profile), AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or log in with aws sso login"
        ),
        SdkError::DispatchFailure(failure) if failure.is_io() || failure.is_timeout() => format!(
            "{at}: cannot reach the IAM endpoint; check the network, the region or --endpoint-url"
        ),
        _ if context.contains("region") || context.contains("Region") => {
            format!("{at}: no AWS region configured; set AWS_REGION or --region")
        }
        _ => format!("{at}: the request failed: {}", first_line(&context)),
    }
}

fn first_line(text: &str) -> &str {
    text.lines().next().unwrap_or(text)
}
