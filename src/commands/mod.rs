//! The subcommands' glue: each reads its command-line arguments, calls the
//! domain modules, prints, and returns the [`crate::Outcome`].

pub mod compat;
