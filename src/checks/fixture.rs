//! Hand-built manifests and views for the checks' unit tests.

use std::path::Path;

use crate::checks::Context;
use crate::diagnostic::{Finding, Location};
use crate::manifest::Manifest;
use crate::version::Version;
use crate::view::{Decl, StructDef, View};

pub fn manifest(text: &str) -> Manifest {
    match Manifest::parse(text, Path::new("Misc/stable_abi.toml")) {
        Ok(manifest) => manifest,
        Err(err) => panic!("bad fixture manifest: {err}"),
    }
}

pub fn v(minor: u8) -> Version {
    Version::new(3, minor)
}

fn decl(path: &str, line: usize) -> Decl {
    Decl {
        location: Location::new(path, line, 1),
    }
}

/// A view built one declaration at a time.
pub struct ViewBuilder(View);

impl ViewBuilder {
    pub fn new(version: Version) -> ViewBuilder {
        ViewBuilder(View {
            limited: Some(version),
            ..View::default()
        })
    }

    pub fn function(mut self, name: &str, path: &str, line: usize) -> Self {
        self.0.functions.insert(name.into(), decl(path, line));
        self
    }

    pub fn data(mut self, name: &str, path: &str, line: usize) -> Self {
        self.0.data.insert(name.into(), decl(path, line));
        self
    }

    pub fn macro_(mut self, name: &str, path: &str, line: usize) -> Self {
        self.0.macros.insert(name.into(), decl(path, line));
        self
    }

    /// A macro with its replacement (tokens separated by spaces).
    pub fn macro_body(mut self, name: &str, body: &str) -> Self {
        self.0
            .macros
            .insert(name.into(), decl("Include/object.h", 1));
        let tokens = body.split_whitespace().map(String::from).collect();
        self.0.macro_bodies.insert(name.into(), tokens);
        self
    }

    pub fn typedef(mut self, name: &str, path: &str, line: usize) -> Self {
        self.0.typedefs.insert(name.into(), decl(path, line));
        self
    }

    pub fn struct_(mut self, name: &str, members: Option<&[&str]>) -> Self {
        let def = StructDef {
            location: Location::new("Include/object.h", 1, 1),
            members: members.map(|m| m.iter().map(|s| s.to_string()).collect()),
        };
        self.0.structs.insert(name.into(), def);
        self
    }

    pub fn build(self) -> View {
        self.0
    }
}

/// Views at 3.2 … `last`, each made by `make`.
pub fn views(last: u8, make: impl Fn(Version) -> View) -> Vec<(Version, View)> {
    v(2).up_to(v(last))
        .into_iter()
        .map(|version| (version, make(version)))
        .collect()
}

pub fn context(manifest: &Manifest, views: Vec<(Version, View)>) -> Context<'_> {
    Context::new(manifest, views)
}

/// `name versions` of each finding, for compact assertions.
pub fn summary(findings: &[Finding]) -> Vec<String> {
    findings
        .iter()
        .map(|f| {
            format!(
                "{} {}",
                f.name,
                crate::checks::format_versions(&f.versions, "-")
            )
        })
        .collect()
}
