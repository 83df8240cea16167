use crate::helpers::{create_user, enable_totp, get, reload, s, session_of};
use auth_core::encryption::EncryptionKey;
use auth_core::passkey::{NewPasskey, add_passkey};
use auth_core::second_factor::{
    FactorKind, NewWebauthnFactor, SecondFactors, add_webauthn_factor, list_webauthn_factors,
    remove_webauthn_factor, rename_webauthn_factor, turn_off,
};
use auth_core::user::{User, delete_user};
use auth_core::{Error, Table};
use auth_testing::{scan_all, test_table};

fn factor(id: &str, kind: FactorKind) -> NewWebauthnFactor {
    NewWebauthnFactor {
        credential_id: id.into(),
        kind,
        name: format!("{} {id}", kind.label()),
        credential: "{\"opaque\":true}".into(),
    }
}

async fn add(table: &Table, user: &User, id: &str, kind: FactorKind) {
    let session = session_of(table, user).await;
    let user = reload(table, user).await;
    add_webauthn_factor(table, &user, &session, factor(id, kind))
        .await
        .unwrap();
}

#[tokio::test]
async fn a_security_key_is_an_item_with_its_claim_and_is_counted_on_the_user() {
    let table = test_table().await;
    let user = create_user(&table, "ada@example.com").await;
    let session = session_of(&table, &user).await;
    let codes = add_webauthn_factor(
        &table,
        &user,
        &session,
        factor("a1", FactorKind::SecurityKey),
    )
    .await
    .unwrap();
    assert_eq!(codes.map(|c| c.len()), Some(10));
    let pk = format!("USER#{}", user.id);
    let item = get(&table, &pk, "SECOND_FACTOR#a1").await.unwrap();
    assert_eq!(s(&item, "Kind"), "security-key");
    assert_eq!(s(&item, "ClaimPK"), "CREDENTIAL#a1");
    assert_eq!(s(&item, "Credential"), "{\"opaque\":true}");
    let claim = get(&table, "CREDENTIAL#a1", "CREDENTIAL#a1").await.unwrap();
    assert_eq!(s(&claim, "UserId"), user.id);
    assert_eq!(
        reload(&table, &user).await.second_factors,
        SecondFactors {
            security_keys: 1,
            ..Default::default()
        }
    );

    add(&table, &user, "p1", FactorKind::Passkey).await;
    let user = reload(&table, &user).await;
    assert_eq!(
        (
            user.second_factors.security_keys,
            user.second_factors.passkeys
        ),
        (1, 1)
    );
    let listed = list_webauthn_factors(&table, &user.id).await.unwrap();
    assert_eq!(listed.len(), 2);
    rename_webauthn_factor(&table, &user.id, "p1", "  Laptop ")
        .await
        .unwrap();
    let listed = list_webauthn_factors(&table, &user.id).await.unwrap();
    assert!(listed.iter().any(|f| f.name == "Laptop"));
    assert!(matches!(
        rename_webauthn_factor(&table, &user.id, "nope", "x").await,
        Err(Error::NotFound)
    ));
}

#[tokio::test]
async fn a_credential_is_registered_once_whatever_it_is_for() {
    let table = test_table().await;
    let ada = create_user(&table, "ada@example.com").await;
    let bob = create_user(&table, "bob@example.com").await;
    add(&table, &ada, "c1", FactorKind::SecurityKey).await;
    let session = session_of(&table, &bob).await;
    let taken =
        add_webauthn_factor(&table, &bob, &session, factor("c1", FactorKind::Passkey)).await;
    assert!(matches!(taken, Err(Error::CredentialTaken)), "{taken:?}");
    let passkey = NewPasskey {
        credential_id: "c1".into(),
        name: "Phone".into(),
        user_handle: "h".into(),
        credential: "{}".into(),
    };
    let taken = add_passkey(&table, &bob.id, passkey).await;
    assert!(matches!(taken, Err(Error::CredentialTaken)), "{taken:?}");
    assert!(
        !reload(&table, &bob).await.second_factors.any(),
        "nothing half-written"
    );
}

#[tokio::test]
async fn removing_the_last_factor_turns_two_factor_off_and_clears_the_codes() {
    let table = test_table().await;
    let user = create_user(&table, "ada@example.com").await;
    add(&table, &user, "k1", FactorKind::SecurityKey).await;
    add(&table, &user, "k2", FactorKind::SecurityKey).await;
    let pk = format!("USER#{}", user.id);
    remove_webauthn_factor(&table, &reload(&table, &user).await, "k1")
        .await
        .unwrap();
    assert!(
        get(&table, "CREDENTIAL#k1", "CREDENTIAL#k1")
            .await
            .is_none()
    );
    assert!(get(&table, &pk, "RECOVERY").await.is_some(), "k2 remains");
    remove_webauthn_factor(&table, &reload(&table, &user).await, "k2")
        .await
        .unwrap();
    assert!(get(&table, &pk, "RECOVERY").await.is_none());
    assert_eq!(
        reload(&table, &user).await.second_factors,
        SecondFactors::default()
    );
    let again = remove_webauthn_factor(&table, &reload(&table, &user).await, "k2").await;
    assert!(matches!(again, Err(Error::NotFound)));
}

#[tokio::test]
async fn two_removals_at_once_of_the_last_two_factors_leave_no_codes_behind() {
    let table = test_table().await;
    let user = create_user(&table, "ada@example.com").await;
    add(&table, &user, "k1", FactorKind::SecurityKey).await;
    add(&table, &user, "k2", FactorKind::Passkey).await;
    // Both removals start from the same read: each sees another factor left.
    let seen = reload(&table, &user).await;
    let (a, b) = tokio::join!(
        remove_webauthn_factor(&table, &seen, "k1"),
        remove_webauthn_factor(&table, &seen, "k2")
    );
    a.unwrap();
    b.unwrap();
    assert_eq!(
        reload(&table, &user).await.second_factors,
        SecondFactors::default()
    );
    let pk = format!("USER#{}", user.id);
    assert!(
        get(&table, &pk, "RECOVERY").await.is_none(),
        "the codes went with the last"
    );
}

#[tokio::test]
async fn turning_off_deletes_every_factor_claim_key_and_code() {
    let table = test_table().await;
    let user = create_user(&table, "ada@example.com").await;
    let session = session_of(&table, &user).await;
    enable_totp(&table, &EncryptionKey::generate(), &user, &session).await;
    add(&table, &user, "k1", FactorKind::SecurityKey).await;
    add(&table, &user, "p1", FactorKind::Passkey).await;
    turn_off(&table, &reload(&table, &user).await)
        .await
        .unwrap();
    let pk = format!("USER#{}", user.id);
    let left: Vec<String> = scan_all(&table)
        .await
        .iter()
        .filter(|i| !s(i, "PK").starts_with("RATE#"))
        .filter(|i| s(i, "PK") != pk || !s(i, "SK").starts_with("SESSION#"))
        .map(|i| format!("{} {}", s(i, "PK"), s(i, "SK")))
        .collect();
    let mut left = left;
    left.sort();
    assert_eq!(
        left,
        [
            "EMAIL#ada@example.com EMAIL#ada@example.com".to_owned(),
            format!("{pk} {pk}")
        ],
        "only the user and its email claim"
    );
    assert_eq!(
        reload(&table, &user).await.second_factors,
        SecondFactors::default()
    );
    assert!(matches!(
        turn_off(&table, &reload(&table, &user).await).await,
        Err(Error::NotFound)
    ));
}

#[tokio::test]
async fn deleting_the_user_deletes_the_factors_and_frees_their_credentials() {
    let table = test_table().await;
    let user = create_user(&table, "ada@example.com").await;
    let session = session_of(&table, &user).await;
    enable_totp(&table, &EncryptionKey::generate(), &user, &session).await;
    add(&table, &user, "k1", FactorKind::SecurityKey).await;
    delete_user(&table, &user.id).await.unwrap();
    let left: Vec<_> = scan_all(&table)
        .await
        .into_iter()
        .filter(|i| !s(i, "PK").starts_with("RATE#"))
        .collect();
    assert!(left.is_empty(), "{left:?}");
    let other = create_user(&table, "bob@example.com").await;
    add(&table, &other, "k1", FactorKind::SecurityKey).await;
}
