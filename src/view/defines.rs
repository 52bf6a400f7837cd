//! The `-D` and `-U` of a compiler command line, as the views take them.

use crate::error::{Error, Result};
use crate::manifest::is_c_identifier;

/// Macros defined or undefined on the command line (`-D`, `-U`), applied
/// after the platform profile (pyconfig.h or the built-in default of
/// [`profile`]).
#[derive(Clone, Debug, Default)]
pub struct Defines {
    /// `-D NAME[=VALUE]`: the value is `1` when not given.
    pub defines: Vec<(String, String)>,
    /// `-U NAME`
    pub undefines: Vec<String>,
}

impl Defines {
    /// The `-D NAME[=VALUE]` and `-U NAME` arguments of a command line.
    ///
    /// Errors: a name that is not a C identifier is a usage error rather
    /// than a surprising definition.
    pub fn parse(define: &[String], undefine: &[String]) -> Result<Defines> {
        let check = |flag: &str, arg: &str, name: &str| {
            if is_c_identifier(name) {
                Ok(())
            } else {
                Err(Error::usage(format!(
                    "{flag} {arg:?}: `{name}` is not a macro name"
                )))
            }
        };
        let mut defines = Vec::new();
        for arg in define {
            let (name, value) = arg.split_once('=').unwrap_or((arg, "1"));
            check("-D", arg, name)?;
            defines.push((name.to_string(), value.to_string()));
        }
        for name in undefine {
            check("-U", name, name)?;
        }
        Ok(Defines {
            defines,
            undefines: undefine.to_vec(),
        })
    }

    /// Only `-D NAME=VALUE`.
    pub fn define(name: &str, value: &str) -> Defines {
        Defines {
            defines: vec![(name.to_string(), value.to_string())],
            undefines: Vec::new(),
        }
    }

    /// Only `-U NAME`.
    pub fn undefine(name: &str) -> Defines {
        Defines {
            defines: Vec::new(),
            undefines: vec![name.to_string()],
        }
    }
}
