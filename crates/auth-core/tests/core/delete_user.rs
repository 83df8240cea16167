//! Deleting an account: one transaction for the user and every claim it holds, then the rest
//! of its partition; the freed email, provider accounts and credentials can be claimed again.

use crate::helpers::{
    PASSWORD, create_user, hasher, s, scan_all, sign_in, snapshot, start_session,
};
use auth_core::email_verification::put_email_verification_request;
use auth_core::oauth_account::{OAuthIdentity, link_oauth_account};
use auth_core::one_time_code::OneTimeCode;
use auth_core::passkey::{NewPasskey, add_passkey};
use auth_core::session::{SessionPolicy, validate_session_token};
use auth_core::user::{CLAIM_PK, delete_user, get_user_by_email};
use auth_core::{Error, Table};
use auth_testing::test_table;
use aws_sdk_dynamodb::types::AttributeValue;

fn github(subject: &str) -> OAuthIdentity {
    OAuthIdentity {
        provider: "github".into(),
        subject: subject.into(),
        label: "ada-l".into(),
    }
}

fn passkey(id: &str) -> NewPasskey {
    NewPasskey {
        credential_id: id.into(),
        name: "Laptop".into(),
        user_handle: "handle-1".into(),
        credential: format!("{{\"cred\":\"{id}\"}}"),
    }
}

/// The partition keys in the table, sorted.
async fn partitions(table: &Table) -> Vec<String> {
    let mut pks: Vec<String> = scan_all(table)
        .await
        .iter()
        .map(|i| s(i, "PK").to_owned())
        .collect();
    pks.sort();
    pks
}

#[tokio::test]
async fn deleting_a_user_removes_its_claim_and_sessions_and_frees_the_email() {
    let table = test_table().await;
    let hasher = hasher();
    let user = create_user(&table, "ada@example.com").await;
    let other = create_user(&table, "grace@example.com").await;
    let verified = sign_in(&table, &hasher, "ada@example.com", PASSWORD, None)
        .await
        .unwrap();
    let token = start_session(&table, verified).await;
    delete_user(&table, &user.id).await.unwrap();
    let validated = validate_session_token(&table, &SessionPolicy::default(), &token.to_string())
        .await
        .unwrap();
    assert!(validated.is_none());
    let other_pk = format!("USER#{}", other.id);
    assert_eq!(
        partitions(&table).await,
        ["EMAIL#grace@example.com", other_pk.as_str()],
        "the other user and its claim remain"
    );

    let again = create_user(&table, "ada@example.com").await;
    let found = get_user_by_email(&table, &again.email).await.unwrap();
    assert_eq!(found, Some(again));
    assert!(matches!(
        delete_user(&table, &user.id).await,
        Err(Error::NotFound)
    ));
}

#[tokio::test]
async fn deleting_a_user_removes_every_claim_and_item_and_frees_them_at_once() {
    let table = test_table().await;
    let hasher = hasher();
    create_user(&table, "grace@example.com").await;
    let untouched = snapshot(&table).await;
    let ada = create_user(&table, "ada@example.com").await;
    link_oauth_account(&table, &ada.id, &github("42"))
        .await
        .unwrap();
    add_passkey(&table, &ada.id, passkey("cred-1"))
        .await
        .unwrap();
    let verified = sign_in(&table, &hasher, "ada@example.com", PASSWORD, None)
        .await
        .unwrap();
    start_session(&table, verified).await;
    let code = OneTimeCode::generate();
    put_email_verification_request(&table, &ada.id, &ada.email, &code)
        .await
        .unwrap();
    let prefixes = |items: &[crate::helpers::Item]| {
        let mut sks: Vec<String> = items
            .iter()
            .filter(|i| s(i, "PK") == format!("USER#{}", ada.id))
            .map(|i| s(i, "SK").split('#').next().unwrap().to_owned())
            .collect();
        sks.sort();
        sks
    };
    assert_eq!(
        prefixes(&scan_all(&table).await),
        [
            "DEVICE",
            "EMAIL_VERIFICATION",
            "OAUTH",
            "PASSKEY",
            "SESSION",
            "USER"
        ],
        "everything a user can have is there before"
    );

    delete_user(&table, &ada.id).await.unwrap();
    assert_eq!(
        snapshot(&table).await,
        untouched,
        "only the other user is left"
    );

    let again = create_user(&table, "ada@example.com").await;
    link_oauth_account(&table, &again.id, &github("42"))
        .await
        .expect("the provider account is free");
    add_passkey(&table, &again.id, passkey("cred-1"))
        .await
        .expect("the credential is free");
}

#[tokio::test]
async fn deleting_a_user_also_deletes_claims_its_items_point_to() {
    let table = test_table().await;
    let user = create_user(&table, "ada@example.com").await;
    let claim = "OAUTH#github#42";
    let link = [
        ("PK", format!("USER#{}", user.id)),
        ("SK", claim.to_owned()),
        (CLAIM_PK, claim.to_owned()),
    ];
    let claim_item = [
        ("PK", claim.to_owned()),
        ("SK", claim.to_owned()),
        ("UserId", user.id.clone()),
    ];
    put(&table, &link).await;
    put(&table, &claim_item).await;
    delete_user(&table, &user.id).await.unwrap();
    assert!(scan_all(&table).await.is_empty());
}

#[tokio::test]
async fn a_claim_held_by_someone_else_stops_the_whole_deletion() {
    let table = test_table().await;
    let ada = create_user(&table, "ada@example.com").await;
    let grace = create_user(&table, "grace@example.com").await;
    link_oauth_account(&table, &ada.id, &github("42"))
        .await
        .unwrap();
    // A claim that no longer names Ada (as if it had moved to Grace meanwhile).
    let claim = "OAUTH#github#42";
    put(
        &table,
        &[
            ("PK", claim.to_owned()),
            ("SK", claim.to_owned()),
            ("UserId", grace.id.clone()),
        ],
    )
    .await;
    let before = snapshot(&table).await;
    let err = delete_user(&table, &ada.id).await.unwrap_err();
    assert!(matches!(err, Error::Conflict(_)), "{err:?}");
    assert_eq!(
        snapshot(&table).await,
        before,
        "neither the user nor its email claim was deleted"
    );
}

/// Writes an item of string attributes as it is, around the library.
async fn put(table: &Table, attributes: &[(&str, String)]) {
    let mut put = table.client().put_item().table_name(table.name());
    for (name, value) in attributes {
        put = put.item(*name, AttributeValue::S(value.clone()));
    }
    put.send().await.unwrap();
}
