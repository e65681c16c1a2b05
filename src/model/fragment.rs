//! A piece of a design cut out for copy, paste and duplicate: some services and the edges
//! between them, detached from the design they came from.
//!
//! Pasting makes one [`Command`] (one undo step) that inserts fresh copies: new uids, ids made
//! unique against the design (`login` becomes `login-copy`, then `login-copy-2`), positions
//! shifted so the copies do not sit on the originals.

use std::collections::HashSet;

use super::edit::{Command, EdgeDraft};
use super::{Design, EdgeFilter, EdgeMode, EventEdge, Position, Service, ServiceIndex, ServiceUid};

/// An edge of a fragment, its ends as places in [`Fragment::services`].
#[derive(Debug, Clone, PartialEq)]
pub struct FragmentEdge {
    /// The publisher's place in the fragment.
    pub from: usize,
    /// The subscriber's place in the fragment.
    pub to: usize,
    /// The event it carries.
    pub event: std::sync::Arc<str>,
    /// Through the bus or a direct call.
    pub mode: EdgeMode,
    /// Which events take it.
    pub filter: Option<Box<EdgeFilter>>,
}

/// Services and the edges between them, in file order. Session state (the app's clipboard).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Fragment {
    /// The services, as they were when copied.
    pub services: Vec<Service>,
    /// The edges whose both ends are in the fragment.
    pub edges: Vec<FragmentEdge>,
}

impl Fragment {
    /// The services of `design` with these uids (unknown ones are skipped) and every edge
    /// between two of them, all in file order. O(V + E).
    pub fn of(design: &Design, uids: &[ServiceUid]) -> Fragment {
        let wanted: HashSet<ServiceUid> = uids.iter().copied().collect();
        let mut place = vec![None; design.services.len()];
        let mut services = Vec::new();
        for (index, service) in design.services.iter().enumerate() {
            if wanted.contains(&service.uid) {
                place[index] = Some(services.len());
                services.push(service.clone());
            }
        }
        let edges = design
            .edges
            .iter()
            .filter_map(|edge| {
                Some(FragmentEdge {
                    from: place[edge.from.index()]?,
                    to: place[edge.to.index()]?,
                    event: edge.event.clone(),
                    mode: edge.mode,
                    filter: edge.filter.clone(),
                })
            })
            .collect();
        Fragment { services, edges }
    }

    /// The fragment as a design of its own (what the clipboard carries as design-file text).
    pub fn to_design(&self, name: &str) -> Design {
        let mut design = Design::new(name);
        for service in &self.services {
            design.add_service(service.clone());
        }
        for edge in &self.edges {
            let mut copy = EventEdge::new(
                ServiceIndex(edge.from as u32),
                ServiceIndex(edge.to as u32),
                edge.event.clone(),
            );
            copy.mode = edge.mode;
            copy.filter = edge.filter.clone();
            design.add_edge(copy);
        }
        design
    }

    /// All of a design as a fragment (a design read back from the clipboard).
    pub fn from_design(design: &Design) -> Fragment {
        let uids: Vec<ServiceUid> = design.services.iter().map(|s| s.uid).collect();
        Fragment::of(design, &uids)
    }

    /// True when there is nothing to paste.
    pub fn is_empty(&self) -> bool {
        self.services.is_empty()
    }

    /// The command that pastes the fragment into `design`, shifted by `offset` canvas units, and
    /// the uids the copies will have (for selecting them). Takes fresh uids from `design`'s
    /// counter; changes nothing else until the command is applied. O(V + n + E) for n copies.
    pub fn paste_command(
        &self,
        design: &mut Design,
        offset: (f32, f32),
    ) -> (Command, Vec<ServiceUid>) {
        let mut taken: HashSet<String> = design.services.iter().map(|s| s.id.clone()).collect();
        let mut commands = Vec::with_capacity(self.services.len() + self.edges.len());
        let mut uids = Vec::with_capacity(self.services.len());
        for original in &self.services {
            let mut copy = original.clone();
            copy.id = unique_id(&original.id, &taken);
            taken.insert(copy.id.clone());
            copy.uid = design.fresh_service_uid();
            copy.position = original.position.map(|p| Position {
                x: p.x + offset.0,
                y: p.y + offset.1,
            });
            uids.push(copy.uid);
            commands.push(Command::InsertService {
                at: None,
                service: copy,
                edges: Vec::new(),
            });
        }
        for edge in &self.edges {
            let mut draft = EdgeDraft::new(uids[edge.from], uids[edge.to], edge.event.clone());
            draft.mode = edge.mode;
            draft.filter = edge.filter.clone();
            commands.push(Command::InsertEdge {
                at: None,
                edge: draft,
            });
        }
        (Command::Batch(commands), uids)
    }
}

/// `id-copy`, or `id-copy-2`, `id-copy-3`, ... : the first not in `taken`. A copy of a copy
/// counts on (`a-copy` gives `a-copy-2`), so ids do not grow with every paste.
fn unique_id(id: &str, taken: &HashSet<String>) -> String {
    let base = match id.rfind("-copy") {
        Some(at)
            if id[at + 5..].is_empty()
                || id[at + 5..]
                    .strip_prefix('-')
                    .is_some_and(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit())) =>
        {
            &id[..at]
        }
        _ => id,
    };
    let first = format!("{base}-copy");
    if !taken.contains(&first) {
        return first;
    }
    (2u64..)
        .map(|n| format!("{base}-copy-{n}"))
        .find(|candidate| !taken.contains(candidate))
        .unwrap_or(first)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::ServiceKind;
    use crate::model::edit::History;

    fn design() -> Design {
        let mut design = Design::new("t");
        for (id, x) in [("gateway", 0.0), ("login", 200.0), ("users", 400.0)] {
            let mut s = Service::new(id, ServiceKind::Function);
            s.position = Some(Position { x, y: 10.0 });
            design.add_service(s);
        }
        design.connect("gateway", "login", "LoginRequested");
        design.connect("login", "users", "GetUser");
        design
    }

    #[test]
    fn a_fragment_keeps_only_the_edges_inside_it() {
        let design = design();
        let uids = [design.services[1].uid, design.services[2].uid];
        let fragment = Fragment::of(&design, &uids);
        assert_eq!(fragment.services.len(), 2);
        assert_eq!(fragment.edges.len(), 1);
        assert_eq!(&*fragment.edges[0].event, "GetUser");
        assert_eq!((fragment.edges[0].from, fragment.edges[0].to), (0, 1));
    }

    #[test]
    fn pasting_makes_unique_ids_fresh_uids_and_is_one_undo_step() {
        let original = design();
        let mut design = original.clone();
        let uids = [design.services[1].uid, design.services[2].uid];
        let fragment = Fragment::of(&design, &uids);
        let mut history = History::new();
        let (command, new_uids) = fragment.paste_command(&mut design, (40.0, 40.0));
        history.apply(&mut design, command).unwrap();
        let ids: Vec<&str> = design.services.iter().map(|s| s.id.as_str()).collect();
        assert_eq!(
            ids,
            ["gateway", "login", "users", "login-copy", "users-copy"]
        );
        assert!(new_uids.iter().all(|uid| !uids.contains(uid)));
        assert_eq!(
            design.services[3].position,
            Some(Position { x: 240.0, y: 50.0 })
        );
        assert_eq!(design.edges.len(), 3);
        let copied = &design.edges[2];
        assert_eq!(
            (design.id(copied.from), design.id(copied.to)),
            ("login-copy", "users-copy")
        );
        assert_eq!(copied.mode, original.edges[1].mode);

        // Pasting again counts on instead of growing the id.
        let (command, _) = fragment.paste_command(&mut design, (80.0, 80.0));
        history.apply(&mut design, command).unwrap();
        assert_eq!(design.services[5].id, "login-copy-2");
        let again = Fragment::of(&design, &[design.services[3].uid]);
        let (command, _) = again.paste_command(&mut design, (0.0, 0.0));
        history.apply(&mut design, command).unwrap();
        assert_eq!(design.services[7].id, "login-copy-3");

        for _ in 0..3 {
            history.undo(&mut design).unwrap();
        }
        assert_eq!(design, original);
    }

    #[test]
    fn a_fragment_survives_the_trip_through_design_file_text() {
        let design = design();
        let fragment = Fragment::of(&design, &[design.services[1].uid, design.services[2].uid]);
        let text = crate::io::to_json(&fragment.to_design("clipboard"));
        let back = crate::io::parse_design(text.as_bytes(), "the clipboard").unwrap();
        let mut again = Fragment::from_design(&back);
        // Uids are session identity, not content.
        for (s, original) in again.services.iter_mut().zip(&fragment.services) {
            s.uid = original.uid;
        }
        assert_eq!(again, fragment);
    }

    #[test]
    fn unique_ids_only_strip_a_real_copy_suffix() {
        let taken: HashSet<String> = ["a-copy".to_owned()].into_iter().collect();
        assert_eq!(unique_id("a", &taken), "a-copy-2");
        assert_eq!(unique_id("a-copy", &taken), "a-copy-2");
        assert_eq!(unique_id("b-copyist", &taken), "b-copyist-copy");
        assert_eq!(unique_id("c-copy-x", &taken), "c-copy-x-copy");
    }
}
