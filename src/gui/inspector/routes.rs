//! A gateway's routes: each request route and the event the gateway publishes for it, with the
//! events its edges carry offered.

use egui::{RichText, Ui};

use crate::model::{Route, Service, ServiceIndex};

use super::super::app::App;
use super::super::theme;
use super::text_field;

impl App {
    pub(super) fn routes_ui(&mut self, ui: &mut Ui, service: &Service, index: ServiceIndex) {
        ui.label(RichText::new("Routes").strong());
        let offered: Vec<String> = self
            .doc
            .design
            .published_events(index)
            .into_iter()
            .map(str::to_owned)
            .collect();
        if service.routes.is_empty() {
            ui.weak("No routes yet: a request to this gateway finds no handler.");
        }
        let mut routes = service.routes.clone();
        let mut changed = false;
        let mut remove = None;
        for (i, route) in routes.iter_mut().enumerate() {
            let n = i + 1;
            let Some((route_text, event_text)) = self.draft.routes.get_mut(i) else {
                continue;
            };
            egui::Grid::new(("gateway-route", i))
                .num_columns(2)
                .spacing([8.0, 4.0])
                .show(ui, |ui| {
                    let r = text_field(ui, &format!("Route {n}"), route_text, "POST /path");
                    if r.lost_focus() && route_text.trim() != route.route {
                        route.route = route_text.trim().to_owned();
                        changed = true;
                    }
                    ui.end_row();
                    let r = text_field(
                        ui,
                        &format!("Event {n}"),
                        event_text,
                        "the event it publishes",
                    );
                    if r.lost_focus() && event_text.trim() != route.event {
                        route.event = event_text.trim().to_owned();
                        changed = true;
                    }
                    ui.end_row();
                });
            ui.horizontal(|ui| {
                ui.menu_button(format!("Events for route {n}"), |ui| {
                    if offered.is_empty() {
                        ui.label(
                            "Connect the gateway to a service first: its edges' events show here.",
                        );
                    }
                    for event in &offered {
                        if ui.button(event).clicked() {
                            route.event = event.clone();
                            changed = true;
                            ui.close();
                        }
                    }
                })
                .response
                .on_hover_text("The events this gateway's edges carry");
                if ui.button(format!("Remove route {n}")).clicked() {
                    remove = Some(i);
                }
            });
            if !offered.contains(&route.event) && !route.event.is_empty() {
                ui.label(
                    RichText::new(format!("No edge of this gateway carries {}", route.event))
                        .color(theme::palette(ui.ctx()).warning),
                );
            }
            ui.add_space(4.0);
        }
        if let Some(i) = remove {
            routes.remove(i);
            changed = true;
        }
        if ui.button("➕ Add route").clicked() {
            let event = offered
                .iter()
                .find(|e| !routes.iter().any(|r| &r.event == *e))
                .cloned()
                .unwrap_or_default();
            routes.push(Route {
                route: format!("POST /route-{}", routes.len() + 1),
                event,
            });
            changed = true;
        }
        if changed {
            self.edit_service(service, |s| s.routes = routes);
        }
    }
}
