//! The sessions the layers of one request put in its extensions, and how an extractor finds
//! the one it asks for.

use std::any::Any;
use std::sync::Arc;

use http::Extensions;

use super::rejection::SessionRejection;
use crate::codec::Codec;
use crate::cookie_layer::RequestSession;

/// The sessions the layers of one request installed, outermost first.
#[derive(Clone, Default)]
pub(super) struct SessionSet {
    /// The outermost layer's session: most apps install one layer, and its session needs no
    /// vector of its own.
    pub(super) first: Option<SetEntry>,
    /// The sessions of the layers inside it.
    pub(super) rest: Vec<SetEntry>,
}

#[derive(Clone)]
pub(super) struct SetEntry {
    pub(super) name: Arc<str>,
    /// The codec's type name, worked out only for an error message (a per-request cost else).
    pub(super) codec: fn() -> &'static str,
    /// The layer's `RequestSession<C>`, for its codec `C`.
    pub(super) session: Arc<dyn Any + Send + Sync>,
}

impl SessionSet {
    pub(super) fn iter(&self) -> impl Iterator<Item = &SetEntry> {
        self.first.iter().chain(&self.rest)
    }

    pub(super) fn find<C: Codec>(
        &self,
        name: Option<&str>,
    ) -> Result<Arc<RequestSession<C>>, SessionRejection> {
        let mut matching = self.iter().filter(|entry| {
            name.is_none_or(|name| *entry.name == *name) && entry.session.is::<RequestSession<C>>()
        });
        let first = matching.next();
        if name.is_none() && matching.next().is_some() {
            return Err(SessionRejection::Ambiguous {
                names: self.iter().map(|e| e.name.to_string()).collect(),
            });
        }
        first
            .and_then(|entry| Arc::clone(&entry.session).downcast().ok())
            .ok_or_else(|| SessionRejection::Missing {
                name: name.map(str::to_owned),
                codec: codec_type::<C>(),
                installed: self
                    .iter()
                    .map(|e| format!("{} (Session<{}>)", e.name, (e.codec)()))
                    .collect(),
            })
    }
}

/// The codec's type as a handler names it: `Postcard`, `Json`, or the last segment of a codec
/// of the application's own.
pub(super) fn codec_type<C: Codec>() -> &'static str {
    let full = std::any::type_name::<C>();
    // `a::b::C<d::E>` -> `C<d::E>`: the segment after the last `::` outside angle brackets.
    let outer = full.split('<').next().unwrap_or(full);
    let start = outer.rfind("::").map_or(0, |i| i + 2);
    &full[start..]
}

pub(super) fn sessions_in(extensions: &Extensions) -> Result<&SessionSet, SessionRejection> {
    extensions
        .get::<SessionSet>()
        .ok_or(SessionRejection::Missing {
            name: None,
            codec: "",
            installed: Vec::new(),
        })
}
