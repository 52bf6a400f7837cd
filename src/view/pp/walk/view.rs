//! The end of a walk: the [`View`] of what it declared and defined, its
//! maps sorted by name.

use super::*;

impl Walk<'_> {
    fn decl(&self, file: FileId, offset: u32) -> Decl {
        Decl {
            location: self.location(file, offset),
        }
    }

    /// The guard constants met, in the order of their locations: by path
    /// (ranked once per load), then by offset (which orders lines and
    /// columns), then by constant.
    fn guard_constants_in_order(&self) -> Vec<GuardConstant> {
        let mut places: Vec<(FileId, u32, Constant)> =
            self.guard_constants.iter().copied().collect();
        places.sort_unstable_by(|&(a, a_offset, a_constant), &(b, b_offset, b_constant)| {
            self.source
                .path_order(a, b)
                .then(a_offset.cmp(&b_offset))
                .then(a_constant.cmp(&b_constant))
                .then(a.cmp(&b))
        });
        places
            .into_iter()
            .map(|(file, offset, constant)| GuardConstant {
                constant,
                location: self.location(file, offset),
            })
            .collect()
    }

    /// The view: what was declared, and the macros defined at the end. Of
    /// the macros, typedefs and structs, only those `listed` says are kept;
    /// `reported` says which macros are listed, from the file of their
    /// definition and their name.
    pub fn into_view(
        self,
        listed: impl Fn(Sym) -> bool,
        reported: impl Fn(FileId, Sym) -> bool,
    ) -> View {
        let interner = self.source.interner;
        let ranks = self.source.ranks;
        let shared = |sym: Sym| interner.shared_name(sym).cloned().unwrap_or_default();
        let name = |sym: Sym| interner.name(sym).to_string();
        // Each map is built from entries sorted by name (this runs for
        // every view).
        let sorted = |entries: Vec<(Sym, (FileId, u32))>| -> ByName<Decl> {
            sorted_by_name(entries, interner, ranks)
                .into_iter()
                .map(|(sym, (file, offset))| (shared(sym), self.decl(file, offset)))
                .collect()
        };
        let names = |table: &SymMap<(FileId, u32)>| {
            sorted(table.iter().map(|(&sym, &place)| (sym, place)).collect())
        };
        let macros = sorted(
            self.macros
                .iter()
                .filter(|(&sym, m)| listed(sym) && reported(m.file, sym))
                .map(|(&sym, m)| (sym, (m.file, m.offset)))
                .collect(),
        );
        let macro_bodies = if self.keep_macro_bodies {
            self.macros
                .iter()
                .filter(|(&sym, m)| listed(sym) && reported(m.file, sym))
                .map(|(&sym, m)| {
                    let body = m
                        .body
                        .iter()
                        .map(|t| lex::spell(&t.kind, self.source.interner))
                        .collect();
                    (name(sym), body)
                })
                .collect()
        } else {
            BTreeMap::new()
        };
        let struct_def =
            |&(file, offset, ref members): &(FileId, u32, Option<Vec<Sym>>)| StructDef {
                location: self.location(file, offset),
                members: members
                    .as_ref()
                    .map(|members| members.iter().map(|&m| name(m)).collect()),
            };
        // Tags, then typedef names (a typedef named like a tag wins, the
        // sort being stable).
        let mut structs: Vec<(Sym, StructDef)> = self
            .structs
            .iter()
            .filter(|(&sym, _)| listed(sym))
            .map(|(&sym, entry)| (sym, struct_def(entry)))
            .collect();
        let typedefs = self.typedefs.iter().filter(|(&sym, _)| listed(sym));
        for (&typedef, &(file, offset, target)) in typedefs.clone() {
            if let Some(target) = target {
                let def = match self.structs.get(&target) {
                    Some(entry) => struct_def(entry),
                    None => StructDef {
                        location: self.location(file, offset),
                        members: None,
                    },
                };
                structs.push((typedef, def));
            }
        }
        let structs: ByName<StructDef> = sorted_by_name(structs, interner, ranks)
            .into_iter()
            .map(|(sym, def)| (shared(sym), def))
            .collect();
        let guard_constants = self.guard_constants_in_order();
        View {
            limited: None,
            limited_value: None,
            guard_constants,
            abi: Default::default(),
            macro_bodies,
            system_includes: Vec::new(),
            functions: names(&self.functions),
            data: names(&self.data),
            enumerators: names(&self.enumerators),
            inline_functions: names(&self.inline_functions),
            macros,
            typedefs: sorted(
                typedefs
                    .map(|(&sym, &(file, offset, _))| (sym, (file, offset)))
                    .collect(),
            ),
            structs,
        }
    }
}

/// `entries` sorted by their symbols' names, stably: by the names' ranks
/// when every symbol has one (the headers' own names), else by the names
/// themselves (a `-D` added a name). Ranks are sorted as plain integers
/// (rank, then position): a view sorts thousands of entries per map, and
/// comparing through a key function costs several times more.
fn sorted_by_name<T>(
    mut entries: Vec<(Sym, T)>,
    interner: &lex::Interner,
    ranks: &[u32],
) -> Vec<(Sym, T)> {
    if !entries.iter().all(|(sym, _)| (*sym as usize) < ranks.len()) {
        entries.sort_by(|a, b| interner.name(a.0).cmp(interner.name(b.0)));
        return entries;
    }
    let mut keys: Vec<u64> = entries
        .iter()
        .enumerate()
        .map(|(index, (sym, _))| (u64::from(ranks[*sym as usize]) << 32) | index as u64)
        .collect();
    keys.sort_unstable();
    let mut slots: Vec<Option<(Sym, T)>> = entries.into_iter().map(Some).collect();
    keys.into_iter()
        .filter_map(|key| slots.get_mut((key & u64::from(u32::MAX)) as usize)?.take())
        .collect()
}
