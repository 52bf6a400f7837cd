//! The subcommands' glue: each reads its command-line arguments, calls the
//! domain modules, prints, and returns the [`crate::Outcome`].

pub mod add;
pub mod compat;
pub mod pre_commit;
