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
    #[command(flatten)]
    common: CommonArgs,
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
            let (report, empty_folders) = commands::check::run(&paths, &settings);
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
            };
            let report = commands::account::review(pages, &args.scp, &settings, &options);
            let code = match &report.query {
                Some(answer) => emit_query(&report, answer, &args.common, stdout)?,
                None => {
                    emit(&report, &args.common, HumanStyle::Table, stdout)?;
                    report.exit_code(settings.fail_on)
                }
            };
            // The process ends now: let the OS reclaim the report instead of freeing it.
            std::mem::forget(report);
            Ok(code)
        }
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
    let progress = io::stderr().is_terminal().then(|| {
        let bar = indicatif::ProgressBar::new_spinner();
        bar.enable_steady_tick(std::time::Duration::from_millis(120));
        bar.set_message("fetching IAM authorization details");
        bar
    });
    let fetched = live::fetch(&options, |page| {
        if let Some(bar) = &progress {
            bar.set_message(format!(
                "fetched {page} page(s) of IAM authorization details"
            ));
        }
    });
    if let Some(bar) = progress {
        bar.finish_and_clear();
    }
    let pages = fetched.map_err(|m| miette::miette!("{m}"))?;
    live::sources(pages, args.snapshot.as_deref()).map_err(|m| miette::miette!("{m}"))
}

pub fn settings(common: &CommonArgs, max_file_size: Option<u64>) -> miette::Result<Settings> {
    let cwd = std::env::current_dir().map_err(io_error)?;
    let overrides = Overrides {
        privileged: common.privileged.clone(),
        monitor: common.monitor.clone(),
        fail_on: common.fail_on,
        max_file_size,
    };
    Ok(config::load(common.config.as_deref(), &cwd, &overrides)?)
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

/// GitHub Actions names a Markdown file for the job summary; append ours to it.
fn append_step_summary(report: &Report) -> miette::Result<()> {
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
    file.write_all(report::github::step_summary(report).as_bytes())
        .map_err(cannot)
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
