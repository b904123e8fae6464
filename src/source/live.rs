//! The live account through the IAM API: `GetAccountAuthorizationDetails`, every page,
//! with aws-config's default credential chain, standard retries and timeouts. Each page
//! becomes the same JSON a dump file holds (documents decoded, pretty-printed), so the
//! review reads live and offline accounts through one path, and `--snapshot` can write
//! exactly what was reviewed. The set-up and the fault messages ([`preflight`], [`sdk_config`],
//! [`describe`]) are shared with CloudTrail's `LookupEvents` (`trail_live`).

use crate::document::policy::percent_decode;
use crate::source::SourceFile;
use aws_config::BehaviorVersion;
use aws_config::retry::RetryConfig;
use aws_config::timeout::TimeoutConfig;
use aws_sdk_iam::error::{ProvideErrorMetadata, SdkError};
use aws_sdk_iam::types::{AttachedPolicy, EntityType, PolicyDetail};
use aws_smithy_http_client::proxy::ProxyConfig;
use aws_smithy_http_client::{Builder, ConnectorBuilder, tls};
use serde_json::{Value, json};
use std::time::Duration;

#[derive(Clone, Debug, Default)]
pub struct Options {
    pub profile: Option<String>,
    pub region: Option<String>,
    pub endpoint_url: Option<String>,
}

/// Where IAM is signed when no region is configured: the `aws` partition's global IAM
/// endpoint (`iam.amazonaws.com`) signs in us-east-1, as the AWS CLI does. Other
/// partitions (aws-cn, aws-us-gov) are chosen with `--region`.
pub const GLOBAL_REGION: &str = "us-east-1";

/// Every page of the account's authorization details, or one message saying why not.
/// A failure on any page fails the whole fetch: never a partial account.
pub fn fetch(options: &Options, mut on_page: impl FnMut(usize)) -> Result<Vec<String>, String> {
    let runtime = preflight(options)?;
    runtime.block_on(async {
        let config = sdk_config(options, &IAM, RetryConfig::standard().with_max_attempts(ATTEMPTS as u32))
            .await?;
        let config = if config.region().is_none() {
            config
                .to_builder()
                .region(aws_config::Region::from_static(GLOBAL_REGION))
                .build()
        } else {
            config
        };
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
                .map_err(|e| {
                    let at = format!("IAM GetAccountAuthorizationDetails (page {})", pages.len() + 1);
                    describe(&e, &at, &IAM)
                })?;
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

/// The API a live read calls, as its messages name it.
pub struct Service {
    /// `IAM`, `CloudTrail`.
    pub name: &'static str,
    /// The permission the call needs, named when access is denied.
    pub permission: &'static str,
    /// The variable that sets this service's endpoint (`AWS_ENDPOINT_URL_IAM`).
    pub endpoint_variable: &'static str,
    /// How many times a call is tried, as the throttling message says.
    pub attempts: usize,
}

/// Attempts of an IAM call (the SDK's standard retry).
const ATTEMPTS: usize = 4;

const IAM: Service = Service {
    name: "IAM",
    permission: "iam:GetAccountAuthorizationDetails",
    endpoint_variable: "AWS_ENDPOINT_URL_IAM",
    attempts: ATTEMPTS,
};

/// Mistakes in the command line or the profile files end the run before any call; then
/// the runtime the SDK's calls run on.
pub fn preflight(options: &Options) -> Result<tokio::runtime::Runtime, String> {
    if let Some(url) = &options.endpoint_url {
        check_endpoint_url(url).map_err(|why| format!("--endpoint-url `{url}` {why}"))?;
    }
    let profile_files = ProfileFiles::from_env();
    if let Some((profile, from)) = selected_profile(options) {
        if !profile_files.defines(&profile) {
            return Err(profile_files.missing(&profile, from));
        }
    }
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| format!("cannot start the async runtime: {e}"))
}

/// aws-config's standard chain with iamlint's timeouts, `retry` and the options given.
/// The region is the caller's to default when none is configured.
pub async fn sdk_config(
    options: &Options,
    service: &Service,
    retry: RetryConfig,
) -> Result<aws_config::SdkConfig, String> {
    let mut loader = aws_config::defaults(BehaviorVersion::latest())
        // The SDK's default client, built by hand on rustls with ring (Cargo.toml says
        // why): timeouts from this config, proxies from `HTTPS_PROXY`/`NO_PROXY`.
        .http_client(
            Builder::new().build_with_connector_fn(|settings, components| {
                let mut connector = ConnectorBuilder::default().tls_provider(
                    tls::Provider::Rustls(tls::rustls_provider::CryptoMode::Ring),
                );
                connector.set_connector_settings(settings.cloned());
                if let Some(components) = components {
                    connector.set_sleep_impl(components.sleep_impl());
                }
                connector.set_proxy_config(Some(ProxyConfig::from_env()));
                connector.build()
            }),
        )
        .retry_config(retry)
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
    // An endpoint from the environment or the profile is checked like the flag.
    if options.endpoint_url.is_none() {
        let from_env = [service.endpoint_variable, "AWS_ENDPOINT_URL"]
            .into_iter()
            .find_map(|name| Some((std::env::var(name).ok().filter(|v| !v.is_empty())?, name)));
        let configured = from_env.or_else(|| {
            config
                .endpoint_url()
                .map(|url| (url.to_string(), "the profile's endpoint_url"))
        });
        if let Some((url, from)) = configured {
            check_endpoint_url(&url)
                .map_err(|why| format!("the endpoint URL `{url}` (from {from}) {why}"))?;
        }
    }
    Ok(config)
}

/// Why `url` cannot be an endpoint, checked before any request: an `http` or `https`
/// URL with a host (and at most a numeric port), nothing the SDK would only reject while
/// sending.
fn check_endpoint_url(url: &str) -> Result<(), String> {
    const SHAPE: &str =
        "is not a URL: it must look like https://iam.example.com or http://127.0.0.1:5000";
    let Some((scheme, rest)) = url.split_once("://") else {
        return Err(SHAPE.into());
    };
    if !scheme.eq_ignore_ascii_case("http") && !scheme.eq_ignore_ascii_case("https") {
        return Err(format!(
            "has the scheme `{scheme}`: only http and https are supported"
        ));
    }
    if url.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err("contains spaces or control characters".into());
    }
    let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
    if authority.contains('@') {
        return Err("contains user information: credentials never go in the URL".into());
    }
    let (host, port) = match authority.strip_prefix('[') {
        // An IPv6 literal: `[::1]:5000`.
        Some(v6) => match v6.split_once(']') {
            Some((host, tail)) => (host, tail.strip_prefix(':')),
            None => return Err(SHAPE.into()),
        },
        None => match authority.rsplit_once(':') {
            Some((host, port)) => (host, Some(port)),
            None => (authority, None),
        },
    };
    let host_ok = !host.is_empty()
        && host
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-._:%".contains(c));
    if !host_ok {
        return Err(SHAPE.into());
    }
    if let Some(port) = port {
        if port.parse::<u16>().is_err() {
            return Err(format!(
                "has the port `{port}`, which is not a number from 0 to 65535"
            ));
        }
    }
    Ok(())
}

/// The profile the run asks for: `--profile`, else `AWS_PROFILE`, with where it came from.
fn selected_profile(options: &Options) -> Option<(String, &'static str)> {
    match &options.profile {
        Some(profile) => Some((profile.clone(), "--profile")),
        None => std::env::var("AWS_PROFILE")
            .ok()
            .filter(|p| !p.is_empty())
            .map(|p| (p, "AWS_PROFILE")),
    }
}

/// The shared config and credentials files, where aws-config reads them: the
/// `AWS_CONFIG_FILE` and `AWS_SHARED_CREDENTIALS_FILE` variables, else `~/.aws/config`
/// and `~/.aws/credentials`.
struct ProfileFiles {
    config: std::path::PathBuf,
    credentials: std::path::PathBuf,
}

impl ProfileFiles {
    fn from_env() -> ProfileFiles {
        let home = std::env::var_os("HOME")
            .or_else(|| std::env::var_os("USERPROFILE"))
            .map(std::path::PathBuf::from);
        let path = |variable: &str, default: &str| match std::env::var_os(variable) {
            Some(path) if !path.is_empty() => expand_home(std::path::Path::new(&path), &home),
            _ => expand_home(std::path::Path::new(default), &home),
        };
        ProfileFiles {
            config: path("AWS_CONFIG_FILE", "~/.aws/config"),
            credentials: path("AWS_SHARED_CREDENTIALS_FILE", "~/.aws/credentials"),
        }
    }

    /// Whether either file has a section for `profile`: `[profile NAME]` (or `[default]`)
    /// in the config file, `[NAME]` in the credentials file. A little more lenient than
    /// aws-config, so that iamlint never refuses a profile the SDK would use.
    fn defines(&self, profile: &str) -> bool {
        [&self.config, &self.credentials].iter().any(|path| {
            std::fs::read_to_string(path)
                .is_ok_and(|text| text.lines().any(|line| section_names(line, profile)))
        })
    }

    fn missing(&self, profile: &str, from: &str) -> String {
        format!(
            "AWS profile `{profile}` (from {from}) is not in the config or credentials files; iamlint looked in {} and {}. Create it with `aws configure --profile {profile}` or `aws configure sso`, or name another profile",
            self.config.display(),
            self.credentials.display()
        )
    }
}

fn expand_home(path: &std::path::Path, home: &Option<std::path::PathBuf>) -> std::path::PathBuf {
    match (path.strip_prefix("~"), home) {
        (Ok(rest), Some(home)) => home.join(rest),
        _ => path.to_path_buf(),
    }
}

/// Whether an INI line is the section header of `profile` (`[profile audit]`, `[audit]`).
fn section_names(line: &str, profile: &str) -> bool {
    let Some(inner) = line
        .trim()
        .strip_prefix('[')
        .and_then(|rest| rest.split_once(']'))
        .map(|(inner, _)| inner.trim())
    else {
        return false;
    };
    let name = match inner.split_once(char::is_whitespace) {
        Some(("profile", name)) => name.trim(),
        _ => inner,
    };
    name == profile
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
pub fn describe<E: ProvideErrorMetadata + std::error::Error + 'static>(
    error: &SdkError<E, aws_sdk_iam::config::http::HttpResponse>,
    at: &str,
    service: &Service,
) -> String {
    let context = chain(error);
    let Service {
        name,
        permission,
        attempts,
        ..
    } = service;
    match error {
        SdkError::ServiceError(service) => {
            let code = service.err().code().unwrap_or("");
            let message = service.err().message().unwrap_or("");
            let status = service.raw().status().as_u16();
            match code {
                "AccessDenied" | "AccessDeniedException" => format!(
                    "{at}: access denied ({message}). The credentials need {permission}; policies/iamlint-readonly.json is the policy to attach"
                ),
                "Throttling"
                | "ThrottlingException"
                | "RequestLimitExceeded"
                | "TooManyRequestsException" => format!(
                    "{at}: the {name} API kept throttling after {attempts} attempts with backoff; try again later"
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
                    format!(
                        "{at}: the {name} endpoint sent a response that is not a valid {name} answer"
                    )
                }
                "" => format!(
                    "{at}: the endpoint answered HTTP {status} without an AWS error, {attempts} times"
                ),
                _ => format!("{at}: the {name} API answered {code} (HTTP {status}): {message}"),
            }
        }
        SdkError::TimeoutError(_) => format!(
            "{at}: the {name} endpoint did not answer in time; check the network or --endpoint-url"
        ),
        SdkError::ResponseError(_) => {
            format!("{at}: the {name} endpoint sent a response that is not a valid {name} answer")
        }
        _ if context.to_ascii_lowercase().contains("credential") => format!(
            "{at}: no AWS credentials found; set AWS_PROFILE (or --profile), AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or log in with aws sso login"
        ),
        SdkError::DispatchFailure(failure) if failure.is_io() || failure.is_timeout() => format!(
            "{at}: cannot reach the {name} endpoint; check the network, the region or --endpoint-url"
        ),
        _ => format!("{at}: the request failed: {}", first_line(&context)),
    }
}

/// An error and its sources as one line of their `Display` texts, never `Debug` (which
/// for SDK errors holds the whole request): "dispatch failure: io error: …".
fn chain(error: &dyn std::error::Error) -> String {
    let mut parts: Vec<String> = Vec::new();
    let mut next = Some(error);
    while let Some(error) = next {
        let text = without_debug(&error.to_string());
        if !text.is_empty() && !parts.iter().any(|p| p.contains(&text)) {
            parts.push(text);
        }
        next = error.source();
    }
    parts.join(": ")
}

/// Some SDK `Display` texts embed a `Debug` dump ("failed to apply endpoint `x` to request
/// `Request { body: …, headers: … }`"): keep the text before it.
fn without_debug(text: &str) -> String {
    let first = text.lines().next().unwrap_or_default();
    let cut = [" to request `", "{", "Some(", "(Some"]
        .iter()
        .filter_map(|marker| first.find(marker))
        .min()
        .unwrap_or(first.len());
    first[..cut].trim_end_matches([' ', ':', '(']).to_string()
}

fn first_line(text: &str) -> &str {
    text.lines().next().unwrap_or(text)
}

#[cfg(test)]
mod tests {
    use super::*;
    use aws_sdk_iam::config::endpoint::{DefaultResolver, Params, ResolveEndpoint};

    fn endpoint(region: &str) -> String {
        let params = Params::builder().region(region).build().unwrap();
        let resolver = DefaultResolver::new();
        let runtime = tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap();
        let endpoint = runtime.block_on(resolver.resolve_endpoint(&params));
        endpoint.unwrap().url().to_string()
    }

    #[test]
    fn the_default_region_is_the_global_iam_endpoint() {
        assert_eq!(endpoint(GLOBAL_REGION), "https://iam.amazonaws.com");
        assert_eq!(
            endpoint("cn-north-1"),
            "https://iam.cn-north-1.amazonaws.com.cn"
        );
    }

    #[test]
    fn endpoint_urls_are_checked_before_any_call() {
        for good in [
            "https://iam.amazonaws.com",
            "http://127.0.0.1:5000/",
            "http://[::1]:8080",
        ] {
            assert_eq!(check_endpoint_url(good), Ok(()), "{good}");
        }
        for bad in [
            "not a url",
            "iam.amazonaws.com",
            "https://",
            "http://a b",
            "http://h:x",
            "http://u:p@h",
        ] {
            assert!(check_endpoint_url(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn debug_dumps_are_cut_from_error_texts() {
        assert_eq!(
            without_debug("failed to apply endpoint `x` to request `Request { body: SdkBody {"),
            "failed to apply endpoint `x`"
        );
        assert_eq!(without_debug("io error\nmore"), "io error");
    }

    #[test]
    fn profile_sections_in_both_file_kinds() {
        assert!(section_names("[profile audit]", "audit"));
        assert!(section_names("  [ audit ] # comment", "audit"));
        assert!(!section_names("[profile auditor]", "audit"));
        assert!(!section_names("name = audit", "audit"));
    }
}
