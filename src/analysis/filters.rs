//! Which edge filters a cycle crosses. A filter does not break a cycle in the analysis (whether
//! the events a cycle produces can pass it depends on payloads), but a cycle that crosses one
//! may be harmless: the report names each, so a user (and the template importer) can tell a
//! runaway loop from a filtered one.

use super::CycleGroup;
use crate::model::{Design, EdgeFilter};

/// An edge inside a cycle group that carries a filter.
#[derive(Debug, Clone, PartialEq)]
pub struct FilterCrossing<'a> {
    /// The edge's place in the edge list.
    pub position: usize,
    /// The publisher's id.
    pub from: &'a str,
    /// The subscriber's id.
    pub to: &'a str,
    /// The event it carries.
    pub event: &'a str,
    /// The filter.
    pub filter: &'a EdgeFilter,
}

/// The filtered edges between members of `cycle`, in file order. O(the group's edges).
pub fn filters_crossed<'a>(design: &'a Design, cycle: &CycleGroup) -> Vec<FilterCrossing<'a>> {
    cycle
        .edges
        .iter()
        .map(|&position| (position, &design.edges[position]))
        .filter_map(|(position, e)| {
            Some(FilterCrossing {
                position,
                from: design.id(e.from),
                to: design.id(e.to),
                event: &e.event,
                filter: e.filter.as_deref()?,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::analyze;
    use crate::model::{Service, ServiceKind};

    #[test]
    fn a_cycle_is_reported_with_the_filters_it_crosses() {
        let mut design = Design::new("loop");
        for (id, kind) in [
            ("bucket", ServiceKind::Bucket),
            ("resize", ServiceKind::Function),
        ] {
            design.add_service(Service::new(id, kind));
        }
        design.add_service(Service::new("elsewhere", ServiceKind::Function));
        let trigger = design.connect("bucket", "resize", "ObjectCreated");
        design.connect("resize", "bucket", "PutObject");
        design.connect("resize", "elsewhere", "Done");
        let position = design.edge_position(trigger).unwrap();
        design.edges[position].filter = Some(Box::new(EdgeFilter {
            prefix: Some("uploads/".into()),
            ..EdgeFilter::default()
        }));
        let analysis = analyze(&design);
        assert_eq!(analysis.cycles.len(), 1, "a filter does not hide a cycle");
        let crossed = filters_crossed(&design, &analysis.cycles[0]);
        assert_eq!(crossed.len(), 1);
        assert_eq!((crossed[0].from, crossed[0].to), ("bucket", "resize"));
        assert_eq!(crossed[0].filter.describe(), "prefix \"uploads/\"");
    }
}
