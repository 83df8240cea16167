//! Canonical email addresses at the edge: a look-alike of an address either folds to the same
//! claim or is refused; it never becomes a second account.

use crate::helpers::{PASSWORD, create_user, email, hasher, sign_in, snapshot};
use auth_core::Error;
use auth_core::email::EmailAddress;
use auth_core::user::{get_user_by_email, insert_user, new_user};
use auth_testing::test_table;

#[tokio::test]
async fn a_fullwidth_address_is_the_account_of_the_plain_one() {
    let table = test_table().await;
    let hasher = hasher();
    let kate = create_user(&table, "kate@example.com").await;
    let fullwidth = "ｋａｔｅ@example.com";
    assert_eq!(email(fullwidth), kate.email);
    let found = get_user_by_email(&table, &email(fullwidth)).await.unwrap();
    assert_eq!(found, Some(kate.clone()));
    let verified = sign_in(&table, &hasher, fullwidth, PASSWORD, None)
        .await
        .unwrap();
    assert_eq!(verified.user.id, kate.id);

    let second = new_user(&table, &email("ＫＡＴＥ@ＥＸＡＭＰＬＥ.com"), None, false);
    let err = insert_user(&table, &second, vec![]).await.unwrap_err();
    assert!(matches!(err, Error::EmailTaken), "{err:?}");
}

#[tokio::test]
async fn look_alike_and_invisible_addresses_are_refused_before_anything_is_read_or_written() {
    let table = test_table().await;
    let hasher = hasher();
    create_user(&table, "kate@example.com").await;
    let before = snapshot(&table).await;
    for look_alike in [
        "k\u{0430}te@example.com",  // a Cyrillic а among Latin letters
        "kate@ex\u{0430}mple.com",  // the same in the domain
        "ka\u{200b}te@example.com", // a zero-width space
        "\u{202e}etak@example.com", // a right-to-left override
    ] {
        let parsed = EmailAddress::parse(look_alike);
        assert!(
            matches!(parsed, Err(Error::InvalidInput(_))),
            "{look_alike:?}: {parsed:?}"
        );
        let signed_in = sign_in(&table, &hasher, look_alike, PASSWORD, None).await;
        assert!(
            matches!(signed_in, Err(Error::InvalidInput(_))),
            "{look_alike:?}: {signed_in:?}"
        );
    }
    assert_eq!(snapshot(&table).await, before, "no attempt was taken");
}
