//! The email verification example end to end: the real app on a random port, a real
//! DynamoDB API, a real SMTP server on loopback, and HTTP clients that behave like browsers.
//! Codes are always read from the delivered email, never from the table.

mod accessibility;
mod calls;
mod change_email;
mod codes;
mod csrf;
mod helpers;
mod look_alikes;
mod reset;
mod sign_up;
mod strict_forms;
