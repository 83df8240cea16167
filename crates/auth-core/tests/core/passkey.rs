use crate::helpers::{create_user, email, get, n, s, scan_all};
use auth_core::Error;
use auth_core::passkey::{
    NewPasskey, add_passkey, create_user_with_passkey, credential_owner, delete_passkey,
    find_passkey, get_passkey, list_passkeys, mark_passkey_used, rename_passkey,
};
use auth_core::session::{SessionPolicy, create_session};
use auth_core::user::{CLAIM_PK, delete_user, get_user};
use auth_testing::test_table;

fn new_passkey(id: &str) -> NewPasskey {
    NewPasskey {
        credential_id: id.into(),
        name: " Laptop ".into(),
        user_handle: "handle-1".into(),
        credential: format!("{{\"cred\":\"{id}\"}}"),
    }
}

#[tokio::test]
async fn a_user_created_with_a_passkey_has_it_and_its_credential_claim() {
    let table = test_table().await;
    let (user, passkey) = sign_up_with(&table, "ada@example.com", new_passkey("cred-1"))
        .await
        .unwrap();
    assert_eq!(user.password_hash, None);
    assert_eq!(
        get_user(&table, &user.id).await.unwrap(),
        Some(user.clone())
    );
    assert_eq!(passkey.name, "Laptop");
    let item = get(&table, &format!("USER#{}", user.id), "PASSKEY#cred-1")
        .await
        .unwrap();
    assert_eq!(s(&item, CLAIM_PK), "CREDENTIAL#cred-1");
    let claim = get(&table, "CREDENTIAL#cred-1", "CREDENTIAL#cred-1")
        .await
        .unwrap();
    assert_eq!(s(&claim, "UserId"), user.id);
    assert_eq!(find_passkey(&table, "cred-1").await.unwrap(), Some(passkey));
}

#[tokio::test]
async fn a_registered_credential_cannot_be_added_twice_to_any_account() {
    let table = test_table().await;
    let (ada, _) = sign_up_with(&table, "ada@example.com", new_passkey("cred-1"))
        .await
        .unwrap();
    let err = add_passkey(&table, &ada.id, new_passkey("cred-1"))
        .await
        .unwrap_err();
    assert!(matches!(err, Error::CredentialTaken), "{err:?}");
    let err = sign_up_with(&table, "eve@example.com", new_passkey("cred-1"))
        .await
        .unwrap_err();
    assert!(matches!(err, Error::CredentialTaken), "{err:?}");
    assert_eq!(
        scan_all(&table).await.len(),
        4,
        "Ada, her email, her passkey, its claim"
    );
}

#[tokio::test]
async fn a_taken_email_writes_no_passkey() {
    let table = test_table().await;
    create_user(&table, "ada@example.com").await;
    let err = sign_up_with(&table, "ada@example.com", new_passkey("cred-1"))
        .await
        .unwrap_err();
    assert!(matches!(err, Error::EmailTaken), "{err:?}");
    assert_eq!(find_passkey(&table, "cred-1").await.unwrap(), None);
}

#[tokio::test]
async fn passkeys_are_listed_renamed_and_their_use_recorded() {
    let table = test_table().await;
    let (ada, _) = sign_up_with(&table, "ada@example.com", new_passkey("cred-1"))
        .await
        .unwrap();
    table.clock().advance(time::Duration::seconds(5));
    add_passkey(&table, &ada.id, new_passkey("cred-2"))
        .await
        .unwrap();
    rename_passkey(&table, &ada.id, "cred-2", "Phone")
        .await
        .unwrap();
    let used = mark_passkey_used(&table, &ada.id, "cred-1", "updated".into());
    let policy = auth_core::session::SessionPolicy::default();
    auth_core::session::create_session(&table, &policy, &ada.id, None, vec![used])
        .await
        .unwrap();
    let passkeys = list_passkeys(&table, &ada.id).await.unwrap();
    let names: Vec<_> = passkeys.iter().map(|p| p.name.as_str()).collect();
    assert_eq!(names, ["Laptop", "Phone"], "oldest first");
    assert_eq!(passkeys[0].credential, "updated");
    assert_eq!(passkeys[0].last_used_at, Some(table.now()));
    let item = get(&table, &format!("USER#{}", ada.id), "PASSKEY#cred-1")
        .await
        .unwrap();
    assert_eq!(n(&item, "LastUsedAt"), table.now().unix_timestamp());

    assert!(matches!(
        rename_passkey(&table, &ada.id, "cred-2", " ").await,
        Err(Error::InvalidInput(_))
    ));
    assert!(matches!(
        rename_passkey(&table, &ada.id, "nope", "x").await,
        Err(Error::NotFound)
    ));
    assert!(matches!(
        rename_passkey(&table, "someone-else", "cred-2", "x").await,
        Err(Error::NotFound)
    ));
}

#[tokio::test]
async fn the_claim_and_the_passkey_can_be_read_separately() {
    let table = test_table().await;
    let (ada, passkey) = sign_up_with(&table, "ada@example.com", new_passkey("cred-1"))
        .await
        .unwrap();
    assert_eq!(
        credential_owner(&table, "cred-1").await.unwrap(),
        Some(ada.id.clone())
    );
    assert_eq!(
        get_passkey(&table, &ada.id, "cred-1").await.unwrap(),
        Some(passkey)
    );
    for unknown in ["cred-2", "not base64url!", ""] {
        assert_eq!(credential_owner(&table, unknown).await.unwrap(), None);
        assert_eq!(get_passkey(&table, &ada.id, unknown).await.unwrap(), None);
    }
    assert_eq!(
        get_passkey(&table, "someone-else", "cred-1").await.unwrap(),
        None
    );
}

#[tokio::test]
async fn a_passkey_use_is_committed_with_the_session_it_starts() {
    let table = test_table().await;
    let (ada, _) = sign_up_with(&table, "ada@example.com", new_passkey("cred-1"))
        .await
        .unwrap();
    table.clock().advance(time::Duration::seconds(5));
    let used = mark_passkey_used(&table, &ada.id, "cred-1", "counter 1".into());
    let policy = SessionPolicy::default();
    create_session(&table, &policy, &ada.id, None, vec![used])
        .await
        .unwrap();
    let passkey = get_passkey(&table, &ada.id, "cred-1")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(passkey.credential, "counter 1");
    assert_eq!(passkey.last_used_at, Some(table.now()));

    // A passkey deleted meanwhile: no session either.
    add_passkey(&table, &ada.id, new_passkey("cred-2"))
        .await
        .unwrap();
    delete_passkey(&table, &ada.id, "cred-1").await.unwrap();
    let before = scan_all(&table).await.len();
    let used = mark_passkey_used(&table, &ada.id, "cred-1", "counter 2".into());
    let err = create_session(&table, &policy, &ada.id, None, vec![used])
        .await
        .unwrap_err();
    assert!(matches!(err, Error::NotFound), "{err:?}");
    assert_eq!(scan_all(&table).await.len(), before, "nothing written");
}

#[tokio::test]
async fn the_last_passkey_cannot_be_deleted() {
    let table = test_table().await;
    let (ada, _) = sign_up_with(&table, "ada@example.com", new_passkey("cred-1"))
        .await
        .unwrap();
    add_passkey(&table, &ada.id, new_passkey("cred-2"))
        .await
        .unwrap();
    delete_passkey(&table, &ada.id, "cred-1").await.unwrap();
    assert_eq!(find_passkey(&table, "cred-1").await.unwrap(), None);
    assert!(
        get(&table, "CREDENTIAL#cred-1", "CREDENTIAL#cred-1")
            .await
            .is_none()
    );
    let err = delete_passkey(&table, &ada.id, "cred-2").await.unwrap_err();
    assert!(matches!(err, Error::LastSignInMethod), "{err:?}");
    assert_eq!(list_passkeys(&table, &ada.id).await.unwrap().len(), 1);
    assert!(matches!(
        delete_passkey(&table, &ada.id, "cred-1").await,
        Err(Error::NotFound)
    ));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_concurrent_deletions_never_remove_both_of_two_passkeys() {
    let table = test_table().await;
    let (ada, _) = sign_up_with(&table, "ada@example.com", new_passkey("cred-1"))
        .await
        .unwrap();
    add_passkey(&table, &ada.id, new_passkey("cred-2"))
        .await
        .unwrap();
    let deletions = ["cred-1", "cred-2"].map(|id| {
        let (table, user) = (table.table.clone(), ada.id.clone());
        tokio::spawn(async move { delete_passkey(&table, &user, id).await })
    });
    futures::future::join_all(deletions).await;
    assert_eq!(list_passkeys(&table, &ada.id).await.unwrap().len(), 1);
}

#[tokio::test]
async fn deleting_the_user_deletes_passkeys_and_credential_claims() {
    let table = test_table().await;
    let (ada, _) = sign_up_with(&table, "ada@example.com", new_passkey("cred-1"))
        .await
        .unwrap();
    delete_user(&table, &ada.id).await.unwrap();
    assert!(scan_all(&table).await.is_empty());
}

/// A new user signed up with a first passkey, as the sign-up ceremony does (without the
/// session).
async fn sign_up_with(
    table: &auth_core::Table,
    address: &str,
    new: NewPasskey,
) -> auth_core::Result<(auth_core::user::User, auth_core::passkey::Passkey)> {
    let user = auth_core::user::new_user(table, &email(address), None, false);
    let passkey = create_user_with_passkey(table, &user, new, vec![]).await?;
    Ok((user, passkey))
}
