//! Finding services by id, name or event, for the window's search (Ctrl+F) and any front end.

use super::{Design, ServiceIndex};

/// Why a service matched a search.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Match {
    /// Its id contains the text.
    Id,
    /// Its display name contains the text.
    Name,
    /// An event it publishes, consumes or routes contains the text.
    Event(String),
}

/// A service that matched, and why (the first reason, in the order id, name, event).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hit {
    /// The service.
    pub service: ServiceIndex,
    /// What matched.
    pub by: Match,
}

/// The services whose id, name or events contain `query` (case-insensitive), in file order.
/// An empty query finds nothing. O(V + E + R) string comparisons (R routes).
pub fn search(design: &Design, query: &str) -> Vec<Hit> {
    let query = query.trim().to_lowercase();
    if query.is_empty() {
        return Vec::new();
    }
    let contains = |text: &str| text.to_lowercase().contains(&query);
    // The first matching event of each service, from its edges in edge order.
    let mut event_of: Vec<Option<&str>> = vec![None; design.services.len()];
    for edge in &design.edges {
        if contains(&edge.event) {
            for end in [edge.from, edge.to] {
                event_of[end.index()].get_or_insert(&edge.event);
            }
        }
    }
    design
        .services
        .iter()
        .enumerate()
        .filter_map(|(i, s)| {
            let by = if contains(&s.id) {
                Match::Id
            } else if !s.name.is_empty() && contains(&s.name) {
                Match::Name
            } else if let Some(event) = event_of[i].or_else(|| {
                s.routes
                    .iter()
                    .map(|r| r.event.as_str())
                    .find(|e| contains(e))
            }) {
                Match::Event(event.to_owned())
            } else {
                return None;
            };
            Some(Hit {
                service: ServiceIndex(i as u32),
                by,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Service, ServiceKind};

    #[test]
    fn finds_by_id_name_or_event_case_insensitively_in_file_order() {
        let mut design = Design::new("t");
        let mut login = Service::new("login", ServiceKind::Function);
        login.name = "Log in".into();
        design.add_service(Service::new("gateway", ServiceKind::Gateway));
        design.add_service(login);
        design.add_service(Service::new("users", ServiceKind::Table));
        design.connect("gateway", "login", "LoginRequested");
        design.connect("login", "users", "GetUser");

        let ids = |q: &str| -> Vec<(String, Match)> {
            search(&design, q)
                .into_iter()
                .map(|h| (design.id(h.service).to_owned(), h.by))
                .collect()
        };
        assert_eq!(
            ids("LOGIN"),
            [
                ("gateway".to_owned(), Match::Event("LoginRequested".into())),
                ("login".to_owned(), Match::Id)
            ]
        );
        assert_eq!(ids("log in"), [("login".to_owned(), Match::Name)]);
        assert_eq!(
            ids("getuser"),
            [
                ("login".to_owned(), Match::Event("GetUser".into())),
                ("users".to_owned(), Match::Event("GetUser".into()))
            ]
        );
        assert!(ids("  ").is_empty());
        assert!(ids("nothing").is_empty());
    }
}
