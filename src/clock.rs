//! The time the service acts on. Requests, writes and the job queue ask a
//! `Clock` rather than the system, so that a test sets the time (a
//! scheduled article falls due when the test says) instead of sleeping.

use std::sync::{Arc, Mutex, PoisonError};

use chrono::{NaiveDateTime, SubsecRound};

use crate::timestamp;

pub trait Clock: Send + Sync + std::fmt::Debug {
    /// Now, in UTC, truncated as stored (`timestamp::now`).
    fn now(&self) -> NaiveDateTime;

    /// Registers `wake`, called whenever the time jumps (a test clock set
    /// forward), so that whoever sleeps until a time looks again.
    fn on_jump(&self, _wake: Box<dyn Fn() + Send + Sync>) {}
}

/// The system's clock: what the service uses outside tests.
#[derive(Debug, Default, Clone, Copy)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> NaiveDateTime {
        timestamp::now()
    }
}

/// A clock that stands still until it is set: for tests.
#[derive(Default)]
pub struct ManualClock {
    at: Mutex<NaiveDateTime>,
    listeners: Mutex<Vec<Box<dyn Fn() + Send + Sync>>>,
}

impl std::fmt::Debug for ManualClock {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ManualClock")
            .field("at", &self.now())
            .finish()
    }
}

impl ManualClock {
    /// A clock showing the system's time now, then standing still.
    pub fn starting_now() -> Arc<Self> {
        Arc::new(Self {
            at: Mutex::new(timestamp::now()),
            listeners: Mutex::default(),
        })
    }

    pub fn set(&self, at: NaiveDateTime) {
        *self.at.lock().unwrap_or_else(PoisonError::into_inner) = at.trunc_subsecs(6);
        for wake in self
            .listeners
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .iter()
        {
            wake();
        }
    }

    pub fn advance(&self, by: chrono::Duration) {
        self.set(self.now() + by);
    }
}

impl Clock for ManualClock {
    fn now(&self) -> NaiveDateTime {
        *self.at.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn on_jump(&self, wake: Box<dyn Fn() + Send + Sync>) {
        self.listeners
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push(wake);
    }
}
