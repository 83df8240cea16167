//! Every DynamoDB call, counted against the HTTP request that made it.
//!
//! On real DynamoDB each call is a network round trip and a billed request, so the calls an
//! action makes are its latency and its cost. [`Recorder`] is an interceptor on the SDK client:
//! for each call (each attempt, retries included) it notes the operation, the keys, the
//! expressions, the items written and the capacity consumed, into the request that is running
//! ([`record`] sets up the collection around a request, as a task-local: per request, never
//! global). The tests assert call counts from it, and the "what just happened" panel shows it.
//!
//! Secrets never reach a [`Call`]: binary values (hashes), password hashes, serialized
//! credentials, and the hashed parts of keys are shown as `•••`.

use aws_sdk_dynamodb::config::interceptors::{
    BeforeSerializationInterceptorContextRef, BeforeTransmitInterceptorContextMut,
    FinalizerInterceptorContextRef,
};
use aws_sdk_dynamodb::config::{ConfigBag, Intercept, RuntimeComponents};
use aws_sdk_dynamodb::error::BoxError;
use aws_smithy_types::config_bag::{Storable, StoreReplace};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use std::future::Future;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU32, Ordering};

/// What a value that must not be shown is shown as.
pub const HIDDEN: &str = "•••";

/// Attributes whose string values are secrets or derived from them.
const SECRET_ATTRIBUTES: [&str; 4] = ["PasswordHash", "Credential", "State", "Key"];
/// Key prefixes followed by a hash of a secret.
const HASHED_KEYS: [&str; 2] = ["CEREMONY#", "DEVICE#"];

/// One DynamoDB call, as the panel and the tests see it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Call {
    /// `GetItem`, `TransactWriteItems`, …
    pub operation: String,
    /// The keys it read or wrote, `PK / SK`.
    pub keys: Vec<String>,
    /// Its expressions (key condition, condition, update), attribute names filled in.
    pub expressions: Vec<String>,
    /// The items it put, secrets hidden.
    pub items: Vec<String>,
    /// Capacity units consumed, when DynamoDB reported them.
    pub capacity: Option<f64>,
    /// `ok`, or the error DynamoDB answered (`ConditionalCheckFailed`, …).
    pub outcome: String,
    /// Order in the request: when the call started and when it finished.
    pub started: u32,
    pub finished: u32,
}

/// The calls one request made.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Calls(pub Vec<Call>);

impl Calls {
    /// The operations, in the order they finished.
    pub fn operations(&self) -> Vec<&str> {
        self.0.iter().map(|c| c.operation.as_str()).collect()
    }

    /// Sequential round trips: the longest chain of calls each starting after the previous
    /// one finished (calls made in parallel count once).
    pub fn round_trips(&self) -> usize {
        let mut calls: Vec<&Call> = self.0.iter().collect();
        calls.sort_by_key(|c| c.finished);
        let mut chain: Vec<usize> = Vec::with_capacity(calls.len());
        for (i, call) in calls.iter().enumerate() {
            let before = (0..i)
                .filter(|&j| calls[j].finished < call.started)
                .map(|j| chain[j])
                .max()
                .unwrap_or(0);
            chain.push(before + 1);
        }
        chain.into_iter().max().unwrap_or(0)
    }
}

/// The collection for the running request.
struct Collector {
    calls: Mutex<Vec<Call>>,
    clock: AtomicU32,
}

tokio::task_local! {
    static CURRENT: Collector;
}

/// Runs `request` with its DynamoDB calls collected; returns its output and its calls.
pub async fn record<T>(request: impl Future<Output = T>) -> (T, Calls) {
    let collector = Collector {
        calls: Mutex::default(),
        clock: AtomicU32::new(0),
    };
    let (output, collector) = CURRENT
        .scope(collector, async {
            let output = request.await;
            let calls = CURRENT.with(|c| std::mem::take(&mut *lock(&c.calls)));
            (output, calls)
        })
        .await;
    (output, Calls(collector))
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(|e| e.into_inner())
}

/// When this execution started, in the request's order of events.
#[derive(Clone, Copy, Debug)]
struct Started(u32);

impl Storable for Started {
    type Storer = StoreReplace<Self>;
}

/// What this attempt sent; kept until its answer, when the request itself has been sent off.
#[derive(Clone, Debug)]
struct Sent {
    operation: String,
    body: Value,
}

impl Storable for Sent {
    type Storer = StoreReplace<Self>;
}

/// The SDK interceptor that feeds [`record`]; a no-op outside a recorded request.
#[derive(Debug)]
pub struct Recorder;

impl Intercept for Recorder {
    fn name(&self) -> &'static str {
        "auth_web::calls::Recorder"
    }

    fn read_before_execution(
        &self,
        _: &BeforeSerializationInterceptorContextRef<'_>,
        cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        if let Ok(tick) = CURRENT.try_with(|c| c.clock.fetch_add(1, Ordering::SeqCst)) {
            cfg.interceptor_state().store_put(Started(tick));
        }
        Ok(())
    }

    /// Keeps what is sent, for the report, and asks DynamoDB for the capacity each data call
    /// consumes.
    fn modify_before_signing(
        &self,
        context: &mut BeforeTransmitInterceptorContextMut<'_>,
        _: &RuntimeComponents,
        cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        if CURRENT.try_with(|_| ()).is_err() {
            return Ok(());
        }
        let request = context.request_mut();
        let operation =
            operation(request.headers().get("x-amz-target")).unwrap_or_else(|| "unknown".into());
        let mut body = request
            .body()
            .bytes()
            .and_then(|b| serde_json::from_slice::<Map<String, Value>>(b).ok());
        let is_data = !matches!(
            operation.as_str(),
            "unknown"
                | "DescribeTable"
                | "DescribeTimeToLive"
                | "CreateTable"
                | "UpdateTimeToLive"
                | "DeleteTable"
        );
        if is_data && let Some(body) = &mut body {
            body.insert(
                "ReturnConsumedCapacity".into(),
                Value::String("TOTAL".into()),
            );
            let bytes = serde_json::to_vec(body)?;
            request
                .headers_mut()
                .insert("content-length", bytes.len().to_string());
            *request.body_mut() = bytes.into();
        }
        let body = body.map_or(Value::Null, Value::Object);
        cfg.interceptor_state().store_put(Sent { operation, body });
        Ok(())
    }

    fn read_after_attempt(
        &self,
        context: &FinalizerInterceptorContextRef<'_>,
        _: &RuntimeComponents,
        cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        let started = cfg.load::<Started>().map_or(0, |s| s.0);
        let sent = cfg.load::<Sent>().cloned();
        let _ = CURRENT.try_with(|collector| {
            let finished = collector.clock.fetch_add(1, Ordering::SeqCst);
            let call = describe(context, sent, started, finished);
            lock(&collector.calls).push(call);
        });
        Ok(())
    }
}

/// `GetItem` from `x-amz-target: DynamoDB_20120810.GetItem`.
fn operation(target: Option<&str>) -> Option<String> {
    target?.rsplit_once('.').map(|(_, op)| op.to_owned())
}

fn describe(
    context: &FinalizerInterceptorContextRef<'_>,
    sent: Option<Sent>,
    started: u32,
    finished: u32,
) -> Call {
    let Sent { operation, body } = sent.unwrap_or(Sent {
        operation: "unknown".into(),
        body: Value::Null,
    });
    let answer: Value = context
        .response()
        .and_then(|r| r.body().bytes())
        .and_then(|b| serde_json::from_slice(b).ok())
        .unwrap_or(Value::Null);
    let outcome = match context.response() {
        Some(r) if r.status().is_success() => "ok".to_owned(),
        Some(_) => error_name(&answer),
        None => "no answer".to_owned(),
    };
    let mut call = Call {
        operation,
        keys: Vec::new(),
        expressions: Vec::new(),
        items: Vec::new(),
        capacity: capacity(&answer),
        outcome,
        started,
        finished,
    };
    collect(&body, &mut call);
    call
}

/// `ConditionalCheckFailed` from an error answer (its `__type`, and a transaction's reasons).
fn error_name(answer: &Value) -> String {
    let kind = answer["__type"]
        .as_str()
        .and_then(|t| t.rsplit('#').next())
        .unwrap_or("error")
        .trim_end_matches("Exception");
    let reasons: Vec<&str> = answer["CancellationReasons"]
        .as_array()
        .map(|r| r.iter().filter_map(|r| r["Code"].as_str()).collect())
        .unwrap_or_default();
    if reasons.is_empty() {
        kind.to_owned()
    } else {
        format!("{kind} ({})", reasons.join(", "))
    }
}

/// The capacity units of an answer: one `ConsumedCapacity`, or the sum of a list of them.
fn capacity(answer: &Value) -> Option<f64> {
    match &answer["ConsumedCapacity"] {
        Value::Object(c) => c.get("CapacityUnits").and_then(Value::as_f64),
        Value::Array(list) => Some(
            list.iter()
                .filter_map(|c| c["CapacityUnits"].as_f64())
                .sum(),
        ),
        _ => None,
    }
}

/// Keys, expressions and items from a request body, wherever the operation keeps them.
fn collect(body: &Value, call: &mut Call) {
    let names = body["ExpressionAttributeNames"].as_object();
    if let Some(key) = body.get("Key") {
        call.keys.push(show_key(key));
    }
    if let Some(item) = body.get("Item") {
        call.keys.push(show_key(item));
        call.items.push(show_item(item));
    }
    for field in [
        "KeyConditionExpression",
        "ConditionExpression",
        "UpdateExpression",
    ] {
        if let Some(expression) = body[field].as_str() {
            call.expressions.push(fill_names(expression, names));
        }
    }
    if let Some(values) = body["ExpressionAttributeValues"].as_object()
        && let Some(pk) = values.get(":pk")
    {
        call.keys.push(show_value("PK", pk));
    }
    for (_, request) in body["RequestItems"].as_object().into_iter().flatten() {
        for key in request["Keys"].as_array().into_iter().flatten() {
            call.keys.push(show_key(key));
        }
        for write in request.as_array().into_iter().flatten() {
            if let Some(key) = write.pointer("/DeleteRequest/Key") {
                call.keys.push(format!("delete {}", show_key(key)));
            }
            if let Some(item) = write.pointer("/PutRequest/Item") {
                call.keys.push(show_key(item));
                call.items.push(show_item(item));
            }
        }
    }
    for item in body["TransactItems"].as_array().into_iter().flatten() {
        for (kind, part) in item.as_object().into_iter().flatten() {
            let mut inner = Call {
                keys: Vec::new(),
                expressions: Vec::new(),
                items: Vec::new(),
                ..call.clone()
            };
            collect(part, &mut inner);
            call.keys
                .extend(inner.keys.into_iter().map(|k| format!("{kind} {k}")));
            call.expressions.extend(inner.expressions);
            call.items.extend(inner.items);
        }
    }
}

/// `PK / SK` of an item or key, hashed parts hidden.
fn show_key(item: &Value) -> String {
    let part = |name: &str| {
        item[name]["S"]
            .as_str()
            .map(hide_hashed)
            .unwrap_or_default()
    };
    format!("{} / {}", part("PK"), part("SK"))
}

fn hide_hashed(key: &str) -> String {
    match HASHED_KEYS.iter().find(|p| key.starts_with(*p)) {
        Some(prefix) => format!("{prefix}{HIDDEN}"),
        None => key.to_owned(),
    }
}

/// An item's attributes, `Name: value`, secrets hidden.
fn show_item(item: &Value) -> String {
    let Some(attributes) = item.as_object() else {
        return String::new();
    };
    let mut shown: Vec<String> = attributes
        .iter()
        .map(|(name, value)| format!("{name}: {}", show_value(name, value)))
        .collect();
    shown.sort();
    shown.join(", ")
}

/// One attribute value as JSON types it (`{"S": …}`, `{"N": …}`, `{"B": …}`), secrets hidden.
fn show_value(name: &str, value: &Value) -> String {
    let Some((kind, inner)) = value.as_object().and_then(|o| o.iter().next()) else {
        return HIDDEN.into();
    };
    match kind.as_str() {
        "B" | "BS" => HIDDEN.into(),
        "S" if SECRET_ATTRIBUTES.contains(&name) => HIDDEN.into(),
        "S" => hide_hashed(inner.as_str().unwrap_or_default()),
        "N" | "BOOL" => inner.to_string().trim_matches('"').to_owned(),
        _ => HIDDEN.into(),
    }
}

/// An expression with its `#name` placeholders replaced by the attribute names.
fn fill_names(expression: &str, names: Option<&Map<String, Value>>) -> String {
    let mut filled = expression.to_owned();
    let mut names: Vec<(&String, &Value)> = names.into_iter().flatten().collect();
    // Longest first, so `#pk` does not eat part of `#pkx`.
    names.sort_by_key(|(placeholder, _)| std::cmp::Reverse(placeholder.len()));
    for (placeholder, name) in names {
        filled = filled.replace(placeholder.as_str(), name.as_str().unwrap_or_default());
    }
    filled
}

#[cfg(test)]
mod tests {
    use super::*;

    fn call(started: u32, finished: u32) -> Call {
        Call {
            operation: "GetItem".into(),
            keys: vec![],
            expressions: vec![],
            items: vec![],
            capacity: None,
            outcome: "ok".into(),
            started,
            finished,
        }
    }

    #[test]
    fn parallel_calls_count_as_one_round_trip() {
        // a ∥ b, then c
        let calls = Calls(vec![call(0, 2), call(1, 3), call(4, 5)]);
        assert_eq!(calls.round_trips(), 2);
        // a, then b, then c
        let calls = Calls(vec![call(0, 1), call(2, 3), call(4, 5)]);
        assert_eq!(calls.round_trips(), 3);
    }

    #[test]
    fn secrets_and_hashes_are_hidden() {
        let item = serde_json::json!({
            "PK": {"S": "USER#abc"}, "SK": {"S": "DEVICE#secrethash"},
            "SecretHash": {"B": "AAAA"}, "PasswordHash": {"S": "$argon2id$..."},
            "Email": {"S": "ada@example.com"}, "ExpiresAt": {"N": "123"}
        });
        let shown = show_item(&item);
        assert!(
            !shown.contains("AAAA") && !shown.contains("argon2") && !shown.contains("secrethash"),
            "{shown}"
        );
        assert!(
            shown.contains("Email: ada@example.com") && shown.contains("ExpiresAt: 123"),
            "{shown}"
        );
        assert_eq!(show_key(&item), format!("USER#abc / DEVICE#{HIDDEN}"));
    }

    #[test]
    fn expressions_show_attribute_names() {
        let names = serde_json::json!({"#pk": "PK", "#exp": "ExpiresAt"});
        assert_eq!(
            fill_names("attribute_exists(#pk) AND #exp > :now", names.as_object()),
            "attribute_exists(PK) AND ExpiresAt > :now"
        );
    }
}
