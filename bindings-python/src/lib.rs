//! Binding crate (in progress).
