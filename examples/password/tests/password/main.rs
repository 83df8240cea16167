//! The password example end to end: the real app on a random port, a real DynamoDB API,
//! and HTTP clients that behave like browsers.

mod account;
mod attacks;
mod calls;
mod cookies;
mod csrf;
mod fresh_proof;
mod helpers;
mod limits;
mod pages;
mod sessions;
