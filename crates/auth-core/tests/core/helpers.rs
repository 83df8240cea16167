use auth_core::Table;
use auth_core::password::{Password, hash_password};
use auth_core::user::{EmailAddress, User, create_user};
use aws_sdk_dynamodb::types::AttributeValue;

pub use auth_web::testing::{Item, get_item as get, scan_all};

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
