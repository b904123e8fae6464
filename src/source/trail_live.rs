//! CloudTrail's recent events through the `LookupEvents` API, for `iamlint trail --live`:
//! the ECS events (lookup attribute `EventSource` = `ecs.amazonaws.com`) of each region,
//! every page (`NextToken`), paced to the API's limit of 2 requests per second per
//! account and region and backed off when it throttles. Each page becomes the JSON that
//! `aws cloudtrail lookup-events` prints, so the reader treats fetched and saved events
//! alike. Credentials, endpoint and fault messages are the account review's
//! ([`crate::source::live`]).

use crate::source::SourceFile;
use crate::source::live::{self, Service};
use aws_config::retry::RetryConfig;
use aws_sdk_cloudtrail::error::{ProvideErrorMetadata, SdkError};
use aws_sdk_cloudtrail::primitives::DateTime;
use aws_sdk_cloudtrail::types::{LookupAttribute, LookupAttributeKey};
use serde_json::json;
use std::time::Duration;
use tokio::time::Instant;

#[derive(Clone, Debug, Default)]
pub struct Options {
    /// Profile and endpoint; its region is unused (see `regions`).
    pub live: live::Options,
    /// The regions to read; none: the configured one.
    pub regions: Vec<String>,
    /// The window, seconds since the epoch, passed to the API (the reader applies it too).
    pub since: Option<i64>,
    pub until: Option<i64>,
}

/// LookupEvents answers 2 requests per second per account and region.
const PACE: Duration = Duration::from_millis(500);
/// Tries of one page: throttling and server errors are tried again after 1, 2, 4 s.
const ATTEMPTS: usize = 4;
const FIRST_BACKOFF: Duration = Duration::from_secs(1);
/// The `eventSource` of ECS calls (the one the trail selection keeps).
const ECS_EVENT_SOURCE: &str = "ecs.amazonaws.com";
/// The most events LookupEvents returns in a page.
const PAGE_SIZE: i32 = 50;

const CLOUDTRAIL: Service = Service {
    name: "CloudTrail",
    permission: "cloudtrail:LookupEvents",
    endpoint_variable: "AWS_ENDPOINT_URL_CLOUDTRAIL",
    attempts: ATTEMPTS,
};

/// Requests at most one per [`PACE`].
struct Pace {
    last: Option<Instant>,
}

impl Pace {
    async fn wait(&mut self) {
        if let Some(last) = self.last {
            tokio::time::sleep_until(last + PACE).await;
        }
        self.last = Some(Instant::now());
    }
}

/// Whether a failed call is worth trying again: throttling, or the server's fault.
fn transient<E: ProvideErrorMetadata>(
    error: &SdkError<E, aws_sdk_cloudtrail::config::http::HttpResponse>,
) -> bool {
    match error {
        SdkError::ServiceError(service) => {
            matches!(
                service.err().code(),
                Some(
                    "ThrottlingException"
                        | "Throttling"
                        | "TooManyRequestsException"
                        | "RequestLimitExceeded"
                )
            ) || service.raw().status().is_server_error()
        }
        _ => false,
    }
}

/// Every page of ECS events of every region, as `<live>/REGION/lookup-events-N.json`
/// sources, or one message saying why not: a failure on any page fails the whole fetch.
pub fn fetch(
    options: &Options,
    mut on_page: impl FnMut(&str, usize),
) -> Result<Vec<SourceFile>, String> {
    let runtime = live::preflight(&options.live)?;
    runtime.block_on(async {
        // Retries are this module's, paced; the SDK's own would not be.
        let config = live::sdk_config(&options.live, &CLOUDTRAIL, RetryConfig::disabled()).await?;
        let regions: Vec<String> = if options.regions.is_empty() {
            match config.region() {
                Some(region) => vec![region.to_string()],
                None => {
                    return Err("CloudTrail is regional and no region is configured: give --region REGION (once per region to read), or set AWS_REGION or the profile's region".into())
                }
            }
        } else {
            options.regions.clone()
        };
        let mut pages = Vec::new();
        for region in &regions {
            let client_config = aws_sdk_cloudtrail::config::Builder::from(&config)
                .region(aws_config::Region::new(region.clone()))
                .build();
            let client = aws_sdk_cloudtrail::Client::from_conf(client_config);
            let mut pace = Pace { last: None };
            let mut token: Option<String> = None;
            let mut page = 0;
            loop {
                page += 1;
                let mut attempt = 1;
                let output = loop {
                    pace.wait().await;
                    let request = client
                        .lookup_events()
                        .lookup_attributes(
                            LookupAttribute::builder()
                                .attribute_key(LookupAttributeKey::EventSource)
                                .attribute_value(ECS_EVENT_SOURCE)
                                .build()
                                .map_err(|e| format!("cannot build the request: {e}"))?,
                        )
                        .max_results(PAGE_SIZE)
                        .set_start_time(options.since.map(DateTime::from_secs))
                        .set_end_time(options.until.map(DateTime::from_secs))
                        .set_next_token(token.clone());
                    match request.send().await {
                        Ok(output) => break output,
                        Err(error) if attempt < ATTEMPTS && transient(&error) => {
                            tokio::time::sleep(FIRST_BACKOFF * 2u32.pow(attempt as u32 - 1))
                                .await;
                            attempt += 1;
                        }
                        Err(error) => {
                            let at = format!("CloudTrail LookupEvents in {region} (page {page})");
                            return Err(live::describe(&error, &at, &CLOUDTRAIL));
                        }
                    }
                };
                let events: Vec<serde_json::Value> = output
                    .events()
                    .iter()
                    .map(|e| json!({"EventId": e.event_id(), "CloudTrailEvent": e.cloud_trail_event()}))
                    .collect();
                let text = serde_json::to_string_pretty(&json!({"Events": events}))
                    .unwrap_or_default();
                pages.push(SourceFile::new(
                    format!("<live>/{region}/lookup-events-{page}.json"),
                    text,
                ));
                on_page(region, page);
                match output.next_token() {
                    Some(next) if token.as_deref() == Some(next) => {
                        return Err(format!(
                            "CloudTrail LookupEvents in {region} (page {page}): the answer repeats the NextToken it was asked with; stopping rather than reading the same page forever"
                        ))
                    }
                    Some(next) if !next.is_empty() => token = Some(next.to_string()),
                    _ => break,
                }
            }
        }
        Ok(pages)
    })
}
