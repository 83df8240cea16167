use crate::helpers::{create_user, email, get, s, scan_all};
use auth_core::Error;
use auth_core::oauth_account::{
    OAuthIdentity, create_user_with_oauth_account, find_user_id_by_oauth_account,
    link_oauth_account, list_oauth_accounts, unlink_oauth_account,
};
use auth_core::user::{delete_user, get_user, insert_user, new_user};
use auth_testing::test_table;

fn github(subject: &str) -> OAuthIdentity {
    OAuthIdentity {
        provider: "github".into(),
        subject: subject.into(),
        label: "ada-l".into(),
    }
}

fn google(subject: &str) -> OAuthIdentity {
    OAuthIdentity {
        provider: "google".into(),
        subject: subject.into(),
        label: "ada@example.com".into(),
    }
}

#[tokio::test]
async fn a_first_sign_in_writes_user_email_claim_account_claim_and_link_together() {
    let table = test_table().await;
    let user = sign_up_with(&table, "Ada@example.com", &github("42"))
        .await
        .unwrap();
    assert!(user.email_verified, "the provider verified the address");
    assert_eq!(scan_all(&table).await.len(), 4);
    let claim = get(&table, "OAUTH#github#42", "OAUTH#github#42")
        .await
        .unwrap();
    assert_eq!(s(&claim, "UserId"), user.id);
    let link = get(&table, &format!("USER#{}", user.id), "OAUTH#github#42")
        .await
        .unwrap();
    assert_eq!(s(&link, "ClaimPK"), "OAUTH#github#42");
    let found = owner(&table, "github", "42").await.unwrap();
    assert_eq!(found, Some(user));
}

#[tokio::test]
async fn unknown_accounts_and_malformed_keys_find_nobody() {
    let table = test_table().await;
    let none = owner(&table, "github", "42").await.unwrap();
    assert_eq!(none, None);
    let bad = owner(&table, "Git#Hub", "42").await;
    assert!(matches!(bad, Err(Error::InvalidInput(_))), "{bad:?}");
    let bad = owner(&table, "github", "").await;
    assert!(matches!(bad, Err(Error::InvalidInput(_))), "{bad:?}");
}

#[tokio::test]
async fn a_taken_email_refuses_the_new_account_and_writes_nothing() {
    let table = test_table().await;
    create_user(&table, "ada@example.com").await;
    let err = sign_up_with(&table, "ada@example.com", &github("42"))
        .await
        .unwrap_err();
    assert!(matches!(err, Error::EmailTaken), "{err:?}");
    assert_eq!(
        scan_all(&table).await.len(),
        2,
        "only the first user and its claim"
    );
}

#[tokio::test]
async fn an_account_linked_to_one_user_cannot_create_or_link_another() {
    let table = test_table().await;
    sign_up_with(&table, "ada@example.com", &github("42"))
        .await
        .unwrap();
    let err = sign_up_with(&table, "bob@example.com", &github("42"))
        .await
        .unwrap_err();
    assert!(matches!(err, Error::AccountAlreadyLinked), "{err:?}");
    let bob = create_user(&table, "bob@example.com").await;
    let err = link_oauth_account(&table, &bob.id, &github("42"))
        .await
        .unwrap_err();
    assert!(matches!(err, Error::AccountAlreadyLinked), "{err:?}");
    assert!(
        list_oauth_accounts(&table, &bob.id)
            .await
            .unwrap()
            .is_empty()
    );
}

#[tokio::test]
async fn linking_to_a_user_that_does_not_exist_writes_nothing() {
    let table = test_table().await;
    let err = link_oauth_account(&table, &auth_core::random::random_id(), &github("42"))
        .await
        .unwrap_err();
    assert!(matches!(err, Error::NotFound), "{err:?}");
    assert!(scan_all(&table).await.is_empty());
}

#[tokio::test]
async fn linked_accounts_are_listed_and_one_can_be_unlinked_while_another_remains() {
    let table = test_table().await;
    let user = sign_up_with(&table, "ada@example.com", &github("42"))
        .await
        .unwrap();
    table.clock().advance(time::Duration::seconds(1));
    link_oauth_account(&table, &user.id, &google("g-7"))
        .await
        .unwrap();
    let accounts = list_oauth_accounts(&table, &user.id).await.unwrap();
    let listed: Vec<_> = accounts.iter().map(|a| a.identity.clone()).collect();
    assert_eq!(listed, vec![github("42"), google("g-7")]);

    unlink_oauth_account(&table, &user, "github", "42")
        .await
        .unwrap();
    assert_eq!(owner(&table, "github", "42").await.unwrap(), None);
    let accounts = list_oauth_accounts(&table, &user.id).await.unwrap();
    assert_eq!(accounts.len(), 1);
    assert_eq!(accounts[0].identity, google("g-7"));
}

#[tokio::test]
async fn the_last_way_to_sign_in_cannot_be_unlinked() {
    let table = test_table().await;
    let user = sign_up_with(&table, "ada@example.com", &github("42"))
        .await
        .unwrap();
    let err = unlink_oauth_account(&table, &user, "github", "42")
        .await
        .unwrap_err();
    assert!(matches!(err, Error::LastSignInMethod), "{err:?}");
    assert!(owner(&table, "github", "42").await.unwrap().is_some());
}

#[tokio::test]
async fn a_user_with_a_password_can_unlink_their_only_account() {
    let table = test_table().await;
    let user = create_user(&table, "ada@example.com").await;
    link_oauth_account(&table, &user.id, &github("42"))
        .await
        .unwrap();
    unlink_oauth_account(&table, &user, "github", "42")
        .await
        .unwrap();
    assert!(
        list_oauth_accounts(&table, &user.id)
            .await
            .unwrap()
            .is_empty()
    );
    assert_eq!(
        scan_all(&table).await.len(),
        2,
        "user and email claim remain"
    );
}

#[tokio::test]
async fn of_two_racing_unlinks_of_the_last_two_accounts_at_most_one_succeeds() {
    let table = test_table().await;
    let user = new_user(&table, &email("ada@example.com"), None, false);
    insert_user(&table, &user, vec![]).await.unwrap();
    link_oauth_account(&table, &user.id, &github("42"))
        .await
        .unwrap();
    link_oauth_account(&table, &user.id, &google("g-7"))
        .await
        .unwrap();
    let (a, b) = tokio::join!(
        unlink_oauth_account(&table, &user, "github", "42"),
        unlink_oauth_account(&table, &user, "google", "g-7"),
    );
    assert!(a.is_err() || b.is_err(), "{a:?} {b:?}");
    assert!(
        !list_oauth_accounts(&table, &user.id)
            .await
            .unwrap()
            .is_empty()
    );
}

#[tokio::test]
async fn unlinking_someone_elses_account_is_not_found() {
    let table = test_table().await;
    let ada = sign_up_with(&table, "ada@example.com", &github("42"))
        .await
        .unwrap();
    let bob = create_user(&table, "bob@example.com").await;
    let err = unlink_oauth_account(&table, &bob, "github", "42")
        .await
        .unwrap_err();
    assert!(matches!(err, Error::NotFound), "{err:?}");
    let owner = owner(&table, "github", "42").await.unwrap();
    assert_eq!(owner.map(|u| u.id), Some(ada.id));
}

#[tokio::test]
async fn deleting_the_user_deletes_the_account_claims_too() {
    let table = test_table().await;
    let user = sign_up_with(&table, "ada@example.com", &github("42"))
        .await
        .unwrap();
    delete_user(&table, &user.id).await.unwrap();
    assert_eq!(get_user(&table, &user.id).await.unwrap(), None);
    assert!(scan_all(&table).await.is_empty());
}

/// A new user signed up with `identity`, as the OAuth callback does (without the session).
async fn sign_up_with(
    table: &auth_core::Table,
    address: &str,
    identity: &OAuthIdentity,
) -> auth_core::Result<auth_core::user::User> {
    let user = auth_core::user::new_user(table, &email(address), None, true);
    create_user_with_oauth_account(table, &user, identity, vec![]).await?;
    Ok(user)
}

/// The user an identity signs in as, through its claim.
async fn owner(
    table: &auth_core::Table,
    provider: &str,
    subject: &str,
) -> auth_core::Result<Option<auth_core::user::User>> {
    match find_user_id_by_oauth_account(table, provider, subject).await? {
        Some(id) => get_user(table, &id).await,
        None => Ok(None),
    }
}
