//! Cycles in a small directed graph: its strongly connected components
//! (Tarjan), each reported as a few short cycles that between them use every
//! edge of the component, so every edge that keeps it tangled is shown once.

use std::collections::{BTreeMap, BTreeSet, VecDeque};

/// The cycles of the graph `edges`, each as its nodes with the first one
/// repeated at the end (`[a, b, a]`). Every edge inside a strongly connected
/// component is on at least one returned cycle; each cycle is a shortest one
/// through the first edge (in order) not yet shown. Deterministic.
pub fn cycles<N: Ord + Clone>(edges: &BTreeSet<(N, N)>) -> Vec<Vec<N>> {
    let mut out = Vec::new();
    for component in components(edges) {
        let inside = |(a, b): &&(N, N)| component.contains(a) && component.contains(b);
        let internal: Vec<&(N, N)> = edges.iter().filter(inside).collect();
        let mut next: BTreeMap<&N, Vec<&N>> = BTreeMap::new();
        for (a, b) in &internal {
            next.entry(a).or_default().push(b);
        }
        let mut shown: BTreeSet<(&N, &N)> = BTreeSet::new();
        for (a, b) in internal {
            if shown.contains(&(a, b)) {
                continue;
            }
            // A shortest way back from b to a closes the cycle a -> b ... a.
            let back = shortest_path(&next, b, a).expect("a strongly connected component");
            let mut cycle = vec![a];
            cycle.extend(back);
            for pair in cycle.windows(2) {
                shown.insert((pair[0], pair[1]));
            }
            out.push(cycle.into_iter().cloned().collect());
        }
    }
    out
}

/// Breadth-first: the nodes from `from` to `to`, both included.
fn shortest_path<'a, N: Ord>(
    next: &BTreeMap<&'a N, Vec<&'a N>>,
    from: &'a N,
    to: &'a N,
) -> Option<Vec<&'a N>> {
    let mut came_from: BTreeMap<&N, &N> = BTreeMap::new();
    let mut queue = VecDeque::from([from]);
    let mut seen = BTreeSet::from([from]);
    while let Some(node) = queue.pop_front() {
        if node == to {
            let mut path = vec![node];
            let mut at = node;
            while let Some(prev) = came_from.get(at) {
                path.push(prev);
                at = prev;
            }
            path.reverse();
            return Some(path);
        }
        for &n in next.get(node).into_iter().flatten() {
            if seen.insert(n) {
                came_from.insert(n, node);
                queue.push_back(n);
            }
        }
    }
    None
}

/// The strongly connected components that hold a cycle: two or more nodes,
/// or one node with an edge to itself. Tarjan's algorithm.
pub fn components<N: Ord + Clone>(edges: &BTreeSet<(N, N)>) -> Vec<BTreeSet<N>> {
    let nodes: BTreeSet<&N> = edges.iter().flat_map(|(a, b)| [a, b]).collect();
    let index: BTreeMap<&N, usize> = nodes.iter().enumerate().map(|(i, n)| (*n, i)).collect();
    let names: Vec<&N> = nodes.into_iter().collect();
    let mut next = vec![Vec::new(); names.len()];
    for (a, b) in edges {
        next[index[a]].push(index[b]);
    }
    let mut tarjan = Tarjan {
        next: &next,
        index: vec![None; names.len()],
        low: vec![0; names.len()],
        on_stack: vec![false; names.len()],
        stack: Vec::new(),
        counter: 0,
        found: Vec::new(),
    };
    for v in 0..names.len() {
        if tarjan.index[v].is_none() {
            tarjan.visit(v);
        }
    }
    let mut found: Vec<BTreeSet<N>> = tarjan
        .found
        .into_iter()
        .filter(|c| c.len() > 1 || next[c[0]].contains(&c[0]))
        .map(|c| c.into_iter().map(|i| names[i].clone()).collect())
        .collect();
    found.sort();
    found
}

struct Tarjan<'a> {
    next: &'a [Vec<usize>],
    index: Vec<Option<usize>>,
    low: Vec<usize>,
    on_stack: Vec<bool>,
    stack: Vec<usize>,
    counter: usize,
    found: Vec<Vec<usize>>,
}

impl Tarjan<'_> {
    /// Recursive: module graphs are a few dozen nodes deep at most.
    fn visit(&mut self, v: usize) {
        self.index[v] = Some(self.counter);
        self.low[v] = self.counter;
        self.counter += 1;
        self.stack.push(v);
        self.on_stack[v] = true;
        for &w in &self.next[v] {
            match self.index[w] {
                None => {
                    self.visit(w);
                    self.low[v] = self.low[v].min(self.low[w]);
                }
                Some(wi) if self.on_stack[w] => self.low[v] = self.low[v].min(wi),
                Some(_) => {}
            }
        }
        if Some(self.low[v]) == self.index[v] {
            let mut component = Vec::new();
            while let Some(w) = self.stack.pop() {
                self.on_stack[w] = false;
                component.push(w);
                if w == v {
                    break;
                }
            }
            self.found.push(component);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn graph(edges: &[(&'static str, &'static str)]) -> BTreeSet<(&'static str, &'static str)> {
        edges.iter().copied().collect()
    }

    #[test]
    fn an_acyclic_graph_has_no_cycles() {
        let g = graph(&[("a", "b"), ("b", "c"), ("a", "c"), ("d", "a")]);
        assert!(components(&g).is_empty());
        assert!(cycles(&g).is_empty());
    }

    #[test]
    fn a_two_node_cycle_is_found_once() {
        let g = graph(&[
            ("budget", "session"),
            ("session", "budget"),
            ("gate", "budget"),
        ]);
        assert_eq!(cycles(&g), vec![vec!["budget", "session", "budget"]]);
    }

    #[test]
    fn a_longer_cycle_is_found_with_its_order() {
        let g = graph(&[
            ("engine", "policy"),
            ("policy", "pool"),
            ("pool", "engine"),
            ("pool", "metrics"),
        ]);
        assert_eq!(
            components(&g),
            vec![BTreeSet::from(["engine", "policy", "pool"])]
        );
        assert_eq!(cycles(&g), vec![vec!["engine", "policy", "pool", "engine"]]);
    }

    #[test]
    fn every_edge_of_a_component_is_on_a_shown_cycle() {
        // a <-> b and b -> c -> a: one component, two cycles cover its four edges.
        let g = graph(&[("a", "b"), ("b", "a"), ("b", "c"), ("c", "a")]);
        let found = cycles(&g);
        assert_eq!(found, vec![vec!["a", "b", "a"], vec!["b", "c", "a", "b"]]);
        let shown: BTreeSet<(&str, &str)> = found
            .iter()
            .flat_map(|c| c.windows(2).map(|p| (p[0], p[1])))
            .collect();
        assert_eq!(shown, g);
    }

    #[test]
    fn separate_components_are_reported_separately() {
        let g = graph(&[("a", "b"), ("b", "a"), ("b", "x"), ("x", "y"), ("y", "x")]);
        assert_eq!(
            components(&g),
            vec![BTreeSet::from(["a", "b"]), BTreeSet::from(["x", "y"])]
        );
        assert_eq!(cycles(&g).len(), 2);
    }

    #[test]
    fn a_self_loop_is_a_cycle() {
        let g = graph(&[("a", "a"), ("a", "b")]);
        assert_eq!(cycles(&g), vec![vec!["a", "a"]]);
    }
}
