//! One crate target's module tree and the references between its modules:
//! which module names an item of which other module, and where.
//!
//! The tree is walked from the target's root file the way rustc does:
//! `mod x;` loads `x.rs` or `x/mod.rs` beside the parent's own directory (a
//! non-`mod.rs` file `a.rs` keeps its children in `a/`), `#[path = "…"]` is
//! honoured, and inline `mod x { … }` blocks are modules too. Every file is
//! parsed with syn; every `use` leaf (grouped imports included) and every
//! path in code or types that starts with `crate::`, `super::` or `self::`
//! is a reference, resolved to the longest prefix that is a module of the
//! crate. Paths inside macro invocations (`format!`, `assert_eq!`, …) are
//! read from their tokens, since syn leaves macro bodies unparsed.
//!
//! Test-only code is skipped: an item under `#[cfg(test)]` (or `all(test,
//! …)`) or marked `#[test]`, and whole `#[cfg(test)] mod tests;` files.
//!
//! A reference becomes an [`Edge`] between *siblings*: the two children of
//! the lowest common ancestor of the referring and the referred module, so
//! `crate::evidence::log` naming `crate::evidence::recover::x` is
//! `log -> recover` under `evidence`, and `crate::gate` naming
//! `crate::evidence::record::y` is `gate -> evidence` under the root. A module
//! naming its own ancestor or descendant makes no edge.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use proc_macro2::{Spacing, Span, TokenStream, TokenTree};
use syn::ext::IdentExt;
use syn::punctuated::Punctuated;
use syn::visit::{self, Visit};
use syn::{Attribute, ImplItem, Item, Meta, TraitItem, UseTree};

/// A module's path from the crate root: `[]` is the root itself, `["evidence",
/// "log"]` is `crate::evidence::log`.
pub type ModPath = Vec<String>;

/// Where a reference is made: a file (as given to [`Crate::load`], joined)
/// and a 1-based line.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Site {
    pub file: PathBuf,
    pub line: usize,
}

/// A dependency of one module on a sibling: both are children of `parent`.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Edge {
    pub parent: ModPath,
    pub from: String,
    pub to: String,
}

/// One crate target: its modules and the references its code makes.
#[derive(Debug, Default)]
pub struct Crate {
    pub modules: BTreeSet<ModPath>,
    refs: Vec<Reference>,
    /// Problems that did not stop the walk (a `mod x;` with no file).
    pub warnings: Vec<String>,
}

/// A path named in module `from`, made absolute (from the crate root) but
/// not yet cut down to the module it points into.
#[derive(Debug)]
struct Reference {
    from: ModPath,
    path: Vec<String>,
    site: Site,
}

/// A module file still to read.
struct Pending {
    file: PathBuf,
    module: ModPath,
    /// Where this module's `mod x;` children live.
    dir: PathBuf,
}

impl Crate {
    /// Reads the module tree rooted at `root` (a `lib.rs` or `main.rs`).
    pub fn load(root: &Path) -> Result<Crate, String> {
        let mut krate = Crate::default();
        krate.modules.insert(Vec::new());
        let mut queue = vec![Pending {
            file: root.to_path_buf(),
            module: Vec::new(),
            dir: parent_dir(root),
        }];
        let mut seen = BTreeSet::new();
        while let Some(next) = queue.pop() {
            if !seen.insert(next.file.clone()) {
                krate.warnings.push(format!(
                    "{} is loaded twice (as {}); read once",
                    next.file.display(),
                    display_module(&next.module)
                ));
                continue;
            }
            let text = std::fs::read_to_string(&next.file)
                .map_err(|e| format!("{}: {e}", next.file.display()))?;
            let ast = syn::parse_file(&text).map_err(|e| {
                let at = e.span().start();
                format!("{}:{}:{}: {e}", next.file.display(), at.line, at.column + 1)
            })?;
            let mut collector = Collector {
                krate: &mut krate,
                queue: &mut queue,
                file: &next.file,
                module: next.module,
                dir: next.dir,
                inline_depth: 0,
            };
            collector.visit_file(&ast);
        }
        Ok(krate)
    }

    /// The longest prefix of the absolute `path` that is a module.
    fn module_of(&self, path: &[String]) -> ModPath {
        let mut module = Vec::new();
        for segment in path {
            module.push(segment.clone());
            if !self.modules.contains(&module) {
                module.pop();
                break;
            }
        }
        module
    }

    /// Every sibling edge, each with its first site (by file, then line).
    pub fn edges(&self) -> BTreeMap<Edge, Site> {
        let mut edges: BTreeMap<Edge, Site> = BTreeMap::new();
        for reference in &self.refs {
            let to = self.module_of(&reference.path);
            let Some(edge) = sibling_edge(&reference.from, &to) else {
                continue;
            };
            edges
                .entry(edge)
                .and_modify(|site| {
                    if reference.site < *site {
                        *site = reference.site.clone();
                    }
                })
                .or_insert_with(|| reference.site.clone());
        }
        edges
    }
}

/// `crate::a::b` for `["a", "b"]`, `crate` for the root.
pub fn display_module(module: &[String]) -> String {
    if module.is_empty() {
        "crate".to_string()
    } else {
        format!("crate::{}", module.join("::"))
    }
}

/// The edge between the children of `from`'s and `to`'s lowest common
/// ancestor, unless one of them is the other's ancestor (or they are equal).
pub fn sibling_edge(from: &[String], to: &[String]) -> Option<Edge> {
    let common = from.iter().zip(to).take_while(|(a, b)| a == b).count();
    if common == from.len() || common == to.len() {
        return None;
    }
    Some(Edge {
        parent: from[..common].to_vec(),
        from: from[common].clone(),
        to: to[common].clone(),
    })
}

/// The absolute path (from the crate root) that `segments`, written in
/// module `here`, names, if it starts with `crate`, `self` or `super`.
fn absolute(here: &[String], segments: &[String]) -> Option<Vec<String>> {
    if segments.len() < 2 {
        return None; // `self` the receiver, `super` in `pub(super)`
    }
    match segments[0].as_str() {
        "crate" => Some(segments[1..].to_vec()),
        "self" => Some(here.iter().chain(&segments[1..]).cloned().collect()),
        "super" => {
            let ups = segments.iter().take_while(|s| *s == "super").count();
            let kept = here.len().checked_sub(ups)?;
            Some(
                here[..kept]
                    .iter()
                    .chain(&segments[ups..])
                    .cloned()
                    .collect(),
            )
        }
        _ => None,
    }
}

fn parent_dir(file: &Path) -> PathBuf {
    file.parent().map(Path::to_path_buf).unwrap_or_default()
}

/// Walks one file's syntax tree, collecting modules and references.
struct Collector<'a> {
    krate: &'a mut Crate,
    queue: &'a mut Vec<Pending>,
    file: &'a Path,
    /// The module the visited code is in (inline modules included).
    module: ModPath,
    /// Where `mod x;` declared here finds `x.rs` / `x/mod.rs`.
    dir: PathBuf,
    /// How many inline `mod x { … }` blocks of this file we are inside.
    inline_depth: usize,
}

impl Collector<'_> {
    fn reference(&mut self, segments: &[String], span: Span) {
        if let Some(path) = absolute(&self.module, segments) {
            self.krate.refs.push(Reference {
                from: self.module.clone(),
                path,
                site: Site {
                    file: self.file.to_path_buf(),
                    line: span.start().line,
                },
            });
        }
    }

    /// `mod name;`: queues its file.
    fn declared_module(&mut self, name: &str, module: ModPath, path_attr: Option<String>) {
        let (file, dir) = match path_attr {
            Some(path) => {
                // Outside inline blocks `#[path]` is relative to this file's
                // directory; inside them, to the inline modules' directory.
                let base = if self.inline_depth == 0 {
                    parent_dir(self.file)
                } else {
                    self.dir.clone()
                };
                let file = base.join(path);
                let dir = parent_dir(&file);
                (file, dir)
            }
            None => {
                let flat = self.dir.join(format!("{name}.rs"));
                let nested = self.dir.join(name).join("mod.rs");
                let file = if flat.is_file() { flat } else { nested };
                (file, self.dir.join(name))
            }
        };
        if !file.is_file() {
            self.krate.warnings.push(format!(
                "{}: `mod {name};` has no file ({} not found)",
                self.file.display(),
                file.display()
            ));
            return;
        }
        self.queue.push(Pending { file, module, dir });
    }

    /// Paths in a macro's unparsed tokens. In a `macro_rules!` body only
    /// `crate::`/`$crate::` paths count: `super::`/`self::` there resolve
    /// where the macro is called.
    fn scan_tokens(&mut self, tokens: TokenStream, macro_rules: bool) {
        let trees: Vec<TokenTree> = tokens.into_iter().collect();
        let mut i = 0;
        while i < trees.len() {
            if let TokenTree::Group(group) = &trees[i] {
                self.scan_tokens(group.stream(), macro_rules);
                i += 1;
                continue;
            }
            match token_path(&trees, i) {
                Some((segments, span, next)) => {
                    if !macro_rules || segments[0] == "crate" {
                        self.reference(&segments, span);
                    }
                    i = next;
                }
                None => i += 1,
            }
        }
    }
}

/// A `crate::a::b`, `$crate::a`, `super::a` or `self::a` path in tokens,
/// starting at `trees[i]`: its segments (`$crate` read as `crate`), the
/// span of its first segment and the index after it.
fn token_path(trees: &[TokenTree], i: usize) -> Option<(Vec<String>, Span, usize)> {
    let dollar = matches!(&trees[i], TokenTree::Punct(p) if p.as_char() == '$');
    let mut j = i + usize::from(dollar);
    let TokenTree::Ident(first) = trees.get(j)? else {
        return None;
    };
    let first_name = first.to_string();
    let starts = if dollar {
        first_name == "crate"
    } else {
        matches!(first_name.as_str(), "crate" | "super" | "self")
    };
    if !starts {
        return None;
    }
    let mut segments = vec![first_name];
    j += 1;
    while let (
        Some(TokenTree::Punct(colon1)),
        Some(TokenTree::Punct(colon2)),
        Some(TokenTree::Ident(ident)),
    ) = (trees.get(j), trees.get(j + 1), trees.get(j + 2))
    {
        if colon1.as_char() != ':' || colon1.spacing() != Spacing::Joint || colon2.as_char() != ':'
        {
            break;
        }
        segments.push(ident.unraw().to_string());
        j += 3;
    }
    (segments.len() >= 2).then_some((segments, first.span(), j))
}

/// Every leaf of a `use` tree as a full path, with the span of its last
/// segment: `crate::{a::B, c::{self, D}}` is `crate::a::B`, `crate::c`,
/// `crate::c::D`; a glob `crate::a::*` is `crate::a::*`.
fn use_leaves(tree: &UseTree, prefix: &mut Vec<String>, out: &mut Vec<(Vec<String>, Span)>) {
    match tree {
        UseTree::Path(path) => {
            prefix.push(path.ident.unraw().to_string());
            use_leaves(&path.tree, prefix, out);
            prefix.pop();
        }
        UseTree::Name(name) => out.push((leaf(prefix, &name.ident), name.ident.span())),
        UseTree::Rename(rename) => out.push((leaf(prefix, &rename.ident), rename.ident.span())),
        UseTree::Glob(glob) => {
            let mut path = prefix.clone();
            path.push("*".to_string());
            out.push((path, glob.star_token.spans[0]));
        }
        UseTree::Group(group) => {
            for tree in &group.items {
                use_leaves(tree, prefix, out);
            }
        }
    }
}

/// `prefix::ident`, or `prefix` itself for `self` in a group.
fn leaf(prefix: &[String], ident: &syn::Ident) -> Vec<String> {
    let mut path = prefix.to_vec();
    if ident != "self" || prefix.is_empty() {
        path.push(ident.unraw().to_string());
    }
    path
}

/// Whether the attributes make an item test-only: `#[test]` (or
/// `#[tokio::test]`), or a `#[cfg]` whose predicate needs `test` (`test`,
/// `all(test, …)`).
fn test_only(attrs: &[Attribute]) -> bool {
    attrs.iter().any(|attr| {
        // `#[test]`, `#[tokio::test]`
        attr.path()
            .segments
            .last()
            .is_some_and(|s| s.ident == "test")
            || (attr.path().is_ident("cfg")
                && attr
                    .parse_args::<Meta>()
                    .is_ok_and(|meta| needs_test(&meta)))
    })
}

fn needs_test(meta: &Meta) -> bool {
    match meta {
        Meta::Path(path) => path.is_ident("test"),
        Meta::List(list) if list.path.is_ident("all") => list
            .parse_args_with(Punctuated::<Meta, syn::Token![,]>::parse_terminated)
            .is_ok_and(|metas| metas.iter().any(needs_test)),
        _ => false,
    }
}

fn path_attr(attrs: &[Attribute]) -> Option<String> {
    attrs.iter().find_map(|attr| match &attr.meta {
        Meta::NameValue(nv) if nv.path.is_ident("path") => match &nv.value {
            syn::Expr::Lit(syn::ExprLit {
                lit: syn::Lit::Str(s),
                ..
            }) => Some(s.value()),
            _ => None,
        },
        _ => None,
    })
}

fn item_attrs(item: &Item) -> &[Attribute] {
    match item {
        Item::Const(i) => &i.attrs,
        Item::Enum(i) => &i.attrs,
        Item::ExternCrate(i) => &i.attrs,
        Item::Fn(i) => &i.attrs,
        Item::ForeignMod(i) => &i.attrs,
        Item::Impl(i) => &i.attrs,
        Item::Macro(i) => &i.attrs,
        Item::Mod(i) => &i.attrs,
        Item::Static(i) => &i.attrs,
        Item::Struct(i) => &i.attrs,
        Item::Trait(i) => &i.attrs,
        Item::TraitAlias(i) => &i.attrs,
        Item::Type(i) => &i.attrs,
        Item::Union(i) => &i.attrs,
        Item::Use(i) => &i.attrs,
        _ => &[],
    }
}

impl<'ast> Visit<'ast> for Collector<'_> {
    fn visit_item(&mut self, item: &'ast Item) {
        if !test_only(item_attrs(item)) {
            visit::visit_item(self, item);
        }
    }

    fn visit_impl_item(&mut self, item: &'ast ImplItem) {
        let attrs: &[Attribute] = match item {
            ImplItem::Const(i) => &i.attrs,
            ImplItem::Fn(i) => &i.attrs,
            ImplItem::Type(i) => &i.attrs,
            ImplItem::Macro(i) => &i.attrs,
            _ => &[],
        };
        if !test_only(attrs) {
            visit::visit_impl_item(self, item);
        }
    }

    fn visit_trait_item(&mut self, item: &'ast TraitItem) {
        let attrs: &[Attribute] = match item {
            TraitItem::Const(i) => &i.attrs,
            TraitItem::Fn(i) => &i.attrs,
            TraitItem::Type(i) => &i.attrs,
            TraitItem::Macro(i) => &i.attrs,
            _ => &[],
        };
        if !test_only(attrs) {
            visit::visit_trait_item(self, item);
        }
    }

    fn visit_item_mod(&mut self, item: &'ast syn::ItemMod) {
        let name = item.ident.unraw().to_string();
        let mut module = self.module.clone();
        module.push(name.clone());
        self.krate.modules.insert(module.clone());
        let Some((_, items)) = &item.content else {
            self.declared_module(&name, module, path_attr(&item.attrs));
            return;
        };
        let dir = match path_attr(&item.attrs) {
            Some(path) => self.dir.join(path),
            None => self.dir.join(&name),
        };
        let outer_module = std::mem::replace(&mut self.module, module);
        let outer_dir = std::mem::replace(&mut self.dir, dir);
        self.inline_depth += 1;
        for item in items {
            self.visit_item(item);
        }
        self.inline_depth -= 1;
        self.module = outer_module;
        self.dir = outer_dir;
    }

    fn visit_item_use(&mut self, item: &'ast syn::ItemUse) {
        let mut leaves = Vec::new();
        use_leaves(&item.tree, &mut Vec::new(), &mut leaves);
        for (segments, span) in leaves {
            self.reference(&segments, span);
        }
    }

    fn visit_path(&mut self, path: &'ast syn::Path) {
        if let Some(first) = path.segments.first() {
            let segments: Vec<String> = path
                .segments
                .iter()
                .map(|s| s.ident.unraw().to_string())
                .collect();
            self.reference(&segments, first.ident.span());
        }
        visit::visit_path(self, path); // generic arguments hold paths too
    }

    /// `pub(in crate::a)` limits visibility; it names no item.
    fn visit_vis_restricted(&mut self, _: &'ast syn::VisRestricted) {}

    fn visit_macro(&mut self, mac: &'ast syn::Macro) {
        self.visit_path(&mac.path);
        self.scan_tokens(mac.tokens.clone(), false);
    }

    fn visit_item_macro(&mut self, item: &'ast syn::ItemMacro) {
        if item.mac.path.is_ident("macro_rules") {
            self.scan_tokens(item.mac.tokens.clone(), true);
        } else {
            visit::visit_item_macro(self, item);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Writes `files` (path, text) under a temporary crate and loads it
    /// from `src/lib.rs`.
    fn load(files: &[(&str, &str)]) -> (tempfile::TempDir, Crate) {
        let dir = tempfile::tempdir().unwrap();
        for (path, text) in files {
            let path = dir.path().join(path);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, text).unwrap();
        }
        let krate = Crate::load(&dir.path().join("src/lib.rs")).unwrap();
        (dir, krate)
    }

    /// The edges as `parent: from -> to @ file:line`, files relative.
    fn edges(dir: &tempfile::TempDir, krate: &Crate) -> Vec<String> {
        krate
            .edges()
            .into_iter()
            .map(|(edge, site)| {
                let file = site.file.strip_prefix(dir.path()).unwrap().display();
                let parent = display_module(&edge.parent);
                format!(
                    "{parent}: {} -> {} @ {file}:{}",
                    edge.from, edge.to, site.line
                )
            })
            .collect()
    }

    fn module(path: &str) -> ModPath {
        path.split("::")
            .filter(|s| !s.is_empty())
            .map(String::from)
            .collect()
    }

    #[test]
    fn edges_collapse_to_the_children_of_the_lowest_common_ancestor() {
        let edge = |from: &str, to: &str| sibling_edge(&module(from), &module(to));
        let expected = |parent: &str, from: &str, to: &str| {
            Some(Edge {
                parent: module(parent),
                from: from.to_string(),
                to: to.to_string(),
            })
        };
        assert_eq!(
            edge("evidence::log", "evidence::recover"),
            expected("evidence", "log", "recover")
        );
        assert_eq!(
            edge("gate", "evidence::record"),
            expected("", "gate", "evidence")
        );
        assert_eq!(edge("a::b::c", "a::d::e::f"), expected("a", "b", "d"));
        // Ancestors, descendants and the module itself are not siblings.
        assert_eq!(edge("evidence::log", "evidence"), None);
        assert_eq!(edge("evidence", "evidence::log"), None);
        assert_eq!(edge("gate", ""), None);
        assert_eq!(edge("gate", "gate"), None);
    }

    #[test]
    fn mod_declarations_find_flat_nested_path_and_inline_modules() {
        let (_dir, krate) = load(&[
            (
                "src/lib.rs",
                "mod a; mod b; #[path = \"other/c_impl.rs\"] mod c; mod d { mod e; }",
            ),
            ("src/a.rs", "mod child;"),
            ("src/a/child.rs", ""),
            ("src/b/mod.rs", "pub mod inner { pub fn f() {} }"),
            ("src/other/c_impl.rs", "mod sub;"),
            ("src/other/sub.rs", ""),
            ("src/d/e.rs", ""),
        ]);
        let modules: Vec<String> = krate.modules.iter().map(|m| display_module(m)).collect();
        assert_eq!(
            modules,
            [
                "crate",
                "crate::a",
                "crate::a::child",
                "crate::b",
                "crate::b::inner",
                "crate::c",
                "crate::c::sub",
                "crate::d",
                "crate::d::e",
            ]
        );
        assert!(krate.warnings.is_empty(), "{:?}", krate.warnings);
    }

    #[test]
    fn grouped_imports_give_one_reference_per_leaf() {
        let (dir, krate) = load(&[
            ("src/lib.rs", "mod a; mod b; mod c; mod r#d;"),
            (
                "src/a.rs",
                "use crate::{b::B,\n    c::{self, C},\n    d::*};\n",
            ),
            ("src/b.rs", "pub struct B;"),
            ("src/c.rs", "pub struct C;"),
            ("src/d.rs", "pub struct D;"),
        ]);
        assert_eq!(
            edges(&dir, &krate),
            [
                "crate: a -> b @ src/a.rs:1",
                "crate: a -> c @ src/a.rs:2",
                "crate: a -> d @ src/a.rs:3",
            ]
        );
    }

    #[test]
    fn inline_paths_in_code_types_and_macros_count() {
        let (dir, krate) = load(&[
            (
                "src/lib.rs",
                "mod gate; mod evidence; mod metrics; mod budget;",
            ),
            (
                "src/gate.rs",
                "fn f(a: &crate::evidence::Record) -> String {\n\
                 \x20   let n = crate::metrics::count();\n\
                 \x20   format!(\"{}\", crate::budget::left(n))\n\
                 }\n",
            ),
            ("src/evidence.rs", "pub struct Record;"),
            ("src/metrics.rs", "pub fn count() -> u32 { 0 }"),
            ("src/budget.rs", "pub fn left(n: u32) -> u32 { n }"),
        ]);
        assert_eq!(
            edges(&dir, &krate),
            [
                "crate: gate -> budget @ src/gate.rs:3",
                "crate: gate -> evidence @ src/gate.rs:1",
                "crate: gate -> metrics @ src/gate.rs:2",
            ]
        );
    }

    #[test]
    fn super_and_self_resolve_from_the_module_the_code_is_in() {
        let (dir, krate) = load(&[
            ("src/lib.rs", "mod evidence; pub struct Top;"),
            (
                "src/evidence/mod.rs",
                "mod log; mod recover; pub struct Shared;",
            ),
            (
                "src/evidence/log.rs",
                "use super::Shared;\n\
                 use super::super::Top;\n\
                 mod inner { fn g() { super::super::recover::scan(); } }\n",
            ),
            (
                "src/evidence/recover.rs",
                "pub fn scan() { self::helper(); }\nfn helper() { super::log::x(); }",
            ),
        ]);
        // Shared (the parent's) and Top (the root's) are ancestors, helper
        // is recover's own: no edges. The inline module's `super::super` is
        // `evidence`, so `inner` naming `recover` is log -> recover.
        assert_eq!(
            edges(&dir, &krate),
            [
                "crate::evidence: log -> recover @ src/evidence/log.rs:3",
                "crate::evidence: recover -> log @ src/evidence/recover.rs:2",
            ]
        );
    }

    #[test]
    fn test_only_code_makes_no_edges() {
        let (dir, krate) = load(&[
            ("src/lib.rs", "mod a; mod b;"),
            (
                "src/a.rs",
                "#[cfg(test)]\nuse crate::b::X;\n\
                 #[cfg(test)]\nmod tests { use crate::b::X; }\n\
                 #[cfg(all(test, feature = \"slow\"))]\nfn slow() { crate::b::f(); }\n\
                 #[test]\nfn t() { crate::b::f(); }\n\
                 #[cfg(test)]\nmod more;\n\
                 pub struct A;\n\
                 impl A { #[cfg(test)] fn helper() { crate::b::f(); } }\n\
                 #[cfg(not(test))]\nfn real() { crate::b::f(); }\n\
                 #[tokio::test]\nasync fn t2() { crate::b::f(); }\n",
            ),
            ("src/a/more.rs", "use crate::b::X;"),
            ("src/b.rs", "pub struct X; pub fn f() {}"),
        ]);
        assert_eq!(edges(&dir, &krate), ["crate: a -> b @ src/a.rs:14"]);
        // Only `real` (line 14) is read: test-only items are skipped whole.
        let lines: Vec<usize> = krate.refs.iter().map(|r| r.site.line).collect();
        assert_eq!(lines, [14]);
        assert!(!krate.modules.contains(&module("a::tests")));
        assert!(!krate.modules.contains(&module("a::more")));
    }

    #[test]
    fn a_path_points_into_the_longest_module_prefix() {
        let (dir, krate) = load(&[
            ("src/lib.rs", "mod gate; mod evidence;"),
            (
                "src/gate.rs",
                "fn f() { crate::evidence::log::Writer::new(); }",
            ),
            ("src/evidence/mod.rs", "pub mod log;"),
            (
                "src/evidence/log.rs",
                "pub struct Writer; impl Writer { pub fn new() {} }",
            ),
        ]);
        assert_eq!(
            krate.module_of(&module("evidence::log::Writer::new")),
            module("evidence::log")
        );
        assert_eq!(
            krate.module_of(&module("evidence::Missing")),
            module("evidence")
        );
        assert_eq!(
            edges(&dir, &krate),
            ["crate: gate -> evidence @ src/gate.rs:1"]
        );
    }

    #[test]
    fn doc_links_and_pub_in_paths_are_not_references() {
        let (dir, krate) = load(&[
            ("src/lib.rs", "mod a; mod b;"),
            (
                "src/a.rs",
                "//! See [`crate::b::X`].\n/// Like [`crate::b::X`].\npub(in crate::a) struct A;\n",
            ),
            ("src/b.rs", "pub struct X;"),
        ]);
        assert!(edges(&dir, &krate).is_empty());
    }

    #[test]
    fn macro_rules_bodies_count_crate_paths_only() {
        let (dir, krate) = load(&[
            ("src/lib.rs", "mod a; mod b; mod c;"),
            (
                "src/a.rs",
                "macro_rules! m {\n\
                 \x20   () => { $crate::b::f(); super::c::g(); };\n\
                 }\n",
            ),
            ("src/b.rs", "pub fn f() {}"),
            ("src/c.rs", "pub fn g() {}"),
        ]);
        assert_eq!(edges(&dir, &krate), ["crate: a -> b @ src/a.rs:2"]);
    }

    #[test]
    fn a_missing_module_file_is_a_warning_and_a_parse_error_an_error() {
        let (_dir, krate) = load(&[("src/lib.rs", "mod gone;")]);
        assert_eq!(krate.warnings.len(), 1);
        assert!(krate.warnings[0].contains("`mod gone;` has no file"));
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("src")).unwrap();
        std::fs::write(dir.path().join("src/lib.rs"), "fn f( {}\n").unwrap();
        let err = Crate::load(&dir.path().join("src/lib.rs")).unwrap_err();
        assert!(err.contains("lib.rs:1:"), "{err}");
    }
}
