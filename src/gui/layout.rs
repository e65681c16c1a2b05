//! The library layout ([`crate::geometry::layout`]) in the canvas's egui types.

use egui::{Pos2, pos2};

use crate::analysis::Analysis;
use crate::geometry::{self, Point};
use crate::model::Design;

pub use crate::geometry::layout::{Layout, Ranking, layout};

/// A library point as an egui point.
pub fn to_pos(p: Point) -> Pos2 {
    pos2(p.x, p.y)
}

/// An egui point as a library point.
pub fn to_point(p: Pos2) -> Point {
    geometry::pt(p.x, p.y)
}

/// Where each service is drawn: see [`geometry::layout::display_positions`].
pub fn display_positions(design: &Design, analysis: &Analysis) -> Vec<Pos2> {
    geometry::layout::display_positions(design, analysis)
        .into_iter()
        .map(to_pos)
        .collect()
}

/// A free spot near `wanted` for a new box: see [`geometry::layout::free_spot`].
pub fn free_spot(centers: &[Pos2], wanted: Pos2) -> Pos2 {
    let centers: Vec<Point> = centers.iter().copied().map(to_point).collect();
    to_pos(geometry::layout::free_spot(&centers, to_point(wanted)))
}

/// Designs at least this large are laid out on a worker thread (smaller ones take less than a
/// frame: they are laid out at once).
pub const WORKER_MIN_SERVICES: usize = 400;

/// An auto-layout on a worker thread: a state machine the window steps once a frame.
/// Session state.
#[derive(Debug, Default)]
pub enum LayoutJob {
    /// Nothing running.
    #[default]
    Idle,
    /// The worker is laying out the design as it was at `revision`.
    Running {
        /// The history revision the layout is for; a result for another is dropped.
        revision: u64,
        /// Progress in thousandths, written by the worker.
        progress: std::sync::Arc<std::sync::atomic::AtomicU32>,
        /// Set to ask the worker to stop.
        cancel: std::sync::Arc<std::sync::atomic::AtomicBool>,
        /// The layout, or `None` when it stopped on request.
        result: std::sync::mpsc::Receiver<Option<Layout>>,
    },
}

/// What [`LayoutJob::poll`] found.
#[derive(Debug, PartialEq)]
pub enum LayoutPoll {
    /// Nothing running.
    Idle,
    /// Still running, this far (0 to 1).
    Running(f32),
    /// Finished: the layout of the design at `revision`.
    Done {
        /// The revision the layout is for.
        revision: u64,
        /// Positions and lanes.
        layout: Layout,
    },
    /// Stopped by [`LayoutJob::cancel`], or the worker went away.
    Cancelled,
}

impl LayoutJob {
    /// Starts laying out a copy of the design on a worker thread.
    pub fn start(design: Design, analysis: Analysis, ranking: Ranking, revision: u64) -> LayoutJob {
        use std::sync::atomic::{AtomicBool, AtomicU32, Ordering};
        let progress = std::sync::Arc::new(AtomicU32::new(0));
        let cancel = std::sync::Arc::new(AtomicBool::new(false));
        let (send, result) = std::sync::mpsc::channel();
        let (p, c) = (progress.clone(), cancel.clone());
        std::thread::spawn(move || {
            let out =
                geometry::layout::layout_with_progress(&design, &analysis, ranking, &mut |f| {
                    p.store((f * 1000.0) as u32, Ordering::Relaxed);
                    !c.load(Ordering::Relaxed)
                });
            // The window may have gone; nobody to tell then.
            let _ = send.send(out);
        });
        LayoutJob::Running {
            revision,
            progress,
            cancel,
            result,
        }
    }

    /// True while a layout runs.
    pub fn is_running(&self) -> bool {
        matches!(self, LayoutJob::Running { .. })
    }

    /// Asks the worker to stop; the next [`LayoutJob::poll`] that sees it stopped says so.
    pub fn cancel(&self) {
        if let LayoutJob::Running { cancel, .. } = self {
            cancel.store(true, std::sync::atomic::Ordering::Relaxed);
        }
    }

    /// Steps the machine: Running stays Running until the worker answers, then it is Idle.
    pub fn poll(&mut self) -> LayoutPoll {
        use std::sync::mpsc::TryRecvError;
        let LayoutJob::Running {
            revision,
            progress,
            result,
            ..
        } = self
        else {
            return LayoutPoll::Idle;
        };
        let outcome = match result.try_recv() {
            Err(TryRecvError::Empty) => {
                let done = progress.load(std::sync::atomic::Ordering::Relaxed);
                return LayoutPoll::Running(done as f32 / 1000.0);
            }
            Ok(Some(layout)) => LayoutPoll::Done {
                revision: *revision,
                layout,
            },
            Ok(None) | Err(TryRecvError::Disconnected) => LayoutPoll::Cancelled,
        };
        *self = LayoutJob::Idle;
        outcome
    }
}

/// The progress window of a layout on the worker; true when Cancel was clicked.
pub fn progress_ui(ctx: &egui::Context, done: f32) -> bool {
    let mut cancel = false;
    egui::Window::new("Auto-layout")
        .collapsible(false)
        .resizable(false)
        .anchor(egui::Align2::CENTER_TOP, egui::vec2(0.0, 80.0))
        .show(ctx, |ui| {
            ui.label("Laying out the design…");
            ui.add(egui::ProgressBar::new(done).show_percentage());
            cancel = ui.button("Cancel").clicked();
        });
    cancel
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Service, ServiceKind};

    fn chain(n: usize) -> (Design, Analysis) {
        let mut d = Design::new("chain");
        for i in 0..n {
            d.services
                .push(Service::new(format!("s{i}"), ServiceKind::Function));
        }
        for i in 1..n {
            d.connect(&format!("s{}", i - 1), &format!("s{i}"), "E");
        }
        let a = crate::analysis::analyze(&d);
        (d, a)
    }

    fn wait(job: &mut LayoutJob) -> LayoutPoll {
        loop {
            match job.poll() {
                LayoutPoll::Running(f) => {
                    assert!((0.0..=1.0).contains(&f));
                    std::thread::sleep(std::time::Duration::from_millis(2));
                }
                other => return other,
            }
        }
    }

    #[test]
    fn a_job_runs_to_the_same_positions_as_a_direct_layout() {
        let (d, a) = chain(50);
        let expected = layout(&d, &a, Ranking::Compact);
        let mut job = LayoutJob::start(d, a, Ranking::Compact, 7);
        assert!(job.is_running());
        assert_eq!(
            wait(&mut job),
            LayoutPoll::Done {
                revision: 7,
                layout: expected
            }
        );
        assert!(!job.is_running());
        assert_eq!(job.poll(), LayoutPoll::Idle);
    }

    #[test]
    fn a_cancelled_job_ends_and_leaves_the_machine_idle() {
        let (d, a) = chain(2000);
        let mut job = LayoutJob::start(d, a, Ranking::Stages, 1);
        job.cancel();
        // Cancelled, unless it had already finished before the flag was seen.
        match wait(&mut job) {
            LayoutPoll::Cancelled | LayoutPoll::Done { .. } => {}
            other => panic!("{other:?}"),
        }
        assert!(!job.is_running());
    }
}
