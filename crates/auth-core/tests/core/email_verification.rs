use crate::helpers::{create_user, email, get, n, s, scan_all};
use auth_core::Error;
use auth_core::email_verification::{
    Verified, get_email_verification_request, put_email_verification_request, verify_email_code,
};
use auth_core::one_time_code::{CODE_LIFETIME, CodeCheck, MAX_ATTEMPTS, OneTimeCode};
use auth_core::user::get_user;
use auth_testing::test_table;
use std::sync::Arc;

/// A code that is certainly not `code`.
fn other_than(code: &OneTimeCode) -> OneTimeCode {
    loop {
        let other = OneTimeCode::generate();
        if other != *code {
            return other;
        }
    }
}

#[tokio::test]
async fn a_request_stores_only_a_hash_of_the_code_and_expires_in_ten_minutes() {
    let table = test_table().await;
    let user = create_user(&table, "ada@example.com").await;
    let code = OneTimeCode::generate();
    put_email_verification_request(&table, &user.id, &email("ada@example.com"), &code)
        .await
        .unwrap();
    let item = get(&table, &format!("USER#{}", user.id), "EMAIL_VERIFICATION")
        .await
        .unwrap();
    assert_eq!(s(&item, "Email"), "ada@example.com");
    assert_eq!(n(&item, "Attempts"), 0);
    assert_eq!(
        n(&item, "ExpiresAt"),
        (table.now() + CODE_LIFETIME).unix_timestamp()
    );
    assert!(item["CodeHash"].is_b());
    assert!(
        !format!("{item:?}")
            .to_lowercase()
            .contains(&code.display().to_lowercase())
    );
}

#[tokio::test]
async fn the_right_code_verifies_the_address_once() {
    let table = test_table().await;
    let user = create_user(&table, "ada@example.com").await;
    let code = OneTimeCode::generate();
    put_email_verification_request(&table, &user.id, &email("ada@example.com"), &code)
        .await
        .unwrap();
    assert_eq!(
        verify_email_code(&table, &user, &code).await.unwrap(),
        CodeCheck::Accepted(Verified::Address)
    );
    assert!(
        get_user(&table, &user.id)
            .await
            .unwrap()
            .unwrap()
            .email_verified
    );
    assert_eq!(
        get_email_verification_request(&table, &user.id)
            .await
            .unwrap(),
        None
    );
    assert_eq!(
        verify_email_code(&table, &user, &code).await.unwrap(),
        CodeCheck::Expired
    );
}

#[tokio::test]
async fn wrong_codes_are_counted_until_the_request_is_void() {
    let table = test_table().await;
    let user = create_user(&table, "ada@example.com").await;
    let code = OneTimeCode::generate();
    put_email_verification_request(&table, &user.id, &email("ada@example.com"), &code)
        .await
        .unwrap();
    for left in (0..MAX_ATTEMPTS).rev() {
        assert_eq!(
            verify_email_code(&table, &user, &other_than(&code))
                .await
                .unwrap(),
            CodeCheck::Wrong {
                attempts_left: left
            }
        );
    }
    assert_eq!(
        verify_email_code(&table, &user, &code).await.unwrap(),
        CodeCheck::TooManyAttempts
    );
    assert!(
        !get_user(&table, &user.id)
            .await
            .unwrap()
            .unwrap()
            .email_verified
    );
    assert_eq!(
        get_email_verification_request(&table, &user.id)
            .await
            .unwrap(),
        None
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_wrong_guesses_are_each_counted() {
    let table = Arc::new(test_table().await);
    let user = create_user(&table, "ada@example.com").await;
    let code = OneTimeCode::generate();
    put_email_verification_request(&table, &user.id, &email("ada@example.com"), &code)
        .await
        .unwrap();
    let guesses = (0..12).map(|_| {
        let (table, user, guess) = (table.clone(), user.clone(), other_than(&code));
        tokio::spawn(async move { verify_email_code(&table, &user, &guess).await.unwrap() })
    });
    let results = futures::future::join_all(guesses).await;
    let wrong = results
        .iter()
        .filter(|r| matches!(r, Ok(CodeCheck::Wrong { .. })))
        .count();
    assert_eq!(wrong as i64, MAX_ATTEMPTS, "{results:?}");
    let item = get(&table, &format!("USER#{}", user.id), "EMAIL_VERIFICATION")
        .await
        .unwrap();
    assert_eq!(n(&item, "Attempts"), MAX_ATTEMPTS);
}

#[tokio::test]
async fn a_request_past_its_expiry_is_gone_while_the_item_still_exists() {
    let table = test_table().await;
    let user = create_user(&table, "ada@example.com").await;
    let code = OneTimeCode::generate();
    put_email_verification_request(&table, &user.id, &email("ada@example.com"), &code)
        .await
        .unwrap();
    table.clock().advance(CODE_LIFETIME);
    assert_eq!(
        get_email_verification_request(&table, &user.id)
            .await
            .unwrap(),
        None
    );
    assert_eq!(
        verify_email_code(&table, &user, &code).await.unwrap(),
        CodeCheck::Expired
    );
    assert!(
        get(&table, &format!("USER#{}", user.id), "EMAIL_VERIFICATION")
            .await
            .is_some()
    );
}

#[tokio::test]
async fn a_code_for_a_new_address_moves_the_email_claim_in_one_step() {
    let table = test_table().await;
    let user = create_user(&table, "ada@example.com").await;
    let code = OneTimeCode::generate();
    put_email_verification_request(&table, &user.id, &email("ada@new.example"), &code)
        .await
        .unwrap();
    assert_eq!(
        verify_email_code(&table, &user, &code).await.unwrap(),
        CodeCheck::Accepted(Verified::MovedTo(email("ada@new.example")))
    );
    let moved = get_user(&table, &user.id).await.unwrap().unwrap();
    assert_eq!(moved.email.as_str(), "ada@new.example");
    assert!(moved.email_verified);
    assert!(
        get(&table, "EMAIL#ada@example.com", "EMAIL#ada@example.com")
            .await
            .is_none()
    );
    let claim = get(&table, "EMAIL#ada@new.example", "EMAIL#ada@new.example")
        .await
        .unwrap();
    assert_eq!(s(&claim, "UserId"), user.id);
    assert_eq!(scan_all(&table).await.len(), 2, "one user and one claim");
}

#[tokio::test]
async fn a_new_address_taken_meanwhile_is_refused_and_nothing_is_written() {
    let table = test_table().await;
    let user = create_user(&table, "ada@example.com").await;
    let code = OneTimeCode::generate();
    put_email_verification_request(&table, &user.id, &email("shared@example.com"), &code)
        .await
        .unwrap();
    create_user(&table, "shared@example.com").await;
    let before = scan_all(&table).await.len();
    let err = verify_email_code(&table, &user, &code).await.unwrap_err();
    assert!(matches!(err, Error::EmailTaken), "{err:?}");
    assert_eq!(scan_all(&table).await.len(), before);
    assert_eq!(
        get_user(&table, &user.id).await.unwrap().unwrap().email,
        email("ada@example.com")
    );
    assert!(
        get_email_verification_request(&table, &user.id)
            .await
            .unwrap()
            .is_some(),
        "the request is still there"
    );
}
