//! The sessions the session layers of one request install, and how an extractor finds the one
//! it asks for. No framework: each integration keeps the set in its own request extensions.

use std::any::Any;
use std::sync::Arc;

use super::rejection::{Integration, MissingSession, SessionRejection};
use super::request_session::{LayerConfig, RequestSession};
use crate::codec::Codec;
use crate::session_sealer::SessionSealer;

/// The sessions the layers of one request installed, outermost first. (`pub` only as the type
/// of a sealed trait's hidden method: not reachable from outside the crate.)
#[derive(Clone, Default)]
pub struct SessionSet {
    /// The outermost layer's session: most apps install one layer, and its session needs no
    /// vector of its own.
    first: Option<SetEntry>,
    /// The sessions of the layers inside it.
    rest: Vec<SetEntry>,
}

#[derive(Clone)]
struct SetEntry {
    name: Arc<str>,
    /// The codec's type name, worked out only for an error message (a per-request cost else).
    codec: fn() -> &'static str,
    /// The layer's `RequestSession<C>`, for its codec `C`.
    session: Arc<dyn Any + Send + Sync>,
}

impl SessionSet {
    /// A new session for the layer of cookie `name`, added to the set inside those already
    /// there; `None` when a layer outside installed that cookie's session already (the layer
    /// was applied twice, on a router and on a nested one, say): that one alone reads and
    /// writes the cookie.
    pub(crate) fn install<S: SessionSealer>(
        &mut self,
        name: &Arc<str>,
        layer: &Arc<LayerConfig<S>>,
    ) -> Option<Arc<RequestSession<S::Codec>>> {
        if self.iter().any(|entry| entry.name == *name) {
            return None;
        }
        let session = Arc::new(RequestSession::new(layer));
        let entry = SetEntry {
            name: Arc::clone(name),
            codec: codec_type::<S::Codec>,
            session: Arc::clone(&session) as Arc<dyn Any + Send + Sync>,
        };
        match self.first {
            None => self.first = Some(entry),
            Some(_) => self.rest.push(entry),
        }
        Some(session)
    }

    fn iter(&self) -> impl Iterator<Item = &SetEntry> {
        self.first.iter().chain(&self.rest)
    }

    /// The session of codec `C` (and cookie `name`, if given) in `set`, the request's set if
    /// it has one; the error in `integration`'s words.
    pub(crate) fn find<C: Codec>(
        set: Option<&Self>,
        name: Option<&str>,
        integration: &'static Integration,
    ) -> Result<Arc<RequestSession<C>>, SessionRejection> {
        let rejection = |problem| SessionRejection {
            problem,
            integration,
        };
        let Some(set) = set else {
            return Err(rejection(MissingSession::Missing {
                name: name.map(str::to_owned),
                codec: codec_type::<C>(),
                installed: Vec::new(),
            }));
        };
        let mut matching = set.iter().filter(|entry| {
            name.is_none_or(|name| *entry.name == *name) && entry.session.is::<RequestSession<C>>()
        });
        let first = matching.next();
        if name.is_none() && matching.next().is_some() {
            return Err(rejection(MissingSession::Ambiguous {
                names: set.iter().map(|e| e.name.to_string()).collect(),
            }));
        }
        first
            .and_then(|entry| Arc::clone(&entry.session).downcast().ok())
            .ok_or_else(|| {
                rejection(MissingSession::Missing {
                    name: name.map(str::to_owned),
                    codec: codec_type::<C>(),
                    installed: set
                        .iter()
                        .map(|e| format!("{} (Session<{}>)", e.name, (e.codec)()))
                        .collect(),
                })
            })
    }
}

/// The codec's type as a handler names it: `Postcard`, `Json`, or the last segment of a codec
/// of the application's own.
fn codec_type<C: Codec>() -> &'static str {
    let full = std::any::type_name::<C>();
    // `a::b::C<d::E>` -> `C<d::E>`: the segment after the last `::` outside angle brackets.
    let outer = full.split('<').next().unwrap_or(full);
    let start = outer.rfind("::").map_or(0, |i| i + 2);
    &full[start..]
}
