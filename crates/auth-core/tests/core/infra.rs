//! The CloudFormation template and IAM policies in `infra/` must match what the code does:
//! the schema is compared with `auth_core::table`, and the policy actions with the DynamoDB
//! operations the library source actually calls (read from the source, not a second list).

use auth_core::table::{EXPIRES_AT, GSI, GSIPK, GSISK, PK, SK};
use serde_json::{Value, json};
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn read_json(path: &str) -> Value {
    let text = std::fs::read_to_string(workspace().join(path)).unwrap();
    serde_json::from_str(&text).unwrap()
}

#[test]
fn the_template_creates_the_table_auth_core_expects() {
    let template = read_json("infra/table.template.json");
    let table = &template["Resources"]["AuthTable"];
    assert_eq!(table["Type"], "AWS::DynamoDB::Table");
    let p = &table["Properties"];
    assert_eq!(p["BillingMode"], "PAY_PER_REQUEST");
    assert_eq!(
        p["KeySchema"],
        json!([{"AttributeName": PK, "KeyType": "HASH"}, {"AttributeName": SK, "KeyType": "RANGE"}])
    );
    let definitions: BTreeSet<(String, String)> = p["AttributeDefinitions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            (
                d["AttributeName"].as_str().unwrap().into(),
                d["AttributeType"].as_str().unwrap().into(),
            )
        })
        .collect();
    let expected: BTreeSet<_> = [PK, SK, GSIPK, GSISK]
        .map(|a| (a.to_owned(), "S".to_owned()))
        .into();
    assert_eq!(definitions, expected);
    assert_eq!(
        p["GlobalSecondaryIndexes"],
        json!([{
            "IndexName": GSI,
            "KeySchema": [{"AttributeName": GSIPK, "KeyType": "HASH"}, {"AttributeName": GSISK, "KeyType": "RANGE"}],
            "Projection": {"ProjectionType": "ALL"}
        }])
    );
    assert_eq!(
        p["TimeToLiveSpecification"],
        json!({"AttributeName": EXPIRES_AT, "Enabled": true})
    );
    assert_eq!(
        p["PointInTimeRecoverySpecification"]["PointInTimeRecoveryEnabled"],
        true
    );
    assert_eq!(p["SSESpecification"]["SSEEnabled"], true);
    assert!(template["Parameters"]["DeletionProtection"].is_object());
    assert!(template["Outputs"]["TableName"].is_object());
}

/// `transact_write_items` → `TransactWriteItems`.
fn pascal_case(snake: &str) -> String {
    snake
        .split('_')
        .map(|w| w[..1].to_uppercase() + &w[1..])
        .collect()
}

/// Items inside `TransactWriteItems` need their own item-level permission on AWS.
const TRANSACTION_ITEMS: [(&str, &str); 4] = [
    ("Put::builder()", "PutItem"),
    ("Delete::builder()", "DeleteItem"),
    ("Update::builder()", "UpdateItem"),
    ("ConditionCheck::builder()", "ConditionCheckItem"),
];

/// Every `client().op(` / `client.op(` call, and every kind of transaction item, in the
/// library sources of auth-core and auth-web (the test harness, which deletes tables, is not
/// part of a running app).
fn operations_called_by_the_code() -> BTreeSet<String> {
    let mut calls = BTreeSet::new();
    for dir in ["crates/auth-core/src", "crates/auth-web/src"] {
        for entry in walk(&workspace().join(dir)) {
            if entry.ends_with("testing.rs") {
                continue;
            }
            let source: String = std::fs::read_to_string(&entry)
                .unwrap()
                .chars()
                .filter(|c| !c.is_whitespace())
                .collect();
            for (builder, action) in TRANSACTION_ITEMS {
                if source.contains(builder) {
                    calls.insert(format!("dynamodb:{action}"));
                }
            }
            for marker in ["client().", "client."] {
                for (at, _) in source.match_indices(marker) {
                    let rest = &source[at + marker.len()..];
                    let name: String = rest
                        .chars()
                        .take_while(|c| c.is_ascii_lowercase() || *c == '_')
                        .collect();
                    if !name.is_empty() && rest[name.len()..].starts_with("()") {
                        calls.insert(format!("dynamodb:{}", pascal_case(&name)));
                    }
                }
            }
        }
    }
    calls
}

fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            files.extend(walk(&path));
        } else if path.extension().is_some_and(|e| e == "rs") {
            files.push(path);
        }
    }
    files
}

fn policy_actions(path: &str) -> BTreeSet<String> {
    read_json(path)["Statement"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|s| s["Action"].as_array().unwrap().iter())
        .map(|a| a.as_str().unwrap().to_owned())
        .collect()
}

#[test]
fn the_iam_policies_grant_exactly_the_operations_the_code_calls() {
    let code = operations_called_by_the_code();
    assert!(
        code.contains("dynamodb:TransactWriteItems"),
        "the scan finds calls: {code:?}"
    );
    let runtime = policy_actions("infra/iam-policy.json");
    let setup = policy_actions("infra/iam-policy-create-table.json");
    assert!(runtime.is_disjoint(&setup));
    let granted: BTreeSet<String> = runtime.union(&setup).cloned().collect();
    assert_eq!(granted, code, "policies and code disagree");
    let table_changes = BTreeSet::from([
        "dynamodb:CreateTable".to_owned(),
        "dynamodb:UpdateTimeToLive".to_owned(),
    ]);
    assert_eq!(
        setup, table_changes,
        "only table creation needs the extra policy"
    );
}

#[test]
fn the_policies_cover_the_table_and_its_index_only() {
    let policy = read_json("infra/iam-policy.json");
    let resources = &policy["Statement"][0]["Resource"];
    assert_eq!(
        *resources,
        json!([
            "arn:aws:dynamodb:*:*:table/auth",
            "arn:aws:dynamodb:*:*:table/auth/index/GSI"
        ])
    );
}
