//! The one table: its schema (the seed's, unchanged), the handle every function takes,
//! and `ensure_table`, which creates the table or checks that an existing one fits.

use crate::{Clock, Error, Result};
use aws_sdk_dynamodb::Client;
use aws_sdk_dynamodb::types::{
    AttributeDefinition, BillingMode, GlobalSecondaryIndex, KeySchemaElement, KeyType, Projection,
    ProjectionType, ScalarAttributeType, TableDescription, TableStatus, TimeToLiveSpecification,
    TimeToLiveStatus,
};
use std::sync::Arc;
use std::time::Duration;
use time::OffsetDateTime;

/// Partition key of every item (a string).
pub const PK: &str = "PK";
/// Sort key of every item (a string).
pub const SK: &str = "SK";
/// The one global secondary index.
pub const GSI: &str = "GSI";
/// Partition key of the index (a string).
pub const GSIPK: &str = "GSIPK";
/// Sort key of the index (a string).
pub const GSISK: &str = "GSISK";
/// The TTL attribute: epoch seconds, a Number. DynamoDB deletes lazily, so code checks it too.
pub const EXPIRES_AT: &str = "ExpiresAt";
/// The table name when none is configured.
pub const DEFAULT_TABLE_NAME: &str = "auth";

/// A DynamoDB client, the table name and the clock: everything a call in this crate needs.
#[derive(Clone, Debug)]
pub struct Table {
    client: Client,
    name: Arc<str>,
    clock: Clock,
}

impl Table {
    pub fn new(client: Client, name: impl Into<Arc<str>>) -> Self {
        Self {
            client,
            name: name.into(),
            clock: Clock::system(),
        }
    }

    /// The same table, reading time from `clock` (tests move a manual clock).
    pub fn with_clock(self, clock: Clock) -> Self {
        Self { clock, ..self }
    }

    pub fn client(&self) -> &Client {
        &self.client
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    pub fn clock(&self) -> &Clock {
        &self.clock
    }

    pub fn now(&self) -> OffsetDateTime {
        self.clock.now()
    }

    /// Creates the table if it is missing, waits until it is usable, and turns TTL on.
    /// An existing table with another schema is refused with a message naming what differs.
    #[tracing::instrument(skip(self), fields(table = %self.name))]
    pub async fn ensure_table(&self) -> Result<()> {
        match self.describe().await? {
            Some(existing) => check_schema(&existing)?,
            None => self.create().await?,
        }
        self.wait_until_active().await?;
        self.ensure_ttl().await
    }

    /// One cheap strongly consistent call, for health checks.
    pub async fn ping(&self) -> Result<()> {
        self.describe().await?.map(|_| ()).ok_or(Error::NotFound)
    }

    async fn describe(&self) -> Result<Option<TableDescription>> {
        match self
            .client
            .describe_table()
            .table_name(self.name())
            .send()
            .await
        {
            Ok(out) => Ok(out.table),
            Err(e)
                if e.as_service_error()
                    .is_some_and(|s| s.is_resource_not_found_exception()) =>
            {
                Ok(None)
            }
            Err(e) => Err(e.into()),
        }
    }

    async fn create(&self) -> Result<()> {
        tracing::info!("creating table");
        let created = self
            .client
            .create_table()
            .table_name(self.name())
            .billing_mode(BillingMode::PayPerRequest)
            .set_attribute_definitions(Some([PK, SK, GSIPK, GSISK].map(string_attribute).to_vec()))
            .set_key_schema(Some(key_schema(PK, SK)))
            .global_secondary_indexes(
                GlobalSecondaryIndex::builder()
                    .index_name(GSI)
                    .set_key_schema(Some(key_schema(GSIPK, GSISK)))
                    .projection(
                        Projection::builder()
                            .projection_type(ProjectionType::All)
                            .build(),
                    )
                    .build()
                    .map_err(Error::unavailable)?,
            )
            .send()
            .await;
        match created {
            Ok(_) => Ok(()),
            // Another instance created it a moment ago: check it like any existing table.
            Err(e)
                if e.as_service_error()
                    .is_some_and(|s| s.is_resource_in_use_exception()) =>
            {
                match self.describe().await? {
                    Some(existing) => check_schema(&existing),
                    None => Err(Error::Conflict("table is being deleted")),
                }
            }
            Err(e) => Err(e.into()),
        }
    }

    async fn wait_until_active(&self) -> Result<()> {
        let mut delay = Duration::from_millis(50);
        for _ in 0..60 {
            let status = self.describe().await?.and_then(|t| t.table_status);
            if status == Some(TableStatus::Active) {
                return Ok(());
            }
            tokio::time::sleep(delay).await;
            delay = (delay * 2).min(Duration::from_secs(2));
        }
        Err(Error::unavailable(format!(
            "table {} did not become ACTIVE",
            self.name()
        )))
    }

    async fn ensure_ttl(&self) -> Result<()> {
        let ttl = self
            .client
            .describe_time_to_live()
            .table_name(self.name())
            .send()
            .await?
            .time_to_live_description;
        let status = ttl.as_ref().and_then(|t| t.time_to_live_status.clone());
        let attribute = ttl.as_ref().and_then(|t| t.attribute_name.as_deref());
        match status {
            Some(TimeToLiveStatus::Enabled | TimeToLiveStatus::Enabling) => {
                if attribute == Some(EXPIRES_AT) {
                    Ok(())
                } else {
                    Err(mismatch(format!(
                        "TTL is on attribute {attribute:?}, expected {EXPIRES_AT:?}"
                    )))
                }
            }
            _ => {
                tracing::info!("enabling TTL on {EXPIRES_AT}");
                let spec = TimeToLiveSpecification::builder()
                    .enabled(true)
                    .attribute_name(EXPIRES_AT)
                    .build()
                    .map_err(Error::unavailable)?;
                self.client
                    .update_time_to_live()
                    .table_name(self.name())
                    .time_to_live_specification(spec)
                    .send()
                    .await?;
                Ok(())
            }
        }
    }
}

fn string_attribute(name: &str) -> AttributeDefinition {
    AttributeDefinition::builder()
        .attribute_name(name)
        .attribute_type(ScalarAttributeType::S)
        .build()
        .expect("name and type are set")
}

fn key_schema(hash: &str, range: &str) -> Vec<KeySchemaElement> {
    [(hash, KeyType::Hash), (range, KeyType::Range)]
        .map(|(name, kind)| {
            KeySchemaElement::builder()
                .attribute_name(name)
                .key_type(kind)
                .build()
                .expect("name and type are set")
        })
        .to_vec()
}

fn mismatch(what: String) -> Error {
    Error::SchemaMismatch(what)
}

/// Compares an existing table with the schema this crate creates; names the first difference.
fn check_schema(table: &TableDescription) -> Result<()> {
    let keys = |schema: &[KeySchemaElement]| -> Vec<(String, KeyType)> {
        schema
            .iter()
            .map(|k| (k.attribute_name.clone(), k.key_type.clone()))
            .collect()
    };
    let expected_keys = keys(&key_schema(PK, SK));
    let actual_keys = keys(table.key_schema());
    if actual_keys != expected_keys {
        return Err(mismatch(format!(
            "key schema is {actual_keys:?}, expected {expected_keys:?}"
        )));
    }
    for def in table.attribute_definitions() {
        if def.attribute_type != ScalarAttributeType::S {
            return Err(mismatch(format!(
                "attribute {} has type {}, expected S",
                def.attribute_name,
                def.attribute_type.as_str()
            )));
        }
    }
    let index = table
        .global_secondary_indexes()
        .iter()
        .find(|i| i.index_name() == Some(GSI));
    let Some(index) = index else {
        return Err(mismatch(format!(
            "global secondary index {GSI:?} is missing"
        )));
    };
    let expected_index_keys = keys(&key_schema(GSIPK, GSISK));
    let actual_index_keys = keys(index.key_schema());
    if actual_index_keys != expected_index_keys {
        return Err(mismatch(format!(
            "index {GSI} key schema is {actual_index_keys:?}, expected {expected_index_keys:?}"
        )));
    }
    let projection = index.projection().and_then(|p| p.projection_type());
    if projection != Some(&ProjectionType::All) {
        return Err(mismatch(format!(
            "index {GSI} projects {projection:?}, expected ALL"
        )));
    }
    Ok(())
}
