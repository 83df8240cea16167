//! The key that seals secrets the app must read back (TOTP keys, `auth_core::encryption`),
//! from `ENCRYPTION_KEY`: base64 of 32 random bytes (`openssl rand -base64 32`).
//!
//! - Set: it must parse, or the app does not start (the message names the variable, never
//!   the value).
//! - Not set, against Amazon DynamoDB (`DYNAMODB_BACKEND=aws`): the app does not start. A key
//!   made up at startup would differ between instances and restarts, and every sealed value
//!   would become unreadable.
//! - Not set, on a local backend: a key is generated once into the data folder
//!   (`<DATA_DIR>/<app>.key`, readable by its owner only) and used from then on, with a
//!   warning at every startup. Tests (the in-memory backend) get a fresh key in memory.

use crate::config::{Backend, Config, ConfigError, data_dir, var};
use auth_core::encryption::EncryptionKey;
use std::io::Write;
use std::path::Path;

/// The variable holding the key.
pub const VARIABLE: &str = "ENCRYPTION_KEY";

/// The key for this configuration (see the module docs).
pub fn load(config: &Config) -> Result<EncryptionKey, ConfigError> {
    let key_file = data_dir().join(format!("{}.key", config.app_name));
    load_from(&config.backend, var(VARIABLE), &key_file)
}

/// [`load`] with its inputs given: the backend, the variable's value, and where a local key
/// file lives.
pub fn load_from(
    backend: &Backend,
    configured: Option<String>,
    key_file: &Path,
) -> Result<EncryptionKey, ConfigError> {
    if let Some(value) = configured {
        return EncryptionKey::from_base64(&value).map_err(|e| {
            ConfigError::new(format!(
                "{VARIABLE} cannot be used: {e}. Set it to base64 of 32 random bytes \
                 (openssl rand -base64 32)."
            ))
        });
    }
    match backend {
        Backend::Aws => Err(ConfigError::new(format!(
            "{VARIABLE} is required with DYNAMODB_BACKEND=aws: the TOTP keys in the table are \
             encrypted with it, so every instance needs the same key, kept outside the table. \
             Create one with `openssl rand -base64 32` and keep it in your secret store."
        ))),
        Backend::Memory => Ok(EncryptionKey::generate()),
        Backend::Embedded { .. } | Backend::Endpoint(_) => {
            let key = local_key(key_file)?;
            tracing::warn!(
                "{VARIABLE} is not set: using the key in {} (generated on first start). \
                 Set {VARIABLE} for any real deployment; without the key the stored TOTP keys \
                 cannot be read.",
                key_file.display()
            );
            Ok(key)
        }
    }
}

/// The key in `path`, made there first if there is none.
fn local_key(path: &Path) -> Result<EncryptionKey, ConfigError> {
    let unreadable = |e: std::io::Error| {
        ConfigError::new(format!(
            "the key file {} cannot be used: {e}",
            path.display()
        ))
    };
    match std::fs::read_to_string(path) {
        Ok(text) => EncryptionKey::from_base64(&text).map_err(|e| {
            ConfigError::new(format!(
                "the key file {} does not hold a key: {e}. Set {VARIABLE}, or move the file \
                 away if nothing was encrypted with it.",
                path.display()
            ))
        }),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            let key = EncryptionKey::generate();
            if let Some(dir) = path.parent() {
                std::fs::create_dir_all(dir).map_err(unreadable)?;
            }
            match create_private(path) {
                Ok(mut file) => {
                    writeln!(file, "{}", key.to_base64()).map_err(unreadable)?;
                    Ok(key)
                }
                // Another instance made it a moment ago: use theirs.
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => local_key(path),
                Err(e) => Err(unreadable(e)),
            }
        }
        Err(e) => Err(unreadable(e)),
    }
}

/// A new file only its owner can read (on Unix), failing if it exists.
fn create_private(path: &Path) -> std::io::Result<std::fs::File> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    options.open(path)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::PathBuf;

    /// A path under the temporary directory that nothing uses yet.
    fn scratch(name: &str) -> PathBuf {
        std::env::temp_dir()
            .join(format!("auth-web-{}", auth_core::random::random_string(12)))
            .join(name)
    }

    #[test]
    fn a_configured_key_is_used_and_a_bad_one_stops_the_start() {
        let key = EncryptionKey::generate();
        let file = scratch("unused.key");
        let loaded = load_from(&Backend::Aws, Some(key.to_base64()), &file).unwrap();
        assert_eq!(loaded.to_base64(), key.to_base64());
        assert!(
            !file.exists(),
            "nothing is written when a key is configured"
        );
        for (value, why) in [
            ("not base64!", "not base64"),
            ("c2hvcnQ=", "decodes to 5 bytes"),
        ] {
            let error = load_from(&Backend::Aws, Some(value.into()), &file).unwrap_err();
            let message = error.to_string();
            assert!(
                message.contains("ENCRYPTION_KEY") && message.contains(why),
                "{message}"
            );
            assert!(
                !message.contains(value),
                "the value is not repeated: {message}"
            );
        }
    }

    #[test]
    fn aws_without_a_key_does_not_start() {
        let error = load_from(&Backend::Aws, None, &scratch("unused.key")).unwrap_err();
        let message = error.to_string();
        assert!(
            message.contains("ENCRYPTION_KEY is required with DYNAMODB_BACKEND=aws"),
            "{message}"
        );
    }

    #[test]
    fn a_local_backend_generates_a_key_file_once_and_reads_it_back() {
        let file = scratch("two-factor.key");
        let backend = Backend::Embedded {
            path: file.with_extension("db"),
        };
        let first = load_from(&backend, None, &file).unwrap();
        let again = load_from(&backend, None, &file).unwrap();
        assert_eq!(first.to_base64(), again.to_base64());
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&file).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        std::fs::write(&file, "garbage").unwrap();
        let error = load_from(&backend, None, &file).unwrap_err();
        assert!(error.to_string().contains("does not hold a key"), "{error}");
        std::fs::remove_dir_all(file.parent().unwrap()).unwrap();
    }

    #[test]
    fn tests_in_memory_get_a_key_of_their_own_and_write_nothing() {
        let file = scratch("unused.key");
        let one = load_from(&Backend::Memory, None, &file).unwrap();
        let two = load_from(&Backend::Memory, None, &file).unwrap();
        assert_ne!(one.to_base64(), two.to_base64());
        assert!(!file.exists());
    }
}
