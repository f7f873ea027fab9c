//! entra-mcp: a Model Context Protocol server that answers Microsoft Entra ID questions by
//! calling Microsoft Graph on behalf of the signed-in user.
//!
//! The binary (`src/main.rs`) is a thin command line over this library; the tests and the
//! benchmark drive the same pieces.

pub mod app;
pub mod auth;
pub mod config;
pub mod demo;
pub mod discovery;
pub mod error;
pub mod graph;
pub mod http;
pub mod odata;
pub mod permissions;
pub mod prompts;
pub mod render;
pub mod server;
pub mod shared;
pub mod skill;
pub mod skills;
pub mod snapshots;
pub mod what_if;
