//! Source-code front-ends and the facts they extract (see `facts`).

pub mod facts;
