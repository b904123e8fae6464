//! Command-line definitions and dispatch. Exit codes: 0 clean, 1 findings at or above
//! `--fail-on`, 2 usage, input or API error.

use crate::commands;
use crate::config::{self, FailOn, Overrides, Settings};
use crate::report::paths::RepoPaths;
use crate::report::{self, Report};
use crate::source::files::io_reason;
use clap::{Args, Parser, Subcommand, ValueEnum};
use std::io::{self, IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

#[derive(Parser, Debug)]
#[command(
    name = "iamlint",
    version,
    about = "Least-privilege IAM policy linter: reports who, outside the privileged list, can change ECS configuration",
    // Help is wrapped to the terminal, at most 80 columns; also when stdout is a pipe
    // (clap would assume 100 there, and an 80-column terminal would break the lines).
    max_term_width = 80,
    after_help = "Exit codes: 0 clean, 1 findings at or above --fail-on, 2 usage, input or API error."
)]
pub struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Check IAM policy files, CloudFormation templates and Terraform modules (folders are walked for *.json, *.yaml, *.yml, *.template, *.tf)
    Check(CheckArgs),
    /// Review an AWS account: which users and roles can change ECS configuration
    Account(AccountArgs),
    /// Read CloudTrail logs: the monitored ECS changes non-privileged actors made or tried
    Trail(TrailArgs),
    /// List the rules with their level and a one-line summary
    Rules,
    /// Explain what a rule means, why it matters and how to fix it
    Explain {
        /// Rule id, e.g. ecs-config-change
        rule: String,
    },
    /// Show which catalog actions action patterns match
    Expand {
        /// Patterns such as 'ecs:Update*' (case-insensitive, * and ?)
        #[arg(required = true)]
        patterns: Vec<String>,
        /// Show the actions the patterns do NOT match (what NotAction grants)
        #[arg(long)]
        not: bool,
    },
}

#[derive(Args, Debug, Clone)]
pub struct CommonArgs {
    #[command(flatten)]
    pub settings: SettingsArgs,
    /// Output format on stdout
    #[arg(long, value_enum, default_value_t = Format::Human)]
    pub format: Format,
    /// Also write a SARIF 2.1.0 report to this file (same run, any --format)
    #[arg(long, value_name = "PATH")]
    pub sarif_file: Option<PathBuf>,
    /// Print diagnostics only, no summary line
    #[arg(long, short)]
    pub quiet: bool,
    /// When to color human output (NO_COLOR is honoured with auto)
    #[arg(long, value_enum, default_value_t = Color::Auto, value_name = "WHEN")]
    pub color: Color,
}

/// The flags that shape the settings, shared by every command that reports.
#[derive(Args, Debug, Clone)]
pub struct SettingsArgs {
    /// Glob of subjects that may make ECS changes (repeatable; replaces config `privileged`)
    #[arg(long, value_name = "GLOB")]
    pub privileged: Vec<String>,
    /// Pack (ecs-config, ecs-write, or one from config) or action pattern to monitor (repeatable)
    #[arg(long, value_name = "PACK|PATTERN")]
    pub monitor: Vec<String>,
    /// Lowest level of finding that makes the exit code 1
    #[arg(long, value_enum, value_name = "LEVEL")]
    pub fail_on: Option<FailOn>,
    /// Config file (default: iamlint.toml in the current folder or its parents)
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
}

#[derive(Args, Debug)]
struct CheckArgs {
    /// Policy files and folders (default: the current folder)
    #[arg(value_name = "PATH")]
    paths: Vec<PathBuf>,
    #[command(flatten)]
    common: CommonArgs,
    /// Largest file read, in bytes (default 8388608); larger files are invalid inputs
    #[arg(long, value_name = "BYTES")]
    max_file_size: Option<u64>,
    /// Report what changed since a git revision (the same paths, read from git) or a
    /// saved --format json report: only new findings fail the run
    #[arg(long, value_name = "REV|REPORT")]
    baseline: Option<String>,
    /// Terraform variable values (`*.tfvars`, HCL) for every module checked; they take
    /// precedence over the variables' defaults (repeatable, later files win)
    #[arg(long, value_name = "FILE")]
    var_file: Vec<PathBuf>,
}

#[derive(Args, Debug)]
struct AccountArgs {
    /// Review `aws iam get-account-authorization-details` output instead of the live
    /// account (several files: the pages of one dump)
    #[arg(long = "from", value_name = "FILE", num_args = 1..)]
    from: Vec<PathBuf>,
    /// Organization SCP documents that apply to the account
    #[arg(long, value_name = "FILE", num_args = 1..)]
    scp: Vec<PathBuf>,
    /// Report service-linked roles too (by default they count as privileged: only AWS
    /// services can assume them)
    #[arg(long)]
    include_service_linked: bool,
    /// Instead of findings: every principal that can cause ACTION (e.g.
    /// ecs:UpdateService), privileged or not, with its shortest path
    #[arg(long, value_name = "ACTION", conflicts_with = "principal")]
    who_can: Option<String>,
    /// Instead of findings: every monitored action the principal ARN can cause, and how
    #[arg(long, value_name = "ARN")]
    principal: Option<String>,
    /// CloudTrail logs (as for `iamlint trail`): per principal, the monitored actions it
    /// used and never used, and calls the review says it cannot make
    #[arg(long, value_name = "PATH", num_args = 1.., conflicts_with_all = ["who_can", "principal"])]
    trail: Vec<PathBuf>,
    /// With --trail: only calls at or after TIME (RFC 3339, a date, or an age such as 90d)
    #[arg(long, value_name = "TIME", requires = "trail")]
    since: Option<String>,
    /// With --trail: only calls before TIME
    #[arg(long, value_name = "TIME", requires = "trail")]
    until: Option<String>,
    /// Live review: AWS profile (default: the standard credential chain)
    #[cfg(feature = "aws")]
    #[arg(long, value_name = "NAME", conflicts_with = "from")]
    profile: Option<String>,
    /// Live review: AWS region; picks the partition (default: the profile's or AWS_REGION,
    /// else us-east-1, where the global IAM endpoint signs)
    #[cfg(feature = "aws")]
    #[arg(long, value_name = "REGION", conflicts_with = "from")]
    region: Option<String>,
    /// Live review: IAM endpoint (also AWS_ENDPOINT_URL), e.g. a local IAM-compatible server
    #[cfg(feature = "aws")]
    #[arg(long, value_name = "URL", conflicts_with = "from")]
    endpoint_url: Option<String>,
    /// Live review: write each fetched page, pretty-printed, to DIR; findings point there
    #[cfg(feature = "aws")]
    #[arg(long, value_name = "DIR", conflicts_with = "from")]
    snapshot: Option<PathBuf>,
    /// Report what changed since a saved --format json review of this account: only
    /// new findings fail the run
    #[arg(long, value_name = "REPORT", conflicts_with_all = ["who_can", "principal"])]
    baseline: Option<String>,
    #[command(flatten)]
    common: CommonArgs,
}

#[derive(Args, Debug)]
struct TrailArgs {
    /// CloudTrail logs: files and folders (walked for *.json and *.json.gz) as delivered
    /// to S3, or `aws cloudtrail lookup-events` output
    #[arg(value_name = "PATH", required_unless_present_any = ["from_query", "emit_sql", "emit", "live"])]
    paths: Vec<PathBuf>,
    /// Read the result of the --emit-sql query (CSV, a JSON array, or CloudTrail Lake's
    /// get-query-results output) as the logs are read
    #[arg(long, value_name = "RESULT", num_args = 1..)]
    from_query: Vec<PathBuf>,
    /// Print the selection as SQL for Amazon Athena or CloudTrail Lake instead of reading
    #[arg(long, value_enum, value_name = "ENGINE", conflicts_with_all = ["paths", "from_query"])]
    emit_sql: Option<report::trail::sql::Dialect>,
    /// Print the selection for real-time alerts instead of reading: an EventBridge event
    /// pattern, or a CloudFormation template with that rule and an SNS topic
    #[arg(long, value_enum, value_name = "WHAT", conflicts_with_all = ["paths", "from_query", "emit_sql", "since", "until", "live"])]
    emit: Option<EmitTarget>,
    /// Read the account's recent CloudTrail events through the LookupEvents API (the last
    /// 90 days at most) instead of files; needs the `aws` feature
    #[arg(long, conflicts_with_all = ["paths", "from_query", "emit_sql"])]
    live: bool,
    /// With --live: a region to read (repeat for several; default: the profile's or
    /// AWS_REGION)
    #[cfg(feature = "aws")]
    #[arg(long, value_name = "REGION")]
    region: Vec<String>,
    /// With --live: AWS profile (default: the standard credential chain)
    #[cfg(feature = "aws")]
    #[arg(long, value_name = "NAME")]
    profile: Option<String>,
    /// With --live: CloudTrail endpoint (also AWS_ENDPOINT_URL), e.g. a local server
    #[cfg(feature = "aws")]
    #[arg(long, value_name = "URL")]
    endpoint_url: Option<String>,
    /// With --emit-sql: the Athena table or CloudTrail Lake event data store id
    #[arg(long, value_name = "NAME", requires = "emit_sql")]
    sql_table: Option<String>,
    /// Only calls at or after TIME: RFC 3339, a date, or an age such as 90d, 12h, 2w
    #[arg(long, value_name = "TIME")]
    since: Option<String>,
    /// Only calls before TIME (same forms as --since)
    #[arg(long, value_name = "TIME")]
    until: Option<String>,
    /// Count service-linked roles and AWS services like any actor (by default they are
    /// privileged: only AWS can be them)
    #[arg(long)]
    include_service_linked: bool,
    #[command(flatten)]
    settings: SettingsArgs,
    /// Output format on stdout
    #[arg(long, value_enum, default_value_t = TrailFormat::Human)]
    format: TrailFormat,
    /// Table only, no summary line
    #[arg(long, short)]
    quiet: bool,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum EmitTarget {
    /// The event pattern (JSON) of an EventBridge rule
    Eventbridge,
    /// A CloudFormation template (JSON): the rule, an SNS topic and its policy
    Cloudformation,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum TrailFormat {
    Human,
    Json,
    Github,
    Csv,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Format {
    Human,
    Json,
    Sarif,
    Github,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Color {
    Auto,
    Always,
    Never,
}

pub fn main() -> ExitCode {
    // Usage and config errors wrap without breaking words at hyphens (flag names, ARNs).
    let _ = miette::set_hook(Box::new(|_| {
        Box::new(
            miette::MietteHandlerOpts::new()
                .word_splitter(textwrap::WordSplitter::NoHyphenation)
                .build(),
        )
    }));
    let cli = Cli::parse();
    match run(cli) {
        Ok(code) => ExitCode::from(code),
        Err(error) => {
            eprintln!("{error:?}");
            ExitCode::from(2)
        }
    }
}

fn run(cli: Cli) -> miette::Result<u8> {
    // Reports are written in many small pieces: buffer them (stdout is line-buffered).
    let mut stdout = io::BufWriter::with_capacity(64 * 1024, io::stdout().lock());
    let code = dispatch(cli, &mut stdout)?;
    match stdout.flush() {
        Err(e) if e.kind() != io::ErrorKind::BrokenPipe => Err(io_error(e)),
        _ => Ok(code),
    }
}

fn dispatch(cli: Cli, stdout: &mut dyn Write) -> miette::Result<u8> {
    match cli.command {
        Command::Check(args) => {
            let mut settings = settings(&args.common, args.max_file_size)?;
            for path in &args.var_file {
                let name = crate::source::files::display_path(path);
                let text = crate::source::files::read_limited(path, settings.max_file_size)
                    .and_then(|b| String::from_utf8(b).map_err(|_| "not UTF-8".into()))
                    .map_err(|reason| miette::miette!("cannot read --var-file {name}: {reason}"))?;
                settings.terraform_var_files.push((name, text));
            }
            let paths = if args.paths.is_empty() {
                vec![PathBuf::from(".")]
            } else {
                args.paths
            };
            // The base is read (git, or a saved report) while the paths are checked.
            let base = args
                .baseline
                .as_deref()
                .map(|against| commands::baseline::start(against, &paths, &settings));
            let on_read = |name: &str, bytes: &[u8]| {
                if let Some(base) = &base {
                    base.working_file_read(name, bytes);
                }
            };
            let (mut report, empty_folders) =
                commands::check::run_telling_reads(&paths, &settings, &on_read);
            if let Some(base) = base {
                commands::baseline::finish(base, &mut report, &paths, &settings)
                    .map_err(|m| miette::miette!("{m}"))?;
            }
            for folder in empty_folders {
                eprintln!(
                    "warning: no policy files found under {folder} (folders are walked for *.json, *.yaml, *.yml, *.template and *.tf files)"
                );
            }
            emit(&report, &args.common, HumanStyle::Diagnostics, stdout)?;
            Ok(report.exit_code(settings.fail_on))
        }
        Command::Account(args) => {
            let mut settings = settings(&args.common, None)?;
            let query = account_query(&args, &mut settings)?;
            let pages = if args.from.is_empty() {
                live_pages(&args)?
            } else {
                commands::account::read_pages(&args.from).map_err(|m| miette::miette!("{m}"))?
            };
            let options = commands::account::Options {
                include_service_linked: args.include_service_linked,
                query,
                exit_after: true,
                group_subjects: false,
            };
            let mut report = commands::account::review(pages, &args.scp, &settings, &options);
            let mut trail_unreadable = false;
            if !args.trail.is_empty() {
                let window = commands::trail::Options {
                    include_service_linked: args.include_service_linked,
                    ..trail_window(&args.since, &args.until)?
                };
                let (summary, empty) = commands::trail::run(&args.trail, &settings, &window);
                warn_trail(&summary, &empty);
                trail_unreadable = !summary.errors.is_empty();
                report.usage = Some(commands::usage::join(&report.subjects, &summary, now()));
            }
            if let Some(against) = &args.baseline {
                commands::baseline::compare_with_report(&mut report, against)
                    .map_err(|m| miette::miette!("{m}"))?;
            }
            let code = match &report.query {
                Some(answer) => emit_query(&report, answer, &args.common, stdout)?,
                None => {
                    emit(&report, &args.common, HumanStyle::Table, stdout)?;
                    if let (Some(usage), Format::Human) = (&report.usage, args.common.format) {
                        match report::usage::render_human(usage, stdout) {
                            Err(e) if e.kind() == io::ErrorKind::BrokenPipe => {}
                            other => other.map_err(io_error)?,
                        }
                    }
                    if trail_unreadable {
                        2
                    } else {
                        report.exit_code(settings.fail_on)
                    }
                }
            };
            // The process ends now: let the OS reclaim the report instead of freeing it.
            std::mem::forget(report);
            Ok(code)
        }
        Command::Trail(args) => trail(&args, stdout),
        Command::Rules => {
            commands::info::list_rules(stdout).map_err(io_error)?;
            Ok(0)
        }
        Command::Explain { rule } => {
            match commands::info::explain(&rule, stdout).map_err(io_error)? {
                Ok(()) => Ok(0),
                Err(message) => Err(miette::miette!("{message}")),
            }
        }
        Command::Expand { patterns, not } => {
            let warnings =
                commands::info::expand_patterns(&patterns, not, stdout).map_err(io_error)?;
            for warning in warnings {
                eprintln!("warning: {warning}");
            }
            Ok(0)
        }
    }
}

fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64)
}

/// `--since` / `--until` as trail options (service-linked roles privileged).
fn trail_window(
    since: &Option<String>,
    until: &Option<String>,
) -> miette::Result<commands::trail::Options> {
    let now = now();
    let bound = |flag: &str, value: &Option<String>| {
        value
            .as_deref()
            .map(|v| commands::trail::parse_bound(v, now))
            .transpose()
            .map_err(|m| miette::miette!("--{flag}: {m}"))
    };
    Ok(commands::trail::Options {
        from_query: Vec::new(),
        live: Vec::new(),
        since: bound("since", since)?,
        until: bound("until", until)?,
        include_service_linked: false,
    })
}

/// Empty folders and unreadable logs, on stderr.
fn warn_trail(summary: &crate::trail::Summary, empty_folders: &[String]) {
    for folder in empty_folders {
        eprintln!(
            "warning: no CloudTrail files found under {folder} (folders are walked for *.json and *.json.gz files)"
        );
    }
    for error in &summary.errors {
        eprintln!("error: {error}");
    }
}

fn trail(args: &TrailArgs, out: &mut dyn Write) -> miette::Result<u8> {
    let settings = settings_from(&args.settings, None)?;
    let options = commands::trail::Options {
        include_service_linked: args.include_service_linked,
        from_query: args.from_query.clone(),
        ..trail_window(&args.since, &args.until)?
    };
    if let Some(dialect) = args.emit_sql {
        let table = args.sql_table.as_deref().unwrap_or(match dialect {
            report::trail::sql::Dialect::Athena => "cloudtrail_logs",
            report::trail::sql::Dialect::CloudtrailLake => "EVENT_DATA_STORE_ID",
        });
        let selection = report::trail::sql::Selection {
            dialect,
            table,
            monitored: &settings.monitored.names(),
            since: options.since,
            until: options.until,
            privileged_globs: &settings.privileged_globs,
        };
        return report::trail::sql::render(&selection, out)
            .map(|()| 0)
            .map_err(io_error);
    }
    if let Some(target) = args.emit {
        return emit_rule(target, &settings, args.include_service_linked, out);
    }
    // clap's `requires` counts a flag's default as given: checked here.
    #[cfg(feature = "aws")]
    if !args.live
        && (!args.region.is_empty() || args.profile.is_some() || args.endpoint_url.is_some())
    {
        return Err(miette::miette!(
            "--region, --profile and --endpoint-url are for --live (reading CloudTrail's API)"
        ));
    }
    let options = if args.live {
        commands::trail::Options {
            live: live_events(args, &options)?,
            ..options
        }
    } else {
        options
    };
    let (summary, empty_folders) = commands::trail::run(&args.paths, &settings, &options);
    warn_trail(&summary, &empty_folders);
    let result = match args.format {
        TrailFormat::Human => report::trail::human::render(&summary, args.quiet, out),
        TrailFormat::Json => report::trail::json::render(&summary, out),
        TrailFormat::Csv => report::trail::csv::render(&summary, out),
        TrailFormat::Github => {
            append_to_step_summary(&report::trail::github::step_summary(&summary))?;
            report::trail::github::render(&summary, out)
        }
    };
    match result {
        Err(e) if e.kind() == io::ErrorKind::BrokenPipe => {}
        other => other.map_err(io_error)?,
    }
    Ok(commands::trail::exit_code(&summary, settings.fail_on))
}

#[cfg(not(feature = "aws"))]
fn live_events(
    _: &TrailArgs,
    _: &commands::trail::Options,
) -> miette::Result<Vec<crate::source::SourceFile>> {
    Err(miette::miette!(
        help = "export the events with `aws cloudtrail lookup-events --lookup-attributes AttributeKey=EventSource,AttributeValue=ecs.amazonaws.com > events.json` and pass the file, or install with `--features aws`",
        "reading CloudTrail live is not available in this build: give log files"
    ))
}

/// Run a live fetch with a spinner on stderr (only when it is a terminal) that `run`'s
/// messages update.
#[cfg(feature = "aws")]
fn with_spinner<T>(start: &str, run: impl FnOnce(&dyn Fn(String)) -> T) -> T {
    let progress = io::stderr().is_terminal().then(|| {
        let bar = indicatif::ProgressBar::new_spinner();
        bar.enable_steady_tick(std::time::Duration::from_millis(120));
        bar.set_message(start.to_string());
        bar
    });
    let result = run(&|message| {
        if let Some(bar) = &progress {
            bar.set_message(message);
        }
    });
    if let Some(bar) = progress {
        bar.finish_and_clear();
    }
    result
}

/// `trail --live`: every page of the regions' ECS events, or the one message of a fault.
#[cfg(feature = "aws")]
fn live_events(
    args: &TrailArgs,
    window: &commands::trail::Options,
) -> miette::Result<Vec<crate::source::SourceFile>> {
    use crate::source::{live, trail_live};
    let options = trail_live::Options {
        live: live::Options {
            profile: args.profile.clone(),
            region: None,
            endpoint_url: args.endpoint_url.clone(),
        },
        regions: args.region.clone(),
        since: window.since,
        until: window.until,
    };
    let fetched = with_spinner("fetching CloudTrail ECS events", |say| {
        trail_live::fetch(&options, |region, page| {
            say(format!(
                "fetched {page} page(s) of CloudTrail ECS events in {region}"
            ))
        })
    });
    fetched.map_err(|m| miette::miette!("{m}"))
}

/// `trail --emit`: the selection as an EventBridge pattern or a CloudFormation template on
/// `out`, and what EventBridge cannot say as notes on stderr.
fn emit_rule(
    target: EmitTarget,
    settings: &config::Settings,
    include_service_linked: bool,
    out: &mut dyn Write,
) -> miette::Result<u8> {
    use report::trail::{cloudformation, eventbridge};
    let monitored = settings.monitored.names();
    let pattern = eventbridge::pattern(&eventbridge::Selection {
        monitored: &monitored,
        privileged_globs: &settings.privileged_globs,
        include_service_linked,
    });
    for note in &pattern.notes {
        eprintln!("note: {note}");
    }
    let written = match target {
        EmitTarget::Eventbridge => eventbridge::render(&pattern, out),
        EmitTarget::Cloudformation => {
            cloudformation::render(&cloudformation::template(&pattern, monitored.len()), out)
        }
    };
    written.map(|()| 0).map_err(io_error)
}

/// `--who-can` / `--principal`: the question, and the monitored actions it needs.
fn account_query(
    args: &AccountArgs,
    settings: &mut Settings,
) -> miette::Result<Option<commands::account::Query>> {
    if (args.who_can.is_some() || args.principal.is_some())
        && !matches!(args.common.format, Format::Human | Format::Json)
    {
        return Err(miette::miette!(
            "--who-can and --principal answer in --format human or json"
        ));
    }
    if let Some(action) = &args.who_can {
        let index = crate::catalog::index_of(action)
            .filter(|&i| {
                crate::catalog::tracked()[i].service.prefix == crate::catalog::MONITORED_SERVICE
            })
            .ok_or_else(|| {
                miette::miette!(
                    "--who-can takes one ECS action such as ecs:UpdateService, not `{action}`"
                )
            })?;
        settings.monitored = [index].into_iter().collect();
        return Ok(Some(commands::account::Query::WhoCan(index)));
    }
    Ok(args
        .principal
        .clone()
        .map(commands::account::Query::Principal))
}

/// Print the answer to a question; exit code 2 when an input was invalid, else 0.
fn emit_query(
    report: &Report,
    answer: &report::QueryResult,
    common: &CommonArgs,
    out: &mut dyn Write,
) -> miette::Result<u8> {
    let result = match common.format {
        Format::Json => report::query::render_json(answer, out),
        _ => report::query::render_human(answer, out),
    };
    match result {
        Err(e) if e.kind() == io::ErrorKind::BrokenPipe => {}
        other => other.map_err(io_error)?,
    }
    if report.has_invalid_input() {
        // The answer may be incomplete: say why, as the review would.
        let invalid = Report {
            findings: report
                .findings
                .iter()
                .filter(|f| f.rule == &crate::rules::invalid_policy::RULE)
                .cloned()
                .collect(),
            sources: report.sources.clone(),
            ..Report::default()
        };
        let options = report::human::Options {
            color: false,
            quiet: true,
        };
        let mut stderr = io::stderr();
        report::human::render(&invalid, &options, &mut stderr).map_err(io_error)?;
        return Ok(2);
    }
    Ok(0)
}

#[cfg(not(feature = "aws"))]
fn live_pages(_: &AccountArgs) -> miette::Result<Vec<crate::source::SourceFile>> {
    Err(miette::miette!(
        help = "export a dump with `aws iam get-account-authorization-details > dump.json` and pass it with --from, or install with `--features aws`",
        "live account review is not available in this build: use --from"
    ))
}

/// Fetch every page from the IAM API, with a spinner on stderr when it is a terminal.
#[cfg(feature = "aws")]
fn live_pages(args: &AccountArgs) -> miette::Result<Vec<crate::source::SourceFile>> {
    use crate::source::live;
    let options = live::Options {
        profile: args.profile.clone(),
        region: args.region.clone(),
        endpoint_url: args.endpoint_url.clone(),
    };
    let fetched = with_spinner("fetching IAM authorization details", |say| {
        live::fetch(&options, |page| {
            say(format!(
                "fetched {page} page(s) of IAM authorization details"
            ))
        })
    });
    let pages = fetched.map_err(|m| miette::miette!("{m}"))?;
    live::sources(pages, args.snapshot.as_deref()).map_err(|m| miette::miette!("{m}"))
}

pub fn settings(common: &CommonArgs, max_file_size: Option<u64>) -> miette::Result<Settings> {
    settings_from(&common.settings, max_file_size)
}

fn settings_from(args: &SettingsArgs, max_file_size: Option<u64>) -> miette::Result<Settings> {
    let cwd = std::env::current_dir().map_err(io_error)?;
    let overrides = Overrides {
        privileged: args.privileged.clone(),
        monitor: args.monitor.clone(),
        fail_on: args.fail_on,
        max_file_size,
    };
    Ok(config::load(args.config.as_deref(), &cwd, &overrides)?)
}

/// How `--format human` shows a report: diagnostics per finding (files), or a table of
/// principals followed by the other diagnostics (account review).
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum HumanStyle {
    Diagnostics,
    Table,
}

pub fn emit(
    report: &Report,
    common: &CommonArgs,
    style: HumanStyle,
    out: &mut dyn Write,
) -> miette::Result<()> {
    let paths = RepoPaths::discover(&std::env::current_dir().map_err(io_error)?);
    if let Some(path) = &common.sarif_file {
        write_sarif_file(report, &paths, path)?;
    }
    let result = match common.format {
        Format::Human => {
            let options = report::human::Options {
                color: use_color(common.color),
                quiet: common.quiet,
            };
            match style {
                HumanStyle::Diagnostics => report::human::render(report, &options, out),
                HumanStyle::Table => report::table::render(report, &options, out),
            }
        }
        Format::Json => report::json::render(report, out),
        Format::Sarif => report::sarif::render(report, &paths, out),
        Format::Github => {
            append_step_summary(report)?;
            report::github::render(report, &paths, out)
        }
    };
    match result {
        // A closed pipe (`iamlint check | head`) is not an error worth a message.
        Err(e) if e.kind() == io::ErrorKind::BrokenPipe => Ok(()),
        other => other.map_err(io_error),
    }
}

fn write_sarif_file(report: &Report, paths: &RepoPaths, path: &Path) -> miette::Result<()> {
    let cannot = |e: io::Error| {
        miette::miette!(
            "cannot write SARIF file {}: {}",
            path.display(),
            io_reason(&e)
        )
    };
    let mut file = io::BufWriter::new(std::fs::File::create(path).map_err(cannot)?);
    report::sarif::render(report, paths, &mut file).map_err(cannot)?;
    file.flush().map_err(cannot)
}

fn append_step_summary(report: &Report) -> miette::Result<()> {
    append_to_step_summary(&report::github::step_summary(report))
}

/// GitHub Actions names a Markdown file for the job summary; append ours to it.
fn append_to_step_summary(text: &str) -> miette::Result<()> {
    let Some(path) = std::env::var_os("GITHUB_STEP_SUMMARY").filter(|p| !p.is_empty()) else {
        return Ok(());
    };
    let cannot =
        |e: io::Error| miette::miette!("cannot write GITHUB_STEP_SUMMARY: {}", io_reason(&e));
    let mut file = std::fs::OpenOptions::new()
        .append(true)
        .create(true)
        .open(path)
        .map_err(cannot)?;
    file.write_all(text.as_bytes()).map_err(cannot)
}

fn use_color(color: Color) -> bool {
    match color {
        Color::Always => true,
        Color::Never => false,
        Color::Auto => {
            std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty()) && io::stdout().is_terminal()
        }
    }
}

fn io_error(error: io::Error) -> miette::Report {
    miette::miette!("i/o error: {error}")
}
