//! iamlint: a least-privilege IAM policy linter that reports who can change ECS
//! configuration.
//!
//! Data flows one way: [`source`] (files, dumps, the IAM API) → [`document`] (span-aware
//! typed policies) → [`eval`] (pattern expansion, grants, effective access) → [`rules`]
//! (findings) → [`report`] (one module per output format). [`cli`] parses arguments and
//! dispatches to [`commands`]. [`graph`] (who can become whom) sits between `eval` and
//! `rules`; [`catalog`] and [`globs`] are leaves every layer may use. [`baseline`] (what a
//! change adds or removes) sits between `rules` and `report`.

pub mod baseline;
pub mod catalog;
pub mod cli;
pub mod commands;
pub mod config;
pub mod document;
pub mod eval;
pub mod globs;
pub mod graph;
pub mod report;
pub mod rules;
pub mod source;
pub mod trail;
