//! Properties of matching and evaluation on random inputs (proptest).

use iamlint::catalog::ActionSet;
use iamlint::document::DocumentKind;
use iamlint::document::policy::parse_policy_text;
use iamlint::eval::pattern::glob_match;
use iamlint::eval::{Grants, effective_access, evaluate};
use proptest::prelude::*;
use serde_json::{Map, Value, json};

/// The obviously correct matcher: recursion over both strings, case folded up front.
fn reference_match(pattern: &[char], text: &[char]) -> bool {
    match pattern.split_first() {
        None => text.is_empty(),
        Some(('*', rest)) => (0..=text.len()).any(|skip| reference_match(rest, &text[skip..])),
        Some(('?', rest)) => !text.is_empty() && reference_match(rest, &text[1..]),
        Some((c, rest)) => text.first() == Some(c) && reference_match(rest, &text[1..]),
    }
}

fn folded(s: &str) -> Vec<char> {
    s.chars().map(|c| c.to_ascii_lowercase()).collect()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn glob_match_agrees_with_the_reference(pattern in "[aAbB:*?]{0,10}", text in "[aAbB:]{0,10}") {
        prop_assert_eq!(glob_match(&pattern, &text), reference_match(&folded(&pattern), &folded(&text)));
    }

    #[test]
    fn glob_match_on_action_like_strings(pattern in "(ecs|ECS|e\\*|\\*)(:)(Update|update|\\?pdate|\\*|Del\\*)(Service|\\*|s)?", text in "ecs:(UpdateService|updateservices|DeleteService|Update)") {
        prop_assert_eq!(glob_match(&pattern, &text), reference_match(&folded(&pattern), &folded(&text)));
    }
}

const ACTIONS: &[&str] = &[
    "ecs:*",
    "ecs:Update*",
    "ecs:?pdate*",
    "ecs:UpdateService",
    "ECS:deleteservice",
    "ecs:Describe*",
    "ecs:Delete*",
    "s3:*",
    "*",
    "ecs:CreateCluster",
    "e?s:Put*",
];
const RESOURCES: &[&str] = &[
    "*",
    "arn:aws:ecs:*:*:*",
    "arn:aws:s3:::*",
    "arn:aws:ecs:us-east-1:1:cluster/x",
    "arn:*",
];

#[derive(Clone, Debug)]
struct Stmt {
    allow: bool,
    not_action: bool,
    actions: Vec<&'static str>,
    not_resource: bool,
    resources: Vec<&'static str>,
    condition: Option<bool>, // None: no key; Some(false): {}; Some(true): non-empty
}

impl Stmt {
    fn to_json(&self) -> Value {
        let mut m = Map::new();
        m.insert(
            "Effect".into(),
            json!(if self.allow { "Allow" } else { "Deny" }),
        );
        m.insert(
            if self.not_action {
                "NotAction"
            } else {
                "Action"
            }
            .into(),
            json!(self.actions),
        );
        m.insert(
            if self.not_resource {
                "NotResource"
            } else {
                "Resource"
            }
            .into(),
            json!(self.resources),
        );
        match self.condition {
            Some(true) => {
                m.insert(
                    "Condition".into(),
                    json!({"Bool": {"aws:SecureTransport": "true"}}),
                );
            }
            Some(false) => {
                m.insert("Condition".into(), json!({}));
            }
            None => {}
        }
        Value::Object(m)
    }
}

fn stmt() -> impl Strategy<Value = Stmt> {
    (
        any::<bool>(),
        prop::bool::weighted(0.2),
        prop::collection::vec(prop::sample::select(ACTIONS), 1..4),
        prop::bool::weighted(0.2),
        prop::collection::vec(prop::sample::select(RESOURCES), 1..3),
        prop::option::of(any::<bool>()),
    )
        .prop_map(
            |(allow, not_action, actions, not_resource, resources, condition)| Stmt {
                allow,
                not_action,
                actions,
                not_resource,
                resources,
                condition,
            },
        )
}

fn grants_of(statements: &[Value]) -> Grants {
    let text =
        serde_json::to_string(&json!({"Version": "2012-10-17", "Statement": statements})).unwrap();
    grants_of_text(&text)
}

fn grants_of_text(text: &str) -> Grants {
    let document =
        parse_policy_text(text, DocumentKind::Identity).expect("generated policies are valid");
    let grants = evaluate(&document);
    effective_access(&[&grants], None, &[])
}

fn subset(a: ActionSet, b: ActionSet) -> bool {
    a.minus(b).is_empty()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(500))]

    #[test]
    fn adding_an_allow_never_shrinks(statements in prop::collection::vec(stmt(), 1..6), mut extra in stmt()) {
        extra.allow = true;
        let before = grants_of(&statements.iter().map(Stmt::to_json).collect::<Vec<_>>());
        let mut more: Vec<Value> = statements.iter().map(Stmt::to_json).collect();
        more.push(extra.to_json());
        let after = grants_of(&more);
        prop_assert!(subset(before.all(), after.all()));
        prop_assert!(subset(before.unscoped, after.unscoped));
    }

    #[test]
    fn adding_an_unconditional_deny_never_grows(statements in prop::collection::vec(stmt(), 1..6), actions in prop::collection::vec(prop::sample::select(ACTIONS), 1..3)) {
        let before = grants_of(&statements.iter().map(Stmt::to_json).collect::<Vec<_>>());
        let mut more: Vec<Value> = statements.iter().map(Stmt::to_json).collect();
        more.push(json!({"Effect": "Deny", "Action": actions, "Resource": "*"}));
        let after = grants_of(&more);
        prop_assert!(subset(after.all(), before.all()));
        prop_assert!(subset(after.unscoped, before.unscoped));
    }

    #[test]
    fn evaluation_ignores_statement_order(statements in prop::collection::vec(stmt(), 1..7), seed in any::<u64>()) {
        let values: Vec<Value> = statements.iter().map(Stmt::to_json).collect();
        let mut shuffled = values.clone();
        // A deterministic shuffle driven by the seed.
        let mut state = seed | 1;
        for i in (1..shuffled.len()).rev() {
            state ^= state << 13; state ^= state >> 7; state ^= state << 17;
            shuffled.swap(i, (state % (i as u64 + 1)) as usize);
        }
        prop_assert_eq!(grants_of(&values), grants_of(&shuffled));
    }

    #[test]
    fn reserialized_documents_give_the_same_answer(statements in prop::collection::vec(stmt(), 1..6)) {
        let values: Vec<Value> = statements.iter().map(Stmt::to_json).collect();
        let compact = serde_json::to_string(&json!({"Statement": values, "Version": "2012-10-17"})).unwrap();
        let pretty = serde_json::to_string_pretty(&json!({"Version": "2012-10-17", "Statement": values})).unwrap();
        // Keys in reverse order (written as text: serde_json's maps would sort them) and
        // a BOM-free, differently indented layout.
        let reversed: Vec<String> = values.iter().map(|v| {
            let members: Vec<String> = v.as_object().unwrap().iter().rev().map(|(k, v)| format!("{}: {}", json!(k), v)).collect();
            format!("{{\n      {}\n    }}", members.join(",\n      "))
        }).collect();
        let reordered = format!("{{\"Statement\": [\n    {}\n  ], \"Version\": \"2012-10-17\"}}", reversed.join(",\n    "));
        let expected = grants_of_text(&compact);
        prop_assert_eq!(expected, grants_of_text(&pretty));
        prop_assert_eq!(expected, grants_of_text(&reordered));
    }
}
