//! Building blocks shared by the screens.

mod empty_state;

pub use empty_state::EmptyState;
