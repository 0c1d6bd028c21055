//! Name tables: each option that takes a name (activations, initializers, …) has one table of the
//! names the core accepts; its lookup, its error message and the TypeScript list
//! (`ts/generated/names.ts`) are derived from it.

/// Where a name shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shown {
    /// In the TypeScript list (`wg.ACTIVATIONS`, …) and in error messages.
    Listed,
    /// In error messages only (a core name the Keras-like front door does not offer).
    Core,
    /// In the TypeScript list only (a short form of a listed name: `mse`).
    Short,
    /// Accepted, never shown (another API's spelling).
    Alias,
}

/// One accepted name and what it stands for.
pub struct Named<T: 'static> {
    pub name: &'static str,
    pub shown: Shown,
    pub value: T,
}

/// A listed name.
pub const fn listed<T>(name: &'static str, value: T) -> Named<T> {
    Named { name, shown: Shown::Listed, value }
}

/// A name shown in error messages only.
pub const fn core<T>(name: &'static str, value: T) -> Named<T> {
    Named { name, shown: Shown::Core, value }
}

/// A name in the TypeScript list but not in error messages.
pub const fn short<T>(name: &'static str, value: T) -> Named<T> {
    Named { name, shown: Shown::Short, value }
}

/// An alias.
pub const fn alias<T>(name: &'static str, value: T) -> Named<T> {
    Named { name, shown: Shown::Alias, value }
}

/// The entry called `name`.
pub fn lookup<T>(table: &'static [Named<T>], name: &str) -> Option<&'static T> {
    table.iter().find(|e| e.name == name).map(|e| &e.value)
}

/// The names of the TypeScript list, in order.
pub fn listed_names<T>(table: &'static [Named<T>]) -> impl Iterator<Item = &'static str> {
    table.iter().filter(|e| matches!(e.shown, Shown::Listed | Shown::Short)).map(|e| e.name)
}

/// The names error messages show (listed and core), in order.
pub fn shown_names<T>(table: &'static [Named<T>]) -> impl Iterator<Item = &'static str> {
    table.iter().filter(|e| matches!(e.shown, Shown::Listed | Shown::Core)).map(|e| e.name)
}

/// `a, b or c`.
pub fn one_of(names: impl IntoIterator<Item = &'static str>) -> String {
    let names: Vec<_> = names.into_iter().collect();
    match names.split_last() {
        Some((last, [])) => last.to_string(),
        Some((last, rest)) => format!("{} or {last}", rest.join(", ")),
        None => String::new(),
    }
}
