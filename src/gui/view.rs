//! The canvas view model: an `egui_graphs::Graph` synced from the design and its analysis.
//!
//! The design stays the source of truth. This graph is rebuilt only when the history's revision
//! moves (an edit, undo or redo) or a design is opened, never per frame. It carries what drawing
//! needs (labels, kind, order badge, stage, cycle flags, on-screen location) and the transient
//! state egui_graphs models (selection, hover, the location of a node being dragged).
//! A finished drag becomes one `MoveServices` command; the rebuild that follows reads the new
//! positions back from the design.
//!
//! Session state: nothing here is saved.

use std::sync::Arc;

use egui::Pos2;
use petgraph::stable_graph::{EdgeIndex, NodeIndex};

use super::layout::to_pos;
use crate::analysis::Analysis;
use crate::geometry::{Drawing, LabelBox, Route};
use std::collections::HashMap;

use crate::model::{Design, EdgeUid, ServiceKind, ServiceUid};

/// What the canvas shows for one service.
#[derive(Debug, Clone)]
pub struct ServiceNode {
    /// The service's identity.
    pub uid: ServiceUid,
    /// The service's display label (name, or id).
    pub label: String,
    /// Its id, shown under the label when it differs.
    pub id: String,
    /// Its kind: colour and icon.
    pub kind: ServiceKind,
    /// 1-based position in the (condensed) topological order.
    pub order: u32,
    /// 0-based stage.
    pub stage: u32,
    /// True when the service is part of a cycle group.
    pub in_cycle: bool,
}

/// What the canvas shows for one event edge.
#[derive(Debug, Clone)]
pub struct EventEdgeView {
    /// The edge's identity.
    pub uid: EdgeUid,
    /// Position in the design's edge list.
    pub position: usize,
    /// The event name.
    pub event: Arc<str>,
    /// True when the edge joins two services of one cycle group.
    pub in_cycle: bool,
}

/// The egui_graphs graph type of the canvas.
pub type ViewGraph = egui_graphs::Graph<ServiceNode, EventEdgeView>;

/// The view model of the canvas, plus caches derived from it for hit-testing and drawing.
#[derive(Default)]
pub struct CanvasView {
    graph: ViewGraph,
    /// Box centres, indexed like the design's services (a contiguous copy of node locations).
    centers: Vec<Pos2>,
    /// (from, to) of each edge, indexed like the design's edges.
    pairs: Vec<(u32, u32)>,
    /// Each service's uid by file place, and back.
    uids: Vec<ServiceUid>,
    index: HashMap<ServiceUid, usize>,
    /// Each edge's uid by file place, and back.
    edge_uids: Vec<EdgeUid>,
    edge_index: HashMap<EdgeUid, usize>,
    /// Routed edges and placed labels at the design's positions (the library geometry).
    drawing: Drawing,
    /// Each route's bounding box, canvas units, for culling and hit-testing.
    route_bounds: Vec<egui::Rect>,
    synced: Option<u64>,
}

impl CanvasView {
    /// Rebuilds from the design when `revision` differs from the last sync. O(V + E).
    pub fn sync(&mut self, design: &Design, analysis: &Analysis, revision: u64) -> bool {
        if self.synced == Some(revision) {
            return false;
        }
        self.rebuild(design, analysis);
        self.synced = Some(revision);
        true
    }

    /// Forces the next [`CanvasView::sync`] to rebuild (a different design was opened).
    pub fn invalidate(&mut self) {
        self.synced = None;
    }

    fn rebuild(&mut self, design: &Design, analysis: &Analysis) {
        // The drawing the picture export makes too: saved positions and lanes, or the layout's
        // (with its lanes) for a design that saves no positions.
        let drawing = Drawing::of_design(design, analysis);
        let centers: Vec<egui::Pos2> = drawing.centers.iter().copied().map(to_pos).collect();
        let mut graph = ViewGraph::new();
        for (i, service) in design.services.iter().enumerate() {
            let node = ServiceNode {
                uid: service.uid,
                label: service.label().to_owned(),
                id: service.id.clone(),
                kind: service.kind,
                order: analysis.order_position.get(i).map_or(0, |o| o + 1),
                stage: analysis.stage_of.get(i).copied().unwrap_or(0),
                in_cycle: analysis.cycle_of.get(i).copied().flatten().is_some(),
            };
            graph.add_node_with_location(node, centers[i]);
        }
        let pairs: Vec<(u32, u32)> = design.edges.iter().map(|e| (e.from.0, e.to.0)).collect();
        for (position, edge) in design.edges.iter().enumerate() {
            let payload = EventEdgeView {
                uid: edge.uid,
                position,
                event: edge.event.clone(),
                in_cycle: analysis.edge_in_cycle(edge.from, edge.to),
            };
            graph.add_edge(
                NodeIndex::new(edge.from.index()),
                NodeIndex::new(edge.to.index()),
                payload,
            );
        }
        self.graph = graph;
        self.uids = design.services.iter().map(|s| s.uid).collect();
        self.index = self.uids.iter().enumerate().map(|(i, u)| (*u, i)).collect();
        self.edge_uids = design.edges.iter().map(|e| e.uid).collect();
        self.edge_index = self
            .edge_uids
            .iter()
            .enumerate()
            .map(|(i, u)| (*u, i))
            .collect();
        self.drawing = drawing;
        self.route_bounds = self
            .drawing
            .routes
            .iter()
            .map(|r| {
                r.bounds().map_or(egui::Rect::NOTHING, |b| {
                    egui::Rect::from_min_max(to_pos(b.min), to_pos(b.max))
                })
            })
            .collect();
        self.centers = centers;
        self.pairs = pairs;
    }

    /// The routed edges and placed labels, as of the last sync (not moved by a drag in
    /// progress).
    pub fn drawing(&self) -> &Drawing {
        &self.drawing
    }

    /// The route of the edge at `position`.
    pub fn route(&self, position: usize) -> Option<&Route> {
        self.drawing.routes.get(position)
    }

    /// The bounding box of an edge's route, canvas units ([`egui::Rect::NOTHING`] when empty).
    pub fn route_bounds(&self, position: usize) -> egui::Rect {
        self.route_bounds
            .get(position)
            .copied()
            .unwrap_or(egui::Rect::NOTHING)
    }

    /// The placed label of an edge; `None` when it yielded for lack of room.
    pub fn label(&self, position: usize) -> Option<&LabelBox> {
        self.drawing.labels.get(position).and_then(Option::as_ref)
    }
    /// The egui_graphs graph.
    pub fn graph(&self) -> &ViewGraph {
        &self.graph
    }

    /// Box centres, indexed like the design's services.
    pub fn centers(&self) -> &[Pos2] {
        &self.centers
    }

    /// (from, to) of each edge, indexed like the design's edges.
    pub fn pairs(&self) -> &[(u32, u32)] {
        &self.pairs
    }

    /// What the canvas shows for a service.
    pub fn node(&self, service: usize) -> Option<&ServiceNode> {
        self.graph
            .node(NodeIndex::new(service))
            .map(|n| n.payload())
    }

    /// What the canvas shows for an edge.
    pub fn edge(&self, position: usize) -> Option<&EventEdgeView> {
        self.graph
            .edge(EdgeIndex::new(position))
            .map(|e| e.payload())
    }

    /// Moves a box while it is dragged (view only; the design changes when the drag ends).
    pub fn drag_to(&mut self, service: usize, center: Pos2) {
        if let Some(slot) = self.centers.get_mut(service) {
            *slot = center;
        }
        let index = NodeIndex::new(service);
        if let Some(node) = self.graph.node_mut(index) {
            node.set_location(center);
            node.set_dragged(true);
        }
        self.graph.set_dragged_node(Some(index));
    }

    /// Ends a drag in the view model (the window turns it into a command).
    pub fn end_drag(&mut self) {
        if let Some(index) = self.graph.dragged_node()
            && let Some(node) = self.graph.node_mut(index)
        {
            node.set_dragged(false);
        }
        self.graph.set_dragged_node(None);
    }

    /// The node being dragged, if any.
    pub fn dragged(&self) -> Option<usize> {
        self.graph.dragged_node().map(|n| n.index())
    }

    /// The uid of the service drawn at `service`.
    pub fn uid(&self, service: usize) -> ServiceUid {
        self.uids.get(service).copied().unwrap_or(ServiceUid::UNSET)
    }

    /// Where the service with this uid is drawn in the view (its file place), if it exists.
    pub fn index_of(&self, uid: ServiceUid) -> Option<usize> {
        self.index.get(&uid).copied()
    }

    /// The uid of the edge drawn at `position`.
    pub fn edge_uid(&self, position: usize) -> EdgeUid {
        self.edge_uids
            .get(position)
            .copied()
            .unwrap_or(EdgeUid::UNSET)
    }

    /// The file place of the edge with this uid, if it exists.
    pub fn edge_index_of(&self, uid: EdgeUid) -> Option<usize> {
        self.edge_index.get(&uid).copied()
    }

    /// Where the service with this uid is drawn now.
    pub fn center_of(&self, uid: ServiceUid) -> Option<Pos2> {
        self.index_of(uid)
            .and_then(|i| self.centers.get(i).copied())
    }

    /// [`CanvasView::drag_to`] by uid; a service that is gone is ignored.
    pub fn drag_uid_to(&mut self, uid: ServiceUid, center: Pos2) {
        if let Some(index) = self.index_of(uid) {
            self.drag_to(index, center);
        }
    }

    /// Mirrors the window's selection into the view model.
    pub fn set_selection(&mut self, services: &[ServiceUid], edge: Option<EdgeUid>) {
        let old_nodes = self.graph.selected_nodes().to_vec();
        for n in old_nodes {
            if let Some(node) = self.graph.node_mut(n) {
                node.set_selected(false);
            }
        }
        let old_edges = self.graph.selected_edges().to_vec();
        for e in old_edges {
            if let Some(edge) = self.graph.edge_mut(e) {
                edge.set_selected(false);
            }
        }
        let mut nodes = Vec::new();
        let indices: Vec<usize> = services
            .iter()
            .filter_map(|&uid| self.index_of(uid))
            .collect();
        for s in indices {
            let index = NodeIndex::new(s);
            if let Some(node) = self.graph.node_mut(index) {
                node.set_selected(true);
                nodes.push(index);
            }
        }
        let mut edges = Vec::new();
        if let Some(position) = edge.and_then(|uid| self.edge_index_of(uid)) {
            let index = EdgeIndex::new(position);
            if let Some(edge) = self.graph.edge_mut(index) {
                edge.set_selected(true);
                edges.push(index);
            }
        }
        self.graph.set_selected_nodes(nodes);
        self.graph.set_selected_edges(edges);
    }

    /// True when the service is selected.
    pub fn is_selected(&self, service: usize) -> bool {
        self.graph
            .node(NodeIndex::new(service))
            .is_some_and(|n| n.selected())
    }

    /// True when the edge is selected.
    pub fn is_edge_selected(&self, position: usize) -> bool {
        self.graph
            .edge(EdgeIndex::new(position))
            .is_some_and(|e| e.selected())
    }

    /// Records the hovered service.
    pub fn set_hovered(&mut self, service: Option<usize>) {
        let old = self.graph.hovered_node();
        if old.map(|n| n.index()) == service {
            return;
        }
        if let Some(node) = old.and_then(|n| self.graph.node_mut(n)) {
            node.set_hovered(false);
        }
        let new = service.map(NodeIndex::new);
        if let Some(node) = new.and_then(|n| self.graph.node_mut(n)) {
            node.set_hovered(true);
        }
        self.graph.set_hovered_node(new);
    }

    /// The hovered service, if any.
    pub fn hovered(&self) -> Option<usize> {
        self.graph.hovered_node().map(|n| n.index())
    }
}

/// "1 stage", "3 stages": a count and its noun, plural when it is not one.
pub fn counted(n: usize, noun: &str) -> String {
    if n == 1 {
        format!("1 {noun}")
    } else {
        format!("{n} {noun}s")
    }
}
