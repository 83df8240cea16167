//! The key that seals TOTP keys, as `main` loads it (`auth_web::encryption_key::load`):
//! required against AWS, refused when unusable (more cases are tested in auth-web).

use auth_web::config::{Backend, Config};
use auth_web::encryption_key;

#[test]
fn against_aws_the_example_does_not_start_without_a_key() {
    if std::env::var_os(encryption_key::VARIABLE).is_some() {
        eprintln!("ENCRYPTION_KEY is set in this environment: the missing-key case cannot run");
        return;
    }
    let mut config = Config::for_tests("two-factor");
    config.backend = Backend::Aws;
    let error = encryption_key::load(&config).unwrap_err();
    let message = error.to_string();
    assert!(
        message.contains("ENCRYPTION_KEY is required with DYNAMODB_BACKEND=aws"),
        "{message}"
    );
}

#[test]
fn an_unusable_key_is_refused_by_name_without_repeating_it() {
    let file = std::env::temp_dir().join("two-factor-never-written.key");
    for value in ["too short", "c2hvcnQ="] {
        let error =
            encryption_key::load_from(&Backend::Aws, Some(value.into()), &file).unwrap_err();
        let message = error.to_string();
        assert!(
            message.contains("ENCRYPTION_KEY cannot be used"),
            "{message}"
        );
        assert!(!message.contains(value), "{message}");
    }
    assert!(!file.exists());
}
