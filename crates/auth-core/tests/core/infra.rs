//! The CloudFormation template and IAM policies in `infra/` must match what the code does:
//! the schema is compared with `auth_core::table`, and the policy actions with the IAM actions
//! that authorize the DynamoDB operations the library source actually calls (the calls are
//! read from the source, not a second list; `SDK_OPERATIONS` maps each to its IAM actions).

use auth_core::table::{EXPIRES_AT, GSI, GSIPK, GSISK, PK, SK};
use serde_json::{Value, json};
use std::collections::{BTreeMap, BTreeSet};
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

/// How IAM authorizes a DynamoDB operation of the SDK.
enum Authorized {
    /// By these IAM actions.
    By(&'static [&'static str]),
    /// By the actions of the items in the request: a transaction is not an IAM action itself.
    /// Each item kind is found by its builder in the source (see `transaction_items`).
    ByItsItems(&'static [TransactionItem]),
}
use Authorized::{By, ByItsItems};

/// A kind of transaction item: its builder in the source, and the IAM action that authorizes it.
type TransactionItem = (&'static str, &'static str);

/// Every SDK operation the code may call, and the IAM actions that authorize it, from AWS's
/// Service Authorization Reference, "Actions, resources, and condition keys for Amazon
/// DynamoDB" (its table "API operations defined by Amazon DynamoDB"), and the DynamoDB
/// Developer Guide, "Using IAM with DynamoDB transactions": `TransactWriteItems` and
/// `TransactGetItems` are not IAM actions; the items in them are authorized by `PutItem`,
/// `UpdateItem`, `DeleteItem`, `ConditionCheckItem` and `GetItem`. The batch operations are
/// IAM actions of their own. The reference lists more actions for `CreateTable`, for what the
/// code never asks for (replicas and the like): the plain table it creates needs only
/// `CreateTable`.
const SDK_OPERATIONS: [(&str, Authorized); 14] = [
    ("batch_get_item", By(&["BatchGetItem"])),
    ("batch_write_item", By(&["BatchWriteItem"])),
    ("create_table", By(&["CreateTable"])),
    ("delete_item", By(&["DeleteItem"])),
    ("describe_table", By(&["DescribeTable"])),
    ("describe_time_to_live", By(&["DescribeTimeToLive"])),
    ("get_item", By(&["GetItem"])),
    ("put_item", By(&["PutItem"])),
    ("query", By(&["Query"])),
    ("scan", By(&["Scan"])),
    (
        "transact_get_items",
        ByItsItems(&[("Get::builder()", "GetItem")]),
    ),
    (
        "transact_write_items",
        ByItsItems(&[
            ("Put::builder()", "PutItem"),
            ("Update::builder()", "UpdateItem"),
            ("Delete::builder()", "DeleteItem"),
            ("ConditionCheck::builder()", "ConditionCheckItem"),
        ]),
    ),
    ("update_item", By(&["UpdateItem"])),
    ("update_time_to_live", By(&["UpdateTimeToLive"])),
];

/// Methods of the SDK `Client` that are not DynamoDB operations.
const NOT_OPERATIONS: [&str; 2] = ["clone", "config"];

/// The library sources of auth-core and auth-web, without whitespace (the test harness, which
/// deletes tables, and its helpers are not part of a running app).
fn library_sources() -> Vec<(PathBuf, String)> {
    let mut sources = Vec::new();
    for dir in ["crates/auth-core/src", "crates/auth-web/src"] {
        for path in walk(&workspace().join(dir)) {
            if path.ends_with("testing.rs") || path.parent().is_some_and(|p| p.ends_with("testing"))
            {
                continue;
            }
            let source = std::fs::read_to_string(&path).unwrap();
            let relative = path.strip_prefix(workspace()).unwrap().to_owned();
            sources.push((relative, source.split_whitespace().collect()));
        }
    }
    sources
}

/// The text after each `marker` in `source` that does not continue a longer name
/// (`client.` but not `http_client.`).
fn after<'a>(source: &'a str, marker: &'a str) -> impl Iterator<Item = &'a str> {
    source.match_indices(marker).filter_map(move |(at, _)| {
        let before = source[..at].chars().next_back();
        let continues_a_name = before.is_some_and(|c| c.is_alphanumeric() || c == '_');
        (!continues_a_name).then(|| &source[at + marker.len()..])
    })
}

/// Every SDK operation called as `table.client().op()`, or `self.client.op()` inside `Table`
/// (the ways the library reaches DynamoDB), with a file calling it. (So nothing else in the
/// library is called `client`: a client's address is an `address`.)
fn operations_called(sources: &[(PathBuf, String)]) -> BTreeMap<String, PathBuf> {
    let mut calls = BTreeMap::new();
    for (path, source) in sources {
        for marker in ["client().", "client."] {
            for rest in after(source, marker) {
                let name: String = rest
                    .chars()
                    .take_while(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || *c == '_')
                    .collect();
                let is_call = rest[name.len()..].starts_with("()");
                if is_call && !name.is_empty() && !NOT_OPERATIONS.contains(&name.as_str()) {
                    calls.entry(name).or_insert_with(|| path.clone());
                }
            }
        }
    }
    calls
}

/// The IAM actions of the transaction item kinds whose builder the sources use.
fn transaction_items(sources: &[(PathBuf, String)], kinds: &[TransactionItem]) -> Vec<String> {
    kinds
        .iter()
        .filter(|(builder, _)| {
            sources
                .iter()
                .any(|(_, source)| after(source, builder).next().is_some())
        })
        .map(|(_, action)| action.to_string())
        .collect()
}

/// Every IAM action the code needs, each with the SDK operations that need it.
fn actions_the_code_needs() -> BTreeMap<String, BTreeSet<String>> {
    let sources = library_sources();
    let mut needed = BTreeMap::new();
    for (operation, path) in operations_called(&sources) {
        let Some((_, authorized)) = SDK_OPERATIONS.iter().find(|(op, _)| *op == operation) else {
            panic!(
                "{} calls the SDK operation `{operation}`, which SDK_OPERATIONS in {} does not \
                 know: add it with the IAM actions that authorize it (AWS Service Authorization \
                 Reference, Amazon DynamoDB)",
                path.display(),
                file!()
            );
        };
        let actions = match authorized {
            By(actions) => actions.iter().map(|a| a.to_string()).collect(),
            ByItsItems(kinds) => {
                let actions = transaction_items(&sources, kinds);
                assert!(
                    !actions.is_empty(),
                    "{} calls `{operation}` but no item builder of it was found: {kinds:?}",
                    path.display()
                );
                actions
            }
        };
        for action in actions {
            needed
                .entry(format!("dynamodb:{action}"))
                .or_insert_with(BTreeSet::new)
                .insert(operation.clone());
        }
    }
    needed
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
fn the_iam_policies_grant_exactly_the_actions_the_code_needs() {
    let needed = actions_the_code_needs();
    assert!(
        needed
            .get("dynamodb:PutItem")
            .is_some_and(|operations| operations.contains("transact_write_items")),
        "the scan finds calls and transaction items: {needed:?}"
    );
    let runtime = policy_actions("infra/iam-policy.json");
    let setup = policy_actions("infra/iam-policy-create-table.json");
    assert!(
        runtime.is_disjoint(&setup),
        "granted by both policies: {:?}",
        runtime.intersection(&setup).collect::<Vec<_>>()
    );
    let granted: BTreeSet<&str> = runtime.union(&setup).map(String::as_str).collect();
    let missing: BTreeMap<&str, &BTreeSet<String>> = needed
        .iter()
        .filter(|(action, _)| !granted.contains(action.as_str()))
        .map(|(action, operations)| (action.as_str(), operations))
        .collect();
    let extra: Vec<&str> = granted
        .iter()
        .filter(|action| !needed.contains_key(**action))
        .copied()
        .collect();
    assert!(
        missing.is_empty() && extra.is_empty(),
        "the IAM policies and the code disagree:\n  \
         needed but not granted (action: the SDK operations needing it): {missing:?}\n  \
         granted but not needed by any call: {extra:?}"
    );
    // What only `Table::ensure_table` needs, which runs only with `CREATE_TABLE=true`.
    let table_setup = BTreeSet::from([
        "dynamodb:CreateTable".to_owned(),
        "dynamodb:DescribeTimeToLive".to_owned(),
        "dynamodb:UpdateTimeToLive".to_owned(),
    ]);
    assert_eq!(
        setup, table_setup,
        "only creating the table and checking its TTL needs the extra policy"
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
