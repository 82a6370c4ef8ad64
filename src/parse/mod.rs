//! Parsers that keep the position of every node: `.env` files, Dockerfiles, YAML.

pub mod dockerfile;
pub mod env;
pub mod yaml;
