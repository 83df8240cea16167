use auth_core::Table;
use auth_core::password::{Password, hash_password};
use auth_core::user::{EmailAddress, User, create_user};
use aws_sdk_dynamodb::types::AttributeValue;
use std::collections::HashMap;

pub type Item = HashMap<String, AttributeValue>;

/// Every item in the table, to assert on what is stored.
pub async fn scan_all(table: &Table) -> Vec<Item> {
    table
        .client()
        .scan()
        .table_name(table.name())
        .consistent_read(true)
        .into_paginator()
        .items()
        .send()
        .collect::<Result<Vec<_>, _>>()
        .await
        .expect("scan works")
}

pub fn s<'a>(item: &'a Item, name: &str) -> &'a str {
    match item.get(name) {
        Some(AttributeValue::S(v)) => v,
        other => panic!("{name} is not a string: {other:?}"),
    }
}

pub fn n(item: &Item, name: &str) -> i64 {
    match item.get(name) {
        Some(AttributeValue::N(v)) => v.parse().unwrap(),
        other => panic!("{name} is not a number: {other:?}"),
    }
}

/// The stored item with this primary key, read consistently.
pub async fn get(table: &Table, pk: &str, sk: &str) -> Option<Item> {
    table
        .client()
        .get_item()
        .table_name(table.name())
        .key("PK", AttributeValue::S(pk.into()))
        .key("SK", AttributeValue::S(sk.into()))
        .consistent_read(true)
        .send()
        .await
        .unwrap()
        .item
}

pub fn email(s: &str) -> EmailAddress {
    EmailAddress::parse(s).unwrap()
}

pub async fn new_user(table: &Table, address: &str) -> User {
    let hash = hash_password(&Password::parse("correct horse battery").unwrap())
        .await
        .unwrap();
    create_user(table, &email(address), Some(hash))
        .await
        .unwrap()
}
